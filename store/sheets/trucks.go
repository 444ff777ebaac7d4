package sheets

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/store"
)

const trucksKey = "trucks"

// statusArchived is what the Trucks tab shows (and accepts) for an archived truck.
const statusArchived = "archived"

// truckSpec is the Trucks tab. The operations team owns the roster; Watch Tower owns the
// status and the LocoNav ID it learns from telematics.
var truckSpec = tabSpec{name: TrucksTab, key: trucksKey, noun: "truck", idHeader: "ID", fields: []field{
	{key: "plate", header: "Plate", aliases: []string{"Plate Number"}, owner: sideSheet, norm: normPlate},
	{key: "loconav_id", header: "LocoNav ID", aliases: []string{"LocoNav Vehicle ID"}, owner: sideDB, norm: normText},
	{key: "company", header: "Company", owner: sideSheet, norm: normText},
	{key: "fleet_manager", header: "Fleet Manager", owner: sideSheet, norm: normText},
	{key: "status", header: "Status", owner: sideDB, norm: normStatus},
	{key: "brand", header: "Brand", owner: sideSheet, norm: normText},
	{key: "trailer_size", header: "Trailer Size", owner: sideSheet, norm: normText},
	{key: "home_site", header: "Home Site", owner: sideSheet, norm: normUpper},
	{key: "driver", header: "Driver", aliases: []string{"Driver Name"}, owner: sideSheet, norm: normText},
	{key: "driver_phone", header: "Driver Phone", owner: sideSheet, norm: normPhone},
}}

// truckEntity is the trucks and drivers of the store, as the Trucks tab sees them.
type truckEntity struct{ s *Syncer }

func (e *truckEntity) spec() *tabSpec              { return &truckSpec }
func (e *truckEntity) naturalKey(f fields) string  { return f["plate"] }
func (e *truckEntity) adoptable(st *rowState) bool { return true }
func (e *truckEntity) lookup(context.Context, string) (record, bool, error) {
	return record{}, false, nil
}

// truckRecord renders a truck and its driver as the tab's fields.
func truckRecord(t fleet.Truck, d fleet.Driver) record {
	status := string(t.Status)
	if t.ArchivedAt != nil {
		status = statusArchived
	}
	var c cellContext
	raw := map[string]string{"plate": t.Plate, "loconav_id": t.VehicleUUID, "company": t.Company,
		"fleet_manager": t.FleetManager, "status": status, "brand": t.Brand, "trailer_size": t.TrailerSize,
		"home_site": t.HomeSite, "driver": d.Name, "driver_phone": d.Phone}
	f := make(fields, len(raw))
	for _, fd := range truckSpec.fields {
		f[fd.key] = fd.norm(raw[fd.key], c)
	}
	return record{id: strconv.FormatInt(t.ID, 10), fields: f, export: t.ArchivedAt == nil}
}

// load returns every truck, archived ones included (their rows may still be in the sheet).
func (e *truckEntity) load(ctx context.Context, _ time.Time, _ map[string]*rowState) (map[string]record, error) {
	trucks, err := e.s.store.ListTrucks(ctx, store.TruckFilter{IncludeArchived: true})
	if err != nil {
		return nil, err
	}
	var ids []int64
	for _, t := range trucks {
		if t.DriverID != 0 {
			ids = append(ids, t.DriverID)
		}
	}
	drivers, err := e.drivers(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[string]record, len(trucks))
	for _, t := range trucks {
		rec := truckRecord(t, drivers[t.DriverID])
		out[rec.id] = rec
	}
	return out, nil
}

const driversByIDSQL = `SELECT id, name, phone FROM drivers WHERE id = ANY($1)`

// drivers loads the drivers with ids in one query, by ID.
func (e *truckEntity) drivers(ctx context.Context, ids []int64) (map[int64]fleet.Driver, error) {
	out := map[int64]fleet.Driver{}
	if len(ids) == 0 {
		return out, nil
	}
	err := e.s.store.InTx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, driversByIDSQL, ids)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var d fleet.Driver
			if err := rows.Scan(&d.ID, &d.Name, &d.Phone); err != nil {
				return err
			}
			out[d.ID] = d
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("load drivers: %w", err)
	}
	return out, nil
}

// reload returns the truck with plate as the tab sees it now.
func (e *truckEntity) reload(ctx context.Context, plate string) (record, error) {
	t, err := e.s.store.TruckByPlate(ctx, plate)
	if err != nil {
		return record{}, err
	}
	var d fleet.Driver
	if t.DriverID != 0 {
		if d, err = e.s.store.DriverByID(ctx, t.DriverID); err != nil {
			return record{}, err
		}
	}
	return truckRecord(t, d), nil
}

