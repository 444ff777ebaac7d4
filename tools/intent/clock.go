package intent

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// question is the one short question to ask when the phrase s does not settle a time: a bare
// hour without am/pm ("9am or 9pm?") or a day without a time ("What time tomorrow?"). It is
// "" when the time is settled.
func (m moment) question(s string) string {
	switch {
	case m.hasRel:
		return ""
	case !m.hasClock:
		s = strings.TrimSpace(s)
		return fmt.Sprintf("What time %s? e.g. \"%s %s\"", s, s, example(m.part))
	case m.bare && m.part == "":
		h := m.hour % 12
		if h == 0 {
			h = 12
		}
		if m.min != 0 {
			return fmt.Sprintf("%d:%02dam or %d:%02dpm?", h, m.min, h, m.min)
		}
		return fmt.Sprintf("%dam or %dpm?", h, h)
	}
	return ""
}

// example is a time of day that fits part, for questions.
func example(part string) string {
	switch part {
	case "afternoon":
		return "2pm"
	case "evening", "night":
		return "9pm"
	}
	return "8am"
}

// settle returns the hour on the 24-hour clock, with the day part applied to a bare hour
// ("tonight 9" is 21:00, "tonight 1" is 01:00 the next day), and how many days it moves on.
func (m moment) settle() (hour, nextDay int) {
	if !m.twelve || m.part == "" {
		return m.hour, 0
	}
	h := m.hour % 12
	switch m.part {
	case "afternoon", "evening":
		return h + 12, 0
	case "night":
		if h >= 5 {
			return h + 12, 0
		}
		if m.day.IsZero() {
			return h, 0 // "1 at night" said today: the coming 01:00
		}
		return h, 1
	}
	return h, 0
}

// isBareClock reports whether the clock w leaves am/pm open: an hour from 1 to 12 written
// without am/pm, minutes, a leading zero or a 24-hour form ("9", "9hrs", "9 o'clock").
func isBareClock(w string) bool {
	w = strings.TrimSuffix(strings.TrimSuffix(w, "hrs"), "hr")
	n, err := strconv.Atoi(w)
	return err == nil && n >= 1 && n <= 12 && !strings.HasPrefix(w, "0")
}

// isTwelve reports whether the clock w may be on the 12-hour clock: an hour from 1 to 12
// without am/pm or a leading zero, with or without minutes ("9", "9:30").
func isTwelve(w string) bool {
	h, _, _ := strings.Cut(strings.NewReplacer(".", ":", "h", ":").Replace(w), ":")
	return isBareClock(h) && !strings.HasSuffix(w, "m")
}

// clock reads "8am", "8:30pm", "14:30", "14.30", "14h30" or a bare hour "8"/"14".
func clock(w string) (hour, minute int, ok bool) {
	if g := reMilitary.FindStringSubmatch(w); g != nil { // "2130", "0600hrs"
		hour, _ = strconv.Atoi(g[1])
		minute, _ = strconv.Atoi(g[2])
		return hour, minute, true
	}
	w = strings.TrimSuffix(strings.TrimSuffix(w, "hrs"), "hr")
	g := reClock.FindStringSubmatch(w)
	if g == nil {
		g = reCompact.FindStringSubmatch(w)
		if g == nil {
			return 0, 0, false
		}
		g = []string{g[0], g[1], "", g[2]}
	}
	hour, _ = strconv.Atoi(g[1])
	if g[2] != "" {
		minute, _ = strconv.Atoi(g[2])
	}
	switch ampm := strings.ReplaceAll(g[3], ".", ""); {
	case ampm == "" && hour <= 23:
	case ampm != "" && (hour < 1 || hour > 12):
		return 0, 0, false
	case ampm == "am" && hour == 12:
		hour = 0
	case ampm == "pm" && hour != 12:
		hour += 12
	}
	if hour > 23 || minute > 59 {
		return 0, 0, false
	}
	return hour, minute, true
}

// relative reads the amount and unit after "in": "3 hours", "90 min", "2h", "an hour", "half an
// hour". It returns the duration and how many words it used.
func relative(words []string) (time.Duration, int, bool) {
	var n float64
	used := 1
	switch {
	case words[0] == "a" || words[0] == "an":
		n = 1
	case words[0] == "half" && len(words) > 1 && (words[1] == "an" || words[1] == "a"):
		n, used = 0.5, 2
	default:
		g := reAmount.FindStringSubmatch(words[0])
		if g == nil {
			return 0, 0, false
		}
		v, err := strconv.ParseFloat(g[1], 64)
		if err != nil || v <= 0 || v > 24*14*60 {
			return 0, 0, false
		}
		n = v
		if g[2] != "" {
			return scale(n, g[2]), 1, true
		}
	}
	if used >= len(words) {
		return 0, 0, false
	}
	unit := words[used]
	if !reAmount.MatchString("1" + unit) {
		return 0, 0, false
	}
	return scale(n, unit), used + 1, true
}

// scale turns n units ("h", "hours", "min", …) into a duration.
func scale(n float64, unit string) time.Duration {
	if strings.HasPrefix(unit, "m") {
		return time.Duration(n * float64(time.Minute))
	}
	return time.Duration(n * float64(time.Hour))
}
