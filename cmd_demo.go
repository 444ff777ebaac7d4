package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	iofs "io/fs"
	"log/slog"
	"net"

	"github.com/watchtower-ops/watchtower/bot"
	"github.com/watchtower-ops/watchtower/bot/console"
	"github.com/watchtower-ops/watchtower/ingest/sim"
	"github.com/watchtower-ops/watchtower/store/seed"
	"github.com/watchtower-ops/watchtower/tools"
)

// The bot's handler, the fleet index and the console sender are what the console runs on.
var (
	_ console.Liner        = (*bot.Handler)(nil)
	_ console.RosterSource = (*tools.StateIndex)(nil)
	_ console.Printer      = (*bot.ConsoleSender)(nil)
)

// cmdDemo runs the local try-out (console.Usage). It returns nil when the user quits, the script
// ends or ctx is done, a *usageError or *configError (exit 2) for bad flags or settings, and
// the first component's error otherwise.
func cmdDemo(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "demo", console.Usage)
	var opts console.Options
	opts.Flags(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := opts.Check(); err != nil {
		return &usageError{msg: err.Error()}
	}
	in, closeIn, err := console.OpenInput(opts.Script, env.stdin)
	if err != nil {
		return &usageError{msg: fmt.Sprintf("demo: --script %s: %s", opts.Script, fileProblem(err))}
	}
	defer closeIn()
	logw, logName, err := console.OpenLog(opts.LogPath, env.stderr)
	if err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	defer logw.Close()
	denv := &environment{getenv: demoGetenv(env.getenv), stdin: in, stdout: env.stdout, stderr: logw}
	if err := checkDemoConfig(denv.getenv); err != nil {
		return err
	}
	a, err := openApp(ctx, denv)
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
	con, comps, err := newDemo(ctx, a, denv, opts, stop)
	if err != nil {
		return err
	}
	con.Greet(demoGreeting(a.cfg, counts, a.tools.Agent.Online(), logName))
	err = a.serve(ctx, comps)
	con.Goodbye(err)
	return err
}

