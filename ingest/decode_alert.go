package ingest

import (
	"encoding/json"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
)

// decodeAlert decodes an alert push. Interval alerts (active_event_* / inactive_event_*) are in
// their inactive phase once inactive_event_time is set; point alerts (event_time) are always
// active. Unknown kinds are kept: the raw push travels in the alert's Raw.
func (d *Decoder) decodeAlert(p rawPush, raw json.RawMessage, recv time.Time) (Event, *InvalidError) {
	var f fields
	kind := f.str("kind", p.Kind)
	id := f.str("id", p.ID)
	plate := fleet.NormalizePlate(f.str("vehicle_number", p.VehicleNumber2))
	if plate == "" {
		plate = fleet.NormalizePlate(f.str("vehiclenumber", p.VehicleNumber))
	}
	imei := f.str("imei", p.IMEI)
	a := &fleet.TelematicsAlert{SourceKind: kind, SourceID: id, Plate: plate, IMEI: imei, Phase: fleet.PhaseActive,
		EventKey: f.str("event_key", p.EventKey), PolygonID: f.str("polygon_id", p.PolygonID), Raw: raw}
	a.SpeedKmh, _ = f.num("speed", p.Speed)
	var when string
	a.At, a.Point, when = d.alertWhen(&f, p, a, recv)
	switch {
	case f.err != nil:
		return Event{}, f.err
	case kind == "":
		return Event{}, &InvalidError{Field: "kind", Msg: "is required"}
	case id == "":
		return Event{}, &InvalidError{Field: "id", Msg: "is required"}
	case plate == "" && imei == "":
		return Event{}, &InvalidError{Field: "vehicle_number", Msg: "a vehicle identifier is required"}
	case a.SpeedKmh < 0 || a.SpeedKmh > MaxSpeedKmh:
		return Event{}, &InvalidError{Field: "speed", Msg: "out of range 0..250"}
	case a.At.After(d.now().Add(MaxFutureFix)):
		return Event{}, &InvalidError{Field: when, Msg: "is more than 10 minutes in the future"}
	}
	return Event{Type: TypeAlert, Key: AlertKey(kind, id, a.Phase), Received: recv.UTC(), Alert: a}, nil
}

// alertWhen picks the time and point of the alert's phase, falling back to created_at and
// then to the time it was received. field names the field the time came from.
func (d *Decoder) alertWhen(f *fields, p rawPush, a *fleet.TelematicsAlert, recv time.Time) (_ time.Time, _ *fleet.Point, field string) {
	if t, ok := f.time("inactive_event_time", p.InactiveTime, d.Zone); ok {
		a.Phase, a.Interval = fleet.PhaseInactive, true
		return t, f.point("inactive_event_latitude", p.InactiveLat, p.InactiveLng), "inactive_event_time"
	}
	if t, ok := f.time("active_event_time", p.ActiveTime, d.Zone); ok {
		a.Interval = true
		return t, f.point("active_event_latitude", p.ActiveLat, p.ActiveLng), "active_event_time"
	}
	pt := f.point("latitude", p.Latitude, p.Longitude)
	if t, ok := f.time("event_time", p.EventTime, d.Zone); ok {
		return t, pt, "event_time"
	}
	if t, ok := f.time("created_at", p.CreatedAt, d.Zone); ok {
		return t, pt, "created_at"
	}
	return recv.UTC(), pt, "created_at"
}

// point reads an optional coordinate pair. Absent, null or 0,0 (a device without a fix) is no
// point; a pair out of range is an error naming latField.
func (f *fields) point(latField string, latRaw, lngRaw json.RawMessage) *fleet.Point {
	lat, okLat := f.num(latField, latRaw)
	lng, okLng := f.num(latField, lngRaw)
	if !okLat || !okLng || (lat == 0 && lng == 0) {
		return nil
	}
	pt := fleet.Point{Lat: lat, Lng: lng}
	if !pt.Valid() {
		f.fail(latField, "coordinates out of range")
		return nil
	}
	return &pt
}
