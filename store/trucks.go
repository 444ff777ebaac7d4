package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/watchtower-ops/watchtower/fleet"
)

// truckCols are the columns scanTruck reads, in order.
const truckCols = `id, plate, vehicle_uuid, imei, company, fleet_manager, status, brand, trailer_size,
	home_site, driver_id, created_at, updated_at, archived_at, notes, maintenance_until`

// truckScan holds a truck row while it is scanned: dest lists the targets of truckCols and
// truck finishes the nullable columns.
type truckScan struct {
	t          fleet.Truck
	uuid, imei *string
	driverID   *int64
	status     string
}

func (ts *truckScan) dest() []any {
	t := &ts.t
	return []any{&t.ID, &t.Plate, &ts.uuid, &ts.imei, &t.Company, &t.FleetManager, &ts.status, &t.Brand,
		&t.TrailerSize, &t.HomeSite, &ts.driverID, &t.CreatedAt, &t.UpdatedAt, &t.ArchivedAt, &t.Notes, &t.MaintenanceUntil}
}

func (ts *truckScan) truck() fleet.Truck {
	t := ts.t
	t.VehicleUUID, t.IMEI, t.Status = textOf(ts.uuid), textOf(ts.imei), fleet.TruckStatus(ts.status)
	if ts.driverID != nil {
		t.DriverID = *ts.driverID
	}
	t.CreatedAt, t.UpdatedAt, t.ArchivedAt = t.CreatedAt.UTC(), t.UpdatedAt.UTC(), utcPtr(t.ArchivedAt)
	t.MaintenanceUntil = utcPtr(t.MaintenanceUntil)
	return t
}

func scanTruck(row pgx.Row) (fleet.Truck, error) {
	var ts truckScan
	if err := row.Scan(ts.dest()...); err != nil {
		return fleet.Truck{}, err
	}
	return ts.truck(), nil
}

func collectTrucks(rows pgx.Rows, err error) ([]fleet.Truck, error) {
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (fleet.Truck, error) { return scanTruck(r) })
}

// prepareTruck normalises t for writing and checks it. It returns EINVALID.
func prepareTruck(t fleet.Truck) (fleet.Truck, error) {
	t.Plate = fleet.NormalizePlate(t.Plate)
	t.IMEI = strings.TrimSpace(t.IMEI)
	t.VehicleUUID = strings.TrimSpace(t.VehicleUUID)
	t.HomeSite = strings.ToUpper(strings.TrimSpace(t.HomeSite))
	if t.Plate == "" {
		return t, fleet.Errorf(fleet.EINVALID, "truck plate is required")
	}
	if !fleet.ValidPlate(t.Plate) {
		return t, fleet.Errorf(fleet.EINVALID, "%s is not a valid plate", t.Plate)
	}
	if t.Status != "" && !t.Status.Valid() {
		return t, fleet.Errorf(fleet.EINVALID, "truck %s: unknown status %q", t.Plate, t.Status)
	}
	return t, nil
}

// truckConflict classifies a unique violation on trucks as ECONFLICT naming the column.
func truckConflict(err error, t fleet.Truck) error {
	pe := pgError(err, pgUniqueViolation)
	switch {
	case pe == nil:
		return err
	case strings.Contains(pe.ConstraintName, "imei"):
		return fleet.Errorf(fleet.ECONFLICT, "IMEI %s is already on another truck", t.IMEI)
	case strings.Contains(pe.ConstraintName, "vehicle_uuid"):
		return fleet.Errorf(fleet.ECONFLICT, "LocoNav vehicle %s is already on another truck", t.VehicleUUID)
	default:
		return fleet.Errorf(fleet.ECONFLICT, "truck %s already exists", t.Plate)
	}
}

// driverMissing classifies a foreign-key violation on driver_id as ENOTFOUND.
func driverMissing(err error, id int64) error {
	if pgError(err, pgForeignKeyViolation) != nil {
		return fleet.Errorf(fleet.ENOTFOUND, "driver %d not found", id)
	}
	return err
}

