package fleet

import (
	"fmt"
	"math"
	"time"
)

// FormatDuration writes a span for people: "45 min", "2 h", "2 h 15 min", "3 days 4 h"
// (rounded to the minute; negative spans count as zero). Every surface formats durations with it.
func FormatDuration(d time.Duration) string {
	m := max(int(math.Round(d.Minutes())), 0)
	switch {
	case m < 60:
		return fmt.Sprintf("%d min", m)
	case m < 48*60 && m%60 == 0:
		return fmt.Sprintf("%d h", m/60)
	case m < 48*60:
		return fmt.Sprintf("%d h %d min", m/60, m%60)
	case m/60%24 == 0:
		return fmt.Sprintf("%d days", m/60/24)
	}
	return fmt.Sprintf("%d days %d h", m/60/24, m/60%24)
}

// FormatElapsed writes a measured run time for people: "0.4 s" and "12 s" under a minute,
// FormatDuration from a minute on ("3 min"). Job runs and the demo's waits use it, where
// FormatDuration's minutes would all read "0 min".
func FormatElapsed(d time.Duration) string {
	switch {
	case d < 0:
		return "0 s"
	case d < 10*time.Second:
		return fmt.Sprintf("%.1f s", d.Seconds())
	case d < time.Minute:
		return fmt.Sprintf("%.0f s", d.Seconds())
	}
	return FormatDuration(d)
}

// FormatAge says how long ago something happened: "just now" under a minute, else
// FormatDuration followed by "ago" ("2 h 5 min ago").
func FormatAge(d time.Duration) string {
	if d < time.Minute {
		return "just now"
	}
	return FormatDuration(d) + " ago"
}

// DateLayout is how people see a day: "Tue 8 Dec 2026".
const DateLayout = "Mon 2 Jan 2006"

// FormatDate writes the day of t in loc (nil: the business zone) as "Tue 8 Dec 2026"; "" for
// the zero time. Every surface formats days with it.
func FormatDate(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	if loc == nil {
		loc = lagos
	}
	return t.In(loc).Format(DateLayout)
}

// TimeLayout is how people see a moment: "Tue 8 Dec 21:00", in business time.
const TimeLayout = "Mon 2 Jan 15:04"

// FormatTime writes t in loc (nil: the business zone) as "Tue 8 Dec 21:00"; "" for the zero
// time. Every surface formats times of day with it.
func FormatTime(t time.Time, loc *time.Location) string {
	if t.IsZero() {
		return ""
	}
	if loc == nil {
		loc = lagos
	}
	return t.In(loc).Format(TimeLayout)
}
