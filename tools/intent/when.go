package intent

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
)

// Layouts ParseTime accepts before trying words, in the business zone unless they carry an
// offset.
var absoluteLayouts = []string{
	time.RFC3339, "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02 15:04:05", "2006-01-02 15:04",
}

var (
	reClock    = regexp.MustCompile(`^(\d{1,2})(?:[:.h](\d{2}))?\s*(am|pm|a\.m\.|p\.m\.)?$`)
	reCompact  = regexp.MustCompile(`^(\d{1,2})(am|pm)$`)
	reMilitary = regexp.MustCompile(`^([01]\d|2[0-3])([0-5]\d)(?:hrs|hr|h)?$`)
	reAmount   = regexp.MustCompile(`^(\d+(?:\.\d+)?)(hours?|hrs?|h|minutes?|mins?|m)?$`)
	reISODate  = regexp.MustCompile(`^(\d{4})-(\d{1,2})-(\d{1,2})$`)
	reDayMonth = regexp.MustCompile(`^(\d{1,2})[/.](\d{1,2})(?:[/.](\d{2,4}))?$`)
	reOrdinal  = regexp.MustCompile(`^(\d{1,2})(?:st|nd|rd|th)?$`)
)

// fillers are words that carry no time information in "leave on Monday at about 8am".
var fillers = map[string]bool{
	"at": true, "on": true, "by": true, "around": true, "about": true, "for": true, "the": true,
	"departure": true, "depart": true, "departing": true, "leaving": true, "leave": true, "of": true,
	"o'clock": true, "oclock": true, "approx": true, "approximately": true, "from": true, "starting": true,
	"sharp": true, "latest": true, "prompt": true, "time": true, "abeg": true, "pls": true, "please": true,
}

// tomorrows are the spellings of "tomorrow".
var tomorrows = map[string]bool{
	"tomorrow": true, "tmrw": true, "tmr": true, "tomorow": true, "tommorow": true, "tommorrow": true,
	"tmoro": true, "tomoro": true, "2moro": true, "2mrw": true, "tomorro": true, "tmrow": true,
}

// tonights are the spellings of "tonight".
var tonights = map[string]bool{"tonight": true, "tonite": true, "2nite": true, "2night": true}

var weekdays = map[string]time.Weekday{
	"sunday": time.Sunday, "sun": time.Sunday, "monday": time.Monday, "mon": time.Monday,
	"tuesday": time.Tuesday, "tue": time.Tuesday, "tues": time.Tuesday, "wednesday": time.Wednesday,
	"wed": time.Wednesday, "thursday": time.Thursday, "thu": time.Thursday, "thur": time.Thursday,
	"thurs": time.Thursday, "friday": time.Friday, "fri": time.Friday, "saturday": time.Saturday,
	"sat": time.Saturday,
}

var months = map[string]time.Month{
	"jan": time.January, "january": time.January, "feb": time.February, "february": time.February,
	"mar": time.March, "march": time.March, "apr": time.April, "april": time.April, "may": time.May,
	"jun": time.June, "june": time.June, "jul": time.July, "july": time.July, "aug": time.August,
	"august": time.August, "sep": time.September, "sept": time.September, "september": time.September,
	"oct": time.October, "october": time.October, "nov": time.November, "november": time.November,
	"dec": time.December, "december": time.December,
}

// exactTimes are times of day named by a word.
var exactTimes = map[string][2]int{"noon": {12, 0}, "midday": {12, 0}, "midnight": {0, 0}}

// dayParts are the words that settle whether a bare hour is am or pm ("tonight 9" is 21:00).
// They name no time by themselves: "tomorrow morning" is asked, never taken as 08:00.
var dayParts = map[string]string{
	"morning": "morning", "mrng": "morning", "morn": "morning", "afternoon": "afternoon",
	"evening": "evening", "evng": "evening", "eve": "evening", "night": "night",
	"tonight": "night", "tonite": "night", "2nite": "night", "2night": "night",
}

// moment is what the words of a time phrase said so far.
type moment struct {
	day      time.Time // midnight of the day named, zero when no day was named
	hour     int
	min      int
	hasClock bool
	bare     bool          // the hour was written without am/pm, minutes or a 24-hour form ("at 9")
	twelve   bool          // the hour may be on the 12-hour clock ("9", "9:30"): a day part settles it
	part     string        // morning, afternoon, evening or night, "" when none was said
	rel      time.Duration // "in 3 hours"
	hasRel   bool
}

