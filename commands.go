package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"sort"
	"time"

	"github.com/watchtower-ops/watchtower/bot/api/tokencli"
	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/ingest/envcfg"
	"github.com/watchtower-ops/watchtower/ingest/server"
	"github.com/watchtower-ops/watchtower/ingest/sim"
	"github.com/watchtower-ops/watchtower/schedule"
	"github.com/watchtower-ops/watchtower/store"
	"github.com/watchtower-ops/watchtower/store/seed"
)

// commands are the subcommands, listed by name; their bodies follow in this order: serve
// (serve.go), migrate, seed, simulate, run-job, token, healthcheck, version, then demo
// (demo.go).
func commands() []command {
	cmds := []command{
		{"serve", "run the webhook listener, consumers, Slack app and scheduler (default)", cmdServe},
		{"migrate", "apply database migrations and exit", cmdMigrate},
		{"seed", "load the demo fleet (sites, trucks, drivers) idempotently", cmdSeed},
		{"demo", "run the local try-out: a simulated fleet and a console chat, no Slack or OpenAI needed", cmdDemo},
		{"simulate", "post signed LocoNav webhooks for a simulated fleet and report rate and latency", cmdSimulate},
		{"run-job", "run one scheduled job now", cmdRunJob},
		{"token", "create, list or revoke API tokens", cmdToken},
		{"version", "print the version", cmdVersion},
		{"healthcheck", "exit 0 when the local listener answers /healthz (or /readyz with --ready)", cmdHealthcheck},
	}
	sort.SliceStable(cmds, func(i, j int) bool { return cmds[i].name < cmds[j].name })
	return cmds
}

func cmdMigrate(ctx context.Context, env *environment, args []string) error {
	fs := envcfg.NewFlagSet(env.stderr, "migrate", "Applies the embedded database migrations to DATABASE_URL and exits. Safe to run again.")
	if err := envcfg.ParseFlags(fs, args); err != nil {
		return err
	}
	return withStore(ctx, env, func(*store.Store) error {
		fmt.Fprintln(env.stdout, "migrations applied")
		return nil
	})
}

func cmdSeed(ctx context.Context, env *environment, args []string) error {
	fs := envcfg.NewFlagSet(env.stderr, "seed", `Loads the demo fleet in Lagos (sites, trucks and drivers) into DATABASE_URL, migrating
first. Running it again changes nothing.`)
	if err := envcfg.ParseFlags(fs, args); err != nil {
		return err
	}
	return withStore(ctx, env, func(s *store.Store) error {
		counts, err := seed.Load(ctx, s)
		if err != nil {
			return fmt.Errorf("seed: %w", err)
		}
		fmt.Fprintf(env.stdout, "demo fleet loaded: %s.\n", counts)
		return nil
	})
}

// withStore opens DATABASE_URL, applies the migrations and runs fn on the store, for the
// commands that need the database but not Redis (migrate, seed, token).
func withStore(ctx context.Context, env *environment, fn func(*store.Store) error) error {
	_, pool, err := openDB(ctx, env)
	if err != nil {
		return err
	}
	defer pool.Close()
	if err := store.Migrate(ctx, pool); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return fn(store.New(pool))
}

