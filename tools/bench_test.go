package tools_test

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/watchtower-ops/watchtower/fleet/fleettest"
	"github.com/watchtower-ops/watchtower/tools"
)

// Benchmarks of the fleet functions without the model, through Registry.Call with JSON
// arguments as the model sends them, against real Postgres. Each reports its p50 and p99
// latency; DESIGN.md's targets are p99 ≤ 5 ms for each read-only function at 1,000 trucks and
// ≤ 2 ms / ≤ 20 ms for find_nearby_trucks at 1,000 / 100,000 trucks. Run with
//
//	go test -run '^$' -bench . -benchtime 2000x ./tools/

// latencies records one duration per iteration and reports percentiles.
type latencies []time.Duration

func (l *latencies) time(fn func()) {
	start := time.Now()
	fn()
	*l = append(*l, time.Since(start))
}

func (l latencies) report(b *testing.B) {
	if len(l) == 0 {
		return
	}
	slices.Sort(l)
	at := func(q float64) float64 { return float64(l[int(q*float64(len(l)-1))].Microseconds()) / 1000 }
	b.ReportMetric(at(0.50), "p50-ms")
	b.ReportMetric(at(0.99), "p99-ms")
}

// benchCall runs the function with args from next until the benchmark ends.
func benchCall(b *testing.B, reg *tools.Registry, name string, next func() any) {
	ctx := context.Background()
	var lat latencies
	b.ReportAllocs()
	for b.Loop() {
		args, _ := json.Marshal(next())
		lat.time(func() {
			if _, err := reg.Call(ctx, name, args, dispatcher); err != nil {
				b.Fatalf("%s(%s): %v", name, args, err)
			}
		})
	}
	lat.report(b)
}

func BenchmarkFleetFunctions1k(b *testing.B) {
	f := loadBenchFleet(b, 1000, true)
	reg := tools.NewRegistry(f.st, &fleettest.Recorder{}, tools.Options{Logger: quiet})
	pick := func(s []string) string { return s[f.rng.IntN(len(s))] }
	b.Run("get_truck_location", func(b *testing.B) {
		benchCall(b, reg, tools.ToolTruckLocation, func() any { return map[string]string{"truck": pick(f.plates)} })
	})
	idx := tools.NewStateIndex(f.st, time.Hour, quiet)
	indexed := tools.NewRegistry(f.st, &fleettest.Recorder{}, tools.Options{Logger: quiet, Roster: idx, Nearby: idx})
	filters := []any{nil, "moving", "offline", "on_trip", "at_site"}
	for _, src := range []struct {
		name string
		reg  *tools.Registry
	}{{"postgres", reg}, {"memory", indexed}} {
		b.Run("get_fleet_status/"+src.name, func(b *testing.B) {
			benchCall(b, src.reg, tools.ToolFleetStatus, func() any {
				return map[string]any{"filter": filters[f.rng.IntN(len(filters))], "site": nil}
			})
		})
	}
	b.Run("get_trip_details", func(b *testing.B) {
		benchCall(b, reg, tools.ToolTripDetails, func() any { return map[string]string{"trip_id_or_truck": pick(f.trips)} })
	})
	b.Run("get_daily_summary", func(b *testing.B) {
		_, err := reg.DailySummary(context.Background(), "") // the day's first call counts the day's fixes
		must(b, err)
		benchCall(b, reg, tools.ToolDailySummary, func() any { return map[string]any{"date": nil} })
	})
	b.Run("get_daily_summary_refresh", func(b *testing.B) {
		// Every call brings the distance up to date: before each (untimed), 30 s pass and
		// every truck reports one new fix, as a fleet reporting every 30 s does.
		at := time.Now()
		moving := tools.NewRegistry(f.st, &fleettest.Recorder{}, tools.Options{Logger: quiet, Now: func() time.Time { return at }})
		benchCall(b, moving, tools.ToolDailySummary, func() any {
			at = at.Add(31 * time.Second)
			f.report(b, at)
			return map[string]any{"date": nil}
		})
	})
	benchNearby(b, f, 10, 2)
}

func BenchmarkNearby100k(b *testing.B) {
	benchNearby(b, loadBenchFleet(b, 100_000, false), 10, 2)
}

// BenchmarkNearbyGrowth is find_nearby_trucks 10 km at 1,000, 10,000 and 100,000 trucks, for
// the growth table of docs/benchmarks.md (make bench skips it).
func BenchmarkNearbyGrowth(b *testing.B) {
	for _, n := range []int{1_000, 10_000, 100_000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) { benchNearby(b, loadBenchFleet(b, n, false), 10) })
	}
}

// benchNearby measures find_nearby_trucks (top 10 within each radius of a random point in
// Lagos) answered from Postgres and from the in-memory index.
func benchNearby(b *testing.B, f *benchFleet, radii ...float64) {
	idx := tools.NewStateIndex(f.st, time.Hour, quiet)
	start := time.Now()
	must(b, idx.Refresh(context.Background()))
	b.Logf("index of %d trucks loaded in %s", idx.Len(), time.Since(start))
	for _, radiusKm := range radii {
		for _, src := range []struct {
			name  string
			cells tools.CellSource
		}{{"postgres", f.st}, {"memory", idx}} {
			reg := tools.NewRegistry(f.st, &fleettest.Recorder{}, tools.Options{Logger: quiet, Nearby: src.cells})
			b.Run("find_nearby_trucks/"+src.name+"/"+strconv.FormatFloat(radiusKm, 'f', -1, 64)+"km", func(b *testing.B) {
				benchCall(b, reg, tools.ToolNearbyTrucks, func() any {
					p := lagosPoint(f.rng)
					return map[string]any{"near": p.String(), "radius_km": radiusKm, "status": nil, "limit": 10}
				})
			})
		}
	}
}
