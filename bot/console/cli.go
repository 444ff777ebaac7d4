package console

import (
	"errors"
	"flag"
	"path/filepath"
)

// Usage is the help of `watchtower demo`.
const Usage = `Runs Watch Tower on this machine without a Slack or OpenAI account. In one process: the
LocoNav webhook listener on HTTP_ADDR, the ingest consumers, the scheduler, a simulated Lagos
fleet posting signed webhooks through that listener, and a console chat that takes the same
slash commands and free text as Slack ("/truck T11985LA", "where is T28737LA?") and prints the
same answers, with alerts and trip events as they happen. "approve TRP-…" and "reject TRP-…
[reason]" stand in for the approval buttons. Migrates and loads the demo fleet first; state is
kept in DATABASE_URL, so running it again continues where it stopped. Ctrl-C stops it.

With --script FILE (or "-", or anything piped to standard input) it reads lines from there
instead of the terminal, prints each line and its answer, and exits at the end.

Where the environment sets nothing, the demo uses the local database
postgres://postgres@127.0.0.1:5432/watchtower (what make demo starts), listens on
127.0.0.1:8080 (metrics on 127.0.0.1:9090), signs webhooks with a secret made up at start, logs text, calls a truck offline after 3 min and idle after 5 min,
and checks connectivity and trips every minute.

  watchtower demo [--script FILE] [--log FILE] [--speedup N]`

// Options are the demo's flags.
type Options struct {
	Script  string  // lines to run instead of the terminal; "-" is standard input
	LogPath string  // where logs go; "-" is standard error
	Speedup float64 // simulated movement runs this many times faster than the clock
}

// Flags registers the demo's flags on fs, each filling a field of o.
func (o *Options) Flags(fs *flag.FlagSet) {
	fs.StringVar(&o.Script, "script", "", `read console lines from FILE ("-": standard input), print each with its answer, exit at the end`)
	fs.StringVar(&o.LogPath, "log", filepath.Join("tmp", "demo.log"), `append logs to FILE ("-": standard error)`)
	fs.Float64Var(&o.Speedup, "speedup", 1, "simulated trucks move this many times faster than the clock")
}

// Check returns what is wrong with the values Flags filled, naming the flag, or nil.
func (o Options) Check() error {
	if o.Speedup <= 0 || o.Speedup > 100 {
		return errors.New("demo: --speedup must be more than 0 and at most 100")
	}
	return nil
}
