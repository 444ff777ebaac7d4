package bot_test

import (
	"context"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/watchtower-ops/watchtower/bot"
	"github.com/watchtower-ops/watchtower/fleet/fleettest"
	"github.com/watchtower-ops/watchtower/store"
	"github.com/watchtower-ops/watchtower/store/storetest"
	"github.com/watchtower-ops/watchtower/tools"
)

// BenchmarkSiteCommand measures `/site <code>` from the command to the rendered card (site
// lookup, the queue and the 7-day median and p90 from Postgres, Block Kit), with 1,000 trucks,
// 200 sites and 90 days of visits, one command at a time over every site in turn.
func BenchmarkSiteCommand(b *testing.B) {
	pool := storetest.NewDB(b)
	f := storetest.DwellFleet{Trucks: 1_000, Sites: 200, Days: 90, Now: time.Now().UTC()}
	storetest.SeedDwellFleet(b, pool, f)
	quiet := slog.New(slog.DiscardHandler)
	reg := tools.NewRegistry(store.New(pool), &fleettest.Recorder{}, tools.Options{Logger: quiet})
	h := bot.NewHandler(bot.HandlerDeps{Lookups: reg, Desk: reg, Log: quiet})
	caller := tools.Caller{UserID: "UBENCH", Via: "slack"}
	run := func(i int) {
		r := h.Command(context.Background(), caller, bot.CmdSite, f.SiteCode(i%f.Sites))
		if !strings.Contains(r.View.FallbackText(), "trucks at S") {
			b.Fatalf("/site answered %q", r.View.FallbackText())
		}
	}
	b.Run("trucks=1000/sites=200/days=90", func(b *testing.B) {
		run(0)
		lat := make([]time.Duration, 0, b.N)
		b.ResetTimer()
		for i := range b.N {
			start := time.Now()
			run(i)
			lat = append(lat, time.Since(start))
		}
		b.StopTimer()
		reportLatencies(b, "", lat)
	})
}
