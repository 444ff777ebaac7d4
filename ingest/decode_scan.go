package ingest

import (
	"bytes"
	"encoding/json"
)

// The webhook's hot path splits bodies itself instead of letting encoding/json fill rawPush by
// reflection (which was a third of the listener's CPU). It only ever runs on bytes json.Valid
// accepted, so it needs no error handling of its own: anything it cannot place (a top-level
// element that is not an object) goes to the encoding/json path, which words the 400.

// splitArray returns the raw elements of the valid JSON array b, whitespace trimmed. The
// elements share b's memory.
func splitArray(b []byte) []json.RawMessage {
	var out []json.RawMessage
	i := skipSpace(b, 1) // after '['
	for i < len(b) && b[i] != ']' {
		end := skipValue(b, i)
		out = append(out, json.RawMessage(b[i:end]))
		i = skipSpace(b, end)
		if i < len(b) && b[i] == ',' {
			i = skipSpace(b, i+1)
		}
	}
	return out
}

// scanPush fills p from the valid JSON object b like json.Unmarshal would: keys match the
// tags exactly or else case-insensitively, the last of duplicate keys wins, unknown keys are
// ignored. Values share b's memory.
func scanPush(b []byte, p *rawPush) {
	i := skipSpace(b, 1) // after '{'
	for i < len(b) && b[i] == '"' {
		keyEnd := skipString(b, i)
		key := b[i+1 : keyEnd-1]
		i = skipSpace(b, keyEnd)
		i = skipSpace(b, i+1) // after ':'
		end := skipValue(b, i)
		if dst := p.field(key); dst != nil {
			*dst = json.RawMessage(b[i:end])
		}
		i = skipSpace(b, end)
		if i < len(b) && b[i] == ',' {
			i = skipSpace(b, i+1)
		}
	}
}

// pushKeys are rawPush's JSON names, for the case-insensitive match.
var pushKeys = [...]string{"imei", "vehiclenumber", "gpstime", "latitude", "longitude", "speed",
	"orientation", "ignition", "kind", "id", "vehicle_number", "event_time", "active_event_time",
	"active_event_latitude", "active_event_longitude", "inactive_event_time",
	"inactive_event_latitude", "inactive_event_longitude", "created_at", "event_key", "polygon_id",
	"harshBraking", "harshAcceleration", "sharpTurn"}

// field returns where the value of key goes, or nil for a key rawPush does not keep.
func (p *rawPush) field(key []byte) *json.RawMessage {
	if bytes.IndexByte(key, '\\') >= 0 {
		var k string
		if err := json.Unmarshal(append(append([]byte{'"'}, key...), '"'), &k); err != nil {
			return nil
		}
		key = []byte(k)
	}
	if dst := p.exact(key); dst != nil {
		return dst
	}
	for _, name := range pushKeys {
		if bytes.EqualFold([]byte(name), key) {
			return p.exact([]byte(name))
		}
	}
	return nil
}

// exact is field for a key written exactly as rawPush's tag.
func (p *rawPush) exact(key []byte) *json.RawMessage {
	switch string(key) {
	case "imei":
		return &p.IMEI
	case "vehiclenumber":
		return &p.VehicleNumber
	case "gpstime":
		return &p.GPSTime
	case "latitude":
		return &p.Latitude
	case "longitude":
		return &p.Longitude
	case "speed":
		return &p.Speed
	case "orientation":
		return &p.Orientation
	case "ignition":
		return &p.Ignition
	case "kind":
		return &p.Kind
	case "id":
		return &p.ID
	case "vehicle_number":
		return &p.VehicleNumber2
	case "event_time":
		return &p.EventTime
	case "active_event_time":
		return &p.ActiveTime
	case "active_event_latitude":
		return &p.ActiveLat
	case "active_event_longitude":
		return &p.ActiveLng
	case "inactive_event_time":
		return &p.InactiveTime
	case "inactive_event_latitude":
		return &p.InactiveLat
	case "inactive_event_longitude":
		return &p.InactiveLng
	case "created_at":
		return &p.CreatedAt
	case "event_key":
		return &p.EventKey
	case "polygon_id":
		return &p.PolygonID
	case "harshBraking":
		return &p.HarshBraking
	case "harshAcceleration":
		return &p.HarshAccelerate
	case "sharpTurn":
		return &p.SharpTurn
	}
	return nil
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the index after the string starting at b[i] == '"'.
func skipString(b []byte, i int) int {
	for i++; i < len(b); i++ {
		switch b[i] {
		case '\\':
			i++
		case '"':
			return i + 1
		}
	}
	return len(b)
}

// skipValue returns the index after the value starting at b[i].
func skipValue(b []byte, i int) int {
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for ; i < len(b); i++ {
			switch b[i] {
			case '"':
				i = skipString(b, i) - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			}
		}
		return len(b)
	}
	for ; i < len(b); i++ { // number, true, false, null
		switch b[i] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return i
		}
	}
	return i
}
