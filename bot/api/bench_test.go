package api_test

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/watchtower-ops/watchtower/bot/api"
	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/fleet/fleettest"
	"github.com/watchtower-ops/watchtower/store"
	"github.com/watchtower-ops/watchtower/store/storetest"
	"github.com/watchtower-ops/watchtower/tools"
)

// Greater Lagos, where the benchmark's trucks and query points lie.
const (
	benchLatMin, benchLatMax = 6.40, 6.70
	benchLngMin, benchLngMax = 3.10, 3.70
	benchRadiusKm            = 10 // DESIGN.md's reference: top 10 within 10 km
)

// benchFleet is a database holding n trucks with fresh fixes spread over greater Lagos.
type benchFleet struct {
	pool   *pgxpool.Pool
	st     *store.Store
	plates []string
	rng    *rand.Rand
}

// benchPlate is the i-th benchmark plate, Lagos style: AAA000LA, AAA001LA, …
func benchPlate(i int) string {
	b := i / 1000
	return fmt.Sprintf("%c%c%c%03dLA", 'A'+b/676%26, 'A'+b/26%26, 'A'+b%26, i%1000)
}

func newBenchFleet(b *testing.B, n int) *benchFleet {
	b.Helper()
	ctx := context.Background()
	bf := &benchFleet{pool: storetest.NewDB(b), rng: rand.New(rand.NewPCG(1, uint64(n)))}
	bf.st = store.New(bf.pool)
	for _, s := range testSites {
		if _, err := bf.st.UpsertSite(ctx, s); err != nil {
			b.Fatal(err)
		}
	}
	now := time.Now().UTC()
	trucks, states := make([][]any, n), make([][]any, n)
	for i := range n {
		plate := benchPlate(i)
		p := bf.point()
		fix := now.Add(-time.Duration(bf.rng.IntN(45*60)) * time.Second)
		speed := float64(bf.rng.IntN(3)) * 20 // parked or idle, or moving at 20–40 km/h
		trucks[i] = []any{plate, "operational", "Bench"}
		states[i] = []any{plate, fix, fix, p.Lat, p.Lng, speed, float64(bf.rng.IntN(360)), speed > 0 || i%2 == 0,
			fleet.CellOf(p, fleet.CellResolution), fleet.CellOf(p, fleet.CoarseResolution)}
		bf.plates = append(bf.plates, plate)
	}
	copyRows(b, bf.pool, "trucks", []string{"plate", "status", "company"}, trucks)
	copyRows(b, bf.pool, "truck_state", []string{"plate", "fix_time", "received_at", "lat", "lng", "speed_kmh", "heading",
		"ignition", "h3_r9", "h3_r7"}, states)
	if _, err := bf.pool.Exec(ctx, "ANALYZE"); err != nil {
		b.Fatal(err)
	}
	return bf
}

func copyRows(b *testing.B, pool *pgxpool.Pool, table string, cols []string, rows [][]any) {
	b.Helper()
	if _, err := pool.CopyFrom(context.Background(), pgx.Identifier{table}, cols, pgx.CopyFromRows(rows)); err != nil {
		b.Fatalf("copy %d rows into %s: %v", len(rows), table, err)
	}
}

// point is a random point of greater Lagos.
func (bf *benchFleet) point() fleet.Point {
	return fleet.Point{Lat: benchLatMin + bf.rng.Float64()*(benchLatMax-benchLatMin),
		Lng: benchLngMin + bf.rng.Float64()*(benchLngMax-benchLngMin)}
}

