package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/watchtower-ops/watchtower/fleet"
)

// Site visits are written by the ingest applier in the transaction that moves the truck's
// state, under the truck's lock: an entry redelivered after a crash is not applied twice (the
// stream entry is recorded as applied in the same commit), and two consumers never apply the
// same truck at once. The SQL is idempotent besides (ON CONFLICT, conditional updates).

const (
	visitCols = `id, plate, site_code, entered_at, exited_at`
	// closeStaleVisitSQL closes an open visit the truck left without an exit being seen (it can
	// only be inside one site), at the new entry.
	closeStaleVisitSQL = `
UPDATE site_visits SET exited_at = GREATEST($3, entered_at), updated_at = now()
WHERE plate = $1 AND exited_at IS NULL AND NOT (site_code = $2 AND entered_at = $3)`
	enterVisitSQL = `
INSERT INTO site_visits (plate, site_code, entered_at) VALUES ($1, $2, $3)
ON CONFLICT DO NOTHING`
	exitVisitSQL = `
UPDATE site_visits SET exited_at = $3, updated_at = now()
WHERE plate = $1 AND site_code = $2 AND exited_at IS NULL AND entered_at <= $3`
)

// queueVisits adds the entries and exits of marks to b, in order.
func queueVisits(b *pgx.Batch, marks []fleet.VisitMark) {
	for _, m := range marks {
		plate := fleet.NormalizePlate(m.Plate)
		switch {
		case m.Entered != nil:
			b.Queue(closeStaleVisitSQL, plate, m.SiteCode, *m.Entered)
			b.Queue(enterVisitSQL, plate, m.SiteCode, *m.Entered)
		case m.Exited != nil:
			b.Queue(exitVisitSQL, plate, m.SiteCode, *m.Exited)
		}
	}
}

func scanVisit(r pgx.Row) (fleet.Visit, error) {
	var v fleet.Visit
	err := r.Scan(&v.ID, &v.Plate, &v.SiteCode, &v.EnteredAt, &v.ExitedAt)
	v.EnteredAt = v.EnteredAt.UTC()
	if v.ExitedAt != nil {
		t := v.ExitedAt.UTC()
		v.ExitedAt = &t
	}
	return v, err
}

func collectVisits(rows pgx.Rows, err error) ([]fleet.Visit, error) {
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (fleet.Visit, error) { return scanVisit(r) })
}

const (
	openVisitsAtSQL = `SELECT ` + visitCols + ` FROM site_visits WHERE site_code = $1 AND exited_at IS NULL`
	// arrivingAtSQL reads the trucks inside a site whose entry is not confirmed yet (inside for
	// less than GeofenceDwell): inside now for every surface, from their first fix inside, but
	// not a stored visit until the entry is confirmed.
	arrivingAtSQL = `
SELECT 0::bigint, plate, candidate_site, candidate_since, NULL::timestamptz FROM truck_state
WHERE candidate_site = $1 AND candidate_since IS NOT NULL AND COALESCE(site_code, '') = ''`
	// dwellStatsSQL reads each site's finished visits of the window through
	// site_visits_site_exited_idx.
	dwellStatsSQL = `
SELECT site_code, count(*),
	percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM exited_at - entered_at)),
	percentile_cont(0.9) WITHIN GROUP (ORDER BY extract(epoch FROM exited_at - entered_at))
FROM site_visits
WHERE site_code = ANY($1) AND exited_at IS NOT NULL AND exited_at > $2 AND exited_at <= $3
GROUP BY site_code`
	openVisitsSQL = `SELECT ` + visitCols + ` FROM site_visits WHERE exited_at IS NULL AND entered_at <= $1`
)

// SiteStatus returns site's queue at now (fleet.NewSiteStatus): the trucks inside and the
// median and p90 dwell of the visits that ended in the fleet.DwellWindow before now, in one
// round trip. Inside means what "at <site>" means on the truck list: a confirmed visit, or a
// truck inside the geofence whose entry is not confirmed yet (counted from its first fix
// inside), so /site and /fleet never disagree about who is there.
func (s *Store) SiteStatus(ctx context.Context, site fleet.Site, now time.Time) (_ fleet.SiteStatus, err error) {
	defer wrap(&err, "SiteStatus(%q)", site.Code)
	b := &pgx.Batch{}
	var open []fleet.Visit
	b.Queue(openVisitsAtSQL, site.Code).Query(func(rows pgx.Rows) error {
		open, err = collectVisits(rows, nil)
		return err
	})
	b.Queue(arrivingAtSQL, site.Code).Query(func(rows pgx.Rows) error {
		arriving, err := collectVisits(rows, nil)
		open = append(open, arriving...)
		return err
	})
	var stats map[string]fleet.DwellStats
	b.Queue(dwellStatsSQL, []string{site.Code}, now.Add(-fleet.DwellWindow), now).Query(func(rows pgx.Rows) error {
		stats, err = collectStats(rows)
		return err
	})
	if err := s.pool.SendBatch(ctx, b).Close(); err != nil {
		return fleet.SiteStatus{}, err
	}
	return fleet.NewSiteStatus(site, open, stats[site.Code], now), nil
}

// DwellStats returns the dwell statistics of each of codes over the fleet.DwellWindow before
// now; a site without finished visits in the window is absent.
func (s *Store) DwellStats(ctx context.Context, codes []string, now time.Time) (_ map[string]fleet.DwellStats, err error) {
	defer wrap(&err, "DwellStats")
	rows, err := s.pool.Query(ctx, dwellStatsSQL, codes, now.Add(-fleet.DwellWindow), now)
	if err != nil {
		return nil, err
	}
	return collectStats(rows)
}

func collectStats(rows pgx.Rows) (map[string]fleet.DwellStats, error) {
	out := map[string]fleet.DwellStats{}
	var (
		code     string
		n        int
		med, p90 float64
	)
	_, err := pgx.ForEachRow(rows, []any{&code, &n, &med, &p90}, func() error {
		out[code] = fleet.DwellStats{Visits: n, Median: seconds(med), P90: seconds(p90)}
		return nil
	})
	return out, err
}

func seconds(f float64) time.Duration {
	return time.Duration(f * float64(time.Second)).Round(time.Second)
}

// OpenVisits returns the visits still open that started at or before enteredBefore: every
// truck inside a site since then.
func (s *Store) OpenVisits(ctx context.Context, enteredBefore time.Time) (_ []fleet.Visit, err error) {
	defer wrap(&err, "OpenVisits")
	return collectVisits(s.pool.Query(ctx, openVisitsSQL, enteredBefore))
}

const pruneVisitsSQL = `DELETE FROM site_visits WHERE exited_at < $1`

// PruneVisits deletes the visits that ended before before (the analytics retention) and
// returns how many.
func (s *Store) PruneVisits(ctx context.Context, before time.Time) (_ int64, err error) {
	defer wrap(&err, "PruneVisits")
	tag, err := s.pool.Exec(ctx, pruneVisitsSQL, before)
	return tag.RowsAffected(), err
}
