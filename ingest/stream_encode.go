package ingest

import (
	"encoding/json"
	"math"
	"strconv"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
)

// appendEvent appends e's stream entry: the bytes json.Marshal(e) gives, written without
// reflection for the common case (a position with plain strings and ordinary numbers) and by
// json.Marshal otherwise.
func appendEvent(b []byte, e Event) ([]byte, error) {
	p := e.Position
	if e.Type != TypePosition || p == nil || e.Alert != nil || !plain(e.Type) || !plain(e.Key) || !jsonTime(e.Received) ||
		!plainPosition(p) {
		j, err := json.Marshal(e)
		return append(b, j...), err
	}
	b = append(b, `{"t":"`...)
	b = append(b, e.Type...)
	b = append(b, `","k":"`...)
	b = append(b, e.Key...)
	b = append(b, `","r":`...)
	b = appendTime(b, e.Received)
	b = append(b, `,"p":`...)
	b = appendPlainPosition(b, p)
	return append(b, '}'), nil
}

// appendPosition appends the bytes json.Marshal(p) gives, without reflection when it can.
func appendPosition(b []byte, p *fleet.Position) ([]byte, error) {
	if !plainPosition(p) {
		j, err := json.Marshal(p)
		return append(b, j...), err
	}
	return appendPlainPosition(b, p), nil
}

// plainPosition reports whether appendPlainPosition writes p as json.Marshal does.
func plainPosition(p *fleet.Position) bool {
	return plain(p.Plate) && plain(p.IMEI) && plain(p.Source) && jsonTime(p.FixTime) && jsonTime(p.ReceivedAt) &&
		finite(p.Point.Lat, p.Point.Lng, p.SpeedKmh, p.Heading)
}

func appendPlainPosition(b []byte, p *fleet.Position) []byte {
	b = append(b, `{"Plate":"`...)
	b = append(b, p.Plate...)
	b = append(b, `","IMEI":"`...)
	b = append(b, p.IMEI...)
	b = append(b, `","FixTime":`...)
	b = appendTime(b, p.FixTime)
	b = append(b, `,"ReceivedAt":`...)
	b = appendTime(b, p.ReceivedAt)
	b = append(b, `,"Point":{"lat":`...)
	b = appendFloat(b, p.Point.Lat)
	b = append(b, `,"lng":`...)
	b = appendFloat(b, p.Point.Lng)
	b = append(b, `},"SpeedKmh":`...)
	b = appendFloat(b, p.SpeedKmh)
	b = append(b, `,"Heading":`...)
	b = appendFloat(b, p.Heading)
	b = append(b, `,"Ignition":`...)
	b = strconv.AppendBool(b, p.Ignition)
	b = append(b, `,"Cell":`...)
	b = strconv.AppendInt(b, p.Cell, 10)
	b = append(b, `,"Source":"`...)
	b = append(b, p.Source...)
	return append(b, `"}`...)
}

// plain reports whether encoding/json writes s as it is between quotes (printable ASCII
// without quote, backslash or the HTML characters it escapes).
func plain(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
			return false
		}
	}
	return true
}

// jsonTime reports whether time.Time.MarshalJSON would accept t (years 0–9999).
func jsonTime(t time.Time) bool { return t.Year() >= 0 && t.Year() <= 9999 }

func finite(fs ...float64) bool {
	for _, f := range fs {
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return false
		}
	}
	return true
}

// appendTime writes t as time.Time.MarshalJSON does. The quotes go around the call, not into
// the layout: AppendFormat takes its fast RFC 3339 path only for the bare layout (a third of
// the cost of the general formatter).
func appendTime(b []byte, t time.Time) []byte {
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"')
}

// appendFloat writes f as encoding/json does: shortest form, exponent only below 1e-6 or from
// 1e21, and "e-07" written "e-7".
func appendFloat(b []byte, f float64) []byte {
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}
