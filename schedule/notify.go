package schedule

import (
	"context"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
)

// Notifier appends a notification to the notify stream ({prefix}:notify), from which the bot
// renders and posts it. ingest's producer satisfies it. Notification IDs make delivery
// idempotent, so a job that is retried after a partial failure may notify again safely.
type Notifier interface {
	Notify(ctx context.Context, n fleet.Notification) error
}

// Alerts opens, reads and resolves incidents (*store.Store). OpenAlert returns created false
// with the incident already open under the same key, which is what keeps a flapping signal
// from opening a second one; OpenAlertByKey and ResolveAlert return ENOTFOUND when no
// incident with the key is open.
type Alerts interface {
	OpenAlert(ctx context.Context, a fleet.Alert) (fleet.Alert, bool, error)
	OpenAlertByKey(ctx context.Context, incidentKey string) (fleet.Alert, error)
	ResolveAlert(ctx context.Context, incidentKey string, at time.Time) (fleet.Alert, error)
}

// stamp formats now to the minute for notification IDs: a scheduled slot always gives the same
// ID (a retried run is delivered once), a manual run a new one.
func stamp(now time.Time) string { return now.UTC().Format("20060102T1504Z") }
