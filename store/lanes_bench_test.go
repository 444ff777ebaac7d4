package store_test

import (
	"context"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/watchtower-ops/watchtower/fleet"
)

// BenchmarkLaneHistory measures the lookup behind every learned ETA (a trip card, an approval,
// the API, the tracking page, the at-risk job): store.LaneHistory, percentile_cont over
// trips_lane_idx. The history is six months (the trips' retention) of a 1,000-truck fleet doing
// one trip a day: 180,000 trips over 200 sites on 100 lanes, skewed so that the busiest lane
// holds about a tenth of them (~18,000, ~2,300 in a band); 5% are cancelled. It reports p50 and
// p99 for the busiest lane and for lanes drawn with the same skew. Run with
//
//	go test -run '^$' -bench LaneHistory -benchtime 2000x ./store/
func BenchmarkLaneHistory(b *testing.B) {
	ctx := context.Background()
	s, pool := newStore(b)
	seedLaneBench(b, pool)
	rows, err := pool.Query(ctx, `EXPLAIN SELECT arrived_at FROM trips WHERE origin = 'S000' AND destination = 'S001'
		AND status = 'completed' AND (extract(hour FROM scheduled_departure AT TIME ZONE 'Africa/Lagos')::integer / 3) = 2
		ORDER BY scheduled_departure DESC LIMIT 100`)
	must(b, err)
	var lines []string
	for rows.Next() {
		var l string
		must(b, rows.Scan(&l))
		lines = append(lines, strings.TrimSpace(l))
	}
	b.Logf("plan of the lane scan: %s", strings.Join(lines, " / "))
	rng := rand.New(rand.NewPCG(1, 2))
	for _, c := range []struct {
		name string
		lane func() fleet.Lane
	}{
		{"busiest_lane", func() fleet.Lane { return benchLane(0, rng.IntN(8)) }},
		{"skewed_lanes", func() fleet.Lane { return benchLane(skewedLane(rng), rng.IntN(8)) }},
	} {
		b.Run(c.name, func(b *testing.B) {
			var lat []time.Duration
			learned := 0
			for b.Loop() {
				lane := c.lane()
				start := time.Now()
				h, err := s.LaneHistory(ctx, lane)
				lat = append(lat, time.Since(start))
				must(b, err)
				if h.Learned() {
					learned++
				}
			}
			slices.Sort(lat)
			at := func(q float64) float64 { return float64(lat[int(q*float64(len(lat)-1))].Microseconds()) / 1000 }
			b.ReportMetric(at(0.50), "p50-ms")
			b.ReportMetric(at(0.99), "p99-ms")
			b.ReportMetric(float64(learned)/float64(len(lat)), "learned-share")
		})
	}
}

// benchLane is lane k (sites S{2k} → S{2k+1}) in band.
func benchLane(k, band int) fleet.Lane {
	return fleet.Lane{Origin: siteName(2 * k), Destination: siteName(2*k + 1), Band: band, Zone: fleet.BusinessZone}
}

func siteName(i int) string {
	return "S" + string(rune('0'+i/100)) + string(rune('0'+i/10%10)) + string(rune('0'+i%10))
}

// skewedLane draws a lane as the seed does: floor(100 × u²), so lane 0 is the busiest.
func skewedLane(rng *rand.Rand) int {
	u := rng.Float64()
	return int(100 * u * u)
}

// seedLaneBench writes the benchmark's sites, trucks and trips with a few statements.
func seedLaneBench(b *testing.B, pool *pgxpool.Pool) {
	b.Helper()
	ctx := context.Background()
	start := time.Now()
	for _, q := range []string{
		`INSERT INTO sites (code, name, kind, lat, lng, radius_m, h3_cell)
		 SELECT 'S' || lpad(i::text, 3, '0'), 'Site ' || i, 'terminal', 6.4 + i * 0.001, 3.3 + i * 0.001, 200, i
		 FROM generate_series(0, 199) i`,
		`INSERT INTO trucks (plate) SELECT 'B' || lpad(i::text, 4, '0') || 'LA' FROM generate_series(0, 999) i`,
		`INSERT INTO trips (code, plate, origin, destination, scheduled_departure, status, departed_at, arrived_at, completed_at)
		 SELECT 'TRP-B' || i, 'B' || lpad((i % 1000)::text, 4, '0') || 'LA',
			'S' || lpad((2 * k)::text, 3, '0'), 'S' || lpad((2 * k + 1)::text, 3, '0'), dep,
			CASE WHEN i % 20 = 0 THEN 'cancelled' ELSE 'completed' END,
			dep + wait, CASE WHEN i % 20 = 0 THEN NULL ELSE dep + wait + drive END,
			CASE WHEN i % 20 = 0 THEN NULL ELSE dep + wait + drive + interval '1 hour' END
		 FROM (SELECT i, floor(100 * power(random(), 2))::int AS k,
				now() - (i * interval '86.4 seconds') - random() * interval '1 day' AS dep,
				random() * interval '3 hours' AS wait, interval '1 hour' + random() * interval '7 hours' AS drive
			FROM generate_series(1, 180000) i) g`,
		`VACUUM ANALYZE trips`,
	} {
		if _, err := pool.Exec(ctx, q); err != nil {
			b.Fatalf("seed: %v\n%s", err, q)
		}
	}
	var busiest int
	must(b, pool.QueryRow(ctx, `SELECT count(*) FROM trips WHERE origin = 'S000' AND destination = 'S001'`).Scan(&busiest))
	b.Logf("seeded 180,000 trips in %s; the busiest lane holds %d", time.Since(start).Round(time.Millisecond), busiest)
}
