package ingest

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/watchtower-ops/watchtower/fleet"
)

// Keeper is the database side of ingest upkeep; *store.Store is the real one.
type Keeper interface {
	// SweepOffline opens offline incidents for trucks silent for th.OfflineAfter at now (at
	// most limit) and returns the events and notifications to publish.
	SweepOffline(ctx context.Context, now time.Time, th fleet.Thresholds, limit int) (fleet.IngestOutcome, error)
	// PruneIngestApplied forgets entries of stream applied before before.
	PruneIngestApplied(ctx context.Context, stream string, before time.Time) (int64, error)
}

// UpkeepConfig configures Upkeep. Zero fields take the defaults.
type UpkeepConfig struct {
	Prefix      string
	Every       time.Duration    // how often it runs (default 30 s)
	KeepApplied time.Duration    // how long applied entry IDs are remembered (default 24 h)
	Thresholds  fleet.Thresholds // OfflineAfter drives the offline sweep
	// SweepFrom holds the offline sweep back until this time: a start-up grace, so a restart
	// after downtime does not declare the whole fleet offline in the seconds before the first
	// fixes arrive. Zero: no grace.
	SweepFrom time.Time
}

// Upkeep does ingest's periodic chores: the consumer-lag gauges, trimming the ingest stream
// to what the group has not finished, forgetting old applied entry IDs, and opening offline
// incidents for silent trucks. Every replica may run one; each chore is idempotent.
type Upkeep struct {
	rdb     *redis.Client
	keeper  Keeper
	notify  *NotifyStream
	cfg     UpkeepConfig
	keys    fleet.Keys
	metrics *Metrics
	log     *slog.Logger
	unsent  fleet.IngestOutcome // sweep results whose publish failed, retried next round
	watch   *Observer
}

// NewUpkeep returns the chores runner. metrics may be nil.
func NewUpkeep(rdb *redis.Client, keeper Keeper, cfg UpkeepConfig, metrics *Metrics, log *slog.Logger) *Upkeep {
	if cfg.Every <= 0 {
		cfg.Every = 30 * time.Second
	}
	if cfg.KeepApplied <= 0 {
		cfg.KeepApplied = 24 * time.Hour
	}
	return &Upkeep{rdb: rdb, keeper: keeper, notify: NewNotifyStream(rdb, cfg.Prefix), cfg: cfg,
		keys: fleet.Keys{Prefix: cfg.Prefix}, metrics: metrics, log: log,
		watch: NewObserver(rdb, cfg.Prefix, max(3*cfg.Every, 2*time.Minute))}
}

// Run does the chores every cfg.Every until ctx is done, then returns nil. Failures are
// logged and retried on the next round.
func (u *Upkeep) Run(ctx context.Context) error {
	t := time.NewTicker(u.cfg.Every)
	defer t.Stop()
	for {
		u.Once(ctx, time.Now())
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// Once runs every chore once at now. Run calls it; it is not safe for concurrent use.
func (u *Upkeep) Once(ctx context.Context, now time.Time) {
	if err := u.watch.Mark(ctx, now); err != nil && ctx.Err() == nil {
		u.fail(ctx, "observing mark", err)
	}
	if err := u.lagAndTrim(ctx); err != nil && ctx.Err() == nil {
		u.fail(ctx, "trim", err)
	}
	if _, err := u.keeper.PruneIngestApplied(ctx, u.keys.Ingest(), now.Add(-u.cfg.KeepApplied)); err != nil && ctx.Err() == nil {
		u.fail(ctx, "prune", err)
	}
	if now.Before(u.cfg.SweepFrom) {
		return
	}
	if err := u.sweepOffline(ctx, now); err != nil && ctx.Err() == nil {
		u.fail(ctx, "offline sweep", err)
	}
}

func (u *Upkeep) fail(ctx context.Context, chore string, err error) {
	u.metrics.failure(chore)
	u.log.ErrorContext(ctx, "ingest upkeep: "+chore+" failed", "err", err, "stream", u.keys.Ingest())
}

// lagAndTrim sets the lag gauges and trims entries every reader of the group is done with:
// below both the last delivered ID and the oldest pending one.
func (u *Upkeep) lagAndTrim(ctx context.Context) error {
	groups, err := u.rdb.XInfoGroups(ctx, u.keys.Ingest()).Result()
	if err != nil {
		if strings.Contains(err.Error(), "no such key") {
			return nil
		}
		return err
	}
	for _, g := range groups {
		if g.Name != Group {
			continue
		}
		u.metrics.setLag(g.Lag, g.Pending)
		floor := g.LastDeliveredID
		if g.Pending > 0 {
			p, err := u.rdb.XPending(ctx, u.keys.Ingest(), Group).Result()
			if err != nil {
				return err
			}
			if fleet.StreamIDLess(p.Lower, floor) {
				floor = p.Lower
			}
		}
		if floor == "" || floor == "0-0" {
			return nil
		}
		return u.rdb.XTrimMinIDApprox(ctx, u.keys.Ingest(), floor, 0).Err()
	}
	return nil
}

// sweepOffline opens offline incidents and publishes them. The incidents are committed before
// they are published, so what could not be published is kept and retried on the next round
// (a restart in between loses those announcements, not the incidents).
func (u *Upkeep) sweepOffline(ctx context.Context, now time.Time) error {
	if err := u.flush(ctx); err != nil {
		return err
	}
	for range 10 { // at most 10 × 500 trucks a round
		out, err := u.keeper.SweepOffline(ctx, now, u.cfg.Thresholds, 500)
		if err != nil {
			return err
		}
		u.unsent.Events = append(u.unsent.Events, out.Events...)
		u.unsent.Notifications = append(u.unsent.Notifications, out.Notifications...)
		if err := u.flush(ctx); err != nil {
			return err
		}
		if len(out.Events) < 500 {
			return nil
		}
	}
	return errors.New("more than 5,000 trucks went offline at once; continuing next round")
}

// flush publishes the unsent sweep results.
func (u *Upkeep) flush(ctx context.Context) error {
	if err := PublishEvents(ctx, u.rdb, u.cfg.Prefix, u.unsent.Events); err != nil {
		return err
	}
	u.unsent.Events = nil
	if err := u.notify.NotifyAll(ctx, u.unsent.Notifications); err != nil {
		return err
	}
	u.unsent.Notifications = nil
	return nil
}
