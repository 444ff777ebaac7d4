package main

import (
	"context"
	"fmt"

	"github.com/watchtower-ops/watchtower/ingest/envcfg"
	"github.com/watchtower-ops/watchtower/ingest/server"
	"github.com/watchtower-ops/watchtower/ingest/sim"
)

const healthcheckUsage = `Asks the Watch Tower listening on HTTP_ADDR (on this machine) whether it is up: GET /healthz,
or /readyz with --ready (Postgres and Redis reachable). Exits 0 when it answers 200, 1
otherwise. For container HEALTHCHECKs and service managers, where no curl is installed.

  watchtower healthcheck [--ready]`

// cmdHealthcheck probes the local listener (healthcheckUsage).
func cmdHealthcheck(ctx context.Context, env *environment, args []string) error {
	fs := envcfg.NewFlagSet(env.stderr, "healthcheck", healthcheckUsage)
	ready := fs.Bool("ready", false, "check /readyz (Postgres and Redis) instead of /healthz")
	if err := envcfg.ParseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := loadConfig(env.getenv)
	if err != nil {
		return err
	}
	path := "/healthz"
	if *ready {
		path = "/readyz"
	}
	url := "http://" + sim.Loopback(cfg.HTTPAddr) + path
	if err := server.Probe(ctx, url); err != nil {
		return fmt.Errorf("healthcheck: %w", err)
	}
	fmt.Fprintln(env.stdout, "ok", url)
	return nil
}
