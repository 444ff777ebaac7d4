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

// cleanPhone trims a phone number and drops the spaces, dashes, dots and brackets people type
// in it, keeping its leading 0 or +.
func cleanPhone(p string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '-', '.', '(', ')', '\t':
			return -1
		}
		return r
	}, strings.TrimSpace(p))
}

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
		return d, fleet.Errorf(fleet.EINVALID, "driver name is required")
	}
	return d, nil
}

// phoneConflict classifies a unique violation on the phone as ECONFLICT.
func phoneConflict(err error, phone string) error {
	if pgError(err, pgUniqueViolation) != nil {
		return fleet.Errorf(fleet.ECONFLICT, "a driver with phone %s already exists", phone)
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
	d, err := scanDriver(s.pool.QueryRow(ctx, `SELECT `+driverCols+` FROM drivers WHERE id = $1`, id))
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
