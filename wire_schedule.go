package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/ingest"
	"github.com/watchtower-ops/watchtower/ingest/loconav"
	"github.com/watchtower-ops/watchtower/schedule"
	"github.com/watchtower-ops/watchtower/store"
	"github.com/watchtower-ops/watchtower/store/sheets"
)

// The store (directly or through scheduleStore) is what the scheduler and its jobs use.
var (
	_ schedule.Ledger           = scheduleStore{}
	_ schedule.Summarizer       = (*store.Store)(nil)
	_ schedule.MetricsWriter    = (*store.Store)(nil)
	_ schedule.TruckActivity    = scheduleStore{}
	_ schedule.TruckStates      = scheduleStore{}
	_ schedule.OfflineSweeper   = (*store.Store)(nil)
	_ schedule.Alerts           = (*store.Store)(nil)
	_ schedule.Trips            = scheduleStore{}
	_ schedule.OpenIncidents    = scheduleStore{}
	_ schedule.SiteLister       = (*store.Store)(nil)
	_ schedule.PartitionDropper = (*store.Store)(nil)
	_ schedule.Pruner           = (*store.Store)(nil)
	_ schedule.RunPruner        = (*store.Store)(nil)
	_ schedule.Notifier         = (*ingest.NotifyStream)(nil)
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
	s := schedule.New(scheduleStore{a.store}, schedule.Options{
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
	st := scheduleStore{a.store}
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
			Notifier: notify, Events: eventStream{a.rdb, a.cfg.RedisPrefix}, Thresholds: th, Clock: time.Now, OpenFrom: a.offlineSweepFrom()}).Run},
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

// scheduleVar is the variable that overrides job's schedule: SCHEDULE_DAILY_SUMMARY.
func scheduleVar(job string) string {
	return "SCHEDULE_" + strings.ToUpper(strings.ReplaceAll(job, "-", "_"))
}

// schedules reads SCHEDULE_<JOB> for every job: a five-field cron spec or a descriptor, read
// in WATCHTOWER_TIMEZONE. Unset jobs keep their default and are absent from the map.
func (r *envReader) schedules() map[string]string {
	out := make(map[string]string)
	for _, name := range schedule.Names() {
		v := r.str(scheduleVar(name), "")
		if v == "" {
			continue
		}
		if _, err := schedule.ParseSpec(v); err != nil {
			r.fail(scheduleVar(name), "is not a cron spec such as \"0 7 * * *\" or \"*/5 * * * *\"")
			continue
		}
		out[name] = v
	}
	return out
}

// eventStream publishes domain events to {prefix}:events.
type eventStream struct {
	rdb    *redis.Client
	prefix string
}

// PublishEvents appends events to the events stream.
func (e eventStream) PublishEvents(ctx context.Context, events []fleet.Event) error {
	return ingest.PublishEvents(ctx, e.rdb, e.prefix, events)
}

// scheduleStore adapts *store.Store to the schedule package's interfaces where a store
// signature carries store types (filters, actors, rows) or a transaction argument. Its
// methods shadow the store's methods of the same name.
type scheduleStore struct{ *store.Store }

// LastJobRuns returns the latest run of each job.
func (s scheduleStore) LastJobRuns(ctx context.Context) (map[string]schedule.Run, error) {
	runs, err := s.Store.LastJobRuns(ctx)
	if err != nil {
		return nil, err
	}
	out := make(map[string]schedule.Run, len(runs))
	for name, r := range runs {
		run := schedule.Run{Job: r.Job, Slot: r.Slot, Replica: r.Replica, StartedAt: r.StartedAt,
			Outcome: schedule.Outcome(r.Outcome), Error: r.Error, Duration: r.Duration}
		if r.FinishedAt != nil {
			run.FinishedAt = *r.FinishedAt
		}
		out[name] = run
	}
	return out, nil
}

// FinishJobRun records how a claimed run ended.
func (s scheduleStore) FinishJobRun(ctx context.Context, job string, slot time.Time, outcome, errText string, d time.Duration) error {
	return s.Store.FinishJobRun(ctx, job, slot, outcome, errText, d)
}

// TruckSnapshots returns every truck that is not archived with its latest state.
func (s scheduleStore) TruckSnapshots(ctx context.Context) ([]schedule.TruckSnapshot, error) {
	rows, err := s.ListTruckStates(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]schedule.TruckSnapshot, len(rows))
	for i, r := range rows {
		out[i] = schedule.TruckSnapshot{Truck: r.Truck, State: r.State, HasState: r.HasState}
	}
	return out, nil
}

// SaveDetectionMemory stores st's detection memory on its own transaction.
func (s scheduleStore) SaveDetectionMemory(ctx context.Context, st fleet.TruckState) (bool, error) {
	return s.Store.SaveDetectionMemory(ctx, nil, st)
}

// tripPage is how many trips one ListTrips call returns (its maximum).
const tripPage = 1000

// TripsByStatus returns every trip in status departing before before (zero: any), paging
// through ListTrips.
func (s scheduleStore) TripsByStatus(ctx context.Context, status fleet.TripStatus, before time.Time) ([]fleet.Trip, error) {
	var (
		out  []fleet.Trip
		seen = make(map[int64]bool)
		from time.Time
	)
	for {
		page, err := s.ListTrips(ctx, store.TripFilter{Statuses: []fleet.TripStatus{status}, From: from, To: before, Limit: tripPage})
		if err != nil {
			return nil, err
		}
		added := 0
		for _, t := range page {
			if !seen[t.ID] {
				seen[t.ID], added = true, added+1
				out = append(out, t)
			}
		}
		if len(page) < tripPage || added == 0 {
			return out, nil
		}
		from = page[len(page)-1].ScheduledDeparture
	}
}

// TransitionTrip moves the trip with code as Watch Tower itself ("system" in the audit log).
func (s scheduleStore) TransitionTrip(ctx context.Context, code, action string, fn func(fleet.Trip) (fleet.Trip, error)) (fleet.Trip, error) {
	return s.Store.TransitionTrip(ctx, code, store.Actor{ID: "system", Name: "Watch Tower", Via: "system"}, action, fn)
}

// OpenAlerts returns the open incidents of kinds, newest first.
func (s scheduleStore) OpenAlerts(ctx context.Context, kinds ...fleet.AlertKind) ([]fleet.Alert, error) {
	return s.ListAlerts(ctx, store.AlertFilter{Kinds: kinds, OpenOnly: true, Limit: 1000})
}

// TruckDays returns the per-truck activity of the days of [from, to).
func (s scheduleStore) TruckDays(ctx context.Context, from, to time.Time, th fleet.Thresholds) ([]schedule.TruckDay, error) {
	rows, err := s.TruckDayMetrics(ctx, from, to, th)
	if err != nil {
		return nil, err
	}
	out := make([]schedule.TruckDay, len(rows))
	for i, r := range rows {
		out[i] = schedule.TruckDay{Plate: r.Plate, Day: r.Day, TripsStarted: r.TripsStarted, TripsArrived: r.TripsArrived,
			TripsOnTime: r.TripsOnTime, TripsCompleted: r.TripsCompleted, TripsDelayed: r.TripsDelayed,
			TripsCancelled: r.TripsCancelled, TurnaroundTrips: r.TurnaroundTrips, TurnaroundHours: r.TurnaroundHours,
			DistanceKm: r.DistanceKm, MovingHours: r.MovingHours, IdleHours: r.IdleHours, Alerts: r.Alerts}
	}
	return out, nil
}
