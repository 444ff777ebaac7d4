package main

import (
	"github.com/watchtower-ops/watchtower/bot/api"
	"github.com/watchtower-ops/watchtower/ingest"
	"github.com/watchtower-ops/watchtower/store"
)

// The positions stream feeds the live map; the store names its drivers.
var (
	_ api.Feed    = (*ingest.PositionStream)(nil)
	_ api.Drivers = (*store.Store)(nil)
)

// mapLinker makes the /watchtower map links, signed with TRACKING_SECRET for PUBLIC_BASE_URL.
func mapLinker(a *app) *api.MapLinker {
	return api.NewMapLinker([]byte(a.cfg.TrackingSecret), a.cfg.PublicBaseURL, nil)
}

// mapDeps returns the live map's dependencies: the positions stream and the driver names.
func mapDeps(a *app) (api.Feed, api.Drivers) {
	return ingest.NewPositionStream(a.rdb, a.cfg.RedisPrefix), a.store
}

// mapComponents returns what keeps the live map running: the fan-out of the positions stream.
func mapComponents(srv *api.Server) []component {
	if h := srv.Hub(); h != nil {
		return []component{h.Run}
	}
	return nil
}
