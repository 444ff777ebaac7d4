package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/watchtower-ops/watchtower/ingest/sim"
	"github.com/watchtower-ops/watchtower/store/seed"
)

const simulateUsage = `Posts LocoNav location pushes for a simulated fleet in Lagos to a webhook URL: trucks shuttle
between the demo sites with dwells, loading with the engine on, traffic stops, the odd
overspeed stretch and one truck that falls silent. Bodies are signed with --secret
(X-LocoNav-Signature) or sent to URL/<token> with --token; without either flag,
LOCONAV_WEBHOOK_SECRET or LOCONAV_WEBHOOK_TOKEN is used. The first trucks are the demo roster's.
Requests are paced open-loop at --rate positions per second (--rate -1: as fast as possible).
At the end it prints the achieved rate and the latency percentiles.

  watchtower simulate --url URL --secret S --trucks N --rate R [--batch B] [--duration D]`

func cmdSimulate(ctx context.Context, env *environment, args []string) error {
	c, err := simulateFlags(env, args)
	if err != nil {
		return err
	}
	switch {
	case c.Trucks < 1 || c.Batch < 1 || c.Concurrency < 1:
		return &usageError{msg: "simulate: --trucks, --batch and --concurrency must be at least 1"}
	case c.Batch > 2000:
		return &usageError{msg: "simulate: --batch must be at most 2000 (bodies are limited to 1 MiB)"}
	case !strings.HasPrefix(c.URL, "http://") && !strings.HasPrefix(c.URL, "https://"):
		return &usageError{msg: "simulate: --url must be an http:// or https:// URL"}
	}
	cfg, err := loadConfig(env.getenv)
	if err != nil {
		return err
	}
	if c.Secret == "" && c.Token == "" {
		c.Secret, c.Token = cfg.LoconavWebhookSecret, cfg.LoconavWebhookToken
		if c.Secret != "" {
			c.Token = ""
		}
	}
	if c.Secret == "" && c.Token == "" {
		return &usageError{msg: "simulate: --secret or --token is required (or LOCONAV_WEBHOOK_SECRET / LOCONAV_WEBHOOK_TOKEN)"}
	}
	c.Zone = cfg.LoconavTimezone
	c.Vehicles, _ = rosterVehicles() // without the roster every truck is generated
	fmt.Fprintf(env.stdout, "simulating %d trucks at %s to %s; Ctrl-C stops\n", c.Trucks, c.RateText(), c.URL)
	rep, err := sim.Run(ctx, c)
	if err != nil {
		return &usageError{msg: err.Error()}
	}
	fmt.Fprint(env.stdout, rep.String())
	if rep.Requests == 0 {
		return fmt.Errorf("simulate: no request was answered (%d transport errors)", rep.Errors)
	}
	return nil
}

// simulateFlags parses the command line of simulate.
func simulateFlags(env *environment, args []string) (sim.Config, error) {
	fs := newFlagSet(env, "simulate", simulateUsage)
	var c sim.Config
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
	return c, parseFlags(fs, args)
}

// rosterVehicles are the demo roster's trucks, the first ones the simulator drives.
func rosterVehicles() ([]sim.Vehicle, error) {
	roster, err := seed.Roster()
	if err != nil {
		return nil, err
	}
	vs := make([]sim.Vehicle, 0, len(roster))
	for _, e := range roster {
		vs = append(vs, sim.Vehicle{Plate: e.Truck.Plate, IMEI: e.Truck.IMEI})
	}
	return vs, nil
}
