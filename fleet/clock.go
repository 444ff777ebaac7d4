package fleet

import (
	"time"
)

// BusinessZone is the default business time zone. The binary embeds tzdata, so it always loads.
const BusinessZone = "Africa/Lagos"

// lagos is WAT (UTC+1, no daylight saving) and is used only when tzdata cannot be loaded.
var lagos = func() *time.Location {
	loc, err := time.LoadLocation(BusinessZone)
	if err != nil {
		return time.FixedZone("WAT", 3600)
	}
	return loc
}()

// Lagos returns the Africa/Lagos location.
func Lagos() *time.Location { return lagos }

// Day returns the calendar day of t in loc as midnight in loc. A nil loc means Lagos.
func Day(t time.Time, loc *time.Location) time.Time {
	if loc == nil {
		loc = lagos
	}
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

// DayBounds returns [start, end) of the calendar day containing t in loc (nil means Lagos).
func DayBounds(t time.Time, loc *time.Location) (start, end time.Time) {
	start = Day(t, loc)
	return start, start.AddDate(0, 0, 1)
}
