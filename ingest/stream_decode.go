package ingest

import (
	"strconv"
	"strings"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
)

// parseEvent reads a position entry written in exactly appendEvent's layout (keys in its order,
// strings without escapes, times in UTC) without reflection or copies: its strings share raw's
// memory. ok is false for anything else, which the caller reads with encoding/json; when ok,
// the event equals what json.Unmarshal gives.
func parseEvent(raw string) (e Event, ok bool) {
	p := new(fleet.Position)
	r := entryReader{s: raw}
	ok = r.lit(`{"t":`) && r.str(&e.Type) && r.lit(`,"k":`) && r.str(&e.Key) && r.lit(`,"r":`) && r.time(&e.Received) &&
		r.lit(`,"p":{"Plate":`) && r.str(&p.Plate) && r.lit(`,"IMEI":`) && r.str(&p.IMEI) &&
		r.lit(`,"FixTime":`) && r.time(&p.FixTime) && r.lit(`,"ReceivedAt":`) && r.time(&p.ReceivedAt) &&
		r.lit(`,"Point":{"lat":`) && r.num(&p.Point.Lat) && r.lit(`,"lng":`) && r.num(&p.Point.Lng) &&
		r.lit(`},"SpeedKmh":`) && r.num(&p.SpeedKmh) && r.lit(`,"Heading":`) && r.num(&p.Heading) &&
		r.lit(`,"Ignition":`) && r.boolean(&p.Ignition) && r.lit(`,"Cell":`) && r.integer(&p.Cell) &&
		r.lit(`,"Source":`) && r.str(&p.Source) && r.lit(`}}`) && r.s == ""
	if !ok || e.Type != TypePosition {
		return Event{}, false
	}
	e.Position = p
	return e, true
}

// entryReader consumes an entry from the front of s.
type entryReader struct{ s string }

func (r *entryReader) lit(l string) bool {
	if !strings.HasPrefix(r.s, l) {
		return false
	}
	r.s = r.s[len(l):]
	return true
}

// str reads a JSON string of plain characters (what appendEvent writes unescaped).
func (r *entryReader) str(dst *string) bool {
	if r.s == "" || r.s[0] != '"' {
		return false
	}
	i := 1
	for i < len(r.s) && r.s[i] != '"' {
		if c := r.s[i]; c < 0x20 || c == '\\' || c >= 0x80 {
			return false
		}
		i++
	}
	if i == len(r.s) {
		return false
	}
	*dst, r.s = r.s[1:i], r.s[i+1:]
	return true
}

// time reads a quoted UTC time in RFC 3339 ("2006-01-02T15:04:05.999999999Z").
func (r *entryReader) time(dst *time.Time) bool {
	var v string
	if !r.str(&v) || len(v) < len("2006-01-02T15:04:05Z") || v[4] != '-' || v[7] != '-' || v[10] != 'T' ||
		v[13] != ':' || v[16] != ':' || v[len(v)-1] != 'Z' || (len(v) > 20 && v[19] != '.') {
		return false
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	*dst = t
	return err == nil
}

// number returns the JSON number at the front of s, or "" when there is none.
func (r *entryReader) number() string {
	s, i := r.s, 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && s[i] >= '1' && s[i] <= '9':
		i = digits(s, i)
	default:
		return ""
	}
	if i < len(s) && s[i] == '.' {
		if j := digits(s, i+1); j > i+1 {
			i = j
		} else {
			return ""
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		j := i + 1
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		if k := digits(s, j); k > j {
			i = k
		} else {
			return ""
		}
	}
	r.s = s[i:]
	return s[:i]
}

func digits(s string, i int) int {
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i
}

func (r *entryReader) num(dst *float64) bool {
	n := r.number()
	f, err := strconv.ParseFloat(n, 64)
	*dst = f
	return n != "" && err == nil
}

func (r *entryReader) integer(dst *int64) bool {
	n := r.number()
	i, err := strconv.ParseInt(n, 10, 64)
	*dst = i
	return n != "" && err == nil
}

func (r *entryReader) boolean(dst *bool) bool {
	*dst = strings.HasPrefix(r.s, "true")
	return r.lit("true") || r.lit("false")
}