// demoGreeting is what the console says is running.
func demoGreeting(cfg config, counts seed.Counts, online bool, logName string) console.Greeting {
	db := redactURL(cfg.DatabaseURL)
	if cfg.DatabaseURL == localDatabaseURL {
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

// localDatabaseURL is the database of `make demo` and scripts/services.sh; only the demo falls
// back to it (serve without DATABASE_URL exits 2).
const localDatabaseURL = "postgres://postgres:postgres@127.0.0.1:5432/watchtower?sslmode=disable"

// demoDefault are the settings the demo uses where the environment sets nothing: the local
// database, a loopback listener, readable logs, and thresholds and job schedules short enough that offline and
// idle alerts show within minutes.
var demoDefault = map[string]string{
	"DATABASE_URL":          localDatabaseURL,
	"HTTP_ADDR":             "127.0.0.1:8080",
	"LOG_FORMAT":            "text",
	"OFFLINE_AFTER":         "3m",
	"IDLE_AFTER":            "5m",
	"SCHEDULE_CONNECTIVITY": "* * * * *",
	"SCHEDULE_TRIP_MONITOR": "* * * * *",
}

// demoGetenv wraps getenv with the demo's defaults, a webhook secret made up now when neither
// LOCONAV_WEBHOOK_SECRET nor LOCONAV_WEBHOOK_TOKEN is set (the simulator in this process is
// the only sender), and PUBLIC_BASE_URL pointing at the listener.
func demoGetenv(getenv func(string) string) func(string) string {
	own := map[string]string{}
	for k, v := range demoDefault {
		if getenv(k) == "" {
			own[k] = v
		}
	}
	if getenv("LOCONAV_WEBHOOK_SECRET") == "" && getenv("LOCONAV_WEBHOOK_TOKEN") == "" {
		b := make([]byte, 32)
		_, _ = rand.Read(b)
		own["LOCONAV_WEBHOOK_SECRET"] = hex.EncodeToString(b)
	}
	if getenv("TRACKING_SECRET") == "" { // tracking and /watchtower map links for this run
		b := make([]byte, 32)
		_, _ = rand.Read(b)
		own["TRACKING_SECRET"] = hex.EncodeToString(b)
	}
	addr := getenv("HTTP_ADDR")
	if addr == "" {
		addr = own["HTTP_ADDR"]
	}
	if getenv("PUBLIC_BASE_URL") == "" {
		own["PUBLIC_BASE_URL"] = "http://" + sim.Loopback(addr)
	}
	return func(k string) string {
		if v := getenv(k); v != "" {
			return v
		}
		return own[k]
	}
}

// checkDemoConfig fails early on bad configuration, and names HTTP_ADDR when another process
// holds the port (often a demo or serve still running) rather than failing once the fleet is
// loaded.
func checkDemoConfig(getenv func(string) string) error {
	cfg, err := loadConfig(getenv)
	if err != nil {
		return err
	}
	if err := cfg.requireDatabase(); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.HTTPAddr)
	if err != nil {
		return &configError{Var: "HTTP_ADDR", Reason: fmt.Sprintf("%s is not free (is another watchtower running?); "+
			"stop it or pick another, e.g. HTTP_ADDR=127.0.0.1:8081 make demo", cfg.HTTPAddr)}
	}
	ln.Close()
	if ln, err = net.Listen("tcp", cfg.AdminAddr); err != nil {
		return &configError{Var: "ADMIN_ADDR", Reason: fmt.Sprintf("%s is not free (is another watchtower running?); "+
			"stop it or pick another, e.g. ADMIN_ADDR=127.0.0.1:9091 make demo", cfg.AdminAddr)}
	}
	return ln.Close()
}

// newDemo builds the console and what it runs next to serve's components: the handler the
// Slack app would use, over the same fleet functions, with the console user as its only
// approver; the notification printer; the simulated fleet; and the nearby index, which
// newFleetTools hands to its first caller.
func newDemo(ctx context.Context, a *app, env *environment, opts console.Options, stop context.CancelFunc) (*console.Console, []component, error) {
	ft, comps := newFleetTools(a)
	sched, err := a.newScheduler(ctx) // for /watchtower jobs and run; the cron runs in wireSchedule
	if err != nil {
		return nil, nil, err
	}
	simulator, vehicles, err := demoSimulator(a.cfg, a.log, opts.Speedup)
	if err != nil {
		return nil, nil, err
	}
	renderer := bot.NewRenderer(a.cfg.Timezone)
	h := bot.NewHandler(bot.HandlerDeps{Lookups: ft.Registry, Desk: ft.Registry, Asker: ft.Agent,
		Jobs: sched, Trips: a.store, Alerts: ft.Registry, Trucks: a.store, History: a.store, Approvers: bot.Approvers{console.Caller().UserID},
		Maps: mapLinker(a), Renderer: renderer, Log: a.log})
	plates := make([]string, len(vehicles))
	for i, v := range vehicles {
		plates[i] = v.Plate
	}
	con := console.New(console.Config{In: env.stdin, Out: env.stdout, Plates: plates,
		Script: opts.Script != "" || !console.IsTerminal(env.stdin)})
	printer := bot.NewConsoleSender(a.rdb, renderer, bot.ConsoleConfig{Prefix: a.cfg.RedisPrefix}, con.Event, a.log)
	con.Start(h, ft.Index, printer, stop)
	return con, append(comps, simulator, con.RunPrinter, con.Run), nil
}

// demoSimulator returns the demo's data source as a component, with the trucks it drives: the
// demo roster, posting to this process's own webhook listener on HTTP_ADDR, signed with
// LOCONAV_WEBHOOK_SECRET (or through LOCONAV_WEBHOOK_TOKEN), one fix per truck every 10 s,
// movement sped up speedup times. It returns a *configError when neither the secret nor the
// token is configured.
func demoSimulator(cfg config, log *slog.Logger, speedup float64) (component, []sim.Vehicle, error) {
	c := sim.Config{URL: "http://" + sim.Loopback(cfg.HTTPAddr) + "/webhooks/loconav", Secret: cfg.LoconavWebhookSecret,
		Token: cfg.LoconavWebhookToken, Zone: cfg.LoconavTimezone, Speedup: speedup, Concurrency: 4}
	if c.Secret != "" {
		c.Token = ""
	}
	if c.Secret == "" && c.Token == "" {
		return nil, nil, &configError{Var: "LOCONAV_WEBHOOK_SECRET", Reason: "or LOCONAV_WEBHOOK_TOKEN is needed for the simulator"}
	}
	vs, err := rosterVehicles()
	if err != nil {
		return nil, nil, fmt.Errorf("simulator roster: %w", err)
	}
	c.Vehicles, c.Trucks = vs, len(vs)
	return func(ctx context.Context) error { return sim.RunLocal(ctx, c, log) }, vs, nil
}

// fileProblem says in words why a file could not be opened.
func fileProblem(err error) string {
	switch {
	case errors.Is(err, iofs.ErrNotExist):
		return "there is no such file"
	case errors.Is(err, iofs.ErrPermission):
		return "permission denied"
	}
	return "the file cannot be read"
}
