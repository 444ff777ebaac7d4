package ingest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/watchtower-ops/watchtower/fleet"
)

// Limits of a valid event.
const (
	MaxSpeedKmh  = 250              // faster is a broken device
	MaxFutureFix = 10 * time.Minute // a fix further ahead than this is a wrong clock
)

// Kind of an ingest event.
const (
	TypePosition = "position"
	TypeAlert    = "alert"
)

// Event is one validated LocoNav push, ready for the ingest stream. Exactly one of Position
// and Alert is set.
type Event struct {
	Type     string                 `json:"t"`
	Key      string                 `json:"k"` // replay key: imei+fix time, or kind+id+phase
	Received time.Time              `json:"r"`
	Position *fleet.Position        `json:"p,omitempty"`
	Alert    *fleet.TelematicsAlert `json:"a,omitempty"`
}

// InvalidError says which event of a body is invalid and why. The listener answers 400 with it.
type InvalidError struct {
	Index int    // position in the array (0 for a single object)
	Field string // LocoNav's field name, "" when the event as a whole is bad
	Msg   string
}

// Error says which event and field are invalid, e.g. "event 2: latitude: out of range -90..90".
func (e *InvalidError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("event %d: %s", e.Index, e.Msg)
	}
	return fmt.Sprintf("event %d: %s: %s", e.Index, e.Field, e.Msg)
}

// Decoder turns webhook bodies into validated events. Naive timestamps are read in Zone.
type Decoder struct {
	Zone *time.Location
	Now  func() time.Time // defaults to time.Now
}

// rawPush is the union of LocoNav's location and alert pushes, each field kept raw so numbers,
// strings and booleans can all be accepted and errors can name the field.
type rawPush struct {
	IMEI          json.RawMessage `json:"imei"`
	VehicleNumber json.RawMessage `json:"vehiclenumber"`
	GPSTime       json.RawMessage `json:"gpstime"`
	Latitude      json.RawMessage `json:"latitude"`
	Longitude     json.RawMessage `json:"longitude"`
	Speed         json.RawMessage `json:"speed"`
	Orientation   json.RawMessage `json:"orientation"`
	Ignition      json.RawMessage `json:"ignition"`

	Kind            json.RawMessage `json:"kind"`
	ID              json.RawMessage `json:"id"`
	VehicleNumber2  json.RawMessage `json:"vehicle_number"`
	EventTime       json.RawMessage `json:"event_time"`
	ActiveTime      json.RawMessage `json:"active_event_time"`
	ActiveLat       json.RawMessage `json:"active_event_latitude"`
	ActiveLng       json.RawMessage `json:"active_event_longitude"`
	InactiveTime    json.RawMessage `json:"inactive_event_time"`
	InactiveLat     json.RawMessage `json:"inactive_event_latitude"`
	InactiveLng     json.RawMessage `json:"inactive_event_longitude"`
	CreatedAt       json.RawMessage `json:"created_at"`
	EventKey        json.RawMessage `json:"event_key"`
	PolygonID       json.RawMessage `json:"polygon_id"`
	HarshBraking    json.RawMessage `json:"harshBraking"`
	HarshAccelerate json.RawMessage `json:"harshAcceleration"`
	SharpTurn       json.RawMessage `json:"sharpTurn"`
}

// Decode parses body (one LocoNav object or an array of them) received at recv. It returns an
// *InvalidError for malformed JSON or the first invalid event; then no event is usable.
func (d *Decoder) Decode(body []byte, recv time.Time) ([]Event, error) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) > 0 && (trimmed[0] == '[' || trimmed[0] == '{') && json.Valid(trimmed) {
		if out, ok, err := d.decodeValid(trimmed, recv); ok {
			return out, err
		}
	}
	return d.decodeGeneral(trimmed, recv)
}

// decodeGeneral is Decode through encoding/json, which words the errors of malformed bodies.
func (d *Decoder) decodeGeneral(trimmed []byte, recv time.Time) ([]Event, error) {
	var elems []json.RawMessage
	switch {
	case len(trimmed) > 0 && trimmed[0] == '[':
		if err := json.Unmarshal(trimmed, &elems); err != nil {
			return nil, &InvalidError{Msg: malformed(err)}
		}
	case len(trimmed) > 0 && trimmed[0] == '{':
		elems = []json.RawMessage{trimmed}
	default:
		return nil, &InvalidError{Msg: "body must be a JSON object or an array of objects"}
	}
	if len(elems) == 0 {
		return nil, &InvalidError{Msg: "no events in body"}
	}
	out := make([]Event, 0, len(elems))
	for i, raw := range elems {
		ev, err := d.decodeOne(raw, recv)
		if err != nil {
			err.Index = i
			return nil, err
		}
		out = append(out, ev)
	}
	return out, nil
}

