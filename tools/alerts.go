package tools

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/tools/intent"
)

// AlertDesk acts on alerts. *store.Store satisfies it.
type AlertDesk interface {
	// ActOnAlert acknowledges, snoozes or mutes alert id exactly once, audited. It returns
	// EINVALID, ENOTFOUND, or ECONFLICT with the alert as stored when it is resolved or the
	// action was already done.
	ActOnAlert(ctx context.Context, id int64, act fleet.AlertAction, who fleet.Actor, at time.Time) (fleet.Alert, error)
	// RefuseAlertAct records in the audit log that who was refused act on alert id.
	RefuseAlertAct(ctx context.Context, id int64, act fleet.AlertAction, who fleet.Actor, at time.Time) error
	// QueryAlerts returns the alerts q selects, newest first, and the next page's cursor (0:
	// none).
	QueryAlerts(ctx context.Context, q fleet.AlertQuery) ([]fleet.Alert, int64, error)
}

// ActOnAlert does act (acknowledge, snooze, mute) on alert id for caller, exactly once across
// replicas and double clicks, and queues the notification that updates the alert's Slack
// message in place. The buttons and the JSON API both call it. On ECONFLICT the alert as
// stored comes back with the error, so the caller can say who did it first and when. A caller
// the front door does not vouch for (c.AlertHandler) gets EFORBIDDEN, and the refusal is
// audited.
func (r *Registry) ActOnAlert(ctx context.Context, id int64, act fleet.AlertAction, c Caller) (fleet.Alert, error) {
	now := r.now().UTC()
	who := fleet.Actor{ID: callerID(c), Name: c.Name, Via: c.Via}
	if !c.AlertHandler {
		if err := r.fleet.RefuseAlertAct(ctx, id, act, who, now); err != nil {
			r.log.ErrorContext(ctx, "audit a refused alert action", "err", err, "alert_id", id)
		}
		return fleet.Alert{}, fleet.Errorf(fleet.EFORBIDDEN, "only dispatch approvers and on-call can acknowledge, snooze or mute alerts")
	}
	a, err := r.fleet.ActOnAlert(ctx, id, act, who, now)
	if err != nil {
		return a, err
	}
	kind := fleet.NotifyAlertActed
	if !a.Open() {
		kind = fleet.NotifyAlertResolved // acknowledging an SOS ends it
	}
	n := fleet.AlertNotification(a, kind, now)
	if r.notifier == nil {
		r.log.ErrorContext(ctx, "no notifier: alert message not updated", "alert_id", id)
		return a, nil
	}
	// The action is committed: queue its message update even if the caller's deadline is spent.
	nctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := r.notifier.Notify(nctx, n); err != nil {
		r.log.ErrorContext(ctx, "queue alert update", "err", err, "alert_id", id, "kind", n.Kind)
	}
	return a, nil
}

// ToolListAlerts is the alert history function.
const ToolListAlerts = "list_alerts"

// ListAlertsArgs are list_alerts' arguments.
type ListAlertsArgs struct {
	Status   *string `json:"status" enum:"open,resolved" desc:"open = still open, resolved = ended; null = both."`
	Plate    *string `json:"plate" desc:"Only this truck's alerts (plate in any spelling); null = every truck."`
	Kind     *string `json:"kind" desc:"Only this kind: overspeed, idle, offline, geofence, ignition, trip_delayed, trip_at_risk, dwell, harsh_driving, loconav, system; null = every kind."`
	Severity *string `json:"severity" enum:"critical,warning,info" desc:"Only this severity; null = every severity."`
	Since    *string `json:"since" desc:"Only alerts opened on or after this day (2026-12-07, today, yesterday); null = any time."`
}

// AlertList is list_alerts' answer: the latest 20 alerts matching, newest first.
type AlertList struct {
	Alerts []AlertLine `json:"alerts"`
	More   bool        `json:"more"` // more alerts match than are listed
}

// AlertLine is one alert of the history.
type AlertLine struct {
	ID             int64  `json:"id"`
	Kind           string `json:"kind"`
	Severity       string `json:"severity"`
	Plate          string `json:"plate,omitempty"`
	Message        string `json:"message"`
	Opened         string `json:"opened"`
	Ended          string `json:"ended,omitempty"`
	Resolution     string `json:"resolution,omitempty"`
	AcknowledgedBy string `json:"acknowledged_by,omitempty"`
}

func (r *Registry) listAlertsTool() Tool {
	return Tool{
		Name: ToolListAlerts,
		Description: "The alert history: the latest alerts (newest first, at most 20) with severity, truck, when they " +
			"opened and ended, how they ended and who acknowledged them; filter by open/resolved, truck, kind, severity and day.",
		Parameters: strictSchema(ListAlertsArgs{}),
		ReadOnly:   true,
		run: func(ctx context.Context, raw json.RawMessage, _ Caller) (any, error) {
			var a ListAlertsArgs
			if err := decodeArgs(raw, &a); err != nil {
				return nil, err
			}
			return r.ListAlerts(ctx, a)
		},
	}
}

// ListAlerts answers list_alerts. It returns EINVALID for an unknown status, kind, severity or
// day.
func (r *Registry) ListAlerts(ctx context.Context, a ListAlertsArgs) (*AlertList, error) {
	q := fleet.AlertQuery{Plate: str(a.Plate), Limit: 20}
	switch str(a.Status) {
	case "":
	case "open", "resolved":
		open := str(a.Status) == "open"
		q.Open = &open
	default:
		return nil, fleet.Errorf(fleet.EINVALID, "status must be open or resolved")
	}
	if k := str(a.Kind); k != "" {
		if q.Kinds = fleet.ExpandKind(k); q.Kinds == nil {
			return nil, fleet.Errorf(fleet.EINVALID, "%q is not an alert kind", k)
		}
	}
	if s := fleet.Severity(strings.ToLower(str(a.Severity))); s != "" {
		if !s.Valid() {
			return nil, fleet.Errorf(fleet.EINVALID, "severity must be critical, warning or info")
		}
		q.Severity = s
	}
	if d := str(a.Since); d != "" {
		day, err := intent.ParseDate(d, r.now(), r.loc)
		if err != nil {
			return nil, err
		}
		q.Since = day
	}
	alerts, next, err := r.fleet.QueryAlerts(ctx, q)
	if err != nil {
		return nil, err
	}
	out := &AlertList{Alerts: make([]AlertLine, 0, len(alerts)), More: next != 0}
	for _, al := range alerts {
		line := AlertLine{ID: al.ID, Kind: string(al.Kind), Severity: string(al.Severity), Plate: al.Plate,
			Message: al.Message, Opened: fleet.FormatTime(al.OpenedAt, nil), Resolution: al.Resolution}
		if al.ResolvedAt != nil {
			line.Ended = fleet.FormatTime(*al.ResolvedAt, nil)
		}
		if al.Acked != nil {
			line.AcknowledgedBy = al.Acked.Name
			if line.AcknowledgedBy == "" {
				line.AcknowledgedBy = al.Acked.By
			}
		}
		out.Alerts = append(out.Alerts, line)
	}
	return out, nil
}

// QueryAlerts returns the alerts q selects, newest first, and the next page's cursor (0: no
// more), straight from the fleet's history: the JSON API's alert list, next to ActOnAlert.
func (r *Registry) QueryAlerts(ctx context.Context, q fleet.AlertQuery) ([]fleet.Alert, int64, error) {
	return r.fleet.QueryAlerts(ctx, q)
}
