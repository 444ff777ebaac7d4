package tools

import (
	"context"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
)

// AlertDesk acts on alerts. *store.Store satisfies it.
type AlertDesk interface {
	// ActOnAlert acknowledges, snoozes or mutes alert id exactly once, audited. It returns
	// EINVALID, ENOTFOUND, or ECONFLICT with the alert as stored when it is resolved or the
	// action was already done.
	ActOnAlert(ctx context.Context, id int64, act fleet.AlertAction, who fleet.Actor, at time.Time) (fleet.Alert, error)
}

// ActOnAlert does act (acknowledge, snooze, mute) on alert id for caller, exactly once across
// replicas and double clicks, and queues the notification that updates the alert's Slack
// message in place. The buttons and the JSON API both call it. On ECONFLICT the alert as
// stored comes back with the error, so the caller can say who did it first and when.
func (r *Registry) ActOnAlert(ctx context.Context, id int64, act fleet.AlertAction, c Caller) (fleet.Alert, error) {
	now := r.now().UTC()
	a, err := r.fleet.ActOnAlert(ctx, id, act, fleet.Actor{ID: callerID(c), Name: c.Name, Via: c.Via}, now)
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
