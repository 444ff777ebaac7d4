package main

import (
	"context"
	"fmt"
	"net"

	"github.com/watchtower-ops/watchtower/bot"
	"github.com/watchtower-ops/watchtower/bot/console"
	"github.com/watchtower-ops/watchtower/ingest/envcfg"
	"github.com/watchtower-ops/watchtower/ingest/sim"
	"github.com/watchtower-ops/watchtower/store/seed"
)

// cmdDemo runs the local try-out (console.Usage): serve's components over sim.LocalEnv's
// settings, plus the simulated fleet and the console chat. It returns nil when the user quits,
// the script ends or ctx is done, a *envcfg.UsageError or *envcfg.Error (exit 2) for bad flags
// or settings, and the first component's error otherwise.
func cmdDemo(ctx context.Context, env *environment, args []string) error {
	fs := envcfg.NewFlagSet(env.stderr, "demo", console.Usage)
	var opts console.Options
	opts.Flags(fs)
	if err := envcfg.ParseFlags(fs, args); err != nil {
		return err
	}
	if err := opts.Check(); err != nil {
		return &envcfg.UsageError{Msg: err.Error()}
	}
	in, closeIn, err := console.OpenInput(opts.Script, env.stdin)
	if err != nil {
		return envcfg.Usagef("demo: --script %s: %s", opts.Script, console.FileProblem(err))
	}
	defer closeIn()
	logw, logName, err := console.OpenLog(opts.LogPath, env.stderr)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	defer logw.Close()
	env = &environment{getenv: sim.LocalEnv(env.getenv), stdin: in, stdout: env.stdout, stderr: logw}
	if err := checkDemoConfig(env.getenv); err != nil {
		return err
	}
	a, err := openApp(ctx, env)
	if err != nil {
		return err
	}
	defer a.close()
	counts, err := seed.Load(ctx, a.store)
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	p, comps, err := a.build(ctx)
	if err != nil {
		return err
	}
	vs, err := rosterVehicles()
	if err != nil {
		return fmt.Errorf("simulator roster: %w", err)
	}
	sc, err := sim.Local(a.cfg.HTTPAddr, a.cfg.LoconavWebhookSecret, a.cfg.LoconavWebhookToken, a.cfg.LoconavTimezone, opts.Speedup, vs)
	if err != nil {
		return &envcfg.Error{Var: "LOCONAV_WEBHOOK_SECRET", Reason: "or LOCONAV_WEBHOOK_TOKEN is needed for the simulator"}
	}
	// The console answers with the handler Slack uses, the console user its only approver.
	renderer := bot.NewRenderer(a.cfg.Timezone)
	plates := make([]string, len(vs))
	for i, v := range vs {
		plates[i] = v.Plate
	}
	con := console.New(console.Config{In: env.stdin, Out: env.stdout, Plates: plates,
		Script: opts.Script != "" || !console.IsTerminal(env.stdin)})
	printer := bot.NewConsoleSender(a.rdb, renderer, bot.ConsoleConfig{Prefix: a.cfg.RedisPrefix}, con.Event, a.log)
	con.Start(newHandler(a, p, renderer, bot.Approvers{console.Caller().UserID}, nil), p.tools.Index, printer, stop)
	con.Greet(demoGreeting(a.cfg, counts, p.tools.Agent.Online(), logName))
	simulate := func(ctx context.Context) error { return sim.RunLocal(ctx, sc, a.log) }
	err = a.serve(ctx, append(comps, simulate, con.RunPrinter, con.Run))
	con.Goodbye(err)
	return err
}

// demoGreeting is what the console says is running.
func demoGreeting(cfg envcfg.Config, counts seed.Counts, online bool, logName string) console.Greeting {
	db := envcfg.RedactURL(cfg.DatabaseURL)
	if cfg.DatabaseURL == sim.LocalDatabaseURL {
		db += "  (the local default; set DATABASE_URL for another)"
	}
	g := console.Greeting{Database: db, Listener: sim.Loopback(cfg.HTTPAddr), Admin: sim.Loopback(cfg.AdminAddr), Trucks: counts.Trucks, Sites: counts.Sites,
		Workers: cfg.IngestWorkers, OfflineAfter: cfg.Thresholds.OfflineAfter, IdleAfter: cfg.Thresholds.IdleAfter,
		Log: logName, Slack: cfg.SlackEnabled()}
	if online {
		g.Model, g.ModelURL = cfg.OpenAIModel, cfg.OpenAIBaseURL
	}
	return g
}

// checkDemoConfig fails early on bad configuration, and names HTTP_ADDR or ADMIN_ADDR when
// another process holds the port (often a demo or serve still running) rather than failing
// once the fleet is loaded.
func checkDemoConfig(getenv func(string) string) error {
	cfg, err := loadConfig(getenv)
	if err == nil {
		err = cfg.RequireDatabase()
	}
	if err != nil {
		return err
	}
	for _, l := range []struct{ name, addr, other string }{
		{"HTTP_ADDR", cfg.HTTPAddr, "127.0.0.1:8081"}, {"ADMIN_ADDR", cfg.AdminAddr, "127.0.0.1:9091"},
	} {
		ln, err := net.Listen("tcp", l.addr)
		if err != nil {
			return &envcfg.Error{Var: l.name, Reason: fmt.Sprintf("%s is not free (is another watchtower running?); "+
				"stop it or pick another, e.g. %s=%s make demo", l.addr, l.name, l.other)}
		}
		ln.Close()
	}
	return nil
}
