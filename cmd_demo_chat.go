package main

import (
	"context"
	"errors"
	"io"
	"strings"
	"time"

	"github.com/watchtower-ops/watchtower/bot"
	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/store/seed"
)

// fleetRoster is the part of the fleet index the chat watches while the fleet reports in.
type fleetRoster interface {
	FleetRoster(ctx context.Context) ([]fleet.Truck, []fleet.TruckState, error)
}

// caughtUp reports whether every notification so far has been printed (*bot.ConsoleSender).
type caughtUp interface {
	CaughtUp(ctx context.Context) (bool, error)
}

// demoChat is the console chat: it waits for the simulated fleet to report in, opens the
// console, and answers each line with the bot's handler, exactly as Slack would answer it.
type demoChat struct {
	h      *bot.Handler
	con    *console
	in     io.Reader
	script bool // lines come from a script or a pipe: echo them, and stop at the end
	index  fleetRoster
	sender caughtUp
	opened chan<- struct{} // closed when the console opens
	stop   context.CancelFunc
}

// run is the chat's component. It returns nil when ctx is done, or after the last line of
// the script, the user's quit or Ctrl-D, and then stops the whole demo.
func (c *demoChat) run(ctx context.Context) error {
	defer c.stop()
	if !c.warmUp(ctx) {
		return nil
	}
	close(c.opened)
	c.con.examples()
	lines := readLines(ctx, c.in)
	for {
		c.con.showPrompt()
		select {
		case <-ctx.Done():
			return nil
		case line, ok := <-lines:
			if !ok {
				c.finish(ctx)
				return nil
			}
			c.con.begin()
			err := c.handle(ctx, line)
			c.con.end()
			if err != nil {
				return nil
			}
		}
	}
}

// warmUp waits until every simulated truck has reported since the demo started (about ten
// seconds), so the first answers show a live fleet, and says how it went. It returns false
// when ctx is done first.
func (c *demoChat) warmUp(ctx context.Context) bool {
	roster, err := seed.Roster()
	if err != nil || len(roster) == 0 {
		return ctx.Err() == nil
	}
	plates := make(map[string]bool, len(roster))
	for _, e := range roster {
		plates[fleet.NormalizePlate(e.Truck.Plate)] = true
	}
	start := time.Now()
	c.con.printf("\nWaiting for the simulated fleet to report in…\n")
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	for {
		n := c.reported(ctx, plates, start)
		switch {
		case n >= len(plates):
			c.con.printf("All %d trucks reported in %s.\n", n, time.Since(start).Round(time.Second))
			return true
		case time.Since(start) > demoReady:
			c.con.printf("%d of %d trucks have reported so far; the others follow (see the log if none do).\n", n, len(plates))
			return true
		}
		select {
		case <-ctx.Done():
			return false
		case <-tick.C:
		}
	}
}

// reported counts the trucks of plates whose latest fix is from start on (fixes carry whole
// seconds).
func (c *demoChat) reported(ctx context.Context, plates map[string]bool, start time.Time) int {
	_, states, err := c.index.FleetRoster(ctx)
	if err != nil {
		return 0 // the index logs its reload failures; try again next tick
	}
	n, since := 0, start.Truncate(time.Second)
	for _, st := range states {
		if plates[st.Plate] && !st.FixTime.Before(since) {
			n++
		}
	}
	return n
}

// errQuit ends the chat when the user types quit.
var errQuit = errors.New("quit")

// handle answers one line. It returns errQuit when the user asks to leave.
func (c *demoChat) handle(ctx context.Context, line string) error {
	switch strings.ToLower(line) {
	case "":
		return nil
	case "quit", "exit", "/quit", "/exit":
		return errQuit
	case "help", "?":
		line = "/watchtower help"
	}
	if strings.HasPrefix(line, "#") && c.script {
		return nil // a comment in a script
	}
	v := c.h.Line(ctx, demoCaller, "console", line)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	text := v.Console()
	if line == "/watchtower help" {
		text += "At this console, 'approve TRP-…' and 'reject TRP-… [reason]' stand in for the buttons; 'quit' leaves.\n"
	}
	c.con.answer(line, text)
	return nil
}

// finish ends a script: it waits (up to a few seconds) until the events the script caused,
// such as the approval of a trip it created, are printed. At a terminal, Ctrl-D just leaves.
func (c *demoChat) finish(ctx context.Context) {
	if !c.script {
		return
	}
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		if ok, err := c.sender.CaughtUp(ctx); err == nil && ok {
			return
		}
		sleep(ctx, 100*time.Millisecond)
	}
	c.con.printf("(stopped waiting for the last notifications)\n")
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