// decodeValid is Decode for a body json.Valid accepted, without reflection; ok is false when
// an element is not an object, for the general path to word that error.
func (d *Decoder) decodeValid(body []byte, recv time.Time) (out []Event, ok bool, err error) {
	elems := []json.RawMessage{body}
	if body[0] == '[' {
		elems = splitArray(body)
	}
	if len(elems) == 0 {
		return nil, true, &InvalidError{Msg: "no events in body"}
	}
	out = make([]Event, 0, len(elems))
	for i, raw := range elems {
		if raw[0] != '{' {
			return nil, false, nil
		}
		var p rawPush
		scanPush(raw, &p)
		ev, err := d.decodePush(p, raw, recv)
		if err != nil {
			err.Index = i
			return nil, true, err
		}
		out = append(out, ev)
	}
	return out, true, nil
}

func (d *Decoder) decodeOne(raw json.RawMessage, recv time.Time) (Event, *InvalidError) {
	var p rawPush
	if err := json.Unmarshal(raw, &p); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return Event{}, &InvalidError{Field: te.Field, Msg: "must be a JSON object"}
		}
		return Event{}, &InvalidError{Msg: malformed(err)}
	}
	return d.decodePush(p, raw, recv)
}

// malformed says where a body stops being JSON, without encoding/json's wording.
func malformed(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("malformed JSON at byte %d", se.Offset)
	}
	return "malformed JSON"
}

// decodePush turns one push into an event: an alert when it has a kind, else a position.
func (d *Decoder) decodePush(p rawPush, raw json.RawMessage, recv time.Time) (Event, *InvalidError) {
	if present(p.Kind) {
		return d.decodeAlert(p, raw, recv)
	}
	if present(p.GPSTime) || present(p.IMEI) || present(p.VehicleNumber) {
		return d.decodePosition(p, recv)
	}
	return Event{}, &InvalidError{Msg: "neither a location push (imei, gpstime) nor an alert push (kind)"}
}

func (d *Decoder) now() time.Time {
	if d.Now != nil {
		return d.Now()
	}
	return time.Now()
}

func (d *Decoder) decodePosition(p rawPush, recv time.Time) (Event, *InvalidError) {
	var f fields
	imei := f.str("imei", p.IMEI)
	plate := fleet.NormalizePlate(f.str("vehiclenumber", p.VehicleNumber))
	fix, hasFix := f.time("gpstime", p.GPSTime, d.Zone)
	lat, hasLat := f.num("latitude", p.Latitude)
	lng, hasLng := f.num("longitude", p.Longitude)
	speed, _ := f.num("speed", p.Speed)
	heading, _ := f.num("orientation", p.Orientation)
	ign, _ := f.flag("ignition", p.Ignition)
	f.flag("harshBraking", p.HarshBraking)
	f.flag("harshAcceleration", p.HarshAccelerate)
	f.flag("sharpTurn", p.SharpTurn)
	switch {
	case f.err != nil:
		return Event{}, f.err
	case imei == "" && plate == "":
		return Event{}, &InvalidError{Field: "imei", Msg: "a vehicle identifier (imei or vehiclenumber) is required"}
	case !hasFix:
		return Event{}, &InvalidError{Field: "gpstime", Msg: "is required"}
	case !hasLat:
		return Event{}, &InvalidError{Field: "latitude", Msg: "is required"}
	case !hasLng:
		return Event{}, &InvalidError{Field: "longitude", Msg: "is required"}
	}
	pt := fleet.Point{Lat: lat, Lng: lng}
	if err := d.checkFix(pt, speed, heading, fix); err != nil {
		return Event{}, err
	}
	pos := &fleet.Position{
		Plate: plate, IMEI: imei, FixTime: fix.UTC(), ReceivedAt: recv.UTC(), Point: pt,
		SpeedKmh: speed, Heading: heading, Ignition: ign, Source: "webhook", // the consumer computes the H3 cell, off the hot path
	}
	return Event{Type: TypePosition, Key: PositionKey(imei, plate, fix), Received: recv.UTC(), Position: pos}, nil
}

func (d *Decoder) checkFix(pt fleet.Point, speed, heading float64, fix time.Time) *InvalidError {
	switch {
	case pt.Lat < -90 || pt.Lat > 90:
		return &InvalidError{Field: "latitude", Msg: "out of range -90..90"}
	case pt.Lng < -180 || pt.Lng > 180:
		return &InvalidError{Field: "longitude", Msg: "out of range -180..180"}
	case !pt.Valid():
		return &InvalidError{Field: "latitude", Msg: "0,0 is not a real fix"}
	case speed < 0 || speed > MaxSpeedKmh:
		return &InvalidError{Field: "speed", Msg: fmt.Sprintf("%.1f km/h is outside 0..%d", speed, MaxSpeedKmh)}
	case heading < 0 || heading > 360:
		return &InvalidError{Field: "orientation", Msg: "out of range 0..360"}
	case fix.After(d.now().Add(MaxFutureFix)):
		return &InvalidError{Field: "gpstime", Msg: "is more than 10 minutes in the future"}
	}
	return nil
}

