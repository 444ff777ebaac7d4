package schedule

import (
	"log/slog"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
)

// Store is everything the built-in jobs read and write; *store.Store satisfies it.
type Store interface {
	Summarizer
	MetricsWriter
	TruckActivity
	TruckStates
	OfflineSweeper
	Alerts
	Escalations
	MaintenanceEnder
	InfoAlerts
	Trips
	OpenIncidents
	SiteLister
	LaneHistories
	PartitionDropper
	Pruner
	RunPruner
	Visits
}

// Deps are what the built-in jobs run on.
type Deps struct {
	Store      Store
	Notifier   Notifier       // the notify stream: digests, reports, alerts
	Events     EventPublisher // the events stream: offline and online transitions
	Trimmer    Trimmer        // the Redis streams the cleanup trims
	Thresholds fleet.Thresholds
	Location   *time.Location
	Observing  Observing // when ingest started observing: the connectivity job's grace
	Log        *slog.Logger

	EscalateAfter time.Duration // an unacknowledged critical alert is escalated after this
	DigestEvery   time.Duration // info alerts come in one digest per period; 0: one by one
}

// Standard returns the function of every job that runs on deps alone: every job but
// sheets-sync, loconav-poll and loconav-roster, whose outside services the caller builds.
func Standard(d Deps) map[string]Func {
	st, th, loc := d.Store, d.Thresholds, d.Location
	return map[string]Func{
		JobAnalytics:    (&Analytics{Summaries: st, Trucks: st, Metrics: st, Thresholds: th, Location: loc}).Run,
		JobDailySummary: (&DailyDigest{Summaries: st, Notifier: d.Notifier, Thresholds: th, Location: loc}).Run,
		JobWeeklyReport: (&WeeklyReporter{Summaries: st, Trucks: st, States: st, Notifier: d.Notifier,
			Thresholds: th, Location: loc}).Run,
		JobConnectivity: (&Connectivity{Sweeper: st, States: st, Alerts: st, Notifier: d.Notifier, Events: d.Events,
			Thresholds: th, Clock: time.Now, Observing: d.Observing}).Run,
		JobTripMonitor: (&TripMonitor{Trips: st, States: st, Sites: st, Lanes: st, Incidents: st, Alerts: st,
			Notifier: d.Notifier, Thresholds: th, Location: loc}).Run,
		JobAlertUpkeep: (&AlertUpkeep{Alerts: st, Maintenance: st, Notifier: d.Notifier,
			EscalateAfter: d.EscalateAfter, Digest: st, DigestEvery: d.DigestEvery,
			Dwell: &DwellWatch{Visits: st, Sites: st, Incidents: st, Alerts: st, Notifier: d.Notifier, Thresholds: th}}).Run,
		JobCleanup: (&Cleanup{Partitions: st, Pruner: st, Runs: st, Trimmer: d.Trimmer, Location: loc, Log: d.Log}).Run,
	}
}

// Jobs returns a Job for every definition, in order: on specs[name] when set (else its default
// spec), running fns[name], or, without a function, disabled for the reason disabled[name].
func Jobs(specs map[string]string, fns map[string]Func, disabled map[string]string) []Job {
	jobs := make([]Job, 0, len(definitions))
	for _, d := range definitions {
		j := Job{Name: d.Name, Spec: d.Spec, Description: d.Description, Run: fns[d.Name], Disabled: disabled[d.Name]}
		if spec := specs[d.Name]; spec != "" {
			j.Spec = spec
		}
		jobs = append(jobs, j)
	}
	return jobs
}
