package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/ingest"
	"github.com/watchtower-ops/watchtower/ingest/loconav"
	"github.com/watchtower-ops/watchtower/schedule"
	"github.com/watchtower-ops/watchtower/store"
	"github.com/watchtower-ops/watchtower/store/sheets"
)

// The store is what the scheduler and its jobs use; the streams carry what they announce.
var (
	_ schedule.Ledger           = (*store.Store)(nil)
	_ schedule.Summarizer       = (*store.Store)(nil)
	_ schedule.MetricsWriter    = (*store.Store)(nil)
	_ schedule.TruckActivity    = (*store.Store)(nil)
	_ schedule.TruckStates      = (*store.Store)(nil)
	_ schedule.OfflineSweeper   = (*store.Store)(nil)
	_ schedule.Alerts           = (*store.Store)(nil)
	_ schedule.Trips            = (*store.Store)(nil)
	_ schedule.OpenIncidents    = (*store.Store)(nil)
	_ schedule.SiteLister       = (*store.Store)(nil)
	_ schedule.PartitionDropper = (*store.Store)(nil)
	_ schedule.Pruner           = (*store.Store)(nil)
	_ schedule.RunPruner        = (*store.Store)(nil)
	_ schedule.Notifier         = (*ingest.NotifyStream)(nil)
	_ schedule.EventPublisher   = (*ingest.EventStream)(nil)
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
	fns, err := a.jobFuncs(ctx)
	if err != nil {
		return nil, err
	}
	for _, d := range schedule.Definitions() {
		j := schedule.Job{Name: d.Name, Spec: d.Spec, Description: d.Description}
		if spec := a.cfg.Schedules[d.Name]; spec != "" {
			j.Spec = spec
		}
		j.Run, j.Disabled = fns[d.Name].run, fns[d.Name].disabled
		if err := s.Add(j); err != nil {
			return nil, &configError{Var: scheduleVar(d.Name), Reason: fleet.ErrorMessage(err)}
		}
	}
	a.scheduler = s
	return s, nil
}

// jobFunc is a job's function, or the reason it is not configured.
type jobFunc struct {
	run      schedule.Func
	disabled string
}

// jobFuncs builds the function of every job.
func (a *app) jobFuncs(ctx context.Context) (map[string]jobFunc, error) {
	st := a.store
	notify := ingest.NewNotifyStream(a.rdb, a.cfg.RedisPrefix)
	th, loc := a.cfg.Thresholds, a.cfg.Timezone
	fns := map[string]jobFunc{
		schedule.JobAnalytics: {run: (&schedule.Analytics{Summaries: a.store, Trucks: st, Metrics: a.store,
			Thresholds: th, Location: loc}).Run},
		schedule.JobDailySummary: {run: (&schedule.DailyDigest{Summaries: a.store, Notifier: notify,
			Thresholds: th, Location: loc}).Run},
		schedule.JobWeeklyReport: {run: (&schedule.WeeklyReporter{Summaries: a.store, Trucks: st,
			States: st, Notifier: notify, Thresholds: th, Location: loc}).Run},
		schedule.JobConnectivity: {run: (&schedule.Connectivity{Sweeper: a.store, States: st, Alerts: a.store,
			Notifier: notify, Events: ingest.NewEventStream(a.rdb, a.cfg.RedisPrefix), Thresholds: th, Clock: time.Now, OpenFrom: a.offlineSweepFrom()}).Run},
		schedule.JobTripMonitor: {run: (&schedule.TripMonitor{Trips: st, States: st, Sites: a.store, Incidents: st,
			Alerts: a.store, Notifier: notify, Thresholds: th}).Run},
		schedule.JobCleanup: {run: (&schedule.Cleanup{Partitions: a.store, Pruner: a.store, Runs: a.store,
			Trimmer:  schedule.RedisTrimmer{RDB: a.rdb, Prefix: a.cfg.RedisPrefix, SeenTTL: ingest.SeenTTL},
			Location: loc, Log: a.log}).Run},
	}
	var err error
	if fns[schedule.JobSheetsSync], err = a.sheetsSyncJob(ctx, notify); err != nil {
		return nil, err
	}
	if fns[schedule.JobLoconavPoll], fns[schedule.JobLoconavRoster], err = a.loconavJobs(); err != nil {
		return nil, err
	}
	return fns, nil
}

// sheetsSyncJob is the Google Sheets sync cycle, disabled without GOOGLE_SHEETS_ID.
func (a *app) sheetsSyncJob(ctx context.Context, n sheets.Notifier) (jobFunc, error) {
	s, err := newSheetsSyncer(ctx, a, n)
	if err != nil || s == nil {
		return jobFunc{disabled: "GOOGLE_SHEETS_ID is not set"}, err
	}
	return jobFunc{run: s.Run}, nil
}

// loconavJobs are the LocoNav polling fallback and roster import, disabled without
// LOCONAV_API_TOKEN.
func (a *app) loconavJobs() (poll, roster jobFunc, err error) {
	if a.cfg.LoconavAPIToken == "" {
		off := jobFunc{disabled: "LOCONAV_API_TOKEN is not set"}
		return off, off, nil
	}
	c, err := a.loconavClient()
	if err != nil {
		return poll, roster, err
	}
	p := loconav.NewPoller(c, a.store, ingest.NewProducer(a.rdb, a.cfg.RedisPrefix), 0, a.log)
	r := loconav.NewRoster(c, a.store, 0, a.log)
	return jobFunc{run: p.Poll}, jobFunc{run: r.Import}, nil
}
