package store

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/watchtower-ops/watchtower/fleet"
)

// fixCols are the columns that radius searches need (truck_state alias s, trucks alias t): the
// fix, the cells, the confirmed site and the truck's status. scanFix reads them.
const fixCols = `s.plate, s.fix_time, s.lat, s.lng, s.speed_kmh, s.heading, s.ignition, s.h3_r9, s.h3_r7, s.site_code, t.status`

const (
	fixesInCellsSQL = `
SELECT ` + fixCols + ` FROM truck_state s JOIN trucks t ON t.plate = s.plate
WHERE s.h3_r9 = ANY($1) AND t.archived_at IS NULL`
	fixesInCoarseCellsSQL = `
SELECT ` + fixCols + ` FROM truck_state s JOIN trucks t ON t.plate = s.plate
WHERE s.h3_r7 = ANY($1) AND t.archived_at IS NULL`
)

// scanFix reads fixCols into t (plate and status) and st.
func scanFix(rows pgx.Rows, t *fleet.Truck, st *fleet.TruckState) error {
	var status string
	err := rows.Scan(&st.Plate, &st.FixTime, &st.Point.Lat, &st.Point.Lng, &st.SpeedKmh, &st.Heading, &st.Ignition,
		&st.Cell, &st.CellCoarse, &st.SiteCode, &status)
	st.FixTime = st.FixTime.UTC()
	t.Plate, t.Status = st.Plate, fleet.TruckStatus(status)
	return err
}

// VisitCells calls visit with the latest fix of every truck (not archived) whose fix lies in
// one of cells, with the truck: H3 cells at fleet.CellResolution, or fleet.CoarseResolution
// when coarse. Only the truck's plate and status, and the fix, cells and confirmed site are
// filled in; visit must not keep the pointers. Cells over-cover a circle, so callers filter
// by exact distance.
func (s *Store) VisitCells(ctx context.Context, cells []int64, coarse bool, visit func(*fleet.Truck, *fleet.TruckState)) (err error) {
	defer wrap(&err, "VisitCells(%d cells)", len(cells))
	if len(cells) == 0 {
		return nil
	}
	sql := fixesInCellsSQL
	if coarse {
		sql = fixesInCoarseCellsSQL
	}
	rows, err := s.pool.Query(ctx, sql, cells)
	if err != nil {
		return err
	}
	defer rows.Close()
	var (
		t  fleet.Truck
		st fleet.TruckState
	)
	for rows.Next() {
		if err := scanFix(rows, &t, &st); err != nil {
			return err
		}
		visit(&t, &st)
	}
	return rows.Err()
}