// ParseTime resolves a departure time as a dispatcher writes it, in loc at now: RFC 3339
// ("2025-11-27T08:00:00+01:00"), "2025-11-27 08:00", "tomorrow 8am", "today 14:30", "in 3
// hours", "Monday 7:30", "next Friday at noon", "27/11 08:00", "27 Nov 8am", "2130hrs",
// "tonight 9" (21:00: a day part settles a bare hour), "by 6 tomorrow morning", "8pm" (today,
// or tomorrow when that is already past). It never guesses: a bare hour that nothing settles
// ("at 9 tomorrow") and a day without a time ("tomorrow morning") return EINVALID whose
// message is the one short question to ask ("9am or 9pm?", "What time tomorrow morning?"),
// as do words it does not know.
func ParseTime(s string, now time.Time, loc *time.Location) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range absoluteLayouts {
		if t, err := time.ParseInLocation(layout, s, loc); err == nil {
			return t, nil
		}
	}
	m, ok := parseMoment(strings.ToLower(s), now, loc)
	if !ok {
		return time.Time{}, fleet.Errorf(fleet.EINVALID, "cannot read the time %q; try \"tomorrow 8am\", \"today 14:30\", \"in 3 hours\" or \"Monday 7:30\"", s)
	}
	if q := m.question(s); q != "" {
		return time.Time{}, fleet.Errorf(fleet.EINVALID, "%s", q)
	}
	if m.hasRel {
		return now.Add(m.rel).Truncate(time.Minute).In(loc), nil
	}
	local := now.In(loc)
	day := m.day
	if day.IsZero() {
		day = fleet.Day(local, loc)
	}
	hour, next := m.settle()
	t := time.Date(day.Year(), day.Month(), day.Day()+next, hour, m.min, 0, 0, loc)
	if m.day.IsZero() && !t.After(local) {
		t = t.AddDate(0, 0, 1) // "8am" said at 3 pm means tomorrow
	}
	return t, nil
}

// ParseDate resolves a calendar day in loc at now: "today", "yesterday", "day before
// yesterday", "2025-11-20", "20/11", "20 Nov", "Monday" or "last Monday" (the most recent one,
// today included for plain "Monday"). An empty string is today. It returns midnight of the day
// in loc, or EINVALID.
func ParseDate(s string, now time.Time, loc *time.Location) (time.Time, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	today := fleet.Day(now, loc)
	if s == "" {
		return today, nil
	}
	if t, err := time.ParseInLocation("2006-01-02", s, loc); err == nil {
		return t, nil
	}
	words := strings.Fields(strings.NewReplacer(",", " ", "'s", "").Replace(s))
	var day time.Time
	last := false
	for i := 0; i < len(words); i++ {
		w := words[i]
		switch {
		case w == "today" || w == "now" || fillers[w] || w == "summary" || w == "day":
			if w == "today" || w == "now" {
				day = today
			}
		case w == "yesterday":
			day = today.AddDate(0, 0, -1)
		case w == "before" && i+1 < len(words) && words[i+1] == "yesterday":
			day, i = today.AddDate(0, 0, -2), i+1
		case w == "last" || w == "past" || w == "previous":
			last = true
		default:
			d, n, ok := parseDay(words[i:], today, loc, false)
			if !ok {
				return time.Time{}, fleet.Errorf(fleet.EINVALID, "cannot read the date %q; try \"today\", \"yesterday\", \"2025-11-20\" or \"Monday\"", s)
			}
			day, i = d, i+n-1
			if wd, isWD := weekdays[w]; isWD {
				day = mostRecent(today, wd, last)
			}
		}
	}
	if day.IsZero() {
		return time.Time{}, fleet.Errorf(fleet.EINVALID, "cannot read the date %q; try \"today\", \"yesterday\", \"2025-11-20\" or \"Monday\"", s)
	}
	return day, nil
}

// mostRecent is the latest day on or before today (strictly before when strict) that is wd.
func mostRecent(today time.Time, wd time.Weekday, strict bool) time.Time {
	back := (int(today.Weekday()) - int(wd) + 7) % 7
	if back == 0 && strict {
		back = 7
	}
	return today.AddDate(0, 0, -back)
}

// parseMoment reads a lower-case time phrase word by word. ok is false on a word it does not
// know or a phrase with nothing in it.
func parseMoment(s string, now time.Time, loc *time.Location) (moment, bool) {
	var m moment
	s = strings.NewReplacer(",", " ", " a.m.", "am", " p.m.", "pm", " am", "am", " pm", "pm").Replace(s)
	words := strings.Fields(s)
	today := fleet.Day(now, loc)
	seen := false
	for i := 0; i < len(words); i++ {
		w := words[i]
		switch {
		case fillers[w]:
			continue
		case w == "today":
			m.day = today
		case tomorrows[w]:
			m.day = today.AddDate(0, 0, 1)
		case w == "next" || w == "this" || w == "coming" || w == "in" && i+1 == len(words):
		case w == "in":
			d, n, ok := relative(words[i+1:])
			if !ok { // "9 in the morning"
				continue
			}
			m.rel, m.hasRel, i = d, true, i+n
		case w == "day" && i+2 < len(words) && words[i+1] == "after" && strings.HasPrefix(words[i+2], "tom"):
			m.day, i = today.AddDate(0, 0, 2), i+2
		default:
			n, ok := m.word(words[i:], today, loc)
			if !ok {
				return m, false
			}
			i += n - 1
		}
		seen = true
	}
	return m, seen
}

