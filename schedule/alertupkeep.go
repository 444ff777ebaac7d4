package schedule

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
)

// Escalations finds critical alerts nobody acknowledged and marks them escalated, once.
// *store.Store satisfies it.
type Escalations interface {
	// UnackedCritical returns open critical alerts opened at or before openedBefore that are
	// neither acknowledged nor escalated, oldest first.
	UnackedCritical(ctx context.Context, openedBefore time.Time, limit int) ([]fleet.Alert, error)
	// MarkEscalated records the escalation of alert id; false when it was escalated,
	// acknowledged or resolved meanwhile.
	MarkEscalated(ctx context.Context, id int64, at time.Time) (bool, error)
}

// MaintenanceEnder puts back in service the trucks whose maintenance end has passed.
// *store.Store satisfies it.
type MaintenanceEnder interface {
	EndMaintenance(ctx context.Context, now time.Time) ([]string, error)
}

// AlertUpkeep is the alert-upkeep job: a critical alert nobody acknowledged within
// EscalateAfter is repeated once in its thread mentioning on-call, and maintenance whose
// "until" has passed ends.
//
// The escalation is queued before it is marked: a run that dies in between is finished by the
// next one under the same notification ID, which the sender delivers once. Marking is a
// conditional UPDATE, so an alert acknowledged or resolved meanwhile is never marked, and the
// sender drops the reply of an alert that is acknowledged or resolved by the time it delivers.
type AlertUpkeep struct {
	Alerts        Escalations
	Maintenance   MaintenanceEnder // nil: maintenance ends only by /truck <plate> active
	Notifier      Notifier
	EscalateAfter time.Duration // default 15 min
}

// escalateBatch bounds the escalations of one run; the next run takes the rest.
const escalateBatch = 200

// Run escalates what is overdue at now and ends expired maintenance.
func (u *AlertUpkeep) Run(ctx context.Context, now time.Time) error {
	var errs []error
	if u.Maintenance != nil {
		if _, err := u.Maintenance.EndMaintenance(ctx, now); err != nil {
			errs = append(errs, fmt.Errorf("end maintenance: %w", err))
		}
	}
	after := u.EscalateAfter
	if after <= 0 {
		after = 15 * time.Minute
	}
	due, err := u.Alerts.UnackedCritical(ctx, now.Add(-after), escalateBatch)
	if err != nil {
		return errors.Join(append(errs, fmt.Errorf("list unacknowledged critical alerts: %w", err))...)
	}
	for _, a := range due {
		n := fleet.AlertNotification(a, fleet.NotifyAlertEscalate, now)
		n.Text = humanDuration(now.Sub(a.OpenedAt))
		err := u.Notifier.Notify(ctx, n)
		if err == nil {
			_, err = u.Alerts.MarkEscalated(ctx, a.ID, now.UTC())
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("escalate alert %d: %w", a.ID, err))
		}
	}
	return errors.Join(errs...)
}
