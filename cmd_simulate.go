package main

import (
	"context"
	"fmt"

	"github.com/watchtower-ops/watchtower/ingest/envcfg"
	"github.com/watchtower-ops/watchtower/ingest/sim"
	"github.com/watchtower-ops/watchtower/store/seed"
)

// cmdSimulate drives a simulated fleet at a webhook URL (sim.Usage).
func cmdSimulate(ctx context.Context, env *environment, args []string) error {
	fs := envcfg.NewFlagSet(env.stderr, "simulate", sim.Usage)
	var c sim.Config
	c.Flags(fs)
	if err := envcfg.ParseFlags(fs, args); err != nil {
		return err
	}
	if err := c.CheckFlags(); err != nil {
		return &envcfg.UsageError{Msg: err.Error()}
	}
	cfg, err := loadConfig(env.getenv)
	if err != nil {
		return err
	}
	if err := c.UseCredentials(cfg.LoconavWebhookSecret, cfg.LoconavWebhookToken); err != nil {
		return &envcfg.UsageError{Msg: "simulate: --secret or --token is required (or LOCONAV_WEBHOOK_SECRET / LOCONAV_WEBHOOK_TOKEN)"}
	}
	c.Zone = cfg.LoconavTimezone
	c.Vehicles, _ = rosterVehicles() // without the roster every truck is generated
	fmt.Fprintf(env.stdout, "simulating %d trucks at %s to %s; Ctrl-C stops\n", c.Trucks, c.RateText(), c.URL)
	rep, err := sim.Run(ctx, c)
	if err != nil {
		return &envcfg.UsageError{Msg: err.Error()}
	}
	fmt.Fprint(env.stdout, rep.String())
	if rep.Requests == 0 {
		return fmt.Errorf("simulate: no request was answered (%d transport errors)", rep.Errors)
	}
	return nil
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
