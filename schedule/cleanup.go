package schedule

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
)

// Retention says how long each kind of data is kept. Zero fields take DefaultRetention's.
type Retention struct {
	Positions   time.Duration // position history (whole daily partitions are dropped)
	Alerts      time.Duration // resolved alerts
	Trips       time.Duration // finished trips (completed, rejected, cancelled)
	Analytics   time.Duration // daily_metrics and finished site visits
	JobRuns     time.Duration // job_runs history
	Streams     time.Duration // entries of the live Redis streams (ingest, events, notify)
	DeadLetters time.Duration // entries of the dead-letter streams
}

// DefaultRetention returns the retention of DESIGN.md (positions 30 days, alerts 90 days,
// trips 6 months, analytics 12 months) plus 90 days of job runs, 7 days of stream entries
// and 30 days of dead letters.
func DefaultRetention() Retention {
	const day = 24 * time.Hour
	return Retention{Positions: 30 * day, Alerts: 90 * day, Trips: 183 * day, Analytics: 366 * day,
		JobRuns: 90 * day, Streams: 7 * day, DeadLetters: 30 * day}
}

func (r Retention) withDefaults() Retention {
	d := DefaultRetention()
	for _, f := range []struct{ v, def *time.Duration }{{&r.Positions, &d.Positions}, {&r.Alerts, &d.Alerts},
		{&r.Trips, &d.Trips}, {&r.Analytics, &d.Analytics}, {&r.JobRuns, &d.JobRuns}, {&r.Streams, &d.Streams},
		{&r.DeadLetters, &d.DeadLetters}} {
		if *f.v <= 0 {
			*f.v = *f.def
		}
	}
	return r
}

// PartitionDropper drops whole daily partitions of the position history (*store.Store).
type PartitionDropper interface {
	// DropPositionPartitionsBefore drops the partitions of UTC days entirely before day's and
	// returns their names.
	DropPositionPartitionsBefore(ctx context.Context, day time.Time) ([]string, error)
}

// Pruner deletes rows past their retention (*store.Store); each returns how many it deleted.
type Pruner interface {
	PruneAlerts(ctx context.Context, before time.Time) (int64, error)
	PruneTrips(ctx context.Context, before time.Time) (int64, error)
	PruneDailyMetrics(ctx context.Context, day time.Time) (int64, error)
	PruneVisits(ctx context.Context, before time.Time) (int64, error)
}

// RunPruner deletes job_runs rows whose slot is before before (*store.Store).
type RunPruner interface {
	PruneJobRuns(ctx context.Context, before time.Time) (int64, error)
}

// Trimmer trims Redis: stream entries past their retention and dedupe keys that lost their
// expiry. RedisTrimmer is the implementation.
type Trimmer interface {
	Trim(ctx context.Context, r Retention, now time.Time) (TrimResult, error)
}

// Cleanup is the cleanup job: it applies Retention to Postgres and Redis. Trimmer may be nil
// (no Redis). Log, when set, gets one line with what was removed.
type Cleanup struct {
	Partitions PartitionDropper
	Pruner     Pruner
	Runs       RunPruner
	Trimmer    Trimmer
	Retention  Retention
	Location   *time.Location // business zone of daily_metrics days; nil means Lagos
	Log        *slog.Logger
}

// Run removes what is older than the retention as of now. Every step runs even when an
// earlier one fails; the failures are returned joined.
func (c *Cleanup) Run(ctx context.Context, now time.Time) error {
	r := c.Retention.withDefaults()
	var errs []error
	dropped, err := c.Partitions.DropPositionPartitionsBefore(ctx, now.Add(-r.Positions))
	errs = append(errs, wrapErr("drop position partitions", err))
	alerts, err := c.Pruner.PruneAlerts(ctx, now.Add(-r.Alerts))
	errs = append(errs, wrapErr("prune alerts", err))
	trips, err := c.Pruner.PruneTrips(ctx, now.Add(-r.Trips))
	errs = append(errs, wrapErr("prune trips", err))
	metrics, err := c.Pruner.PruneDailyMetrics(ctx, fleet.Day(now.Add(-r.Analytics), c.Location))
	errs = append(errs, wrapErr("prune daily metrics", err))
	visits, err := c.Pruner.PruneVisits(ctx, now.Add(-r.Analytics))
	errs = append(errs, wrapErr("prune site visits", err))
	runs, err := c.Runs.PruneJobRuns(ctx, now.Add(-r.JobRuns))
	errs = append(errs, wrapErr("prune job runs", err))
	var trimmed TrimResult
	if c.Trimmer != nil {
		trimmed, err = c.Trimmer.Trim(ctx, r, now)
		errs = append(errs, wrapErr("trim redis", err))
	}
	if c.Log != nil {
		c.Log.InfoContext(ctx, "cleanup removed old data", "job", JobCleanup, "partitions", dropped,
			"alerts", alerts, "trips", trips, "daily_metrics", metrics, "site_visits", visits, "job_runs", runs,
			"stream_entries", trimmed.Entries, "dedupe_keys_expired", trimmed.KeysExpired)
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("cleanup: %w", err)
	}
	return nil
}
