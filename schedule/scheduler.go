package schedule

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/watchtower-ops/watchtower/fleet"
)

const (
	// finishTimeout bounds recording a run's end, which happens even when ctx is done.
	finishTimeout = 10 * time.Second
	// maxErrorLen caps the error text stored in job_runs.
	maxErrorLen = 2000
)

// Options configure a Scheduler.
type Options struct {
	// Location is the business time zone the specs are read in; nil means Africa/Lagos.
	Location *time.Location
	// Replica names this process in job_runs ("host:pid"); "" means "unknown".
	Replica string
	// Logger receives one line per run outcome; nil discards.
	Logger *slog.Logger
}

// Scheduler fires jobs on their cron schedules, once per slot across every replica that
// shares the Ledger. Build it with New, add jobs with Add, then Run it. Jobs, RunNow and Names
// are safe to call while it runs.
type Scheduler struct {
	ledger  Ledger
	loc     *time.Location
	replica string
	log     *slog.Logger
	entries []*entry
	metrics *metrics
}

// entry is a job with its parsed schedule.
type entry struct {
	job   Job
	sched cron.Schedule
	busy  atomic.Bool // a run of this job is in progress in this process
}

// New returns a Scheduler that claims and records runs in ledger.
func New(ledger Ledger, opts Options) *Scheduler {
	s := &Scheduler{ledger: ledger, loc: opts.Location, replica: opts.Replica, log: opts.Logger}
	if s.loc == nil {
		s.loc = fleet.Lagos()
	}
	if s.replica == "" {
		s.replica = "unknown"
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	return s
}

// Add registers jobs. It returns EINVALID when a job has no name, has neither a function nor
// a Disabled reason, or has a spec that does not parse, and ECONFLICT when the name is taken.
// Add must be called before Run.
func (s *Scheduler) Add(jobs ...Job) error {
	for _, j := range jobs {
		if j.Name == "" {
			return fleet.Errorf(fleet.EINVALID, "a scheduled job needs a name")
		}
		if s.entry(j.Name) != nil {
			return fleet.Errorf(fleet.ECONFLICT, "job %s is added twice", j.Name)
		}
		if j.Run == nil && j.Disabled == "" {
			return fleet.Errorf(fleet.EINVALID, "job %s has no function and no reason to be disabled", j.Name)
		}
		sched, err := ParseSpec(j.Spec)
		if err != nil {
			return fleet.Errorf(fleet.EINVALID, "job %s: %s", j.Name, fleet.ErrorMessage(err))
		}
		s.entries = append(s.entries, &entry{job: j, sched: sched})
	}
	return nil
}

// ParseSpec parses a five-field cron spec ("0 7 * * *", "*/5 * * * *", "0 8 * * MON"), a
// descriptor ("@daily", "@every 10m") or either with a "CRON_TZ=Zone " prefix. It returns
// EINVALID when spec does not parse.
func ParseSpec(spec string) (cron.Schedule, error) {
	sched, err := cron.ParseStandard(strings.TrimSpace(spec))
	if err != nil {
		return nil, fleet.Errorf(fleet.EINVALID, "schedule %q is not a cron spec; use five fields (minute hour day month weekday) such as \"0 7 * * *\", or \"@every 10m\"", spec)
	}
	return sched, nil
}

// Names returns the names of the added jobs, in the order they were added.
func (s *Scheduler) Names() []string {
	out := make([]string, len(s.entries))
	for i, e := range s.entries {
		out[i] = e.job.Name
	}
	return out
}

func (s *Scheduler) entry(name string) *entry {
	i := slices.IndexFunc(s.entries, func(e *entry) bool { return e.job.Name == name })
	if i < 0 {
		return nil
	}
	return s.entries[i]
}

// Run fires the enabled jobs on their schedules until ctx is done, then waits for the runs in
// progress (which see ctx done) and returns nil. Disabled jobs are logged once and not fired.
func (s *Scheduler) Run(ctx context.Context) error {
	l := cronLogger{log: s.log}
	c := cron.New(cron.WithLocation(s.loc), cron.WithLogger(l),
		cron.WithChain(cron.Recover(l), cron.SkipIfStillRunning(l)))
	for _, e := range s.entries {
		if e.job.Run == nil {
			s.log.InfoContext(ctx, "scheduled job not configured; it will be skipped", "job", e.job.Name, "reason", e.job.Disabled)
			continue
		}
		c.Schedule(e.sched, cron.FuncJob(func() { s.fire(ctx, e, time.Now()) }))
	}
	c.Start()
	s.log.InfoContext(ctx, "scheduler started", "zone", s.loc.String(), "replica", s.replica, "jobs", len(s.entries))
	<-ctx.Done()
	<-c.Stop().Done()
	s.log.Info("scheduler stopped")
	return nil
}

// fire is one activation of e noticed at now: it claims the slot and runs the job when the
// claim wins. A claim that cannot be made (database down) skips the slot rather than risk
// running it twice.
func (s *Scheduler) fire(ctx context.Context, e *entry, now time.Time) {
	name := e.job.Name
	slot := slotOf(e.sched, now.In(s.loc))
	if !e.busy.CompareAndSwap(false, true) {
		s.log.InfoContext(ctx, "job still running; slot skipped", "job", name, "slot", slot)
		return
	}
	defer e.busy.Store(false)
	won, err := s.ledger.ClaimJobRun(ctx, name, slot, s.replica)
	if err != nil {
		s.log.ErrorContext(ctx, "job not run: cannot claim its slot", "job", name, "slot", slot, "err", err)
		s.metrics.observe(name, "claim_failed", 0)
		return
	}
	if !won {
		s.log.DebugContext(ctx, "slot claimed by another replica", "job", name, "slot", slot)
		return
	}
	s.execute(ctx, e.job, slot, s.replica, slot)
}

// execute runs a claimed slot of j as of now, recovering a panic, and records and logs how it
// ended. It returns the recorded run.
func (s *Scheduler) execute(ctx context.Context, j Job, slot time.Time, replica string, now time.Time) fleet.JobRun {
	start := time.Now()
	err := call(ctx, j.Run, now)
	end := time.Now()
	r := fleet.JobRun{Job: j.Name, Slot: slot, Replica: replica, StartedAt: start, FinishedAt: end,
		Duration: end.Sub(start), Outcome: fleet.JobOK}
	if reason, ok := skipReason(err); ok {
		r.Outcome, r.Error = fleet.JobSkipped, truncate(reason)
	}
	var ref string
	if err != nil && r.Outcome != fleet.JobSkipped {
		// People see the outcome (/watchtower jobs, run-job): a sentence and a reference; the
		// log line below keeps the detail under the same reference.
		ref = fleet.NewRef()
		r.Outcome, r.Error = fleet.JobFailed, truncate(fleet.FailureText(err, ref))
	}
	fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), finishTimeout)
	defer cancel()
	if ferr := s.ledger.FinishJobRun(fctx, r.Job, r.Slot, string(r.Outcome), r.Error, r.Duration); ferr != nil {
		s.log.ErrorContext(ctx, "cannot record job outcome", "job", j.Name, "slot", slot, "err", ferr)
	}
	s.metrics.observe(j.Name, string(r.Outcome), r.Duration)
	attrs := []any{"job", j.Name, "slot", slot, "replica", replica, "duration_ms", r.Duration.Milliseconds()}
	switch r.Outcome {
	case fleet.JobOK:
		s.log.InfoContext(ctx, "job finished", attrs...)
	case fleet.JobSkipped:
		s.log.InfoContext(ctx, "job skipped", append(attrs, "reason", r.Error)...)
	default:
		s.log.ErrorContext(ctx, "job failed", append(attrs, "err", err, "ref", ref)...)
	}
	return r
}

// call runs fn, turning a panic into an error that carries the stack, so a panicking job is a
// failed run and the process (and the other jobs) go on.
func call(ctx context.Context, fn Func, now time.Time) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v\n%s", p, debug.Stack())
		}
	}()
	return fn(ctx, now)
}

func truncate(s string) string {
	if len(s) <= maxErrorLen {
		return s
	}
	return s[:maxErrorLen] + "…"
}