// serve starts the API as production wires it (registry over the store, token cache, Redis
// rate limit) with find_nearby_trucks answered from the in-memory index (fromIndex) or from
// Postgres, and returns its URL and a read token.
func (bf *benchFleet) serve(b *testing.B, fromIndex bool) (string, string) {
	b.Helper()
	rdb, prefix := storetest.NewRedis(b)
	opts := tools.Options{Logger: quiet, MaxListed: 1 << 30}
	if fromIndex {
		idx := tools.NewStateIndex(bf.st, time.Minute, quiet) // one load for the whole run
		if err := idx.Refresh(context.Background()); err != nil {
			b.Fatal(err)
		}
		opts.Nearby = idx
	}
	reg := tools.NewRegistry(bf.st, &fleettest.Recorder{}, opts)
	srv, err := api.New(api.Deps{Trucks: reg, Trips: reg, Reports: reg, Catalog: bf.st, Tokens: bf.st,
		Limiter: api.NewLimiter(rdb, prefix, 1_000_000, 100_000), Log: quiet}, api.Config{})
	if err != nil {
		b.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	b.Cleanup(ts.Close)
	tok, hash, pre := api.NewToken()
	if _, err := bf.st.CreateAPIToken(context.Background(), fmt.Sprintf("bench-%d", time.Now().UnixNano()), fleet.ScopeRead, hash, pre, fleet.Actor{ID: "bench"}); err != nil {
		b.Fatal(err)
	}
	return ts.URL, tok
}

// latencies runs b.N calls of one request each, one at a time, and reports p50 and p99.
func latencies(b *testing.B, call func(i int)) {
	b.Helper()
	call(0) // warm the connection, the token cache and the statement cache
	d := make([]time.Duration, b.N)
	b.ResetTimer()
	for i := range b.N {
		start := time.Now()
		call(i)
		d[i] = time.Since(start)
	}
	b.StopTimer()
	slices.Sort(d)
	b.ReportMetric(float64(d[len(d)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(d[min(len(d)-1, len(d)*99/100)].Microseconds())/1000, "p99-ms")
}

// getter returns a function that GETs base+path with token and fails b on a status other than 200.
func getter(b *testing.B, base, token string) func(path string) {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}}
	b.Cleanup(client.CloseIdleConnections)
	return func(path string) {
		req, _ := http.NewRequest("GET", base+path, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("GET %s: %d %s", path, resp.StatusCode, body)
		}
	}
}

// BenchmarkAPI measures the latency of the API over HTTP (auth, rate limit, JSON included):
// /trucks/near around a random point or a site, with nearby answered from the in-memory
// index (production) or from Postgres, and /trucks/{plate}, at 1,000 and 100,000 trucks; and,
// on the same data, PostGIS ST_DWithin (top 10 within 10 km, GiST index) for reference when
// the extension is installed.
func BenchmarkAPI(b *testing.B) {
	for _, n := range []int{1_000, 100_000} {
		bf := newBenchFleet(b, n)
		for _, fromIndex := range []bool{true, false} {
			source := map[bool]string{true: "index", false: "postgres"}[fromIndex]
			base, tok := bf.serve(b, fromIndex)
			get := getter(b, base, tok)
			points := make([]fleet.Point, 1024)
			for i := range points {
				points[i] = bf.point()
			}
			b.Run(fmt.Sprintf("trucks=%d/near=point/source=%s", n, source), func(b *testing.B) {
				latencies(b, func(i int) {
					p := points[i%len(points)]
					get(fmt.Sprintf("/api/v1/trucks/near?near=%s&radius_km=%d&limit=10", url.QueryEscape(p.String()), benchRadiusKm))
				})
			})
			b.Run(fmt.Sprintf("trucks=%d/near=site/source=%s", n, source), func(b *testing.B) {
				latencies(b, func(i int) {
					get(fmt.Sprintf("/api/v1/trucks/near?near=%s&radius_km=%d&limit=10", testSites[i%len(testSites)].Code, benchRadiusKm))
				})
			})
			if fromIndex {
				b.Run(fmt.Sprintf("trucks=%d/truck", n), func(b *testing.B) {
					latencies(b, func(i int) { get("/api/v1/trucks/" + bf.plates[(i*7919)%len(bf.plates)]) })
				})
			}
		}
		for _, form := range []string{"dwithin", "knn"} {
			b.Run(fmt.Sprintf("trucks=%d/postgis-%s", n, form), func(b *testing.B) { benchPostGIS(b, bf, form) })
		}
	}
}

// PostGIS forms of "the 10 nearest within 10 km" over a GiST-indexed geography: dwithin is the
// seed's design DESIGN.md measured (every truck in the radius, sorted by distance); knn walks
// the index in distance order and stops at 10, but cannot count the trucks in the radius as
// find_nearby_trucks does.
var postGISQueries = map[string]string{
	"dwithin": `SELECT plate, d FROM (SELECT plate, ST_Distance(geog, c) AS d FROM bench_geo,
		(SELECT ST_SetSRID(ST_MakePoint($2, $1), 4326)::geography AS c) q WHERE ST_DWithin(geog, c, $3)) x ORDER BY d LIMIT 10`,
	"knn": `SELECT plate, ST_Distance(geog, c) FROM bench_geo, (SELECT ST_SetSRID(ST_MakePoint($2, $1), 4326)::geography AS c) q
		WHERE ST_DWithin(geog, c, $3) ORDER BY geog <-> c LIMIT 10`,
}

// benchPostGIS runs a PostGIS form of the nearby query on the same trucks, measured as a query
// from Go (no HTTP). It skips without the PostGIS extension.
func benchPostGIS(b *testing.B, bf *benchFleet, form string) {
	ctx := context.Background()
	if _, err := bf.pool.Exec(ctx, `CREATE EXTENSION IF NOT EXISTS postgis`); err != nil {
		b.Skipf("PostGIS is not installed (Debian: postgresql-15-postgis-3): %v", err)
	}
	for _, sql := range []string{
		`DROP TABLE IF EXISTS bench_geo`,
		`CREATE TABLE bench_geo AS SELECT plate, ST_SetSRID(ST_MakePoint(lng, lat), 4326)::geography AS geog FROM truck_state`,
		`CREATE INDEX ON bench_geo USING gist (geog)`,
		`ANALYZE bench_geo`,
	} {
		if _, err := bf.pool.Exec(ctx, sql); err != nil {
			b.Fatal(err)
		}
	}
	q := postGISQueries[form]
	points := make([]fleet.Point, 1024)
	for i := range points {
		points[i] = bf.point()
	}
	latencies(b, func(i int) {
		p := points[i%len(points)]
		rows, err := bf.pool.Query(ctx, q, p.Lat, p.Lng, benchRadiusKm*1000.0)
		if err != nil {
			b.Fatal(err)
		}
		for rows.Next() {
		}
		if err := rows.Err(); err != nil {
			b.Fatal(err)
		}
	})
}
