package tools_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/fleet/fleettest"
	"github.com/watchtower-ops/watchtower/store"
	"github.com/watchtower-ops/watchtower/store/storetest"
	"github.com/watchtower-ops/watchtower/tools"
)

// benchFleet is a fleet loaded for benchmarks.
type benchFleet struct {
	st     *store.Store
	pool   *pgxpool.Pool
	plates []string
	sites  []fleet.Site
	trips  []string // active trip codes
	rng    *rand.Rand
}

// loadBenchFleet loads n trucks spread over greater Lagos (33 × 66 km) with a fix each, 60
// sites, and, when history is set, what a month of operations leaves behind: ~1.5 trips per
// truck per day for 30 days, a third of the fleet on active trips, today's alerts, and a fix
// every 2 minutes for every truck over the last 10 hours.
func loadBenchFleet(b *testing.B, n int, history bool) *benchFleet {
	b.Helper()
	ctx := context.Background()
	pool := storetest.NewDB(b)
	f := &benchFleet{st: store.New(pool), pool: pool, rng: rand.New(rand.NewPCG(1, uint64(n)))}
	for i := range 60 {
		s := fleet.Site{Code: fmt.Sprintf("SITE%02d", i), Name: fmt.Sprintf("Bench Site %d", i), Kind: fleet.SiteClient,
			Point: lagosPoint(f.rng), RadiusM: 200}
		if i < len(testSites) {
			s = testSites[i]
		}
		s, err := f.st.UpsertSite(ctx, s)
		must(b, err)
		f.sites = append(f.sites, s)
	}
	now := time.Now().UTC()
	trucks := make([][]any, n)
	states := make([][]any, n)
	for i := range n {
		plate := fmt.Sprintf("T%06dLA", i)
		f.plates = append(f.plates, plate)
		p := lagosPoint(f.rng)
		fix := now.Add(-time.Duration(f.rng.IntN(3600)) * time.Second)
		trucks[i] = []any{plate, "Bench"}
		states[i] = []any{plate, fix, fix, p.Lat, p.Lng, float64(f.rng.IntN(4)) * 15, f.rng.Float64() * 360, f.rng.IntN(2) == 0,
			fleet.CellOf(p, fleet.CellResolution), fleet.CellOf(p, fleet.CoarseResolution)}
	}
	copyRows(b, pool, "trucks", []string{"plate", "company"}, trucks)
	copyRows(b, pool, "truck_state", []string{"plate", "fix_time", "received_at", "lat", "lng", "speed_kmh", "heading", "ignition", "h3_r9", "h3_r7"}, states)
	if history {
		f.loadHistory(b, now)
	}
	_, err := pool.Exec(ctx, "ANALYZE")
	must(b, err)
	return f
}

// loadHistory adds a month of trips, active trips, today's alerts and today's fixes.
func (f *benchFleet) loadHistory(b *testing.B, now time.Time) {
	ctx := context.Background()
	var trips [][]any
	for day := 30; day >= 1; day-- {
		for range len(f.plates) * 3 / 2 {
			dep := now.AddDate(0, 0, -day).Add(time.Duration(f.rng.IntN(12*60)) * time.Minute)
			o, d := f.sites[f.rng.IntN(len(f.sites))], f.sites[f.rng.IntN(len(f.sites))]
			trips = append(trips, []any{fleet.TripCode(int64(9000000 + len(trips))), f.plates[f.rng.IntN(len(f.plates))], o.Code, d.Code,
				dep, dep.Add(3 * time.Hour), "completed", dep.Add(-time.Hour), dep, dep.Add(3 * time.Hour), dep.Add(4 * time.Hour), dep.Add(4 * time.Hour)})
		}
	}
	copyRows(b, f.pool, "trips", []string{"code", "plate", "origin", "destination", "scheduled_departure", "planned_arrival", "status",
		"created_at", "departed_at", "arrived_at", "completed_at", "updated_at"}, trips)
	reg := tools.NewRegistry(f.st, &fleettest.Recorder{}, tools.Options{Logger: quiet})
	for i := 0; i < len(f.plates)/3; i++ {
		tc, err := reg.CreateTrip(ctx, tools.CreateTripArgs{Truck: f.plates[i], Origin: &f.sites[i%60].Code,
			Destination: f.sites[(i+7)%60].Code, DepartureTime: now.Add(time.Hour).Format(time.RFC3339)}, dispatcher)
		must(b, err)
		f.trips = append(f.trips, tc.TripID)
		if i%2 == 0 {
			_, err = f.st.TransitionTrip(ctx, tc.TripID, fleet.Actor{}, "trip.depart", func(t fleet.Trip) (fleet.Trip, error) {
				t, _ = t.Approve("U9", now)
				return t.Depart(now)
			})
			must(b, err)
		}
	}
	var alerts [][]any
	for i := range len(f.plates) / 5 {
		alerts = append(alerts, []any{string(fleet.AlertOverspeed), fmt.Sprintf("overspeed:%d", i), f.plates[i], now.Add(-time.Duration(i) * time.Minute), now})
	}
	copyRows(b, f.pool, "alerts", []string{"kind", "incident_key", "plate", "opened_at", "resolved_at"}, alerts)
	must(b, f.st.EnsurePositionPartitions(ctx, now.AddDate(0, 0, -1), now))
	var fixes [][]any
	start := now.Add(-10 * time.Hour)
	if day := fleet.Day(now, fleet.Lagos()); day.After(start) {
		start = day
	}
	for _, plate := range f.plates {
		p := lagosPoint(f.rng)
		for t := start; t.Before(now); t = t.Add(2 * time.Minute) {
			p.Lat += (f.rng.Float64() - 0.5) * 0.004
			fixes = append(fixes, []any{plate, t, t, p.Lat, p.Lng, float64(f.rng.IntN(4)) * 15, f.rng.IntN(2) == 0})
		}
	}
	copyRows(b, f.pool, "positions", []string{"plate", "fix_time", "received_at", "lat", "lng", "speed_kmh", "ignition"}, fixes)
}

// report records one new fix at t for every truck, in the history and as its latest state.
func (f *benchFleet) report(b *testing.B, t time.Time) {
	b.Helper()
	ctx := context.Background()
	rows := make([][]any, len(f.plates))
	for i, plate := range f.plates {
		p := lagosPoint(f.rng)
		rows[i] = []any{plate, t.UTC(), t.UTC(), p.Lat, p.Lng, 30.0, true}
	}
	must(b, f.st.EnsurePositionPartitions(ctx, t))
	copyRows(b, f.pool, "positions", []string{"plate", "fix_time", "received_at", "lat", "lng", "speed_kmh", "ignition"}, rows)
	_, err := f.pool.Exec(ctx, `UPDATE truck_state SET fix_time = $1, received_at = $1`, t.UTC())
	must(b, err)
}

// copyRows bulk-loads rows into table with COPY.
func copyRows(b *testing.B, pool *pgxpool.Pool, table string, cols []string, rows [][]any) {
	b.Helper()
	if _, err := pool.CopyFrom(context.Background(), pgx.Identifier{table}, cols, pgx.CopyFromRows(rows)); err != nil {
		b.Fatalf("copy %d rows into %s: %v", len(rows), table, err)
	}
}