// create adds the truck of a new row (its plate is not in Watch Tower: rows with a known plate
// are adopted instead) and its driver.
func (e *truckEntity) create(ctx context.Context, now time.Time, f fields) (record, bool, []string, error) {
	plate := f["plate"]
	switch status := f["status"]; {
	case plate == "":
		return record{}, false, []string{"Plate is empty; every truck row needs one."}, nil
	case !fleet.ValidPlate(plate):
		return record{}, false, []string{fmt.Sprintf("Plate %q is not a valid plate (4 to 12 letters and digits).", plate)}, nil
	case status == statusArchived:
		return record{}, false, []string{"A new truck cannot start archived; set Status to operational, maintenance or inactive."}, nil
	case status != "" && !fleet.TruckStatus(status).Valid():
		return record{}, false, []string{statusNote(status)}, nil
	}
	t := fleet.Truck{Plate: plate, VehicleUUID: f["loconav_id"], Company: f["company"], FleetManager: f["fleet_manager"],
		Status: fleet.TruckStatus(f["status"]), Brand: f["brand"], TrailerSize: f["trailer_size"], HomeSite: f["home_site"]}
	if _, err := e.s.store.UpsertTruck(ctx, t); err != nil {
		msg, err := refusal(err)
		return record{}, false, []string{msg}, err
	}
	notes, err := e.setDriver(ctx, plate, f["driver"], f["driver_phone"])
	if err != nil {
		return record{}, false, nil, err
	}
	if err := e.audit(ctx, now, "truck.create", plate, f); err != nil {
		return record{}, false, nil, err
	}
	rec, err := e.reload(ctx, plate)
	return rec, err == nil, notes, err
}

func statusNote(status string) string {
	return fmt.Sprintf("Status %q is not one of operational, maintenance, inactive or archived.", status)
}

// update applies a merged truck row: roster fields through UpsertTruck, the driver through the
// driver functions, "archived" through ArchiveTruck. The plate (the truck's identity) cannot
// change, an archived truck cannot be restored, and the LocoNav ID cannot be cleared here.
func (e *truckEntity) update(ctx context.Context, now time.Time, cur record, to fields) (record, []string, error) {
	plate, from := cur.fields["plate"], cur.fields
	var notes []string
	if to["plate"] != plate {
		notes = append(notes, fmt.Sprintf("Plate cannot be changed from %s: it identifies the truck. Add a row for %s and delete this one.", plate, show(to["plate"])))
	}
	status, archive := "", false
	switch ts := to["status"]; {
	case ts == from["status"]:
	case ts == statusArchived:
		archive = true
	case from["status"] == statusArchived:
		notes = append(notes, fmt.Sprintf("Truck %s is archived in Watch Tower; it cannot be restored from the sheet.", plate))
	case !fleet.TruckStatus(ts).Valid():
		notes = append(notes, statusNote(ts))
	default:
		status = ts
	}
	if to["loconav_id"] == "" && from["loconav_id"] != "" {
		notes = append(notes, "LocoNav ID cannot be cleared from the sheet.")
	}
	if status != "" || rosterChanged(from, to) {
		t := fleet.Truck{Plate: plate, VehicleUUID: to["loconav_id"], Company: to["company"], FleetManager: to["fleet_manager"],
			Status: fleet.TruckStatus(status), Brand: to["brand"], TrailerSize: to["trailer_size"], HomeSite: to["home_site"]}
		if _, err := e.s.store.UpsertTruck(ctx, t); err != nil {
			msg, err := refusal(err)
			if err != nil {
				return record{}, nil, err
			}
			notes = append(notes, msg)
		}
	}
	if to["driver"] != from["driver"] || to["driver_phone"] != from["driver_phone"] {
		more, err := e.setDriver(ctx, plate, to["driver"], to["driver_phone"])
		if err != nil {
			return record{}, nil, err
		}
		notes = append(notes, more...)
	}
	if archive {
		if _, err := e.s.store.ArchiveTruck(ctx, plate); err != nil {
			return record{}, nil, err
		}
	}
	after, err := e.reload(ctx, plate)
	if err == nil && len(changed(&truckSpec, from, after.fields)) > 0 {
		err = e.audit(ctx, now, "truck.update", plate, changedValues(&truckSpec, from, after.fields))
	}
	return after, notes, err
}

func rosterChanged(from, to fields) bool {
	for _, k := range []string{"loconav_id", "company", "fleet_manager", "brand", "trailer_size", "home_site"} {
		if from[k] != to[k] && (k != "loconav_id" || to[k] != "") {
			return true
		}
	}
	return false
}

// remove archives the truck of a row deleted from the sheet.
func (e *truckEntity) remove(ctx context.Context, now time.Time, cur record) error {
	if cur.fields["status"] == statusArchived {
		return nil
	}
	if _, err := e.s.store.ArchiveTruck(ctx, cur.fields["plate"]); err != nil && fleet.ErrorCode(err) != fleet.ENOTFOUND {
		return err
	}
	return e.audit(ctx, now, "truck.archive", cur.fields["plate"], map[string]string{"reason": "row deleted from the Google Sheet"})
}

// audit records a change the sync made, as the sheets actor.
func (e *truckEntity) audit(ctx context.Context, now time.Time, action, subject string, details any) error {
	return e.s.store.Audit(ctx, nil, store.AuditEntry{At: now, Actor: e.s.actor, Action: action, Subject: subject,
		Details: jsonDetails(details)})
}

// refusal turns a classified store error into the note explaining why a change was not applied
// (with the suggestions, if any); any other error is returned to stop the cycle.
func refusal(err error) (string, error) {
	switch fleet.ErrorCode(err) {
	case fleet.EINVALID, fleet.ECONFLICT, fleet.ENOTFOUND, fleet.EFORBIDDEN:
		msg := fleet.ErrorMessage(err)
		if s := fleet.ErrorSuggestions(err); len(s) > 0 {
			msg += "; did you mean " + strings.Join(s, ", ") + "?"
		}
		return upperFirst(msg) + ".", nil
	}
	return "", err
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