// word reads a clock time, day part, weekday or date at the start of words and returns how
// many words it used.
func (m *moment) word(words []string, today time.Time, loc *time.Location) (int, bool) {
	w := words[0]
	if hm, ok := exactTimes[w]; ok {
		m.hour, m.min, m.hasClock, m.bare, m.twelve = hm[0], hm[1], true, false, false
		return 1, true
	}
	if part, ok := dayParts[w]; ok {
		m.part = part
		if tonights[w] && m.day.IsZero() {
			m.day = today
		}
		return 1, true
	}
	if len(words) > 1 { // "27 nov" before "27" is read as an hour
		if d, n, ok := parseDay(words, today, loc, true); ok && n == 2 {
			m.day = d
			return n, true
		}
	}
	if h, mi, ok := clock(w); ok {
		m.hour, m.min, m.hasClock = h, mi, true
		m.bare, m.twelve = isBareClock(w), isTwelve(w)
		return 1, true
	}
	if wd, ok := weekdays[w]; ok {
		ahead := (int(wd) - int(today.Weekday()) + 7) % 7
		if ahead == 0 { // "Monday" said on a Monday means next week; today is "today"
			ahead = 7
		}
		m.day = today.AddDate(0, 0, ahead)
		return 1, true
	}
	d, n, ok := parseDay(words, today, loc, true)
	if ok {
		m.day = d
	}
	return n, ok
}

// parseDay reads a date at the start of words: "2025-11-27", "27/11[/2025]", "27 nov", "nov
// 27", "27th november". Without a year the date is this year's, or next year's when future
// is set and the date has passed. It returns how many words it used.
func parseDay(words []string, today time.Time, loc *time.Location, future bool) (time.Time, int, bool) {
	w := words[0]
	if g := reISODate.FindStringSubmatch(w); g != nil {
		y, _ := strconv.Atoi(g[1])
		mo, _ := strconv.Atoi(g[2])
		d, _ := strconv.Atoi(g[3])
		return validDate(y, mo, d, loc)
	}
	if g := reDayMonth.FindStringSubmatch(w); g != nil {
		d, _ := strconv.Atoi(g[1])
		mo, _ := strconv.Atoi(g[2])
		if g[3] != "" {
			y, _ := strconv.Atoi(g[3])
			if y < 100 {
				y += 2000
			}
			return validDate(y, mo, d, loc)
		}
		return yearless(today, time.Month(mo), d, loc, future, 1)
	}
	if len(words) >= 2 {
		if mo, ok := months[w]; ok {
			if g := reOrdinal.FindStringSubmatch(words[1]); g != nil {
				d, _ := strconv.Atoi(g[1])
				return yearless(today, mo, d, loc, future, 2)
			}
		}
		if g := reOrdinal.FindStringSubmatch(w); g != nil {
			if mo, ok := months[words[1]]; ok {
				d, _ := strconv.Atoi(g[1])
				return yearless(today, mo, d, loc, future, 2)
			}
		}
	}
	if d, ok := weekdays[w]; ok {
		return mostRecent(today, d, false), 1, true
	}
	return time.Time{}, 1, false
}

// yearless places a day and month in the current year (or the next one when future is set
// and the date is already past).
func yearless(today time.Time, mo time.Month, d int, loc *time.Location, future bool, used int) (time.Time, int, bool) {
	t, _, ok := validDate(today.Year(), int(mo), d, loc)
	if ok && future && t.Before(today) {
		t = t.AddDate(1, 0, 0)
	}
	return t, used, ok
}

// validDate builds midnight of y-mo-d in loc, refusing dates that do not exist.
func validDate(y, mo, d int, loc *time.Location) (time.Time, int, bool) {
	t := time.Date(y, time.Month(mo), d, 0, 0, 0, 0, loc)
	if mo < 1 || mo > 12 || t.Day() != d {
		return time.Time{}, 1, false
	}
	return t, 1, true
}

// ParseTimeOn resolves a new time for a trip planned on day (any instant of that day): a clock
// without a day ("3pm", "15:00", "tonight 9") is on the trip's own day in loc, never moved to
// the next day; anything else ("tomorrow 8am", "in 2 hours", RFC 3339) reads as ParseTime
// reads it at now. It returns ParseTime's errors.
func ParseTimeOn(s string, day, now time.Time, loc *time.Location) (time.Time, error) {
	m, ok := parseMoment(strings.ToLower(strings.TrimSpace(s)), now, loc)
	if !ok || !m.day.IsZero() || m.hasRel || !m.hasClock || m.question(s) != "" {
		return ParseTime(s, now, loc)
	}
	d := fleet.Day(day, loc)
	hour, next := m.settle()
	return time.Date(d.Year(), d.Month(), d.Day()+next, hour, m.min, 0, 0, loc), nil
}
