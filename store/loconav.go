package store

import (
	"context"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/watchtower-ops/watchtower/fleet"
)

// Outcomes of ImportLoconavVehicle.
const (
	LoconavCreated   = "created"   // a new truck was added to the roster
	LoconavMatched   = "matched"   // an unrostered truck (seen by telematics first) joined the roster
	LoconavUpdated   = "updated"   // a rostered truck learned its LocoNav vehicle, device or number
	LoconavUnchanged = "unchanged" // nothing to change
)

// lockedTruck is a truck row locked for the roster import, with its LocoNav number.
type lockedTruck struct {
	fleet.Truck
	number string
}

// lockTruckBy locks the truck whose column equals value; found is false when none does.
func lockTruckBy(ctx context.Context, tx pgx.Tx, column, value string) (lt lockedTruck, found bool, err error) {
	// column is one of a fixed set chosen by this file, never user input.
	var ts truckScan
	err = tx.QueryRow(ctx, `SELECT `+truckCols+`, loconav_number FROM trucks WHERE `+column+` = $1 FOR UPDATE`, value).
		Scan(append(ts.dest(), &lt.number)...)
	if isNoRows(err) {
		return lockedTruck{}, false, nil
	}
	if err != nil {
		return lockedTruck{}, false, err
	}
	lt.Truck = ts.truck()
	return lt, true, nil
}

// ImportLoconavVehicle brings one vehicle of LocoNav's roster into the trucks table: t carries
// the plate, LocoNav vehicle UUID (required), device IMEI and brand; number is LocoNav's own
// spelling of the vehicle number, kept for creating trips there. The truck is found by vehicle
// UUID, else by plate, else by IMEI when the truck with that IMEI is unrostered (telematics saw
// the device before the roster did): that truck is adopted under t's plate, with its position
// history, and becomes operational. LocoNav decides which truck carries a device, so another
// truck holding the IMEI loses it, and an unrostered placeholder holding it is archived. A truck
// already linked to the UUID keeps its plate. It returns the outcome (LoconavCreated,
// LoconavMatched, LoconavUpdated or LoconavUnchanged), EINVALID for a missing plate or UUID and
// ECONFLICT when the plate belongs to a different LocoNav vehicle.
func (s *Store) ImportLoconavVehicle(ctx context.Context, t fleet.Truck, number string) (outcome string, err error) {
	defer wrap(&err, "ImportLoconavVehicle(%q, %q)", t.Plate, t.VehicleUUID)
	if t, err = prepareTruck(t); err != nil {
		return "", err
	}
	if t.VehicleUUID == "" {
		return "", fleet.Errorf(fleet.EINVALID, "truck %s: a LocoNav vehicle UUID is required", t.Plate)
	}
	number = strings.TrimSpace(number)
	err = s.InTx(ctx, func(tx pgx.Tx) error {
		cur, found, err := findImportTarget(ctx, tx, t)
		if err != nil {
			return err
		}
		if t.IMEI != "" {
			if _, err := tx.Exec(ctx, releaseIMEISQL, t.IMEI, cur.ID); err != nil {
				return err
			}
		}
		if !found {
			outcome = LoconavCreated
			_, err := tx.Exec(ctx, insertLoconavTruckSQL, t.Plate, t.VehicleUUID, nullText(t.IMEI), number, t.Brand)
			return truckConflict(err, t)
		}
		outcome = importOutcome(cur, t, number)
		return adoptTruck(ctx, tx, cur, t, number)
	})
	if err != nil {
		return "", err
	}
	return outcome, nil
}

// findImportTarget finds the truck a LocoNav vehicle is: by UUID, by plate, or the unrostered
// truck with its IMEI.
func findImportTarget(ctx context.Context, tx pgx.Tx, t fleet.Truck) (lockedTruck, bool, error) {
	cur, found, err := lockTruckBy(ctx, tx, "vehicle_uuid", t.VehicleUUID)
	if err != nil || found {
		return cur, found, err
	}
	cur, found, err = lockTruckBy(ctx, tx, "plate", t.Plate)
	if err != nil {
		return cur, false, err
	}
	if found {
		if cur.VehicleUUID != "" {
			return cur, false, fleet.Errorf(fleet.ECONFLICT, "truck %s is LocoNav vehicle %s, not %s", t.Plate, cur.VehicleUUID, t.VehicleUUID)
		}
		return cur, true, nil
	}
	if t.IMEI == "" {
		return cur, false, nil
	}
	cur, found, err = lockTruckBy(ctx, tx, "imei", t.IMEI)
	if err != nil || !found || cur.Status != fleet.TruckUnrostered {
		return lockedTruck{}, false, err
	}
	return cur, true, nil
}

