package sim

import (
	"errors"
	"flag"
	"strings"
)

// Usage is the help of `watchtower simulate`.
const Usage = `Posts LocoNav location pushes for a simulated fleet in Lagos to a webhook URL: trucks shuttle
between the demo sites with dwells, loading with the engine on, traffic stops, the odd
overspeed stretch and one truck that falls silent. Bodies are signed with --secret
(X-LocoNav-Signature) or sent to URL/<token> with --token; without either flag,
LOCONAV_WEBHOOK_SECRET or LOCONAV_WEBHOOK_TOKEN is used. The first trucks are the demo roster's.
Requests are paced open-loop at --rate positions per second (--rate -1: as fast as possible).
At the end it prints the achieved rate and the latency percentiles.

  watchtower simulate --url URL --secret S --trucks N --rate R [--batch B] [--duration D]`

// Flags registers the flags of `watchtower simulate` on fs, each filling a field of c.
func (c *Config) Flags(fs *flag.FlagSet) {
	fs.StringVar(&c.URL, "url", "http://127.0.0.1:8080/webhooks/loconav", "webhook URL")
	fs.StringVar(&c.Secret, "secret", "", "HMAC secret to sign bodies with")
	fs.StringVar(&c.Token, "token", "", "path token to post to URL/<token> instead of signing")
	fs.IntVar(&c.Trucks, "trucks", 84, "number of trucks")
	fs.Float64Var(&c.Rate, "rate", 0, "positions per second for the whole fleet (default: one per truck every 10 s; -1: unpaced)")
	fs.IntVar(&c.Batch, "batch", 1, "positions per request")
	fs.DurationVar(&c.Duration, "duration", 0, "how long to run (default: until interrupted)")
	fs.IntVar(&c.Concurrency, "concurrency", 64, "requests in flight")
	fs.Float64Var(&c.Speedup, "speedup", 1, "simulated movement runs this many times faster than the clock")
	fs.Uint64Var(&c.Seed, "seed", 1, "seed of the routes")
}

// CheckFlags returns what is wrong with the values Flags filled, in one sentence naming the
// flag, or nil.
func (c Config) CheckFlags() error {
	switch {
	case c.Trucks < 1 || c.Batch < 1 || c.Concurrency < 1:
		return errors.New("simulate: --trucks, --batch and --concurrency must be at least 1")
	case c.Batch > 2000:
		return errors.New("simulate: --batch must be at most 2000 (bodies are limited to 1 MiB)")
	case !strings.HasPrefix(c.URL, "http://") && !strings.HasPrefix(c.URL, "https://"):
		return errors.New("simulate: --url must be an http:// or https:// URL")
	}
	return nil
}
