package fleet

import "time"

// FormatBusinessTime formats t in loc (nil means Lagos) the way trip proposals echo a
// departure: "Tue 8 Dec 21:00", day of the week, day without a leading zero, month, 24-hour
// clock. The zero time is "".
func FormatBusinessTime(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	if loc == nil {
		loc = lagos
	}
	return t.In(loc).Format("Mon 2 Jan 15:04")
}
