package main

import (
	"context"
	"time"

	"github.com/watchtower-ops/watchtower/bot/api"
	"github.com/watchtower-ops/watchtower/ingest"
	"github.com/watchtower-ops/watchtower/store"
)

// The positions stream feeds the live map; the store names its drivers.
var (
	_ api.Feed    = positionFeed{}
	_ api.Drivers = (*store.Store)(nil)
)

// mapLinker makes the /watchtower map links, signed with TRACKING_SECRET for PUBLIC_BASE_URL.
func mapLinker(a *app) *api.MapLinker {
	return api.NewMapLinker([]byte(a.cfg.TrackingSecret), a.cfg.PublicBaseURL, nil)
}

// mapDeps returns the live map's dependencies: the positions stream and the driver names.
func mapDeps(a *app) (api.Feed, api.Drivers) {
	return positionFeed{ingest.NewPositionStream(a.rdb, a.cfg.RedisPrefix)}, a.store
}

// mapComponents returns what keeps the live map running: the fan-out of the positions stream.
func mapComponents(srv *api.Server) []component {
	if h := srv.Hub(); h != nil {
		return []component{h.Run}
	}
	return nil
}

// positionFeed adapts the ingest positions stream to the API's Feed.
type positionFeed struct{ s *ingest.PositionStream }

// Read returns up to count fixes after the entry ID after.
func (p positionFeed) Read(ctx context.Context, after string, count int, block time.Duration) ([]api.Fix, error) {
	fixes, err := p.s.Read(ctx, after, count, block)
	if err != nil {
		return nil, err
	}
	out := make([]api.Fix, len(fixes))
	for i, f := range fixes {
		out[i] = api.Fix{ID: f.ID, Position: f.Position}
	}
	return out, nil
}

// Bounds returns the IDs of the oldest and newest fixes kept.
func (p positionFeed) Bounds(ctx context.Context) (string, string, error) { return p.s.Bounds(ctx) }
