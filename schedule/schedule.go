// Package schedule runs Watch Tower's scheduled jobs: a robfig/cron runner in the business
// time zone (Africa/Lagos) whose every firing first claims its slot in Postgres, so two or
// more replicas run each slot exactly once and the job_runs table is the audit trail; and the
// jobs themselves (analytics, daily and weekly digests, connectivity and trip monitors,
// cleanup), each a plain function of (ctx, now).
//
// The package imports only fleet, never store, ingest, tools or bot. What a job needs (the
// store, the notify stream, Redis) is a small interface declared next to the job, which
// *store.Store and the ingest streams satisfy as they are; records are fleet's.
//
// Front doors: Scheduler.Run fires the jobs on their schedules; Scheduler.RunNow runs one at
// once (`watchtower run-job NAME`, `/watchtower run NAME`); Scheduler.Jobs lists each with its
// next run in Lagos time and its last outcome (`/watchtower jobs`).
package schedule

import (
	"context"
	"errors"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
)

// Job names, as used by `watchtower run-job NAME`, `/watchtower run NAME`, SCHEDULE_<JOB>
// overrides and the job_runs table.
const (
	JobAnalytics     = "analytics"
	JobDailySummary  = "daily-summary"
	JobWeeklyReport  = "weekly-report"
	JobConnectivity  = "connectivity"
	JobTripMonitor   = "trip-monitor"
	JobSheetsSync    = "sheets-sync"
	JobLoconavPoll   = "loconav-poll"
	JobLoconavRoster = "loconav-roster"
	JobCleanup       = "cleanup"
	JobAlertUpkeep   = "alert-upkeep"
)

// Definition is a job's name, default schedule (a five-field cron spec read in the business
// time zone) and one-line description.
type Definition struct {
	Name        string
	Spec        string
	Description string
}

// definitions are the jobs of Watch Tower with the defaults of issue 6.
var definitions = []Definition{
	{JobCleanup, "0 2 * * *", "retention: drop old position partitions, prune alerts, trips, metrics and job runs, trim Redis streams"},
	{JobLoconavRoster, "0 5 * * *", "import the LocoNav vehicle roster"},
	{JobAnalytics, "0 6 * * *", "daily metrics of the previous Lagos day, fleet and per truck"},
	{JobDailySummary, "0 7 * * *", "post yesterday's summary to the summary channel"},
	{JobWeeklyReport, "0 8 * * MON", "post the weekly report with its chart to the summary channel"},
	{JobConnectivity, "*/5 * * * *", "open an offline incident for trucks silent for 30 min; resolve it when they return"},
	{JobTripMonitor, "*/5 * * * *", "mark trips delayed 2 h after their departure; warn about trips whose ETA passes their planned arrival"},
	{JobLoconavPoll, "*/5 * * * *", "poll LocoNav for positions (fallback when webhooks stall)"},
	{JobSheetsSync, "*/10 * * * *", "two-way sync with the Google Sheet"},
	{JobAlertUpkeep, "* * * * *", "repeat critical alerts nobody acknowledged to on-call, once; end maintenance whose end date has passed; raise dwell alerts"},
}

// Definitions returns every job Watch Tower knows, in the order they are listed to users.
func Definitions() []Definition { return append([]Definition(nil), definitions...) }

// Names returns the name of every job Watch Tower knows.
func Names() []string {
	out := make([]string, len(definitions))
	for i, d := range definitions {
		out[i] = d.Name
	}
	return out
}

// Lookup returns the definition of the job called name; ok is false when there is none.
func Lookup(name string) (d Definition, ok bool) {
	for _, d := range definitions {
		if d.Name == name {
			return d, true
		}
	}
	return Definition{}, false
}

// Func is a job: it does one slot's work as of now (the slot's time for scheduled runs, the
// wall clock for manual ones) and returns nil, an error (the run failed), or an error made by
// Skip (the run had nothing it could do). It must return soon after ctx is done.
type Func func(ctx context.Context, now time.Time) error

// Job is one schedulable unit: a name, a cron spec in the scheduler's time zone, and the
// function to run. A job whose dependency is not configured has a nil Run and says why in
// Disabled ("GOOGLE_SHEETS_ID is not set"): it stays listed, is never fired, and a manual run
// reports it skipped.
type Job struct {
	Name        string
	Spec        string
	Description string
	Run         Func
	Disabled    string
}

// skipError marks a run that had nothing it could do.
type skipError struct{ reason string }

func (e *skipError) Error() string { return "skipped: " + e.reason }

// Skip returns the error a job returns when it cannot do anything this time for a reason that
// is not a failure ("SLACK_SUMMARY_CHANNEL is not set"). The run is recorded as skipped with
// reason.
func Skip(reason string) error { return &skipError{reason: reason} }

// skipReason returns the reason of a Skip error in err's chain; ok is false when there is none.
func skipReason(err error) (reason string, ok bool) {
	var se *skipError
	if errors.As(err, &se) {
		return se.reason, true
	}
	return "", false
}

// Ledger records runs in the shared database (*store.Store). Its claim is what makes a slot
// run once across replicas: it inserts (job, slot) and
// reports whether this caller's insert won; the row is never released, so a replica that fires
// late or with a skewed clock finds the slot taken.
type Ledger interface {
	// ClaimJobRun inserts the run of job for slot by replica and reports whether it was
	// inserted (false: another replica holds the slot).
	ClaimJobRun(ctx context.Context, job string, slot time.Time, replica string) (bool, error)
	// FinishJobRun records how the claimed run of job for slot ended.
	FinishJobRun(ctx context.Context, job string, slot time.Time, outcome, errText string, duration time.Duration) error
	// LastJobRuns returns the latest run of each job that has one, by job name.
	LastJobRuns(ctx context.Context) (map[string]fleet.JobRun, error)
}
