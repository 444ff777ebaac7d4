package api

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/tools"
)

// Alerts reads the alert history and acknowledges alerts (*tools.Registry: ActOnAlert is the
// function behind the Slack button).
type Alerts interface {
	// QueryAlerts returns the alerts q selects, newest first, and the next page's cursor.
	QueryAlerts(ctx context.Context, q fleet.AlertQuery) ([]fleet.Alert, int64, error)
	// ActOnAlert does act on alert id exactly once and queues the Slack message update. It
	// returns ENOTFOUND, or ECONFLICT when resolved or already done.
	ActOnAlert(ctx context.Context, id int64, act fleet.AlertAction, c tools.Caller) (fleet.Alert, error)
}

const cursorAlerts = "alerts"

// AlertItem is one alert of the history, as the API shows it.
type AlertItem struct {
	ID             int64      `json:"id"`
	Kind           string     `json:"kind"`
	Severity       string     `json:"severity"`
	Status         string     `json:"status"` // open or resolved
	Plate          string     `json:"plate"`
	TripID         string     `json:"trip_id"`
	Site           string     `json:"site"`
	Message        string     `json:"message"`
	OpenedAt       time.Time  `json:"opened_at"`
	ResolvedAt     *time.Time `json:"resolved_at"`
	Resolution     string     `json:"resolution"`
	AcknowledgedBy *string    `json:"acknowledged_by"`
	AcknowledgedAt *time.Time `json:"acknowledged_at"`
}

type alertPage struct {
	Data       []AlertItem `json:"data"`
	NextCursor *string     `json:"next_cursor"`
}

func alertItem(a fleet.Alert) AlertItem {
	out := AlertItem{ID: a.ID, Kind: string(a.Kind), Severity: string(a.Severity), Status: "open", Plate: a.Plate,
		TripID: a.TripCode, Site: a.SiteCode, Message: a.Message, OpenedAt: a.OpenedAt, ResolvedAt: a.ResolvedAt,
		Resolution: a.Resolution}
	if !a.Open() {
		out.Status = "resolved"
	}
	if a.Acked != nil {
		who, at := a.Acked.Name, a.Acked.At
		if who == "" {
			who = a.Acked.By
		}
		out.AcknowledgedBy, out.AcknowledgedAt = &who, &at
	}
	return out
}

// listAlerts serves GET /api/v1/alerts: filters status, plate, kind, severity, since; cursor
// paging, newest first.
func (s *Server) listAlerts(_ http.ResponseWriter, r *http.Request, q *query) (int, any, error) {
	if s.deps.Alerts == nil {
		return 0, nil, fleet.Errorf(fleet.EUNAVAILABLE, "the alert history is not available")
	}
	aq := fleet.AlertQuery{Plate: q.str("plate"), Limit: q.intIn("limit", defaultPageSize, 1, 200),
		Since: q.instant("since", s.loc, false)}
	switch q.oneOf("status", "open", "resolved") {
	case "open":
		yes := true
		aq.Open = &yes
	case "resolved":
		no := false
		aq.Open = &no
	}
	if sev := q.oneOf("severity", "critical", "warning", "info"); sev != "" {
		aq.Severity = fleet.Severity(sev)
	}
	if k := q.str("kind"); k != "" {
		if aq.Kinds = fleet.ExpandKind(k); aq.Kinds == nil {
			return 0, nil, badParam("kind", "kind %q is not an alert kind", k)
		}
	}
	if q.err != nil {
		return 0, nil, q.err
	}
	if pos, err := decodeCursor(q.str("cursor"), cursorAlerts); err != nil {
		return 0, nil, err
	} else if pos != "" {
		if aq.Before, err = strconv.ParseInt(pos, 10, 64); err != nil {
			return 0, nil, badParam("cursor", "cursor is not a next_cursor of this list; start again without it")
		}
	}
	alerts, next, err := s.deps.Alerts.QueryAlerts(r.Context(), aq)
	if err != nil {
		return 0, nil, err
	}
	out := alertPage{Data: make([]AlertItem, 0, len(alerts))}
	for _, a := range alerts {
		out.Data = append(out.Data, alertItem(a))
	}
	if next != 0 {
		c := encodeCursor(cursorAlerts, strconv.FormatInt(next, 10))
		out.NextCursor = &c
	}
	return http.StatusOK, out, nil
}

// ackAlert serves POST /api/v1/alerts/{id}/ack: the same acknowledgement as the Slack button,
// which it updates; 409 when already acknowledged (by whom, when) or resolved.
func (s *Server) ackAlert(_ http.ResponseWriter, r *http.Request, _ *query) (int, any, error) {
	if s.deps.Alerts == nil {
		return 0, nil, fleet.Errorf(fleet.EUNAVAILABLE, "alerts are not available")
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, nil, fleet.Errorf(fleet.ENOTFOUND, "alert %q not found", r.PathValue("id"))
	}
	tok := tokenOf(r.Context())
	a, err := s.deps.Alerts.ActOnAlert(r.Context(), id, fleet.ActAck, tools.Caller{UserID: tok.Name, Name: tok.Name, Via: "api",
		AlertHandler: true}) // the write scope, checked for this route, is the token's authority
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, alertItem(a), nil
}
