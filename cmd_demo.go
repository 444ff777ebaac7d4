package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"

	"github.com/watchtower-ops/watchtower/bot"
	"github.com/watchtower-ops/watchtower/store/seed"
	"github.com/watchtower-ops/watchtower/tools"
)

const demoUsage = `Runs Watch Tower on this machine without a Slack or OpenAI account. In one process: the
LocoNav webhook listener on HTTP_ADDR, the ingest consumers, the scheduler, a simulated Lagos
fleet posting signed webhooks through that listener, and a console chat that takes the same
slash commands and free text as Slack ("/truck T11985LA", "where is T28737LA?") and prints the
same answers, with alerts and trip events as they happen. "approve TRP-…" and "reject TRP-…
[reason]" stand in for the approval buttons. Migrates and loads the demo fleet first; state is
kept in DATABASE_URL, so running it again continues where it stopped. Ctrl-C stops it.

With --script FILE (or "-", or anything piped to standard input) it reads lines from there
instead of the terminal, prints each line and its answer, and exits at the end.

Where the environment sets nothing, the demo listens on 127.0.0.1:8080, signs webhooks with a
secret made up at start, logs text, calls a truck offline after 3 min and idle after 5 min,
and checks connectivity and trips every minute.

  watchtower demo [--script FILE] [--log FILE] [--speedup N]`

// demoCaller is who types at the console: an approver, so approve/reject work.
var demoCaller = tools.Caller{UserID: "console", Name: "console", Via: "console"}

// demoOptions are the demo's flags.
type demoOptions struct {
	script  string  // lines to run instead of the terminal; "-" is standard input
	logPath string  // where logs go; "-" is standard error
	speedup float64 // simulated movement runs this many times faster than the clock
}

// cmdDemo runs the local try-out (demoUsage). It returns nil when the user quits, the script
// ends or ctx is done, a *usageError or *configError (exit 2) for bad flags or settings, and
// the first component's error otherwise.
func cmdDemo(ctx context.Context, env *environment, args []string) error {
	opts, err := demoFlags(env, args)
	if err != nil {
		return err
	}
	in, closeIn, err := demoInput(env, opts.script)
	if err != nil {
		return err
	}
	defer closeIn()
	logw, logName, err := openDemoLog(opts.logPath, env.stderr)
	if err != nil {
		return err
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
	d, err := newDemo(ctx, a, denv, opts, stop)
	if err != nil {
		return err
	}
	d.con.greet(a.cfg, counts, d.online, logName)
	err = a.serve(ctx, d.components())
	d.con.goodbye(err)
	return err
}

// demoFlags parses the command line of demo.
func demoFlags(env *environment, args []string) (demoOptions, error) {
	fs := newFlagSet(env, "demo", demoUsage)
	var o demoOptions
	fs.StringVar(&o.script, "script", "", `read console lines from FILE ("-": standard input), print each with its answer, exit at the end`)
	fs.StringVar(&o.logPath, "log", filepath.Join("tmp", "demo.log"), `append logs to FILE ("-": standard error)`)
	fs.Float64Var(&o.speedup, "speedup", 1, "simulated trucks move this many times faster than the clock")
	if err := parseFlags(fs, args); err != nil {
		return o, err
	}
	if o.speedup <= 0 || o.speedup > 100 {
		return o, &usageError{msg: "demo: --speedup must be more than 0 and at most 100"}
	}
	return o, nil
}

// demoInput returns where console lines come from: the script file, standard input for "-",
// else the terminal (standard input too). The returned func closes a script file.
func demoInput(env *environment, script string) (io.Reader, func(), error) {
	if script == "" || script == "-" {
		return env.stdin, func() {}, nil
	}
	f, err := os.Open(script)
	if err != nil {
		return nil, nil, &usageError{msg: fmt.Sprintf("demo: --script: %v", err)}
	}
	return f, func() { f.Close() }, nil
}

// openDemoLog opens the log file for appending, creating its directory, and returns it with
// the name to show. "-" logs to stderr, which the demo must not close.
func openDemoLog(path string, stderr io.Writer) (io.WriteCloser, string, error) {
	if path == "-" {
		return nopCloser{stderr}, "standard error", nil
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, "", fmt.Errorf("demo: log directory: %w", err)
		}
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, "", fmt.Errorf("demo: log file: %w", err)
	}
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	return f, path, nil
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }

// demoDefault are the settings the demo uses where the environment sets nothing: a loopback
// listener, readable logs, and thresholds and job schedules short enough that offline and
// idle alerts show within minutes.
var demoDefault = map[string]string{
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
		own["PUBLIC_BASE_URL"] = "http://" + loopback(addr)
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
	return ln.Close()
}

// demo is the demo's own parts around the app: the console, the chat over the bot's
// handler, the notification printer and the simulated fleet.
type demo struct {
	a      *app
	con    *console
	chat   *demoChat
	sender *bot.ConsoleSender
	extra  []component // the nearby index: newFleetTools hands it to its first caller, the demo
	online bool        // free text goes to the model
	speed  float64
	opened chan struct{} // closed when the console opens; the printer starts then
}

// newDemo builds the handler the Slack app would use, over the same fleet functions, with the
// console user as its only approver.
func newDemo(ctx context.Context, a *app, env *environment, opts demoOptions, stop context.CancelFunc) (*demo, error) {
	ft, comps := newFleetTools(a)
	sched, err := a.newScheduler(ctx) // for /watchtower jobs and run; the cron runs in wireSchedule
	if err != nil {
		return nil, err
	}
	renderer := bot.NewRenderer(a.cfg.Timezone)
	h := bot.NewHandler(bot.HandlerDeps{Lookups: ft.Registry, Desk: ft.Registry, Asker: ft.Agent,
		Jobs: schedulerJobs{sched}, Trips: a.store, Approvers: bot.Approvers{demoCaller.UserID},
		Maps: mapLinker(a), Renderer: renderer, Log: a.log})
	scripted := opts.script != "" || !isTerminal(env.stdin)
	con := newConsole(env.stdout, !scripted && isTerminal(env.stdout))
	d := &demo{a: a, con: con, extra: comps, online: ft.Agent.Online(), speed: opts.speedup, opened: make(chan struct{})}
	d.sender = bot.NewConsoleSender(a.rdb, renderer, bot.ConsoleConfig{Prefix: a.cfg.RedisPrefix}, con.event, a.log)
	d.chat = &demoChat{h: h, con: con, in: env.stdin, script: scripted, index: ft.Index, sender: d.sender,
		opened: d.opened, stop: stop}
	return d, nil
}

// components are what the demo runs next to serve's: the index, the simulator, the
// notification printer (from the moment the console opens) and the chat.
func (d *demo) components() []component {
	printer := func(ctx context.Context) error {
		select {
		case <-ctx.Done():
			return nil
		case <-d.opened:
		}
		return d.sender.Run(ctx)
	}
	return append(d.extra, demoSimulator(d.a.cfg, d.a.log, d.speed), printer, d.chat.run)
}
