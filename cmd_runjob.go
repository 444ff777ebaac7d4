package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/schedule"
)

// cmdRunJob runs one scheduled job now and prints its outcome. An unknown or missing name is
// bad usage (exit 2) and lists the known jobs; a failed run exits 1.
func cmdRunJob(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "run-job NAME", `Runs one scheduled job now, whatever its schedule, and prints how it ended. The run
is recorded in job_runs like a scheduled one (replica "manual:cli"); it never takes a
scheduled slot. A job whose dependency is not configured (no GOOGLE_SHEETS_ID, no
LOCONAV_API_TOKEN) is reported skipped.

Jobs:
`+jobList())
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return &usageError{msg: err.Error()}
	}
	if fs.NArg() != 1 {
		return &usageError{msg: "run-job needs one job name; known jobs: " + strings.Join(schedule.Names(), ", ")}
	}
	name := fs.Arg(0)
	if _, ok := schedule.Lookup(name); !ok {
		return &usageError{msg: fmt.Sprintf("run-job: unknown job %q; known jobs: %s", name, strings.Join(schedule.Names(), ", "))}
	}
	a, err := openApp(ctx, env)
	if err != nil {
		return err
	}
	defer a.close()
	s, err := a.newScheduler(ctx)
	if err != nil {
		return err
	}
	run, err := s.RunNow(ctx, name, "cli", time.Now())
	if err != nil {
		return fmt.Errorf("run-job %s: %w", name, err)
	}
	fmt.Fprintln(env.stdout, runLine(run))
	if run.Outcome == fleet.JobFailed {
		return &failedError{msg: fmt.Sprintf("job %s failed; see the line above", name)}
	}
	return nil
}

// runLine is one line about a finished run: "analytics: ok in 1.2 s", "loconav-poll: skipped:
// LOCONAV_API_TOKEN is not set".
func runLine(r fleet.JobRun) string {
	if r.Outcome == fleet.JobSkipped {
		return fmt.Sprintf("%s: skipped: %s", r.Job, r.Error)
	}
	line := fmt.Sprintf("%s: %s in %s", r.Job, r.Outcome, fleet.FormatElapsed(r.Duration))
	if r.Error != "" {
		line += ": " + r.Error
	}
	return line
}

// jobList lists the jobs with their default schedules for --help.
func jobList() string {
	var b strings.Builder
	for _, d := range schedule.Definitions() {
		fmt.Fprintf(&b, "  %-15s %-13s %s\n", d.Name, d.Spec, d.Description)
	}
	return b.String()
}