// PositionKey is the replay key of a location push: the device (or the plate when no IMEI was
// sent) and the fix time to the millisecond.
func PositionKey(imei, plate string, fix time.Time) string {
	dev := imei
	if dev == "" {
		dev = "plate:" + plate
	}
	return dev + "@" + strconv.FormatInt(fix.UnixMilli(), 10)
}

// AlertKey is the replay key of an alert push: LocoNav's kind, its id and the phase.
func AlertKey(kind, id string, phase fleet.AlertPhase) string {
	return kind + ":" + id + ":" + string(phase)
}

func present(raw json.RawMessage) bool {
	return len(raw) > 0 && string(raw) != "null"
}

// fields parses raw JSON values, remembering the first error with its field name.
type fields struct{ err *InvalidError }

func (f *fields) fail(field, msg string) {
	if f.err == nil {
		f.err = &InvalidError{Field: field, Msg: msg}
	}
}

// str accepts a string or a number (kept as written, so "0210716299" keeps its zero).
func (f *fields) str(field string, raw json.RawMessage) string {
	if !present(raw) {
		return ""
	}
	if raw[0] == '"' {
		// Every body reaching here passed json.Valid, so a string without escapes is its own
		// content (encoding/json would only replace invalid UTF-8, checked here too).
		if len(raw) >= 2 {
			if inner := raw[1 : len(raw)-1]; bytes.IndexByte(inner, '\\') < 0 && utf8.Valid(inner) {
				return string(bytes.TrimSpace(inner))
			}
		}
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			f.fail(field, "is not a valid string")
		}
		return strings.TrimSpace(s)
	}
	if raw[0] == '-' || (raw[0] >= '0' && raw[0] <= '9') {
		return string(raw)
	}
	f.fail(field, "must be a string or a number")
	return ""
}

// num accepts a number or a numeric string; ok is false when the field is absent or null.
func (f *fields) num(field string, raw json.RawMessage) (v float64, ok bool) {
	if !present(raw) {
		return 0, false
	}
	s := string(raw)
	if raw[0] == '"' {
		if s = strings.TrimSpace(f.str(field, raw)); s == "" {
			return 0, false
		}
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		f.fail(field, "must be a number")
		return 0, false
	}
	return v, true
}

// flag accepts "1"/"0", 1/0, true/false and "true"/"false"/"on"/"off" (any case).
func (f *fields) flag(field string, raw json.RawMessage) (v bool, ok bool) {
	if !present(raw) {
		return false, false
	}
	s := string(raw)
	if raw[0] == '"' {
		s = strings.ToLower(f.str(field, raw))
	}
	switch s {
	case "1", "true", "on", "yes":
		return true, true
	case "0", "false", "off", "no", "":
		return false, true
	}
	f.fail(field, "must be 1/0, true/false or \"1\"/\"0\"")
	return false, false
}

// timeLayouts are the timestamp forms LocoNav sends: its own DD-MM-YYYY HH:MM:SS, RFC 3339
// with Z or an offset, and ISO dates without a zone. Fractional seconds are accepted by all.
var zonedLayouts = []string{time.RFC3339Nano, "2006-01-02 15:04:05Z07:00", "2006-01-02T15:04:05Z0700"}
var naiveLayouts = []string{"02-01-2006 15:04:05", "2006-01-02T15:04:05", "2006-01-02 15:04:05", "02/01/2006 15:04:05"}

// time accepts the layouts above (naive ones in zone) or Unix seconds or milliseconds.
func (f *fields) time(field string, raw json.RawMessage, zone *time.Location) (time.Time, bool) {
	if !present(raw) {
		return time.Time{}, false
	}
	if raw[0] != '"' {
		n, ok := f.num(field, raw)
		if !ok || n <= 0 {
			f.fail(field, "must be a timestamp")
			return time.Time{}, false
		}
		if n >= 1e12 {
			return time.UnixMilli(int64(n)).UTC(), true
		}
		return time.Unix(int64(n), 0).UTC(), true
	}
	s := f.str(field, raw)
	if s == "" {
		return time.Time{}, false
	}
	if t, ok := parseTime(s, zone); ok {
		return t, true
	}
	f.fail(field, fmt.Sprintf("%q is not DD-MM-YYYY HH:MM:SS or RFC 3339", s))
	return time.Time{}, false
}

func parseTime(s string, zone *time.Location) (time.Time, bool) {
	for _, l := range zonedLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), true
		}
	}
	if zone == nil {
		zone = fleet.Lagos()
	}
	for _, l := range naiveLayouts {
		if t, err := time.ParseInLocation(l, s, zone); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}
