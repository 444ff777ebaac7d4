package sheets

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
)

// DepartureLayout is how the sync writes planned departures: Lagos wall-clock time, written
// RAW so Sheets keeps it as the text dispatchers read.
const DepartureLayout = "2006-01-02 15:04"

// departureLayouts are the spellings of a departure the sync accepts from the sheet, read in
// the business zone. Day-first forms follow Nigerian usage.
var departureLayouts = []string{
	DepartureLayout, "2006-01-02 15:04:05", "2006-01-02T15:04", "2006-01-02T15:04:05",
	"02/01/2006 15:04", "02/01/2006 15:04:05", "2/1/2006 15:04", "2/1/2006 15:04:05",
	"02-01-2006 15:04", "2 Jan 2006 15:04", "02 Jan 2006 15:04", "Jan 2 2006 15:04",
}

// cellContext is what normalising a cell needs beyond the cell: the zone of the sheet's date
// serials and the business zone departures are read in.
type cellContext struct {
	sheetZone *time.Location
	zone      *time.Location
}

// cellText is the text of a cell as read with UNFORMATTED_VALUE: strings as they are, numbers
// without exponent or trailing zeros, booleans as Sheets shows them.
func cellText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		if x {
			return "TRUE"
		}
		return "FALSE"
	}
	return ""
}

// normText trims a free-text cell and folds runs of spaces.
func normText(v any, _ cellContext) string { return strings.Join(strings.Fields(cellText(v)), " ") }

// normUpper is normText in upper case, for site codes and container numbers.
func normUpper(v any, c cellContext) string { return strings.ToUpper(normText(v, c)) }

// normCode is normUpper without spaces, for trip codes.
func normCode(v any, c cellContext) string {
	s := strings.ReplaceAll(normUpper(v, c), " ", "")
	if code, ok := fleet.ParseTripCode(s); ok {
		return code
	}
	return s
}

// normPlate normalises a plate the way the store does.
func normPlate(v any, _ cellContext) string { return fleet.NormalizePlate(cellText(v)) }

// normStatus lower-cases a status and joins its words with underscores ("Pending approval" →
// "pending_approval").
func normStatus(v any, c cellContext) string {
	return strings.ReplaceAll(strings.ToLower(normText(v, c)), " ", "_")
}

// normPhone keeps a phone number as written minus the spaces, dashes, dots and brackets people
// type in it. A number cell (someone typed 08031234567 into a cell Sheets treats as a number)
// lost its leading zero or plus: a ten-digit Nigerian mobile gets its 0 back, a 234… number its
// +.
func normPhone(v any, _ cellContext) string {
	if f, ok := v.(float64); ok && f == math.Trunc(f) && f > 0 {
		digits := strconv.FormatFloat(f, 'f', -1, 64)
		switch {
		case len(digits) == 10 && strings.ContainsAny(digits[:1], "789"):
			return "0" + digits
		case len(digits) == 13 && strings.HasPrefix(digits, "234"):
			return "+" + digits
		}
		return digits
	}
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '-', '.', '(', ')', '\t':
			return -1
		}
		return r
	}, strings.TrimSpace(cellText(v)))
}

// sheetsEpoch is day zero of Sheets date serials.
var sheetsEpoch = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)

// normDeparture turns a departure cell into DepartureLayout in the business zone: a date
// serial (a date typed into the sheet) is read in the sheet's zone, text in the business zone.
// Text that is not a date is kept as typed (trimmed), so applying it reports the problem.
func normDeparture(v any, c cellContext) string {
	if t, ok := parseDeparture(v, c); ok {
		return t.In(c.zone).Format(DepartureLayout)
	}
	return normText(v, c)
}

// parseDeparture reads a departure cell; ok is false when it is empty or not a date.
func parseDeparture(v any, c cellContext) (time.Time, bool) {
	if f, isNum := v.(float64); isNum {
		if f <= 0 || f > 2958465 { // 9999-12-31
			return time.Time{}, false
		}
		wall := sheetsEpoch.Add(time.Duration(math.Round(f*24*60)) * time.Minute)
		return time.Date(wall.Year(), wall.Month(), wall.Day(), wall.Hour(), wall.Minute(), 0, 0, c.sheetZone), true
	}
	s := normText(v, c)
	if s == "" {
		return time.Time{}, false
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, true
	}
	for _, layout := range departureLayouts {
		if t, err := time.ParseInLocation(layout, s, c.zone); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

// fields are a row's canonical values by field key.
type fields map[string]string

// rowFields normalises the cells of a sheet row into fields.
func rowFields(l layout, row []any, c cellContext) fields {
	out := make(fields, len(l.spec.fields))
	for i, f := range l.spec.fields {
		out[f.key] = f.norm(cellAt(row, l.cols[i]), c)
	}
	return out
}

// cellAt returns row[i], or nil past the end (reads leave out trailing empty cells).
func cellAt(row []any, i int) any {
	if i < 0 || i >= len(row) {
		return nil
	}
	return row[i]
}
