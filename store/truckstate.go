package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/watchtower-ops/watchtower/fleet"
)

// stateCols are the columns scanState reads, in order (qualified: they are joined with trucks).
const stateCols = `s.plate, s.imei, s.fix_time, s.received_at, s.lat, s.lng, s.speed_kmh, s.heading, s.ignition,
	s.h3_r9, s.h3_r7, s.site_code, s.site_since, s.candidate_site, s.candidate_since, s.stopped_since,
	s.overspeed_since, s.overspeed_open, s.idle_open, s.offline_open, s.updated_at`

func stateDest(s *fleet.TruckState) []any {
	return []any{&s.Plate, &s.IMEI, &s.FixTime, &s.ReceivedAt, &s.Point.Lat, &s.Point.Lng, &s.SpeedKmh, &s.Heading,
		&s.Ignition, &s.Cell, &s.CellCoarse, &s.SiteCode, &s.SiteSince, &s.CandidateSite, &s.CandidateSince,
		&s.StoppedSince, &s.OverspeedSince, &s.OverspeedOpen, &s.IdleOpen, &s.OfflineOpen, &s.UpdatedAt}
}

// utcState normalises the times of a scanned state to UTC.
func utcState(s *fleet.TruckState) {
	s.FixTime, s.ReceivedAt, s.UpdatedAt = s.FixTime.UTC(), s.ReceivedAt.UTC(), s.UpdatedAt.UTC()
	for _, p := range []**time.Time{&s.SiteSince, &s.CandidateSince, &s.StoppedSince, &s.OverspeedSince} {
		*p = utcPtr(*p)
	}
}

// upsertStateSQL writes the fix of a state only when it is newer than the stored one, so a
// late or replayed fix never moves a truck backwards. The detection memory is written only
// when the row is created; SaveDetectionMemory owns it afterwards.
const upsertStateSQL = `
INSERT INTO truck_state AS s (plate, imei, fix_time, received_at, lat, lng, speed_kmh, heading, ignition,
	h3_r9, h3_r7, site_code, site_since, candidate_site, candidate_since, stopped_since, overspeed_since,
	overspeed_open, idle_open, offline_open, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, now())
ON CONFLICT (plate) DO UPDATE SET
	imei = COALESCE(NULLIF(EXCLUDED.imei, ''), s.imei), fix_time = EXCLUDED.fix_time,
	received_at = EXCLUDED.received_at, lat = EXCLUDED.lat, lng = EXCLUDED.lng,
	speed_kmh = EXCLUDED.speed_kmh, heading = EXCLUDED.heading, ignition = EXCLUDED.ignition,
	h3_r9 = EXCLUDED.h3_r9, h3_r7 = EXCLUDED.h3_r7, updated_at = now()
WHERE s.fix_time < EXCLUDED.fix_time`

// UpsertTruckState records st's fix (position, speed, ignition, cells) as the latest of its
// truck through tx (nil: on its own), only when it is newer than the stored fix; applied says
// whether it was. Zero cells are computed from the point. On the truck's first fix the
// detection memory of st is stored too; afterwards only SaveDetectionMemory changes it. It
// returns EINVALID without plate or fix time and ENOTFOUND when no truck has the plate
// (RegisterUnrostered it first).
func (s *Store) UpsertTruckState(ctx context.Context, tx pgx.Tx, st fleet.TruckState) (applied bool, err error) {
	defer wrap(&err, "UpsertTruckState(%q)", st.Plate)
	st.Plate = fleet.NormalizePlate(st.Plate)
	if st.Plate == "" || st.FixTime.IsZero() {
		return false, fleet.Errorf(fleet.EINVALID, "truck state needs a plate and a fix time")
	}
	if st.Cell == 0 {
		st.Cell = fleet.CellOf(st.Point, fleet.CellResolution)
	}
	if st.CellCoarse == 0 {
		st.CellCoarse = fleet.CellOf(st.Point, fleet.CoarseResolution)
	}
	tag, err := s.q(tx).Exec(ctx, upsertStateSQL, st.Plate, st.IMEI, st.FixTime, orNow(st.ReceivedAt),
		st.Point.Lat, st.Point.Lng, st.SpeedKmh, st.Heading, st.Ignition, st.Cell, st.CellCoarse,
		st.SiteCode, st.SiteSince, st.CandidateSite, st.CandidateSince, st.StoppedSince, st.OverspeedSince,
		st.OverspeedOpen, st.IdleOpen, st.OfflineOpen)
	if pgError(err, pgForeignKeyViolation) != nil {
		return false, fleet.Errorf(fleet.ENOTFOUND, "truck %s not found", st.Plate)
	}
	return err == nil && tag.RowsAffected() == 1, err
}

// saveMemorySQL guards on the fix the memory was derived from (when given), so memory computed
// from a stale read cannot overwrite what a newer fix taught.
const saveMemorySQL = `
UPDATE truck_state SET site_code = $2, site_since = $3, candidate_site = $4, candidate_since = $5,
	stopped_since = $6, overspeed_since = $7, overspeed_open = $8, idle_open = $9, offline_open = $10,
	updated_at = now()
WHERE plate = $1 AND ($11::timestamptz IS NULL OR fix_time = $11)`

