package api_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/watchtower-ops/watchtower/bot/api"
	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/fleet/fleettest"
	"github.com/watchtower-ops/watchtower/store"
	"github.com/watchtower-ops/watchtower/store/storetest"
	"github.com/watchtower-ops/watchtower/tools"
)

// BenchmarkSiteStatusRoute measures GET /api/v1/sites/{code}/status over HTTP (auth, rate
// limit, JSON included) with 1,000 trucks, 200 sites and 90 days of visits (360,000 finished,
// 334 open), one request at a time over every site in turn.
func BenchmarkSiteStatusRoute(b *testing.B) {
	pool := storetest.NewDB(b)
	f := storetest.DwellFleet{Trucks: 1_000, Sites: 200, Days: 90, Now: time.Now().UTC()}
	storetest.SeedDwellFleet(b, pool, f)
	st := store.New(pool)
	rdb, prefix := storetest.NewRedis(b)
	reg := tools.NewRegistry(st, &fleettest.Recorder{}, tools.Options{Logger: quiet})
	srv, err := api.New(api.Deps{Trucks: reg, Trips: reg, Reports: reg, Catalog: st, Tokens: st,
		Limiter: api.NewLimiter(rdb, prefix, 1_000_000, 100_000), Log: quiet}, api.Config{})
	if err != nil {
		b.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	b.Cleanup(ts.Close)
	tok, hash, pre := api.NewToken()
	if _, err := st.CreateAPIToken(context.Background(), "bench-sites", fleet.ScopeRead, hash, pre, fleet.Actor{ID: "bench"}); err != nil {
		b.Fatal(err)
	}
	get := getter(b, ts.URL, tok)
	b.Run("trucks=1000/sites=200/days=90", func(b *testing.B) {
		latencies(b, func(i int) { get(fmt.Sprintf("/api/v1/sites/%s/status", f.SiteCode(i%f.Sites))) })
	})
}
