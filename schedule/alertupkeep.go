package schedule

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
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

// InfoAlerts lists the info alerts of a period for the digest. *store.Store satisfies it.
type InfoAlerts interface {
	// AlertsOpened returns the alerts of severity opened in [from, to), oldest first.
	AlertsOpened(ctx context.Context, from, to time.Time, severity fleet.Severity) ([]fleet.Alert, error)
}

// MaintenanceEnder puts back in service the trucks whose maintenance end has passed.
// *store.Store satisfies it.
type MaintenanceEnder interface {
	EndMaintenance(ctx context.Context, now time.Time) ([]string, error)
}

// AlertUpkeep is the alert-upkeep job: a critical alert nobody acknowledged within
// EscalateAfter is repeated once in its thread mentioning on-call, maintenance whose "until"
// has passed ends, and trucks waiting in a site too long raise dwell alerts (DwellWatch).
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
	Digest        InfoAlerts    // nil or DigestEvery 0: info alerts are posted one by one
	DigestEvery   time.Duration // ALERT_DIGEST_EVERY
	Dwell         *DwellWatch   // nil: no dwell alerts
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
	if err := u.digest(ctx, now); err != nil {
		errs = append(errs, err)
	}
	if u.Dwell != nil {
		if err := u.Dwell.Run(ctx, now); err != nil {
			errs = append(errs, err)
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
		n.Text = fleet.FormatDuration(now.Sub(a.OpenedAt))
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

// digest queues the info alerts of the period that just ended, on the first run after each
// period boundary (the job runs every minute, once per minute across replicas). The
// notification's ID is the period, so a retried run queues nothing twice.
func (u *AlertUpkeep) digest(ctx context.Context, now time.Time) error {
	every := u.DigestEvery
	if u.Digest == nil || every <= 0 {
		return nil
	}
	end := now.Truncate(every)
	if now.Sub(end) >= time.Minute {
		return nil
	}
	alerts, err := u.Digest.AlertsOpened(ctx, end.Add(-every), end, fleet.SeverityInfo)
	if err != nil || len(alerts) == 0 {
		return wrapErr("list info alerts for the digest", err)
	}
	data, err := json.Marshal(alerts)
	if err != nil {
		return fmt.Errorf("encode the digest: %w", err)
	}
	return wrapErr("queue the digest", u.Notifier.Notify(ctx, fleet.Notification{
		ID: "alert.digest:" + strconv.FormatInt(end.Unix(), 10), Kind: fleet.NotifyAlertDigest,
		Audience: fleet.AudienceAlerts, Text: fleet.FormatDuration(every), Data: data, CreatedAt: now.UTC()}))
}
