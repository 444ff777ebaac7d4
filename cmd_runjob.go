package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/ingest/envcfg"
	"github.com/watchtower-ops/watchtower/schedule"
)

// cmdRunJob runs one scheduled job now and prints its outcome (schedule.RunUsage). An unknown
// or missing name is bad usage (exit 2) and lists the known jobs; a failed run exits 1.
func cmdRunJob(ctx context.Context, env *environment, args []string) error {
	fs := envcfg.NewFlagSet(env.stderr, "run-job NAME", schedule.RunUsage())
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return &envcfg.UsageError{Msg: err.Error()}
	}
	name, err := schedule.CheckRunArgs(fs.Args())
	if err != nil {
		return &envcfg.UsageError{Msg: err.Error()}
	}
	a, err := openApp(ctx, env)
	if err != nil {
		return err
	}
	defer a.close()
	p, err := newParts(ctx, a)
	if err != nil {
		return err
	}
	run, err := p.scheduler.RunNow(ctx, name, "cli", time.Now())
	if err != nil {
		return fmt.Errorf("run-job %s: %s", name, fleet.ErrorMessage(err))
	}
	fmt.Fprintln(env.stdout, schedule.RunLine(run))
	if run.Outcome == fleet.JobFailed {
		return &failedError{msg: fmt.Sprintf("job %s failed; see the line above", name)}
	}
	return nil
}
