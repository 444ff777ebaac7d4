package console

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
)

// Run is the chat: the console's component. It returns nil when ctx is done, or after the last line of
// the script, the user's quit or Ctrl-D, and then stops the whole demo.
func (c *Console) Run(ctx context.Context) error {
	defer c.stop()
	if !c.warmUp(ctx) {
		return nil
	}
	close(c.opened)
	c.term.examples()
	lines := readLines(ctx, c.in)
	for {
		c.term.showPrompt()
		select {
		case <-ctx.Done():
			return nil
		case line, ok := <-lines:
			if !ok {
				c.finish(ctx)
				return nil
			}
			c.term.begin()
			err := c.handle(ctx, line)
			c.term.end()
			if err != nil {
				return nil
			}
		}
	}
}

// warmUp waits until every simulated truck has reported since the demo started (about ten
// seconds), so the first answers show a live fleet, and says how it went. It returns false
// when ctx is done first.
func (c *Console) warmUp(ctx context.Context) bool {
	if len(c.plates) == 0 {
		return ctx.Err() == nil
	}
	plates := c.plates
	start := time.Now()
	c.term.printf("\nWaiting for the simulated fleet to report in…\n")
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	for {
		n := c.reported(ctx, plates, start)
		switch {
		case n >= len(plates):
			c.term.printf("All %d trucks reported in %s.\n", n, fleet.FormatElapsed(time.Since(start)))
			return true
		case time.Since(start) > readyWait:
			c.term.printf("%d of %d trucks have reported so far; the others follow (see the log if none do).\n", n, len(plates))
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
func (c *Console) reported(ctx context.Context, plates map[string]bool, start time.Time) int {
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
func (c *Console) handle(ctx context.Context, line string) error {
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
	v := c.h.Line(ctx, Caller(), "console", line)
	if ctx.Err() != nil {
		return ctx.Err()
	}
	text := v.Console()
	if line == "/watchtower help" {
		text += "At this console, 'approve TRP-…' and 'reject TRP-… [reason]' stand in for the buttons; 'quit' leaves.\n"
	}
	c.term.answer(line, text)
	return nil
}

// finish ends a script: it waits (up to a few seconds) until the events the script caused,
// such as the approval of a trip it created, are printed. At a terminal, Ctrl-D just leaves.
func (c *Console) finish(ctx context.Context) {
	if !c.script {
		return
	}
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		if ok, err := c.printer.CaughtUp(ctx); err == nil && ok {
			return
		}
		sleep(ctx, 100*time.Millisecond)
	}
	c.term.printf("(stopped waiting for the last notifications)\n")
}
