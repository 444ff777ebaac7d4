package store

import (
	"context"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/watchtower-ops/watchtower/fleet"
)

const driverCols = `id, name, phone, license, created_at, updated_at`

func scanDriver(row pgx.Row) (fleet.Driver, error) {
	var d fleet.Driver
	if err := row.Scan(&d.ID, &d.Name, &d.Phone, &d.License, &d.CreatedAt, &d.UpdatedAt); err != nil {
		return fleet.Driver{}, err
	}
	d.CreatedAt, d.UpdatedAt = d.CreatedAt.UTC(), d.UpdatedAt.UTC()
	return d, nil
}

// cleanPhone is fleet.CleanPhone: the number without the spaces, dashes, dots and brackets
// people type in it.
func cleanPhone(p string) string { return fleet.CleanPhone(p) }

// phoneForms returns the spellings of a Nigerian number a driver may be stored under:
// 08031234567 and +2348031234567 are the same phone.
func phoneForms(p string) []string {
	p = cleanPhone(p)
	switch {
	case strings.HasPrefix(p, "+234") && len(p) > 4:
		return []string{p, "0" + p[4:]}
	case strings.HasPrefix(p, "234") && len(p) == 13:
		return []string{p, "+" + p, "0" + p[3:]}
	case strings.HasPrefix(p, "0") && len(p) > 1:
		return []string{p, "+234" + p[1:]}
	}
	return []string{p}
}

// prepareDriver normalises d for writing. It returns EINVALID when the name is missing.
func prepareDriver(d fleet.Driver) (fleet.Driver, error) {
	d.Name, d.Phone, d.License = strings.TrimSpace(d.Name), cleanPhone(d.Phone), strings.TrimSpace(d.License)
	if d.Name == "" {
		return d, fleet.FieldErrorf("driver_name", fleet.EINVALID, "driver name is required")
	}
	return d, nil
}

// phoneConflict classifies a unique violation on the phone as ECONFLICT.
func phoneConflict(err error, phone string) error {
	if pgError(err, pgUniqueViolation) != nil {
		return fleet.FieldErrorf("driver_phone", fleet.ECONFLICT, "a driver with phone %s already exists", phone)
	}
	return err
}

const createDriverSQL = `
INSERT INTO drivers (name, phone, license) VALUES ($1, $2, $3) RETURNING ` + driverCols

// CreateDriver adds a driver and returns it with its ID. The phone is kept as written (leading
// 0 included) minus spaces and dashes. It returns EINVALID without a name and ECONFLICT when
// another driver has the phone.
func (s *Store) CreateDriver(ctx context.Context, d fleet.Driver) (_ fleet.Driver, err error) {
	defer wrap(&err, "CreateDriver(%q)", d.Name)
	if d, err = prepareDriver(d); err != nil {
		return fleet.Driver{}, err
	}
	got, err := scanDriver(s.pool.QueryRow(ctx, createDriverSQL, d.Name, d.Phone, d.License))
	return got, phoneConflict(err, d.Phone)
}

const updateDriverSQL = `
UPDATE drivers SET name = $2, phone = $3, license = $4, updated_at = now()
WHERE id = $1 RETURNING ` + driverCols

// UpdateDriver replaces the name, phone and license of driver d.ID and returns it. It returns
// EINVALID, ENOTFOUND for an unknown ID and ECONFLICT when another driver has the phone.
func (s *Store) UpdateDriver(ctx context.Context, d fleet.Driver) (_ fleet.Driver, err error) {
	defer wrap(&err, "UpdateDriver(%d)", d.ID)
	if d, err = prepareDriver(d); err != nil {
		return fleet.Driver{}, err
	}
	got, err := scanDriver(s.pool.QueryRow(ctx, updateDriverSQL, d.ID, d.Name, d.Phone, d.License))
	if isNoRows(err) {
		return fleet.Driver{}, fleet.Errorf(fleet.ENOTFOUND, "driver %d not found", d.ID)
	}
	return got, phoneConflict(err, d.Phone)
}

// DriverByID returns driver id. It returns ENOTFOUND.
func (s *Store) DriverByID(ctx context.Context, id int64) (_ fleet.Driver, err error) {
	defer wrap(&err, "DriverByID(%d)", id)
	return driverByID(ctx, s.pool, id)
}

func driverByID(ctx context.Context, q Querier, id int64) (fleet.Driver, error) {
	d, err := scanDriver(q.QueryRow(ctx, `SELECT `+driverCols+` FROM drivers WHERE id = $1`, id))
	if isNoRows(err) {
		return fleet.Driver{}, fleet.Errorf(fleet.ENOTFOUND, "driver %d not found", id)
	}
	return d, err
}

const driverByPhoneSQL = `SELECT ` + driverCols + ` FROM drivers WHERE phone = ANY($1) ORDER BY id LIMIT 1`

// DriverByPhone returns the driver with phone, written either way (08031234567 or
// +2348031234567). It returns ENOTFOUND.
func (s *Store) DriverByPhone(ctx context.Context, phone string) (_ fleet.Driver, err error) {
	defer wrap(&err, "DriverByPhone(%q)", phone)
	d, err := scanDriver(s.pool.QueryRow(ctx, driverByPhoneSQL, phoneForms(phone)))
	if isNoRows(err) {
		return fleet.Driver{}, fleet.Errorf(fleet.ENOTFOUND, "no driver with phone %s", cleanPhone(phone))
	}
	return d, err
}

