package sheets

import (
	"context"
	"encoding/json"
)

// setDriver makes the driver named name with phone the driver of the truck with plate, by
// store.SetTruckDriver's rule (the phone identifies a driver; both empty unassigns). It returns
// notes for refused changes and an error only when the store fails.
func (e *truckEntity) setDriver(ctx context.Context, plate string, name, phone string) ([]string, error) {
	if err := e.s.store.SetTruckDriver(ctx, plate, name, phone); err != nil {
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
