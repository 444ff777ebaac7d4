package schedule

import (
	"context"
	"strings"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
)

// Jobs returns every added job with its next activation after now (in the business zone) and
// its latest run. When the ledger cannot be read it still returns the list, without last
// runs, together with the error.
func (s *Scheduler) Jobs(ctx context.Context, now time.Time) ([]fleet.JobInfo, error) {
	last, err := s.ledger.LastJobRuns(ctx)
	out := make([]fleet.JobInfo, 0, len(s.entries))
	for _, e := range s.entries {
		info := fleet.JobInfo{Name: e.job.Name, Description: e.job.Description, Spec: e.job.Spec, Disabled: e.job.Disabled}
		if e.job.Run != nil {
			info.Next = e.sched.Next(now.In(s.loc))
		}
		if r, ok := last[e.job.Name]; ok {
			info.Last = &r
		}
		out = append(out, info)
	}
	return out, err
}

// RunNow runs the job called name at once, as of now, on behalf of by (a Slack user ID, "cli")
// and returns the recorded run: its Outcome says whether the job succeeded, failed or was
// skipped. The run is recorded in job_runs with replica "manual:<by>" and its own slot (now),
// so it never takes a scheduled slot. A panic in the job is a failed run.
//
// It returns ENOTFOUND (listing the known names) when no job has that name and ECONFLICT when
// the job is running, here or on another replica (its latest run in job_runs is still
// running and younger than staleRun).
func (s *Scheduler) RunNow(ctx context.Context, name, by string, now time.Time) (fleet.JobRun, error) {
	e := s.entry(name)
	if e == nil {
		return fleet.JobRun{}, fleet.Errorf(fleet.ENOTFOUND, "no job called %q; known jobs: %s", name, strings.Join(s.Names(), ", "))
	}
	replica := "manual:" + by
	slot := now.In(s.loc).Truncate(time.Microsecond) // job_runs keeps microseconds
	if e.job.Run == nil {
		s.log.InfoContext(ctx, "job skipped: not configured", "job", name, "reason", e.job.Disabled)
		return fleet.JobRun{Job: name, Slot: slot, Replica: replica, StartedAt: now, FinishedAt: now,
			Outcome: fleet.JobSkipped, Error: e.job.Disabled}, nil
	}
	if err := s.checkNotRunning(ctx, name, now); err != nil {
		return fleet.JobRun{}, err
	}
	if !e.busy.CompareAndSwap(false, true) {
		return fleet.JobRun{}, fleet.Errorf(fleet.ECONFLICT, "job %s is running now; try again when it finishes", name)
	}
	defer e.busy.Store(false)
	won, err := s.ledger.ClaimJobRun(ctx, name, slot, replica)
	if err != nil {
		return fleet.JobRun{}, err
	}
	if !won {
		return fleet.JobRun{}, fleet.Errorf(fleet.ECONFLICT, "job %s was just started by someone else", name)
	}
	return s.execute(ctx, e.job, slot, replica, now), nil
}

// staleRun is how long a run may stay "running" in job_runs before RunNow takes it for a
// replica that died mid-run and runs the job anyway.
const staleRun = time.Hour

// checkNotRunning returns ECONFLICT when the latest recorded run of job is still going.
func (s *Scheduler) checkNotRunning(ctx context.Context, job string, now time.Time) error {
	last, err := s.ledger.LastJobRuns(ctx)
	if err != nil {
		return err
	}
	r, ok := last[job]
	if ok && r.Outcome == fleet.JobRunning && now.Sub(r.StartedAt) < staleRun {
		return fleet.Errorf(fleet.ECONFLICT, "job %s has been running since %s (%s); try again when it finishes",
			job, fleet.FormatTime(r.StartedAt, nil), r.Replica)
	}
	return nil
}