// cmdSimulate drives a simulated fleet at a webhook URL (sim.Usage).
func cmdSimulate(ctx context.Context, env *environment, args []string) error {
	fs := envcfg.NewFlagSet(env.stderr, "simulate", sim.Usage)
	var c sim.Config
	c.Flags(fs)
	if err := envcfg.ParseFlags(fs, args); err != nil {
		return err
	}
	if err := c.CheckFlags(); err != nil {
		return &envcfg.UsageError{Msg: err.Error()}
	}
	cfg, err := loadConfig(env.getenv)
	if err != nil {
		return err
	}
	if err := c.UseCredentials(cfg.LoconavWebhookSecret, cfg.LoconavWebhookToken); err != nil {
		return &envcfg.UsageError{Msg: "simulate: --secret or --token is required (or LOCONAV_WEBHOOK_SECRET / LOCONAV_WEBHOOK_TOKEN)"}
	}
	c.Zone = cfg.LoconavTimezone
	c.Vehicles, _ = rosterVehicles() // without the roster every truck is generated
	fmt.Fprintf(env.stdout, "simulating %d trucks at %s to %s; Ctrl-C stops\n", c.Trucks, c.RateText(), c.URL)
	rep, err := sim.Run(ctx, c)
	if err != nil {
		return &envcfg.UsageError{Msg: err.Error()}
	}
	fmt.Fprint(env.stdout, rep.String())
	if rep.Requests == 0 {
		return fmt.Errorf("simulate: no request was answered (%d transport errors)", rep.Errors)
	}
	return nil
}

// rosterVehicles are the demo roster's trucks, the first ones the simulator drives.
func rosterVehicles() ([]sim.Vehicle, error) {
	roster, err := seed.Roster()
	if err != nil {
		return nil, err
	}
	vs := make([]sim.Vehicle, 0, len(roster))
	for _, e := range roster {
		vs = append(vs, sim.Vehicle{Plate: e.Truck.Plate, IMEI: e.Truck.IMEI})
	}
	return vs, nil
}

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
		return fmt.Errorf("run-job %s: %w", name, err)
	}
	fmt.Fprintln(env.stdout, schedule.RunLine(run))
	if run.Outcome == fleet.JobFailed {
		return &failedError{msg: fmt.Sprintf("job %s failed; see the line above", name)}
	}
	return nil
}

// cmdToken runs create, list or revoke (tokencli.Usage) on the store of DATABASE_URL.
func cmdToken(ctx context.Context, env *environment, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintln(env.stderr, "Usage: watchtower token create|list|revoke\n\n"+tokencli.Usage)
		if len(args) == 0 {
			return envcfg.Usagef("token: say create, list or revoke")
		}
		return nil
	}
	c := tokencli.Command{Sub: args[0]}
	summary, ok := c.Summary()
	if !ok {
		return envcfg.Usagef("token: unknown subcommand %q; use create, list or revoke", c.Sub)
	}
	fs := envcfg.NewFlagSet(env.stderr, "token "+c.Sub, summary)
	if err := envcfg.ParseFlags(fs, c.Flags(fs, args[1:])); err != nil {
		return err
	}
	if err := c.Check(); err != nil {
		return &envcfg.UsageError{Msg: err.Error()}
	}
	by := fleet.Actor{ID: "cli", Name: env.getenv("USER"), Via: "cli"} // who the audit log names
	return withStore(ctx, env, func(s *store.Store) error { return c.Run(ctx, s, env.stdout, env.stderr, by) })
}

// cmdHealthcheck probes the local listener (server.ProbeUsage).
func cmdHealthcheck(ctx context.Context, env *environment, args []string) error {
	fs := envcfg.NewFlagSet(env.stderr, "healthcheck", server.ProbeUsage)
	ready := fs.Bool("ready", false, "check /readyz (Postgres and Redis) instead of /healthz")
	if err := envcfg.ParseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := loadConfig(env.getenv)
	if err != nil {
		return err
	}
	path := "/healthz"
	if *ready {
		path = "/readyz"
	}
	url := "http://" + sim.Loopback(cfg.HTTPAddr) + path
	if err := server.Probe(ctx, url); err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	fmt.Fprintln(env.stdout, "ok", url)
	return nil
}

func cmdVersion(_ context.Context, env *environment, args []string) error {
	fs := envcfg.NewFlagSet(env.stderr, "version", "Prints the version of this binary.")
	if err := envcfg.ParseFlags(fs, args); err != nil {
		return err
	}
	fmt.Fprintln(env.stdout, "watchtower", version)
	return nil
}