const createTruckSQL = `
INSERT INTO trucks (plate, vehicle_uuid, imei, company, fleet_manager, status, brand, trailer_size, home_site, driver_id)
VALUES ($1, $2, $3, $4, $5, COALESCE(NULLIF($6, ''), 'operational'), $7, $8, $9, NULLIF($10, 0))
RETURNING ` + truckCols

// CreateTruck adds a truck (status operational unless set) and returns it as stored. It
// returns EINVALID for a missing or malformed plate (fleet.ValidPlate) or an unknown status,
// ECONFLICT "truck X already exists" when the plate (or IMEI, or LocoNav vehicle) is taken,
// and ENOTFOUND for an unknown driver.
func (s *Store) CreateTruck(ctx context.Context, t fleet.Truck) (_ fleet.Truck, err error) {
	defer wrap(&err, "CreateTruck(%q)", t.Plate)
	if t, err = prepareTruck(t); err != nil {
		return fleet.Truck{}, err
	}
	got, err := scanTruck(s.pool.QueryRow(ctx, createTruckSQL, t.Plate, nullText(t.VehicleUUID), nullText(t.IMEI),
		t.Company, t.FleetManager, string(t.Status), t.Brand, t.TrailerSize, t.HomeSite, t.DriverID))
	if err != nil {
		return fleet.Truck{}, driverMissing(truckConflict(err, t), t.DriverID)
	}
	return got, nil
}

// upsertTruckSQL updates only when something differs, so an unchanged roster row keeps its
// updated_at (and returns no row). Empty IMEI, LocoNav vehicle, status and a zero driver keep
// what is stored: a roster without device columns must not erase what telematics taught us.
const upsertTruckSQL = `
INSERT INTO trucks AS t (plate, vehicle_uuid, imei, company, fleet_manager, status, brand, trailer_size, home_site, driver_id)
VALUES ($1, $2, $3, $4, $5, COALESCE(NULLIF($6, ''), 'operational'), $7, $8, $9, NULLIF($10, 0))
ON CONFLICT (plate) DO UPDATE SET
	vehicle_uuid = COALESCE(EXCLUDED.vehicle_uuid, t.vehicle_uuid),
	imei = COALESCE(EXCLUDED.imei, t.imei),
	company = EXCLUDED.company,
	fleet_manager = EXCLUDED.fleet_manager,
	status = CASE WHEN $6 = '' THEN t.status ELSE EXCLUDED.status END,
	brand = EXCLUDED.brand,
	trailer_size = EXCLUDED.trailer_size,
	home_site = EXCLUDED.home_site,
	driver_id = COALESCE(EXCLUDED.driver_id, t.driver_id),
	updated_at = now()
WHERE (t.vehicle_uuid, t.imei, t.company, t.fleet_manager, t.status, t.brand, t.trailer_size, t.home_site, t.driver_id)
	IS DISTINCT FROM
	(COALESCE(EXCLUDED.vehicle_uuid, t.vehicle_uuid), COALESCE(EXCLUDED.imei, t.imei), EXCLUDED.company,
	 EXCLUDED.fleet_manager, CASE WHEN $6 = '' THEN t.status ELSE EXCLUDED.status END, EXCLUDED.brand,
	 EXCLUDED.trailer_size, EXCLUDED.home_site, COALESCE(EXCLUDED.driver_id, t.driver_id))
RETURNING ` + truckCols

