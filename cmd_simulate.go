package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"time"

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
	if roster, err := seed.Roster(); err == nil {
		for _, e := range roster {
			c.Vehicles = append(c.Vehicles, sim.Vehicle{Plate: e.Truck.Plate, IMEI: e.Truck.IMEI})
		}
	}
	fmt.Fprintf(env.stdout, "simulating %d trucks at %s to %s; Ctrl-C stops\n", c.Trucks, rateText(c), c.URL)
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

func rateText(c sim.Config) string {
	switch {
	case c.Rate < 0:
		return "full speed"
	case c.Rate == 0:
		return fmt.Sprintf("%.1f positions/s", float64(c.Trucks)/10)
	}
	return fmt.Sprintf("%.0f positions/s in bodies of %d", c.Rate, c.Batch)
}

// demoSimulator returns the demo's data source as a component: the demo roster driven by the
// simulator, posting to this process's own webhook listener on HTTP_ADDR, signed with
// LOCONAV_WEBHOOK_SECRET (or through LOCONAV_WEBHOOK_TOKEN), one fix per truck every 10 s,
// movement sped up speedup times. It returns nil when ctx is done and an error when neither
// the secret nor the token is configured.
func demoSimulator(cfg config, log *slog.Logger, speedup float64) component {
	return func(ctx context.Context) error {
		c := sim.Config{URL: "http://" + loopback(cfg.HTTPAddr) + "/webhooks/loconav", Secret: cfg.LoconavWebhookSecret,
			Token: cfg.LoconavWebhookToken, Zone: cfg.LoconavTimezone, Speedup: speedup, Concurrency: 4}
		if c.Secret != "" {
			c.Token = ""
		}
		if c.Secret == "" && c.Token == "" {
			return &configError{Var: "LOCONAV_WEBHOOK_SECRET", Reason: "or LOCONAV_WEBHOOK_TOKEN is needed for the simulator"}
		}
		roster, err := seed.Roster()
		if err != nil {
			return fmt.Errorf("simulator roster: %w", err)
		}
		for _, e := range roster {
			c.Vehicles = append(c.Vehicles, sim.Vehicle{Plate: e.Truck.Plate, IMEI: e.Truck.IMEI})
		}
		c.Trucks = len(c.Vehicles)
		select { // let the listener start
		case <-ctx.Done():
			return nil
		case <-time.After(time.Second):
		}
		rep, err := sim.Run(ctx, c)
		if err != nil {
			return err
		}
		log.InfoContext(ctx, "simulator stopped", "requests", rep.Requests, "positions", rep.Positions, "errors", rep.Errors)
		return nil
	}
}

// loopback turns a listen address (":8080", "0.0.0.0:8080") into one to dial on this host.
func loopback(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}