// SaveDetectionMemory stores the detection memory of st (site, candidate site, stop and
// overspeed starts, open incidents) on its own transaction, leaving the fix alone. When
// st.FixTime is set it applies only while the stored fix is still that one; applied says
// whether it did (false: a newer fix arrived, or the truck has no state yet).
func (s *Store) SaveDetectionMemory(ctx context.Context, st fleet.TruckState) (applied bool, err error) {
	defer wrap(&err, "SaveDetectionMemory(%q)", st.Plate)
	tag, err := s.pool.Exec(ctx, saveMemorySQL, fleet.NormalizePlate(st.Plate), st.SiteCode, st.SiteSince,
		st.CandidateSite, st.CandidateSince, st.StoppedSince, st.OverspeedSince, st.OverspeedOpen, st.IdleOpen,
		st.OfflineOpen, nullTime(st.FixTime))
	return err == nil && tag.RowsAffected() == 1, err
}

// TruckState returns the latest state of the truck with plate. It returns ENOTFOUND when no
// fix has been received for it.
func (s *Store) TruckState(ctx context.Context, plate string) (_ fleet.TruckState, err error) {
	defer wrap(&err, "TruckState(%q)", plate)
	norm := fleet.NormalizePlate(plate)
	var st fleet.TruckState
	err = s.pool.QueryRow(ctx, `SELECT `+stateCols+` FROM truck_state s WHERE s.plate = $1`, norm).Scan(stateDest(&st)...)
	if isNoRows(err) {
		return fleet.TruckState{}, fleet.Errorf(fleet.ENOTFOUND, "no position received for truck %s yet", norm)
	}
	utcState(&st)
	return st, err
}

// truckWithStateCols are truckCols (alias t), whether a state row exists, then stateCols
// (alias s) with NULLs of a missing state turned into zero values.
const truckWithStateCols = `t.id, t.plate, t.vehicle_uuid, t.imei, t.company, t.fleet_manager, t.status, t.brand,
	t.trailer_size, t.home_site, t.driver_id, t.created_at, t.updated_at, t.archived_at, t.notes, t.maintenance_until,
	s.plate IS NOT NULL,
	COALESCE(s.plate, ''), COALESCE(s.imei, ''), COALESCE(s.fix_time, 'epoch'), COALESCE(s.received_at, 'epoch'),
	COALESCE(s.lat, 0), COALESCE(s.lng, 0), COALESCE(s.speed_kmh, 0), COALESCE(s.heading, 0),
	COALESCE(s.ignition, false), COALESCE(s.h3_r9, 0), COALESCE(s.h3_r7, 0), COALESCE(s.site_code, ''),
	s.site_since, COALESCE(s.candidate_site, ''), s.candidate_since, s.stopped_since, s.overspeed_since,
	COALESCE(s.overspeed_open, false), COALESCE(s.idle_open, false), COALESCE(s.offline_open, false),
	COALESCE(s.updated_at, 'epoch')`

// scanTruckWithState reads truckWithStateCols.
func scanTruckWithState(r pgx.CollectableRow) (fleet.TruckSnapshot, error) {
	var (
		ts  truckScan
		out fleet.TruckSnapshot
	)
	dest := append(ts.dest(), &out.HasState)
	if err := r.Scan(append(dest, stateDest(&out.State)...)...); err != nil {
		return fleet.TruckSnapshot{}, err
	}
	out.Truck = ts.truck()
	if out.HasState {
		utcState(&out.State)
	} else {
		out.State = fleet.TruckState{}
	}
	return out, nil
}

const listTruckStatesSQL = `
SELECT ` + truckWithStateCols + `
FROM trucks t LEFT JOIN truck_state s ON s.plate = t.plate
WHERE t.archived_at IS NULL
ORDER BY t.plate`

// ListTruckStates returns every truck that is not archived with its latest state, by plate;
// trucks that never reported are included with HasState false.
func (s *Store) ListTruckStates(ctx context.Context) (_ []fleet.TruckSnapshot, err error) {
	defer wrap(&err, "ListTruckStates")
	rows, err := s.pool.Query(ctx, listTruckStatesSQL)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, scanTruckWithState)
}

const (
	statesInCellsSQL = `
SELECT ` + truckWithStateCols + `
FROM truck_state s JOIN trucks t ON t.plate = s.plate
WHERE s.h3_r9 = ANY($1) AND t.archived_at IS NULL`
	statesInCoarseCellsSQL = `
SELECT ` + truckWithStateCols + `
FROM truck_state s JOIN trucks t ON t.plate = s.plate
WHERE s.h3_r7 = ANY($1) AND t.archived_at IS NULL`
)

// TruckStatesInCells returns the trucks (not archived) whose latest fix lies in one of cells:
// H3 cells at fleet.CellResolution, or at fleet.CoarseResolution when coarse. Cells
// over-cover a circle; callers filter by exact distance.
func (s *Store) TruckStatesInCells(ctx context.Context, cells []int64, coarse bool) (_ []fleet.TruckSnapshot, err error) {
	defer wrap(&err, "TruckStatesInCells(%d cells)", len(cells))
	if len(cells) == 0 {
		return nil, nil
	}
	sql := statesInCellsSQL
	if coarse {
		sql = statesInCoarseCellsSQL
	}
	rows, err := s.pool.Query(ctx, sql, cells)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, scanTruckWithState)
}