// UpsertTruck creates the truck with t's plate or updates its roster fields, and returns it
// as stored. An empty IMEI, LocoNav vehicle or status and a zero driver keep the stored
// values; the archive mark is untouched. Writing the same values again changes nothing (not
// even updated_at). It returns EINVALID, ECONFLICT when the IMEI or vehicle is on another
// truck, and ENOTFOUND for an unknown driver.
func (s *Store) UpsertTruck(ctx context.Context, t fleet.Truck) (_ fleet.Truck, err error) {
	defer wrap(&err, "UpsertTruck(%q)", t.Plate)
	if t, err = prepareTruck(t); err != nil {
		return fleet.Truck{}, err
	}
	got, err := scanTruck(s.pool.QueryRow(ctx, upsertTruckSQL, t.Plate, nullText(t.VehicleUUID), nullText(t.IMEI),
		t.Company, t.FleetManager, string(t.Status), t.Brand, t.TrailerSize, t.HomeSite, t.DriverID))
	if isNoRows(err) { // nothing changed
		return s.truckBy(ctx, s.pool, "plate", t.Plate)
	}
	if err != nil {
		return fleet.Truck{}, driverMissing(truckConflict(err, t), t.DriverID)
	}
	return got, nil
}

// truckBy loads the truck whose column equals value; ENOTFOUND names the value.
func (s *Store) truckBy(ctx context.Context, q Querier, column, value string) (fleet.Truck, error) {
	// column is one of a fixed set chosen by this package, never user input.
	t, err := scanTruck(q.QueryRow(ctx, `SELECT `+truckCols+` FROM trucks WHERE `+column+` = $1`, value))
	if isNoRows(err) {
		noun := map[string]string{"plate": "truck", "imei": "truck with IMEI", "vehicle_uuid": "truck with LocoNav vehicle"}[column]
		return fleet.Truck{}, fleet.Errorf(fleet.ENOTFOUND, "%s %s not found", noun, value)
	}
	return t, err
}

// TruckByPlate returns the truck with plate, in any spelling NormalizePlate accepts
// ("t 11985-la"), archived or not. It returns ENOTFOUND "truck X not found" with up to
// fleet.MaxSuggestions close plates as suggestions.
func (s *Store) TruckByPlate(ctx context.Context, plate string) (_ fleet.Truck, err error) {
	defer wrap(&err, "TruckByPlate(%q)", plate)
	norm := fleet.NormalizePlate(plate)
	t, err := s.truckBy(ctx, s.pool, "plate", norm)
	if fleet.ErrorCode(err) == fleet.ENOTFOUND {
		return fleet.Truck{}, s.truckNotFound(ctx, plate)
	}
	return t, err
}

// truckNotFound builds ENOTFOUND for query with suggestions from the known plates.
func (s *Store) truckNotFound(ctx context.Context, query string) error {
	e := fleet.Errorf(fleet.ENOTFOUND, "truck %s not found", displayQuery(query))
	if plates, err := s.Plates(ctx); err == nil {
		e.Suggestions = fleet.SuggestPlates(query, plates, fleet.MaxSuggestions)
	}
	return e
}

// displayQuery is what a not-found message shows of a user's query: normalised when it is
// plate-like, trimmed otherwise.
func displayQuery(q string) string {
	if n := fleet.NormalizePlate(q); n != "" {
		return n
	}
	return strings.TrimSpace(q)
}

// FindTruck resolves a user's query to one truck with fleet.MatchPlate: the exact plate in any
// spelling, or the only plate containing the query's digits ("11985"). It returns ENOTFOUND
// with suggestions when nothing or more than one truck matches.
func (s *Store) FindTruck(ctx context.Context, query string) (_ fleet.Truck, err error) {
	defer wrap(&err, "FindTruck(%q)", query)
	if t, err := s.truckBy(ctx, s.pool, "plate", fleet.NormalizePlate(query)); err == nil {
		return t, nil
	} else if fleet.ErrorCode(err) != fleet.ENOTFOUND {
		return fleet.Truck{}, err
	}
	plates, err := s.Plates(ctx)
	if err != nil {
		return fleet.Truck{}, err
	}
	plate, suggestions := fleet.MatchPlate(query, plates)
	if plate == "" && len(suggestions) > 1 && isDigits(strings.TrimSpace(query)) && allContain(suggestions, strings.TrimSpace(query)) {
		e := fleet.Errorf(fleet.ENOTFOUND, "%s fits more than one truck; which one?", strings.TrimSpace(query))
		e.Suggestions = suggestions
		return fleet.Truck{}, e
	}
	if plate == "" {
		e := fleet.Errorf(fleet.ENOTFOUND, "truck %s not found", displayQuery(query))
		e.Suggestions = suggestions
		return fleet.Truck{}, e
	}
	return s.truckBy(ctx, s.pool, "plate", plate)
}