// importOutcome says what adopting cur as t changes.
func importOutcome(cur lockedTruck, t fleet.Truck, number string) string {
	switch {
	case cur.Status == fleet.TruckUnrostered:
		return LoconavMatched
	case cur.VehicleUUID != t.VehicleUUID, t.IMEI != "" && cur.IMEI != t.IMEI, cur.number != number,
		cur.Brand == "" && t.Brand != "":
		return LoconavUpdated
	}
	return LoconavUnchanged
}

const (
	// releaseIMEISQL takes the device $1 away from every truck but $2: LocoNav says it is in
	// another vehicle now. An unrostered placeholder left without a device is archived.
	releaseIMEISQL = `
UPDATE trucks SET imei = NULL, updated_at = now(),
	archived_at = CASE WHEN status = 'unrostered' THEN COALESCE(archived_at, now()) ELSE archived_at END
WHERE imei = $1 AND id <> $2`
	insertLoconavTruckSQL = `
INSERT INTO trucks (plate, vehicle_uuid, imei, loconav_number, brand, status)
VALUES ($1, $2, $3, $4, $5, 'operational')`
	adoptTruckSQL = `
UPDATE trucks SET plate = $2, vehicle_uuid = $3, imei = COALESCE($4, imei), loconav_number = $5,
	brand = CASE WHEN brand = '' THEN $6 ELSE brand END,
	status = CASE WHEN status = 'unrostered' THEN 'operational' ELSE status END,
	archived_at = CASE WHEN status = 'unrostered' THEN NULL ELSE archived_at END,
	updated_at = now()
WHERE id = $1`
	// movePositionsSQL carries an adopted truck's history over to its roster plate.
	movePositionsSQL = `
UPDATE positions p SET plate = $2 WHERE p.plate = $1
	AND NOT EXISTS (SELECT 1 FROM positions q WHERE q.plate = $2 AND q.fix_time = p.fix_time)`
)

// adoptTruck writes t's LocoNav identity onto the existing truck cur. An adopted placeholder
// ("IMEI356…") takes the roster plate: truck_state follows by ON UPDATE CASCADE and the position
// history (no foreign key) is moved here.
func adoptTruck(ctx context.Context, tx pgx.Tx, cur lockedTruck, t fleet.Truck, number string) error {
	if importOutcome(cur, t, number) == LoconavUnchanged {
		return nil
	}
	plate := cur.Plate
	if cur.Status == fleet.TruckUnrostered {
		plate = t.Plate
	}
	if _, err := tx.Exec(ctx, adoptTruckSQL, cur.ID, plate, t.VehicleUUID, nullText(t.IMEI), number, t.Brand); err != nil {
		return truckConflict(err, t)
	}
	if plate == cur.Plate {
		return nil
	}
	_, err := tx.Exec(ctx, movePositionsSQL, cur.Plate, plate)
	return err
}

const silentVehiclesSQL = `
SELECT t.vehicle_uuid, t.plate, COALESCE(t.imei, ''), s.fix_time
FROM trucks t LEFT JOIN truck_state s ON s.plate = t.plate
WHERE t.vehicle_uuid IS NOT NULL AND t.archived_at IS NULL AND t.status <> 'inactive'
	AND (s.fix_time IS NULL OR s.fix_time < $1)`

// SilentVehicles returns the trucks LocoNav knows (they have a vehicle UUID) whose latest fix
// is older than fixBefore, or that never reported, keyed by vehicle UUID. Each value has the
// truck's Plate and IMEI and its latest FixTime (zero when it never reported). Archived and
// inactive trucks are left out.
func (s *Store) SilentVehicles(ctx context.Context, fixBefore time.Time) (_ map[string]fleet.TruckState, err error) {
	defer wrap(&err, "SilentVehicles(%s)", fixBefore.Format(time.RFC3339))
	rows, err := s.pool.Query(ctx, silentVehiclesSQL, fixBefore)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make(map[string]fleet.TruckState)
	for rows.Next() {
		var (
			uuid string
			st   fleet.TruckState
			fix  *time.Time
		)
		if err := rows.Scan(&uuid, &st.Plate, &st.IMEI, &fix); err != nil {
			return nil, err
		}
		st.FixTime = timeOf(fix)
		out[uuid] = st
	}
	return out, rows.Err()
}

// LoconavVehicleNumber returns the vehicle number LocoNav knows the truck with plate by, or ""
// when the roster import has not linked it. It returns ENOTFOUND for an unknown plate.
func (s *Store) LoconavVehicleNumber(ctx context.Context, plate string) (_ string, err error) {
	defer wrap(&err, "LoconavVehicleNumber(%q)", plate)
	norm := fleet.NormalizePlate(plate)
	var n string
	err = s.pool.QueryRow(ctx, `SELECT loconav_number FROM trucks WHERE plate = $1`, norm).Scan(&n)
	if isNoRows(err) {
		return "", fleet.Errorf(fleet.ENOTFOUND, "truck %s not found", norm)
	}
	return n, err
}
