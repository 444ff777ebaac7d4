package main

import (
	"context"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/ingest"
	"github.com/watchtower-ops/watchtower/ingest/loconav"
	"github.com/watchtower-ops/watchtower/store"
)

// The store and the streams are what the LocoNav roster import, polling fallback and trip
// pusher use.
var (
	_ loconav.RosterStore = (*store.Store)(nil)
	_ loconav.PollStore   = (*store.Store)(nil)
	_ loconav.PushStore   = (*store.Store)(nil)
	_ loconav.Enqueuer    = (*ingest.Producer)(nil)
	_ loconav.Notifier    = (*ingest.NotifyStream)(nil)
)

// wireLoconav returns the LocoNav trip pusher: every 15 s it creates newly approved trips in
// LocoNav with their tracking link, deletes cancelled ones there, and retries failures with
// backoff. Its work list is the trips table, so approvals made while LocoNav or this process
// was down are pushed later. The loconav-poll and loconav-roster jobs are the scheduler's
// (wire_schedule.go). Without LOCONAV_API_TOKEN the LocoNav API is off, said in one log line.
func wireLoconav(ctx context.Context, a *app) ([]component, error) {
	if a.cfg.LoconavAPIToken == "" {
		a.log.InfoContext(ctx, "LocoNav API off (LOCONAV_API_TOKEN is not set): no roster import, polling fallback or trip push")
		return nil, nil
	}
	c, err := a.loconavClient()
	if err != nil {
		return nil, err
	}
	p := loconav.NewTripPusher(c, a.store, ingest.NewNotifyStream(a.rdb, a.cfg.RedisPrefix), a.log)
	return []component{p.Run}, nil
}

// loconavClient returns the process's LocoNav client, built on first use, so the trip pusher
// and the polling and roster jobs share one rate limiter under LocoNav's limit.
func (a *app) loconavClient() (*loconav.Client, error) {
	if a.loconav == nil {
		c, err := newLoconavClient(a.cfg)
		if err != nil {
			return nil, err
		}
		a.loconav = c
	}
	return a.loconav, nil
}

// newLoconavClient is the LocoNav API client of cfg, or a *configError naming LOCONAV_API_URL
// or LOCONAV_API_TOKEN (never their value).
func newLoconavClient(cfg config) (*loconav.Client, error) {
	c, err := loconav.New(loconav.Config{BaseURL: cfg.LoconavAPIURL, Token: cfg.LoconavAPIToken})
	if err != nil {
		v := "LOCONAV_API_URL"
		if cfg.LoconavAPIToken == "" {
			v = "LOCONAV_API_TOKEN"
		}
		return nil, &configError{Var: v, Reason: "is not usable: " + fleet.ErrorMessage(err)}
	}
	return c, nil
}
