package main

import (
	"context"
	"fmt"
	"os"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/ingest"
	"github.com/watchtower-ops/watchtower/ingest/loconav"
	"github.com/watchtower-ops/watchtower/schedule"
	"github.com/watchtower-ops/watchtower/store"
)

// The store is what the scheduler and its jobs use; the streams carry what they announce.
var (
	_ schedule.Ledger         = (*store.Store)(nil)
	_ schedule.Store          = (*store.Store)(nil)
	_ schedule.Notifier       = (*ingest.NotifyStream)(nil)
	_ schedule.EventPublisher = (*ingest.EventStream)(nil)
)

// wireSchedule registers the scheduler's metrics and returns the scheduler, which fires the
// jobs of schedule.Definitions in WATCHTOWER_TIMEZONE, once per slot across replicas.
func wireSchedule(ctx context.Context, a *app) ([]component, error) {
	s, err := a.newScheduler(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.Register(a.registry); err != nil {
		return nil, fmt.Errorf("scheduler metrics: %w", err)
	}
	return []component{s.Run}, nil
}

// newScheduler returns the process's scheduler, building it on first use with every job of
// schedule.Definitions, each on its SCHEDULE_<JOB> spec. Jobs whose dependency is not
// configured are added disabled, with the variable to set as the reason. The cron runs it
// (wireSchedule) and Slack's /watchtower jobs|run reads the same instance, so a manual run sees
// a scheduled one in flight.
func (a *app) newScheduler(ctx context.Context) (*schedule.Scheduler, error) {
	if a.scheduler != nil {
		return a.scheduler, nil
	}
	host, _ := os.Hostname()
	if host == "" {
		host = "watchtower"
	}
	s := schedule.New(a.store, schedule.Options{
		Location: a.cfg.Timezone, Replica: fmt.Sprintf("%s:%d", host, os.Getpid()), Logger: a.log,
	})
	notify := ingest.NewNotifyStream(a.rdb, a.cfg.RedisPrefix)
	fns := schedule.Standard(schedule.Deps{Store: a.store, Notifier: notify,
		Events:        ingest.NewEventStream(a.rdb, a.cfg.RedisPrefix),
		Trimmer:       schedule.RedisTrimmer{RDB: a.rdb, Prefix: a.cfg.RedisPrefix, SeenTTL: ingest.SeenTTL},
		Observing:     ingest.NewObserver(a.rdb, a.cfg.RedisPrefix, 0),
		EscalateAfter: a.cfg.AlertEscalateAfter, DigestEvery: a.cfg.AlertDigestEvery,
		Thresholds: a.cfg.Thresholds, Location: a.cfg.Timezone, Log: a.log})
	disabled := map[string]string{}
	syncer, err := newSheetsSyncer(ctx, a, notify)
	if err != nil {
		return nil, err
	} else if syncer == nil {
		disabled[schedule.JobSheetsSync] = "GOOGLE_SHEETS_ID is not set"
	} else {
		fns[schedule.JobSheetsSync] = syncer.Run
	}
	if a.cfg.LoconavAPIToken == "" {
		disabled[schedule.JobLoconavPoll] = "LOCONAV_API_TOKEN is not set"
		disabled[schedule.JobLoconavRoster] = "LOCONAV_API_TOKEN is not set"
	} else {
		c, err := a.loconavClient()
		if err != nil {
			return nil, err
		}
		fns[schedule.JobLoconavPoll] = loconav.NewPoller(c, a.store, ingest.NewProducer(a.rdb, a.cfg.RedisPrefix), 0, a.log).Poll
		fns[schedule.JobLoconavRoster] = loconav.NewRoster(c, a.store, 0, a.log).Import
	}
	for _, j := range schedule.Jobs(a.cfg.Schedules, fns, disabled) {
		if err := s.Add(j); err != nil {
			return nil, &configError{Var: scheduleVar(j.Name), Reason: fleet.ErrorMessage(err)}
		}
	}
	a.scheduler = s
	return s, nil
}
