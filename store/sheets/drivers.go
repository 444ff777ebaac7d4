package sheets

import (
	"context"
	"encoding/json"

	"github.com/watchtower-ops/watchtower/fleet"
)

// setDriver makes the driver named name with phone the driver of the truck with plate, whose
// current driver is curID (0: none). The phone identifies a driver: a known phone is that
// driver (renamed, and its phone respelled, to match the sheet); an unknown phone on the
// current driver's name is that driver's new number; otherwise a driver is created. A name
// without phone keeps the current driver when the name matches. Both empty unassigns. It
// returns notes for refused changes and an error only when the store fails.
func (e *truckEntity) setDriver(ctx context.Context, plate string, curID int64, name, phone string) ([]string, error) {
	if name == "" && phone == "" {
		return e.assign(ctx, plate, curID, 0)
	}
	var cur fleet.Driver
	if curID != 0 {
		d, err := e.s.store.DriverByID(ctx, curID)
		if err != nil && fleet.ErrorCode(err) != fleet.ENOTFOUND {
			return nil, err
		}
		cur = d
	}
	var d fleet.Driver
	var err error
	switch {
	case phone != "":
		d, err = e.s.store.DriverByPhone(ctx, phone)
		switch {
		case err == nil:
		case fleet.ErrorCode(err) != fleet.ENOTFOUND:
			return nil, err
		case cur.ID != 0 && (cur.Name == name || name == ""):
			d, err = cur, nil // the current driver's new number
		case name == "":
			return []string{"Driver Phone needs a Driver name for a driver Watch Tower does not know."}, nil
		default:
			d, err = fleet.Driver{Name: name, Phone: phone}, nil
		}
	case cur.ID != 0 && cur.Name == name:
		d = cur // the sheet cleared the phone of the current driver
	default:
		d = fleet.Driver{Name: name}
	}
	if name != "" {
		d.Name = name
	}
	d.Phone = phone
	if d, err = e.saveDriver(ctx, d); err != nil {
		msg, err := refusal(err)
		if err != nil {
			return nil, err
		}
		return []string{msg}, nil
	}
	return e.assign(ctx, plate, curID, d.ID)
}

// saveDriver creates d when it has no ID and updates it when its name or phone changed.
func (e *truckEntity) saveDriver(ctx context.Context, d fleet.Driver) (fleet.Driver, error) {
	if d.ID == 0 {
		return e.s.store.CreateDriver(ctx, d)
	}
	stored, err := e.s.store.DriverByID(ctx, d.ID)
	if err != nil {
		return fleet.Driver{}, err
	}
	if stored.Name == d.Name && stored.Phone == d.Phone {
		return stored, nil
	}
	stored.Name, stored.Phone = d.Name, d.Phone
	return e.s.store.UpdateDriver(ctx, stored)
}

// assign sets the truck's driver unless it already is the one.
func (e *truckEntity) assign(ctx context.Context, plate string, curID, driverID int64) ([]string, error) {
	if curID == driverID {
		return nil, nil
	}
	if _, err := e.s.store.AssignDriver(ctx, plate, driverID); err != nil {
		msg, err := refusal(err)
		if err != nil {
			return nil, err
		}
		return []string{msg}, nil
	}
	return nil, nil
}

// changedValues lists, for the audit log, the fields that differ between from and to.
func changedValues(spec *tabSpec, from, to fields) map[string][2]string {
	out := map[string][2]string{}
	for _, k := range changed(spec, from, to) {
		out[k] = [2]string{from[k], to[k]}
	}
	return out
}

// jsonDetails marshals audit details; the values used here always marshal.
func jsonDetails(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	return b
}
