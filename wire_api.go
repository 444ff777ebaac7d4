package main

import (
	"context"
	"fmt"
	"math"

	"github.com/watchtower-ops/watchtower/bot/api"
	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/ingest"
	"github.com/watchtower-ops/watchtower/store"
	"github.com/watchtower-ops/watchtower/tools"
)

// The fleet functions answer the JSON API; the store lists sites and trips and knows tokens.
var (
	_ api.Trucks     = (*tools.Registry)(nil)
	_ api.Trips      = (*tools.Registry)(nil)
	_ api.Reports    = (*tools.Registry)(nil)
	_ api.Catalog    = (*store.Store)(nil)
	_ api.Roster     = (*store.Store)(nil)
	_ api.TokenStore = (*store.Store)(nil)
)

// minTrackingSecret is the TRACKING_SECRET length below which links could be forged by
// guessing the key offline from one link.
const minTrackingSecret = 32

// wireAPI mounts the JSON API (/api/v1/…) and the customer tracking page (GET /track/{token})
// on the side listener, over the fleet functions Slack uses (newFleetTools). The truck routes
// get a second registry over the same store and index whose get_fleet_status lists every
// truck, since GET /api/v1/trucks pages through that list. The returned component keeps the
// nearby index fresh.
func wireAPI(ctx context.Context, a *app) ([]component, error) {
	ft, comps := newFleetTools(a)
	trucks := tools.NewRegistry(a.store, ingest.NewNotifyStream(a.rdb, a.cfg.RedisPrefix), tools.Options{
		Thresholds: a.cfg.Thresholds, Location: a.cfg.Timezone, Nearby: ft.Index, Logger: a.log, MaxListed: math.MaxInt32,
	})
	switch secret := a.cfg.TrackingSecret; {
	case secret == "":
		a.log.WarnContext(ctx, "TRACKING_SECRET is unset: no tracking links are made and /track pages say the link expired")
	case len(secret) < minTrackingSecret:
		a.log.WarnContext(ctx, fmt.Sprintf("TRACKING_SECRET is shorter than %d characters: use a long random value (openssl rand -hex 32)", minTrackingSecret))
	case a.cfg.PublicBaseURL == defaultPublicURL:
		a.log.WarnContext(ctx, "PUBLIC_BASE_URL is the default "+defaultPublicURL+": tracking links will only work on this machine")
	}
	feed, drivers := mapDeps(a)
	srv, err := api.New(api.Deps{
		Trucks: trucks, Trips: ft.Registry, Reports: ft.Registry, Catalog: a.store, Roster: a.store, Tokens: a.store,
		Alerts:  apiAlerts{a.store, ft.Registry},
		Limiter: api.NewLimiter(a.rdb, a.cfg.RedisPrefix, a.cfg.APIRateLimit, a.cfg.APIRateBurst),
		Metrics: a.registry, Log: a.log, Feed: feed, Drivers: drivers,
	}, api.Config{TrackingSecret: []byte(a.cfg.TrackingSecret), PublicBaseURL: a.cfg.PublicBaseURL, Location: a.cfg.Timezone,
		MapTileURL: a.cfg.MapTileURL, MapTileAttribution: a.cfg.MapTileCredit})
	if err != nil {
		return nil, fmt.Errorf("api: %w", err)
	}
	srv.Mount(a.mux)
	a.log.InfoContext(ctx, "json api on", "openapi", a.cfg.PublicBaseURL+"/api/v1/openapi.json",
		"rate_per_min", a.cfg.APIRateLimit, "burst", a.cfg.APIRateBurst)
	return append(comps, mapComponents(srv)...), nil
}

// apiAlerts gives the JSON API the alert history from the store and acknowledgement through
// the registry, the function behind the Slack button.
type apiAlerts struct {
	st  *store.Store
	reg *tools.Registry
}

func (x apiAlerts) QueryAlerts(ctx context.Context, q fleet.AlertQuery) ([]fleet.Alert, int64, error) {
	return x.st.QueryAlerts(ctx, q)
}

func (x apiAlerts) ActOnAlert(ctx context.Context, id int64, act fleet.AlertAction, c tools.Caller) (fleet.Alert, error) {
	return x.reg.ActOnAlert(ctx, id, act, c)
}
