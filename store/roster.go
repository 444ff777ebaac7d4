package store

import (
	"context"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/watchtower-ops/watchtower/fleet"
)

// This file holds the roster's write rules for people (the API today, Slack or the CLI
// tomorrow): add, change and retire a truck or a site, each in one transaction and audited
// with who did it. The checks themselves are fleet's (fleet.TruckChange.Normalize,
// fleet.CheckSite); this adds what needs the database (a known site, a unique plate, no open
// trips when retiring).

// openTripsOfSQL lists the open trips (not completed, rejected or cancelled) of a truck ($1)
// or touching a site ($2).
const openTripsOfSQL = `
SELECT code FROM trips
WHERE status NOT IN ('completed', 'rejected', 'cancelled')
  AND (plate = $1 OR origin = $2 OR destination = $2)
ORDER BY scheduled_departure, id LIMIT 4`

// openTrips returns up to four open trips of plate or touching site ("" matches none).
func openTrips(ctx context.Context, q Querier, plate, site string) ([]string, error) {
	rows, err := q.Query(ctx, openTripsOfSQL, plate, site)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// listCodes writes "TRP-0001, TRP-0002 and others" from up to four codes.
func listCodes(codes []string) string {
	if len(codes) > 3 {
		return strings.Join(codes[:3], ", ") + " and more"
	}
	return strings.Join(codes, ", ")
}

// AddTruck adds a truck a person registers, with c's driver, status, home site and notes
// (status operational unless c sets one), audited as truck.create by who. It returns EINVALID
// naming the field at fault (plate, status, site, driver_phone…), EINVALID "unknown site" for a
// home site that is not a site, and ECONFLICT when the plate exists (retired trucks included)
// or another driver has the phone.
func (s *Store) AddTruck(ctx context.Context, plate string, c fleet.TruckChange, who fleet.Actor, now time.Time) (_ fleet.Truck, err error) {
	defer wrap(&err, "AddTruck(%q)", plate)
	norm := fleet.NormalizePlate(plate)
	if !fleet.ValidPlate(norm) {
		return fleet.Truck{}, fleet.FieldErrorf("plate", fleet.EINVALID, "%q is not a plate: use 4 to 12 letters and digits with at least one of each", strings.TrimSpace(plate))
	}
	if c, err = c.Normalize(now); err != nil {
		return fleet.Truck{}, err
	}
	var t fleet.Truck
	err = s.InTx(ctx, func(tx pgx.Tx) error {
		if err := s.knownSite(ctx, tx, c.HomeSite); err != nil {
			return err
		}
		var err error
		t, err = scanTruck(tx.QueryRow(ctx, createTruckSQL, norm, nil, nil, "", "", string(fleet.TruckOperational), "", "", "", 0))
		if err != nil {
			if pgError(err, pgUniqueViolation) != nil {
				return fleet.FieldErrorf("plate", fleet.ECONFLICT, "truck %s already exists", norm)
			}
			return err
		}
		if t, err = s.applyTruckChange(ctx, tx, t, c, who); err != nil {
			return err
		}
		return s.Audit(ctx, tx, AuditEntry{Actor: who, Action: "truck.create", Subject: norm, Details: auditDetails(truckChangeDetails(c))})
	})
	return t, err
}

// UpdateTruck applies c to the truck with plate (any spelling), audited as truck.update by
// who. A status of maintenance or operational goes through the same rule as
// `/truck <plate> maintenance|active` (audited truck.status too). It returns EINVALID naming
// the field, ENOTFOUND (with suggestions) for an unknown plate, and ECONFLICT for a retired
// truck or a phone another driver has.
func (s *Store) UpdateTruck(ctx context.Context, plate string, c fleet.TruckChange, who fleet.Actor, now time.Time) (_ fleet.Truck, err error) {
	defer wrap(&err, "UpdateTruck(%q)", plate)
	if c, err = c.Normalize(now); err != nil {
		return fleet.Truck{}, err
	}
	if c.Empty() {
		return fleet.Truck{}, fleet.Errorf(fleet.EINVALID, "nothing to change: give driver_name, driver_phone, status, site or notes")
	}
	var t fleet.Truck
	err = s.InTx(ctx, func(tx pgx.Tx) error {
		cur, err := s.lockLiveTruck(ctx, tx, plate)
		if err != nil {
			return err
		}
		if err := s.knownSite(ctx, tx, c.HomeSite); err != nil {
			return err
		}
		if t, err = s.applyTruckChange(ctx, tx, cur, c, who); err != nil {
			return err
		}
		return s.Audit(ctx, tx, AuditEntry{Actor: who, Action: "truck.update", Subject: cur.Plate, Details: auditDetails(truckChangeDetails(c))})
	})
	return t, err
}

// RetireTruck retires the truck with plate: its row, trips and positions are kept, it leaves
// the fleet, lists and plate suggestions, and it cannot take new trips. Audited as
// truck.retire by who. It returns ENOTFOUND for an unknown plate and ECONFLICT when it is
// already retired or still has open trips.
func (s *Store) RetireTruck(ctx context.Context, plate string, who fleet.Actor) (_ fleet.Truck, err error) {
	defer wrap(&err, "RetireTruck(%q)", plate)
	var t fleet.Truck
	err = s.InTx(ctx, func(tx pgx.Tx) error {
		cur, err := s.lockLiveTruck(ctx, tx, plate)
		if err != nil {
			return err
		}
		codes, err := openTrips(ctx, tx, cur.Plate, "")
		if err != nil {
			return err
		}
		if len(codes) > 0 {
			return fleet.Errorf(fleet.ECONFLICT, "truck %s still has open trips (%s); cancel or complete them before retiring it", cur.Plate, listCodes(codes))
		}
		if t, err = scanTruck(tx.QueryRow(ctx, archiveTruckSQL, cur.Plate)); err != nil {
			return err
		}
		return s.Audit(ctx, tx, AuditEntry{Actor: who, Action: "truck.retire", Subject: cur.Plate})
	})
	return t, err
}

const lockTruckByPlateSQL = `SELECT ` + truckCols + ` FROM trucks WHERE plate = $1 FOR UPDATE`

// lockLiveTruck locks the truck with plate for a change. It returns ENOTFOUND with
// suggestions, and ECONFLICT for a retired truck.
func (s *Store) lockLiveTruck(ctx context.Context, tx pgx.Tx, plate string) (fleet.Truck, error) {
	t, err := scanTruck(tx.QueryRow(ctx, lockTruckByPlateSQL, fleet.NormalizePlate(plate)))
	switch {
	case isNoRows(err):
		return fleet.Truck{}, s.truckNotFound(ctx, plate)
	case err != nil:
		return fleet.Truck{}, err
	case t.ArchivedAt != nil:
		return fleet.Truck{}, fleet.Errorf(fleet.ECONFLICT, "truck %s is retired; its history is kept but it cannot be changed", t.Plate)
	}
	return t, nil
}

// knownSite checks that code (nil or "": no site) names a site that is not retired. It
// returns EINVALID naming "site", with close codes as suggestions.
func (s *Store) knownSite(ctx context.Context, q Querier, code *string) error {
	if code == nil || *code == "" {
		return nil
	}
	st, err := scanSite(q.QueryRow(ctx, siteByCodeSQL, *code))
	if err == nil && st.ArchivedAt == nil {
		return nil
	}
	if err != nil && !isNoRows(err) {
		return err
	}
	e := fleet.FieldErrorf("site", fleet.EINVALID, "unknown site %s", *code)
	if nf := s.siteNotFound(ctx, *code); nf != nil {
		e.Suggestions = fleet.ErrorSuggestions(nf)
	}
	return e
}

const (
	setHomeSiteSQL = `UPDATE trucks SET home_site = $2, updated_at = now() WHERE plate = $1`
	setNotesSQL    = `UPDATE trucks SET notes = $2, updated_at = now() WHERE plate = $1`
	setInactiveSQL = `UPDATE trucks SET status = 'inactive', maintenance_until = NULL, updated_at = now() WHERE plate = $1`
)

// applyTruckChange writes c (normalised) to truck t in tx and returns the truck as stored.
func (s *Store) applyTruckChange(ctx context.Context, tx pgx.Tx, t fleet.Truck, c fleet.TruckChange, who fleet.Actor) (fleet.Truck, error) {
	if c.HomeSite != nil {
		if _, err := tx.Exec(ctx, setHomeSiteSQL, t.Plate, *c.HomeSite); err != nil {
			return fleet.Truck{}, err
		}
	}
	if c.Notes != nil {
		if _, err := tx.Exec(ctx, setNotesSQL, t.Plate, *c.Notes); err != nil {
			return fleet.Truck{}, err
		}
	}
	if c.DriverName != nil || c.DriverPhone != nil {
		if err := s.changeDriver(ctx, tx, t, c.DriverName, c.DriverPhone); err != nil {
			return fleet.Truck{}, err
		}
	}
	if c.Status != nil {
		var err error
		switch *c.Status {
		case fleet.TruckMaintenance:
			_, err = s.setTruckServiceTx(ctx, tx, t.Plate, t.Plate, setMaintenanceSQL, []any{c.MaintenanceUntil}, who, maintenanceDetails(c.MaintenanceUntil))
		case fleet.TruckOperational:
			_, err = s.setTruckServiceTx(ctx, tx, t.Plate, t.Plate, setActiveSQL, nil, who, map[string]any{"status": fleet.TruckOperational})
		case fleet.TruckInactive:
			if _, err = tx.Exec(ctx, setInactiveSQL, t.Plate); err == nil {
				err = s.Audit(ctx, tx, AuditEntry{Actor: who, Action: "truck.status", Subject: t.Plate,
					Details: auditDetails(map[string]any{"status": fleet.TruckInactive})})
			}
		}
		if err != nil {
			return fleet.Truck{}, err
		}
	}
	return s.truckBy(ctx, tx, "plate", t.Plate)
}

// changeDriver applies a driver change from a person: a name alone that differs from the
// current driver's is another driver (without the old phone); a phone alone is the current
// driver's new number; both empty removes the driver. Then setTruckDriver's rule.
func (s *Store) changeDriver(ctx context.Context, q Querier, t fleet.Truck, name, phone *string) error {
	var cur fleet.Driver
	if t.DriverID != 0 {
		d, err := driverByID(ctx, q, t.DriverID)
		if err != nil && fleet.ErrorCode(err) != fleet.ENOTFOUND {
			return err
		}
		cur = d
	}
	n, p := cur.Name, cur.Phone
	if name != nil {
		n = *name
		if phone == nil && n != cur.Name {
			p = ""
		}
	}
	if phone != nil {
		p = *phone
	}
	if n == "" && p != "" {
		return fleet.FieldErrorf("driver_name", fleet.EINVALID, "truck %s has no driver: give a driver_name with the driver_phone", t.Plate)
	}
	return setTruckDriver(ctx, q, t.Plate, cur, n, p)
}

// maintenanceDetails is the audit detail of a maintenance, as SetTruckMaintenance writes it.
func maintenanceDetails(until *time.Time) map[string]any {
	details := map[string]any{"status": fleet.TruckMaintenance}
	if until != nil {
		details["until"] = until.UTC()
	}
	return details
}

// truckChangeDetails lists, for the audit log, the fields a change sets.
func truckChangeDetails(c fleet.TruckChange) map[string]any {
	out := map[string]any{}
	set := func(k string, v *string) {
		if v != nil {
			out[k] = *v
		}
	}
	set("driver_name", c.DriverName)
	set("driver_phone", c.DriverPhone)
	set("site", c.HomeSite)
	set("notes", c.Notes)
	if c.Status != nil {
		out["status"] = *c.Status
	}
	if c.MaintenanceUntil != nil {
		out["maintenance_until"] = c.MaintenanceUntil.UTC()
	}
	return out
}

const (
	addSiteSQL = `
INSERT INTO sites (code, name, kind, lat, lng, radius_m, h3_cell) VALUES ($1, $2, $3, $4, $5, $6, $7)
RETURNING ` + siteCols
	updateSiteSQL = `
UPDATE sites SET name = $2, kind = $3, lat = $4, lng = $5, radius_m = $6, h3_cell = $7, updated_at = now()
WHERE code = $1 RETURNING ` + siteCols
	lockSiteSQL   = `SELECT ` + siteCols + ` FROM sites WHERE code = $1 FOR UPDATE`
	retireSiteSQL = `UPDATE sites SET archived_at = now(), updated_at = now() WHERE code = $1 RETURNING ` + siteCols
)

// AddSite adds a site a person defines, checked by fleet.CheckSite, audited as site.create by
// who. It returns EINVALID naming the field (code, name, kind, lat, lng, radius_m) and
// ECONFLICT when the code exists (retired sites included).
func (s *Store) AddSite(ctx context.Context, st fleet.Site, who fleet.Actor) (_ fleet.Site, err error) {
	defer wrap(&err, "AddSite(%q)", st.Code)
	if st, err = fleet.CheckSite(st); err != nil {
		return fleet.Site{}, err
	}
	st.Cell = fleet.CellOf(st.Point, fleet.CellResolution)
	var got fleet.Site
	err = s.InTx(ctx, func(tx pgx.Tx) error {
		var err error
		got, err = scanSite(tx.QueryRow(ctx, addSiteSQL, st.Code, st.Name, string(st.Kind), st.Point.Lat, st.Point.Lng, st.RadiusM, st.Cell))
		if pgError(err, pgUniqueViolation) != nil {
			return fleet.FieldErrorf("code", fleet.ECONFLICT, "site %s already exists", st.Code)
		} else if err != nil {
			return err
		}
		return s.Audit(ctx, tx, AuditEntry{Actor: who, Action: "site.create", Subject: st.Code, Details: auditDetails(siteDetails(got))})
	})
	return got, err
}

// UpdateSite applies c to the site with code, audited as site.update by who. It returns
// EINVALID naming the field, ENOTFOUND (with suggestions) for an unknown code and ECONFLICT for
// a retired site.
func (s *Store) UpdateSite(ctx context.Context, code string, c fleet.SiteChange, who fleet.Actor) (_ fleet.Site, err error) {
	defer wrap(&err, "UpdateSite(%q)", code)
	if c.Empty() {
		return fleet.Site{}, fleet.Errorf(fleet.EINVALID, "nothing to change: give name, kind, lat, lng or radius_m")
	}
	var got fleet.Site
	err = s.InTx(ctx, func(tx pgx.Tx) error {
		cur, err := s.lockLiveSite(ctx, tx, code)
		if err != nil {
			return err
		}
		next, err := c.Apply(cur)
		if err != nil {
			return err
		}
		next.Cell = fleet.CellOf(next.Point, fleet.CellResolution)
		got, err = scanSite(tx.QueryRow(ctx, updateSiteSQL, cur.Code, next.Name, string(next.Kind), next.Point.Lat, next.Point.Lng, next.RadiusM, next.Cell))
		if err != nil {
			return err
		}
		return s.Audit(ctx, tx, AuditEntry{Actor: who, Action: "site.update", Subject: cur.Code,
			Details: auditDetails(map[string]any{"from": siteDetails(cur), "to": siteDetails(got)})})
	})
	return got, err
}

// RetireSite retires the site with code: kept for the trips that used it, it is no longer a
// geofence, listed, or a place for new trips. Audited as site.retire by who. It returns
// ENOTFOUND for an unknown code and ECONFLICT when it is already retired or open trips start or
// end there.
func (s *Store) RetireSite(ctx context.Context, code string, who fleet.Actor) (_ fleet.Site, err error) {
	defer wrap(&err, "RetireSite(%q)", code)
	var got fleet.Site
	err = s.InTx(ctx, func(tx pgx.Tx) error {
		cur, err := s.lockLiveSite(ctx, tx, code)
		if err != nil {
			return err
		}
		codes, err := openTrips(ctx, tx, "", cur.Code)
		if err != nil {
			return err
		}
		if len(codes) > 0 {
			return fleet.Errorf(fleet.ECONFLICT, "site %s is on open trips (%s); cancel or complete them before retiring it", cur.Code, listCodes(codes))
		}
		if got, err = scanSite(tx.QueryRow(ctx, retireSiteSQL, cur.Code)); err != nil {
			return err
		}
		return s.Audit(ctx, tx, AuditEntry{Actor: who, Action: "site.retire", Subject: cur.Code})
	})
	return got, err
}

// lockLiveSite locks the site with code for a change. It returns ENOTFOUND with suggestions,
// and ECONFLICT for a retired site.
func (s *Store) lockLiveSite(ctx context.Context, tx pgx.Tx, code string) (fleet.Site, error) {
	st, err := scanSite(tx.QueryRow(ctx, lockSiteSQL, siteCode(code)))
	switch {
	case isNoRows(err):
		return fleet.Site{}, s.siteNotFound(ctx, code)
	case err != nil:
		return fleet.Site{}, err
	case st.ArchivedAt != nil:
		return fleet.Site{}, fleet.Errorf(fleet.ECONFLICT, "site %s is retired; it is kept for the trips that used it but cannot be changed", st.Code)
	}
	return st, nil
}

// siteDetails is a site for the audit log.
func siteDetails(st fleet.Site) map[string]any {
	return map[string]any{"name": st.Name, "kind": st.Kind, "lat": st.Point.Lat, "lng": st.Point.Lng, "radius_m": st.RadiusM}
}
