package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
)

// DwellFleet describes the synthetic fleet SeedDwellFleet writes: Trucks trucks (plates
// B00000LA, B00001LA, …), Sites sites (codes S000, S001, …, a grid over Lagos), and Days days
// of finished site visits before Now, four a day per truck lasting 20 min to 5 h, with a third
// of the trucks inside a site now.
type DwellFleet struct {
	Trucks, Sites, Days int
	Now                 time.Time
}

// SiteCode is the code of the i-th site.
func (DwellFleet) SiteCode(i int) string { return fmt.Sprintf("S%03d", i) }

// Plate is the plate of the i-th truck.
func (DwellFleet) Plate(i int) string { return fmt.Sprintf("B%05dLA", i) }

const (
	seedSitesSQL = `
INSERT INTO sites (code, name, kind, lat, lng, radius_m, h3_cell)
SELECT format('S%s', lpad(i::text, 3, '0')), format('Bench site %s', i), 'terminal',
	6.40 + (i % 20) * 0.015, 3.10 + (i / 20) * 0.05, 200, 0
FROM generate_series(0, $1 - 1) i`
	seedTrucksSQL = `
INSERT INTO trucks (plate, status, company)
SELECT format('B%sLA', lpad(i::text, 5, '0')), 'operational', 'Bench' FROM generate_series(0, $1 - 1) i`
	seedVisitsSQL = `
INSERT INTO site_visits (plate, site_code, entered_at, exited_at)
SELECT format('B%sLA', lpad(t::text, 5, '0')), format('S%s', lpad(((t * 7 + k * 13) % $2)::text, 3, '0')),
	$3::timestamptz - make_interval(hours => 6 * k),
	$3::timestamptz - make_interval(hours => 6 * k) + make_interval(mins => 20 + (t * 31 + k * 17) % 280)
FROM generate_series(0, $1 - 1) t, generate_series(1, $4 * 4) k`
	seedOpenVisitsSQL = `
INSERT INTO site_visits (plate, site_code, entered_at)
SELECT format('B%sLA', lpad(t::text, 5, '0')), format('S%s', lpad(((t * 11) % $2)::text, 3, '0')),
	$3::timestamptz - make_interval(mins => 1 + (t * 37) % 600)
FROM generate_series(0, $1 - 1) t WHERE t % 3 = 0
ON CONFLICT DO NOTHING`
)

// SeedDwellFleet writes f into the database behind pool, in Postgres itself (a few seconds for
// 1,000 trucks and 90 days), and analyzes it.
func SeedDwellFleet(tb testing.TB, pool *pgxpool.Pool, f DwellFleet) {
	tb.Helper()
	ctx := context.Background()
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{seedSitesSQL, []any{f.Sites}},
		{seedTrucksSQL, []any{f.Trucks}},
		{seedVisitsSQL, []any{f.Trucks, f.Sites, f.Now, f.Days}},
		{seedOpenVisitsSQL, []any{f.Trucks, f.Sites, f.Now}},
		{"ANALYZE", nil},
	} {
		if _, err := pool.Exec(ctx, q.sql, q.args...); err != nil {
			tb.Fatalf("seed the dwell fleet: %v", err)
		}
	}
}