// TruckByIMEI returns the truck carrying the device imei. It returns ENOTFOUND.
func (s *Store) TruckByIMEI(ctx context.Context, imei string) (_ fleet.Truck, err error) {
	defer wrap(&err, "TruckByIMEI(%q)", imei)
	return s.truckBy(ctx, s.pool, "imei", strings.TrimSpace(imei))
}

// TruckByVehicleUUID returns the truck LocoNav knows as uuid. It returns ENOTFOUND.
func (s *Store) TruckByVehicleUUID(ctx context.Context, uuid string) (_ fleet.Truck, err error) {
	defer wrap(&err, "TruckByVehicleUUID(%q)", uuid)
	return s.truckBy(ctx, s.pool, "vehicle_uuid", strings.TrimSpace(uuid))
}

// TruckFilter selects trucks for ListTrucks; zero fields match everything.
type TruckFilter struct {
	Status          fleet.TruckStatus
	Company         string // exact, case-insensitive
	IncludeArchived bool
}

const listTrucksSQL = `
SELECT ` + truckCols + ` FROM trucks
WHERE ($1 = '' OR status = $1)
  AND ($2 = '' OR lower(company) = lower($2))
  AND ($3 OR archived_at IS NULL)
ORDER BY plate`

// ListTrucks returns the trucks matching f, by plate.
func (s *Store) ListTrucks(ctx context.Context, f TruckFilter) (_ []fleet.Truck, err error) {
	defer wrap(&err, "ListTrucks(%+v)", f)
	return collectTrucks(s.pool.Query(ctx, listTrucksSQL, string(f.Status), strings.TrimSpace(f.Company), f.IncludeArchived))
}

const platesSQL = `SELECT plate FROM trucks WHERE archived_at IS NULL ORDER BY plate`