const assignDriverSQL = `
UPDATE trucks SET driver_id = NULLIF($2, 0), updated_at = now()
WHERE plate = $1 RETURNING ` + truckCols

// AssignDriver makes driverID the current driver of the truck with plate (0 unassigns) and
// returns the truck. It returns ENOTFOUND for an unknown truck or driver.
func (s *Store) AssignDriver(ctx context.Context, plate string, driverID int64) (_ fleet.Truck, err error) {
	defer wrap(&err, "AssignDriver(%q, %d)", plate, driverID)
	t, err := scanTruck(s.pool.QueryRow(ctx, assignDriverSQL, fleet.NormalizePlate(plate), driverID))
	switch {
	case isNoRows(err):
		return fleet.Truck{}, s.truckNotFound(ctx, plate)
	case err != nil:
		return fleet.Truck{}, driverMissing(err, driverID)
	}
	return t, nil
}

// DriversByID returns the drivers with ids, by ID, in one query; IDs of no driver (0, or a
// driver since deleted) are absent from the map.
func (s *Store) DriversByID(ctx context.Context, ids []int64) (_ map[int64]fleet.Driver, err error) {
	defer wrap(&err, "DriversByID")
	out := make(map[int64]fleet.Driver, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT `+driverCols+` FROM drivers WHERE id = ANY($1)`, ids)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		d, err := scanDriver(rows)
		if err != nil {
			return nil, err
		}
		out[d.ID] = d
	}
	return out, rows.Err()
}

// SetTruckDriver makes the driver named name with phone the driver of the truck with plate.
// The phone identifies a driver: a known phone is that driver (renamed, and its phone
// respelled, to match); an unknown phone on the current driver's name is that driver's new
// number; otherwise a driver is created. A name without phone keeps the current driver when
// the name matches. Both empty removes the driver. It returns ENOTFOUND for an unknown truck,
// EINVALID for a phone without a name for a driver Watch Tower does not know, and ECONFLICT
// when the phone cannot be given to the driver because another driver has it.
func (s *Store) SetTruckDriver(ctx context.Context, plate, name, phone string) (err error) {
	defer wrap(&err, "SetTruckDriver(%q)", plate)
	return s.InTx(ctx, func(tx pgx.Tx) error {
		t, err := scanTruck(tx.QueryRow(ctx, lockTruckByPlateSQL, fleet.NormalizePlate(plate)))
		if isNoRows(err) {
			return s.truckNotFound(ctx, plate)
		} else if err != nil {
			return err
		}
		var cur fleet.Driver
		if t.DriverID != 0 {
			if cur, err = driverByID(ctx, tx, t.DriverID); err != nil && fleet.ErrorCode(err) != fleet.ENOTFOUND {
				return err
			}
		}
		return setTruckDriver(ctx, tx, t.Plate, cur, strings.TrimSpace(name), cleanPhone(phone))
	})
}

// setTruckDriver is SetTruckDriver's rule in q, for the truck plate whose current driver is
// cur (zero: none).
func setTruckDriver(ctx context.Context, q Querier, plate string, cur fleet.Driver, name, phone string) error {
	if name == "" && phone == "" {
		return assignDriver(ctx, q, plate, cur.ID, 0)
	}
	var d fleet.Driver
	switch {
	case phone != "":
		found, err := scanDriver(q.QueryRow(ctx, driverByPhoneSQL, phoneForms(phone)))
		switch {
		case err == nil:
			d = found
		case !isNoRows(err):
			return err
		case cur.ID != 0 && (cur.Name == name || name == ""):
			d = cur // the current driver's new number
		case name == "":
			return fleet.FieldErrorf("driver_name", fleet.EINVALID, "a driver phone needs a driver name for a driver Watch Tower does not know")
		default:
			d = fleet.Driver{Name: name, Phone: phone}
		}
	case cur.ID != 0 && cur.Name == name:
		d = cur // the phone of the current driver was cleared
	default:
		d = fleet.Driver{Name: name}
	}
	if name != "" {
		d.Name = name
	}
	d.Phone = phone
	d, err := saveDriver(ctx, q, d)
	if err != nil {
		return err
	}
	return assignDriver(ctx, q, plate, cur.ID, d.ID)
}

// saveDriver creates d when it has no ID and updates it when its name or phone changed.
func saveDriver(ctx context.Context, q Querier, d fleet.Driver) (fleet.Driver, error) {
	d, err := prepareDriver(d)
	if err != nil {
		return fleet.Driver{}, err
	}
	if d.ID == 0 {
		got, err := scanDriver(q.QueryRow(ctx, createDriverSQL, d.Name, d.Phone, d.License))
		return got, phoneConflict(err, d.Phone)
	}
	stored, err := driverByID(ctx, q, d.ID)
	if err != nil || (stored.Name == d.Name && stored.Phone == d.Phone) {
		return stored, err
	}
	got, err := scanDriver(q.QueryRow(ctx, updateDriverSQL, d.ID, d.Name, d.Phone, stored.License))
	return got, phoneConflict(err, d.Phone)
}

// assignDriver sets the truck's driver unless it already is the one.
func assignDriver(ctx context.Context, q Querier, plate string, curID, driverID int64) error {
	if curID == driverID {
		return nil
	}
	_, err := q.Exec(ctx, assignDriverSQL, plate, driverID)
	return driverMissing(err, driverID)
}
