package console

import (
	"context"
	"io"
	"time"

	"github.com/watchtower-ops/watchtower/bot"
	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/tools"
)

// Caller is who types at the console: an approver, so approve and reject work.
func Caller() tools.Caller { return tools.Caller{UserID: "console", Name: "console", Via: "console"} }

// Liner answers one line of chat as Slack would (*bot.Handler).
type Liner interface {
	Line(ctx context.Context, c tools.Caller, channel, text string) bot.View
}

// RosterSource gives the whole fleet at once (*tools.StateIndex); the console watches it while
// the fleet reports in.
type RosterSource interface {
	FleetRoster(ctx context.Context) ([]fleet.Truck, []fleet.TruckState, error)
}

// Printer prints notifications as they arrive (*bot.ConsoleSender).
type Printer interface {
	// Run prints until ctx is done.
	Run(ctx context.Context) error
	// CaughtUp reports whether every notification so far has been printed.
	CaughtUp(ctx context.Context) (bool, error)
}

// Config says where the console reads and writes.
type Config struct {
	In     io.Reader
	Out    io.Writer
	Script bool     // lines come from a script or a pipe: echo them, and stop at the end
	Plates []string // the simulated trucks to wait for before the console opens
}

// Console is the demo's terminal chat: it waits for the simulated fleet to report in, opens,
// and answers each line with the bot's handler, exactly as Slack would answer it, printing
// notifications between answers.
type Console struct {
	term   *terminal
	in     io.Reader
	script bool
	plates map[string]bool
	opened chan struct{} // closed when the console opens; the printer starts then

	h       Liner
	index   RosterSource
	printer Printer
	stop    context.CancelFunc
}

// New returns a console over cfg. Event may be called from then on; Start hands it what it
// answers with before Run.
func New(cfg Config) *Console {
	plates := make(map[string]bool, len(cfg.Plates))
	for _, p := range cfg.Plates {
		plates[fleet.NormalizePlate(p)] = true
	}
	return &Console{term: newTerminal(cfg.Out, !cfg.Script && IsTerminal(cfg.Out)), in: cfg.In, script: cfg.Script,
		plates: plates, opened: make(chan struct{})}
}

// Event prints one alert or trip event line as it happens, or after the answer in progress
// (the print function of bot.NewConsoleSender).
func (c *Console) Event(line string) { c.term.event(line) }

// Start hands the console the handler it answers with, the fleet index it watches, the
// notification printer, and stop, which it calls when the chat ends to stop the demo.
func (c *Console) Start(h Liner, index RosterSource, p Printer, stop context.CancelFunc) {
	c.h, c.index, c.printer, c.stop = h, index, p, stop
}

// Greeting is what the console says is running before the fleet reports in.
type Greeting struct {
	Database     string // the database, password hidden, with a note when the demo picked it
	Listener     string // the address to dial: "127.0.0.1:8080"
	Admin        string // the admin listener (metrics, profiling): "127.0.0.1:9090"
	Trucks       int
	Sites        int
	Workers      int
	OfflineAfter time.Duration
	IdleAfter    time.Duration
	Model        string // the model answering free text; "" for the offline intent parser
	ModelURL     string // where the model is served, "" for OpenAI
	Log          string // where logs go
	Slack        bool   // notifications go to Slack as well
}

// Greet says what is running before the fleet reports in.
func (c *Console) Greet(g Greeting) {
	answers := "the offline intent parser (set OPENAI_API_KEY to use the model)"
	if g.Model != "" {
		answers = "the model " + g.Model
		if g.ModelURL != "" {
			answers += " at " + g.ModelURL
		}
	}
	c.term.printf(`Watch Tower demo — a simulated Lagos container fleet, live
  database   %s
  listener   http://%s  (LocoNav webhooks, /healthz, /readyz, /api/v1, /track, /map); metrics http://%s/metrics
  fleet      %d trucks at %d sites, simulated: one signed webhook per truck every 10 s
  consumers  %d ingest workers; scheduler with its jobs (offline after %s, idle after %s)
  answers    %s
  logs       %s
`, g.Database, g.Listener, g.Admin, g.Trucks, g.Sites, g.Workers, fleet.FormatDuration(g.OfflineAfter),
		fleet.FormatDuration(g.IdleAfter), answers, g.Log)
	if g.Slack {
		c.term.printf("  slack      on as well: notifications also go to the configured channels\n")
	}
}

// Goodbye says how the demo ended; err is the demo's error, which main prints.
func (c *Console) Goodbye(err error) { c.term.goodbye(err) }

// RunPrinter prints notifications from the moment the console opens until ctx is done. It
// returns nil then, or the printer's error.
func (c *Console) RunPrinter(ctx context.Context) error {
	select {
	case <-ctx.Done():
		return nil
	case <-c.opened:
	}
	return c.printer.Run(ctx)
}

// sleep waits d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
