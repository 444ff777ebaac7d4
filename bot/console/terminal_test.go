package console

import (
	"bytes"
	"strings"
	"testing"
)

// TestTerminalHoldsEventsUntilTheAnswer checks that an event line arriving while a line is
// being answered follows the answer instead of landing inside it, and that a script's output
// shows each line after the prompt.
func TestTerminalHoldsEventsUntilTheAnswer(t *testing.T) {
	var out bytes.Buffer
	term := newTerminal(&out, false)
	term.begin()
	term.event("14:05 Trip TRP-0001 needs approval")
	term.answer("/trip TRP-0001", "Trip TRP-0001 pending approval")
	term.end()
	term.event("14:06 T11985LA is offline")
	want := Prompt + "/trip TRP-0001\nTrip TRP-0001 pending approval\n\n" +
		"14:05 Trip TRP-0001 needs approval\n14:06 T11985LA is offline\n"
	if got := out.String(); got != want {
		t.Errorf("output = %q; want %q", got, want)
	}
}

func TestOpenInput(t *testing.T) {
	stdin := strings.NewReader("x")
	for _, script := range []string{"", "-"} {
		in, closeIn, err := OpenInput(script, stdin)
		if err != nil || in != stdin {
			t.Errorf("OpenInput(%q) = %v, %v; want standard input", script, in, err)
		}
		closeIn()
	}
	if _, _, err := OpenInput(t.TempDir()+"/missing", stdin); err == nil {
		t.Error("OpenInput(missing file) succeeded; want an error")
	}
}
