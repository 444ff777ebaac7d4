package fleet

import "time"

// JobOutcome is how a scheduled job's run ended, as stored in job_runs.outcome.
type JobOutcome string

// Job outcomes.
const (
	JobRunning JobOutcome = "running" // claimed and not finished (or the replica died)
	JobOK      JobOutcome = "ok"
	JobFailed  JobOutcome = "failed" // the job returned an error or panicked
	JobSkipped JobOutcome = "skipped"
)

// JobRun is one recorded run of a scheduled job for one slot: a row of job_runs.
type JobRun struct {
	Job        string
	Slot       time.Time // the activation the run is for (or the wall clock of a manual run)
	Replica    string    // who ran it: "host:pid", or "manual:<who>"
	StartedAt  time.Time
	FinishedAt time.Time // zero while running
	Outcome    JobOutcome
	Error      string // the failure or skip reason, "" when ok
	Duration   time.Duration
}

// JobInfo is what `/watchtower jobs` shows of one scheduled job.
type JobInfo struct {
	Name        string
	Description string
	Spec        string    // the cron spec in force
	Disabled    string    // why the job is not configured, "" when it is
	Next        time.Time // next activation in the business zone; zero when disabled
	Last        *JobRun   // latest recorded run on any replica; nil when it never ran
}
