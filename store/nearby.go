package store

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/watchtower-ops/watchtower/fleet"
)

// fixCols are the columns of truck_state that radius searches need (alias s): the fix, the
// cells and the confirmed site. scanFix reads them.
const fixCols = `s.plate, s.fix_time, s.lat, s.lng, s.speed_kmh, s.heading, s.ignition, s.h3_r9, s.h3_r7, s.site_code`

const (
	fixesInCellsSQL = `
SELECT ` + fixCols + ` FROM truck_state s JOIN trucks t ON t.plate = s.plate
WHERE s.h3_r9 = ANY($1) AND t.archived_at IS NULL`
	fixesInCoarseCellsSQL = `
SELECT ` + fixCols + ` FROM truck_state s JOIN trucks t ON t.plate = s.plate
WHERE s.h3_r7 = ANY($1) AND t.archived_at IS NULL`
)

// scanFix reads fixCols into st.
func scanFix(rows pgx.Rows, st *fleet.TruckState) error {
	err := rows.Scan(&st.Plate, &st.FixTime, &st.Point.Lat, &st.Point.Lng, &st.SpeedKmh, &st.Heading, &st.Ignition,
		&st.Cell, &st.CellCoarse, &st.SiteCode)
	st.FixTime = st.FixTime.UTC()
	return err
}

// VisitCells calls visit with the latest fix of every truck (not archived) whose fix lies in
// one of cells: H3 cells at fleet.CellResolution, or fleet.CoarseResolution when coarse. Only
// the fix, cells and confirmed site are filled in; visit must not keep the pointer. Cells
// over-cover a circle, so callers filter by exact distance.
func (s *Store) VisitCells(ctx context.Context, cells []int64, coarse bool, visit func(*fleet.TruckState)) (err error) {
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
	var st fleet.TruckState
	for rows.Next() {
		if err := scanFix(rows, &st); err != nil {
			return err
		}
		visit(&st)
	}
	return rows.Err()
}