// Plates returns the plates of every truck that is not archived, sorted.
func (s *Store) Plates(ctx context.Context) (_ []string, err error) {
	defer wrap(&err, "Plates")
	rows, err := s.pool.Query(ctx, platesSQL)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

const setTruckStatusSQL = `
UPDATE trucks SET status = $2, updated_at = now(),
	maintenance_until = CASE WHEN $2 = 'maintenance' THEN maintenance_until END
WHERE plate = $1 RETURNING ` + truckCols

// SetTruckStatus changes a truck's operational status and returns the truck. It returns
// EINVALID for an unknown status and ENOTFOUND for an unknown plate.
func (s *Store) SetTruckStatus(ctx context.Context, plate string, status fleet.TruckStatus) (_ fleet.Truck, err error) {
	defer wrap(&err, "SetTruckStatus(%q, %q)", plate, status)
	if !status.Valid() {
		return fleet.Truck{}, fleet.Errorf(fleet.EINVALID, "unknown truck status %q", status)
	}
	t, err := scanTruck(s.pool.QueryRow(ctx, setTruckStatusSQL, fleet.NormalizePlate(plate), string(status)))
	if isNoRows(err) {
		return fleet.Truck{}, s.truckNotFound(ctx, plate)
	}
	return t, err
}

const archiveTruckSQL = `
UPDATE trucks SET archived_at = COALESCE(archived_at, now()), updated_at = now()
WHERE plate = $1 RETURNING ` + truckCols

// ArchiveTruck marks a truck archived (kept for history, hidden from lists and plate
// suggestions) and returns it. Archiving twice keeps the first date. It returns ENOTFOUND.
func (s *Store) ArchiveTruck(ctx context.Context, plate string) (_ fleet.Truck, err error) {
	defer wrap(&err, "ArchiveTruck(%q)", plate)
	t, err := scanTruck(s.pool.QueryRow(ctx, archiveTruckSQL, fleet.NormalizePlate(plate)))
	if isNoRows(err) {
		return fleet.Truck{}, s.truckNotFound(ctx, plate)
	}
	return t, err
}

const (
	insertUnrosteredSQL = `
INSERT INTO trucks (plate, imei, status) VALUES ($1, $2, 'unrostered')
ON CONFLICT DO NOTHING RETURNING ` + truckCols
	learnIMEISQL = `
UPDATE trucks SET imei = $2, updated_at = now() WHERE plate = $1 AND imei IS NULL RETURNING ` + truckCols
)

// RegisterUnrostered returns the truck telematics reports as plate and imei, creating it with
// status unrostered when neither the IMEI nor the plate is known; created says whether it did.
// A known plate without an IMEI learns imei. A device reported without a plate gets the
// placeholder plate "IMEI<imei>". It returns EINVALID when both are empty. Concurrent calls
// for the same truck create it once.
func (s *Store) RegisterUnrostered(ctx context.Context, plate, imei string) (_ fleet.Truck, created bool, err error) {
	defer wrap(&err, "RegisterUnrostered(%q, %q)", plate, imei)
	plate, imei = fleet.NormalizePlate(plate), strings.TrimSpace(imei)
	if plate == "" && imei == "" {
		return fleet.Truck{}, false, fleet.Errorf(fleet.EINVALID, "a truck needs a plate or an IMEI")
	}
	if plate == "" {
		plate = unrosteredPlate(imei)
	}
	for range 3 { // a concurrent registration can win between the lookups and the insert
		if t, found, err := s.knownTruck(ctx, plate, imei); err != nil || found {
			return t, false, err
		}
		t, err := scanTruck(s.pool.QueryRow(ctx, insertUnrosteredSQL, plate, nullText(imei)))
		if err == nil {
			return t, true, nil
		}
		if !isNoRows(err) {
			return fleet.Truck{}, false, err
		}
	}
	return fleet.Truck{}, false, fmt.Errorf("truck %s (IMEI %s) kept changing while registering", plate, imei)
}

// knownTruck finds the truck with imei, else with plate (teaching it imei when it has none).
func (s *Store) knownTruck(ctx context.Context, plate, imei string) (fleet.Truck, bool, error) {
	if imei != "" {
		t, err := s.truckBy(ctx, s.pool, "imei", imei)
		if fleet.ErrorCode(err) != fleet.ENOTFOUND {
			return t, err == nil, err
		}
	}
	t, err := s.truckBy(ctx, s.pool, "plate", plate)
	if fleet.ErrorCode(err) == fleet.ENOTFOUND {
		return fleet.Truck{}, false, nil
	}
	if err != nil || t.IMEI != "" || imei == "" {
		return t, err == nil, err
	}
	learned, err := scanTruck(s.pool.QueryRow(ctx, learnIMEISQL, plate, imei))
	if err == nil {
		return learned, true, nil
	}
	if isNoRows(err) || pgError(err, pgUniqueViolation) != nil {
		return t, true, nil // someone else set an IMEI first; keep theirs
	}
	return fleet.Truck{}, false, err
}

// unrosteredPlate is the placeholder plate of a device seen without a plate.
func unrosteredPlate(imei string) string { return "IMEI" + imei }

// isDigits reports whether s is one or more ASCII digits.
func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// allContain reports whether every plate contains digits.
func allContain(plates []string, digits string) bool {
	for _, p := range plates {
		if !strings.Contains(p, digits) {
			return false
		}
	}
	return true
}
