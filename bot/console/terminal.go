package console

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"time"
)

// examples are the lines the console suggests when it opens.
var examples = []string{
	"/truck T11985LA",
	"where is T28737LA?",
	"create a trip for T28737LA from ESSLIBRA to ECLAT tomorrow 8am",
	"/fleet",
	"/near APAPA 5",
	"/site APAPA",
}

// terminal is the demo's screen. Answers, event lines and the prompt all go through it under
// one mutex, so an alert never lands inside an answer. While a line is being answered, event
// lines wait and follow the answer (they are often what it caused: a trip's approval request).
// On a terminal an event line clears the prompt, prints, and puts the prompt back.
type terminal struct {
	mu       sync.Mutex
	w        io.Writer
	tty      bool     // a person types here: show a prompt and redraw it around event lines
	prompted bool     // the prompt is on screen, waiting for input
	busy     bool     // a line is being answered
	held     []string // event lines that came in meanwhile
}

// Prompt leads every line typed at the console, and every line of a script in its output.
const Prompt = "> "

// newTerminal returns a terminal writing to w; tty says a person types there.
func newTerminal(w io.Writer, tty bool) *terminal { return &terminal{w: w, tty: tty} }

// printf writes under the lock, first moving off a prompt that is on screen.
func (c *terminal) printf(format string, args ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.clearPrompt()
	fmt.Fprintf(c.w, format, args...)
}

func (c *terminal) clearPrompt() {
	if c.prompted {
		io.WriteString(c.w, "\r\033[K")
		c.prompted = false
	}
}

// event prints one alert or trip event line as it happens, or after the answer in progress.
func (c *terminal) event(line string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.busy {
		c.held = append(c.held, line)
		return
	}
	redraw := c.prompted
	c.clearPrompt()
	fmt.Fprintln(c.w, line)
	if redraw {
		io.WriteString(c.w, Prompt)
		c.prompted = true
	}
}

// answer prints an answer; in a script the line it answers comes first.
func (c *terminal) answer(line, text string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.clearPrompt()
	if !c.tty {
		fmt.Fprintf(c.w, "%s%s\n", Prompt, line)
	}
	fmt.Fprintf(c.w, "%s\n", strings.TrimRight(text, "\n"))
	if !c.tty {
		io.WriteString(c.w, "\n")
	}
}

// showprompt puts the prompt on screen when a person is typing.
func (c *terminal) showPrompt() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.tty && !c.prompted {
		fmt.Fprint(c.w, "\n"+Prompt)
		c.prompted = true
	}
}

// begin notes that a line came in (the prompt is no longer on screen) and holds event lines
// until end.
func (c *terminal) begin() {
	c.mu.Lock()
	c.prompted, c.busy = false, true
	c.mu.Unlock()
}

// end prints the event lines held while the line was answered.
func (c *terminal) end() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, line := range c.held {
		fmt.Fprintln(c.w, line)
	}
	c.busy, c.held = false, nil
}

// examples opens the console: what to type, and how to leave.
func (c *terminal) examples() {
	var b strings.Builder
	b.WriteString("\nTry:\n")
	for _, e := range examples {
		b.WriteString("  " + e + "\n")
	}
	b.WriteString("Also /trip TRP-…, /summary, /watchtower help|jobs|map|run <job>, and 'approve TRP-…' or\n" +
		"'reject TRP-… [reason]' for the approval buttons. Alerts and trip events print here as they happen.\n")
	if c.tty {
		b.WriteString("Ctrl-C or Ctrl-D stops the demo; running it again continues where it stopped.\n")
	}
	c.printf("%s", b.String())
}

// goodbye says how the demo ended.
func (c *terminal) goodbye(err error) {
	if err != nil {
		return // main prints the error
	}
	if c.tty {
		c.printf("\nStopped. The fleet, trips and alerts are kept: run it again to continue.\n")
	}
}

// IsTerminal reports whether f is an interactive terminal (a character device).
func IsTerminal(f any) bool {
	file, ok := f.(*os.File)
	if !ok {
		return false
	}
	st, err := file.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// readLines sends r's lines, trimmed, until EOF or a read error, then closes the channel. The
// goroutine exits then, or as soon as ctx is done while it waits to hand over a line; one
// blocked reading a terminal ends with the process.
func readLines(ctx context.Context, r io.Reader) <-chan string {
	out := make(chan string)
	go func() {
		defer close(out)
		br := bufio.NewReader(r)
		for {
			line, err := br.ReadString('\n')
			if line != "" || err == nil {
				select {
				case out <- strings.TrimSpace(line):
				case <-ctx.Done():
					return
				}
			}
			if err != nil {
				return
			}
		}
	}()
	return out
}

// readyWait is how long the console waits for the simulated fleet to report in before it
// opens anyway.
const readyWait = 45 * time.Second
