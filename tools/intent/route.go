package intent

import (
	"strconv"
	"strings"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
)

// stopWords end a site phrase ("to ECLAT for T11985LA", "near Apapa within 5 km").
var stopWords = map[string]bool{
	"for": true, "with": true, "carrying": true, "cargo": true, "container": true, "containers": true,
	"note": true, "notes": true, "departing": true, "leaving": true, "depart": true, "leave": true,
	"asap": true, "please": true, "pls": true, "within": true, "right": true, "now": true,
	"currently": true, "and": true, "using": true, "loaded": true, "remark": true, "remarks": true,
	"that": true, "which": true, "who": true, "are": true, "is": true, "status": true, "to": true,
	"from": true, "truck": true, "trucks": true, "go": true, "abeg": true, "dey": true, "sharp": true,
	"instead": true, "by": true, "tomorrow": true, "today": true, "tonight": true, "at": true,
	"on": true, "because": true, "cos": true, "wey": true, "don": true, "o": true, "oo": true,
	"biko": true, "sir": true, "urgent": true, "urgently": true, "immediately": true, "reach": true,
}

// toExcluded are words before "to" that make it not a destination ("close to", "want to").
var toExcluded = map[string]bool{
	"close": true, "next": true, "want": true, "need": true, "like": true, "how": true, "able": true,
	"have": true, "nearest": true, "closest": true, "used": true,
}

// route returns the origin, destination and departure phrases of a trip request. "to", "go"
// (pidgin) and arrows mark the destination, "from" the origin; without "from", the site
// words right before the destination marker are the origin ("T11985LA ESSLIBRA to ECLAT").
func route(text string) (origin, dest, depart string) {
	toks := strings.Fields(strings.NewReplacer("-->", " to ", "->", " to ", "→", " to ", "=>", " to ").Replace(text))
	fi, ti := -1, -1
	for i, t := range toks {
		switch low := lowerTok(t); {
		case (low == "from" || low == "frm" || low == "fr") && fi < 0:
			fi = i
		case (low == "to" || low == "go") && ti < 0 && i+1 < len(toks) && destMarker(toks, i, fi):
			ti = i
		}
	}
	if ti < 0 {
		if fi >= 0 {
			origin = siteName(toks[fi+1:])
		}
		return origin, "", timePhrase(toks, fi, fi+1+len(strings.Fields(origin)))
	}
	switch {
	case fi >= 0 && fi < ti:
		origin = siteName(toks[fi+1 : ti])
		dest = siteName(toks[ti+1:])
		return origin, dest, timePhrase(toks, fi, ti+1+len(strings.Fields(dest)))
	case fi > ti: // "go apapa tomorrow 8am from tincan": the time may sit between the sites
		dest = siteName(toks[ti+1 : fi])
		origin = siteName(toks[fi+1:])
		if depart = timePhrase(toks[:fi], ti, ti+1+len(strings.Fields(dest))); depart == "" {
			depart = timePhrase(toks, ti, fi+1+len(strings.Fields(origin)))
		}
		return origin, dest, depart
	}
	dest = siteName(toks[ti+1:])
	origin = originBefore(toks, ti)
	return origin, dest, timePhrase(toks, ti-len(strings.Fields(origin)), ti+1+len(strings.Fields(dest)))
}

// destMarker reports whether toks[i] ("to", "go") starts the destination: not "close to",
// "want to"; pidgin "go" only before a word that may be a site.
func destMarker(toks []string, i, fi int) bool {
	low, next := lowerTok(toks[i]), lowerTok(toks[i+1])
	prev := ""
	if i > 0 {
		prev = lowerTok(toks[i-1])
	}
	switch {
	case low == "to":
		return fi >= 0 || i == 0 || !toExcluded[prev]
	}
	return !notSites[next] && !isTimeStart(toks, i+1) && prev != "dey" && prev != "don"
}

// originBefore reads "T11985LA ESSLIBRA to ECLAT" and "book tin can to eclat": up to three
// site words right before the destination marker, after a plate or a verb.
func originBefore(toks []string, ti int) string {
	start := ti
	for start > 0 && ti-start < 3 {
		t := toks[start-1]
		low := lowerTok(t)
		if notSites[low] || stopWords[low] || findPlate(t) != "" || isCreateVerb(low) || len(low) >= 3 && allDigits(low) || low != strings.Trim(strings.ToLower(t), "?!") {
			break
		}
		start--
	}
	return siteName(toks[start:ti])
}

// isCreateVerb reports whether the single word low asks for a trip.
func isCreateVerb(low string) bool {
	for _, v := range createVerbs {
		if v == low {
			return true
		}
	}
	return low == "trip" || low == "new" || low == "for" || low == "make" || low == "una" || low == "abeg"
}

// timePhrase returns the first time phrase among toks outside [skipLo, skipHi).
func timePhrase(toks []string, skipLo, skipHi int) string {
	for i := range toks {
		if i >= skipLo && i < skipHi || !isTimeStart(toks, i) {
			continue
		}
		j := i
		for j < len(toks) && (j == i || isTimeToken(toks, j)) {
			j++
		}
		for j > i && fillers[lowerTok(toks[j-1])] {
			j--
		}
		var out []string
		for _, t := range toks[i:j] {
			out = append(out, strings.Trim(t, ",.;!?"))
		}
		return strings.Join(out, " ")
	}
	return ""
}

// isTimeStart reports whether a time phrase starts at toks[i].
func isTimeStart(toks []string, i int) bool {
	t := lowerTok(toks[i])
	next := ""
	if i+1 < len(toks) {
		next = lowerTok(toks[i+1])
	}
	if tomorrows[t] || tonights[t] || t == "today" {
		return true
	}
	if _, ok := exactTimes[t]; ok {
		return true
	}
	if _, ok := dayParts[t]; ok && t != "eve" && t != "morn" {
		return t != "night" || isBareHour(next) // "night" alone is more often a noun
	}
	switch t {
	case "at", "by", "on", "around", "about", "before", "latest":
		return next != "" && (isTimeStart(toks, i+1) || isBareHour(next) || reMilitary.MatchString(next))
	case "in":
		_, _, ok := relative(lowerToks(toks[i+1:]))
		return ok
	case "next", "this", "coming":
		_, ok := weekdays[next]
		return ok || next == "morning" || next == "afternoon" || next == "evening"
	case "day":
		return next == "after"
	}
	if _, ok := weekdays[t]; ok {
		return true
	}
	if isBareHour(t) || reMilitary.MatchString(t) && len(t) == 4 {
		return trailingHour(toks, i)
	}
	if h, _, ok := clock(t); ok {
		return strings.ContainsAny(t, ":.h") || strings.HasSuffix(t, "m") || h > 23
	}
	if _, n, ok := parseDay(lowerToks(toks[i:min(i+2, len(toks))]), fleet.Day(fixedNow, fleet.Lagos()), fleet.Lagos(), false); ok {
		return n > 1 || strings.ContainsAny(t, "/-")
	}
	return false
}

// trailingHour reports whether the bare number toks[i] is an hour ("to eclat 9", "9 for
// night", "0600 tomorrow"), not part of a site ("mile 2") or a count.
func trailingHour(toks []string, i int) bool {
	if i > 0 && numberedSite[lowerTok(toks[i-1])] {
		return false
	}
	if i+1 == len(toks) {
		return i > 0
	}
	next := lowerTok(toks[i+1])
	switch next {
	case "am", "pm", "a.m.", "p.m.", "sharp", "o'clock", "oclock", "for", "in", "this", "hrs", "latest", "tomorrow", "today", "tonight", "noon", "midnight", "midday":
		return next != "in" || isTimeToken(toks, i+1)
	}
	return tomorrows[next] || tonights[next] || dayParts[next] != ""
}

// numberedSite are words a number belongs to in a site name ("Mile 2").
var numberedSite = map[string]bool{"mile": true, "gate": true, "berth": true, "phase": true, "terminal": true, "zone": true, "lane": true, "yard": true, "wharf": true}

// fixedNow anchors date-shape checks; only whether a date parses matters, not which year.
var fixedNow = mustTime("2024-01-01T00:00:00Z")

// isTimeToken reports whether toks[j] continues a time phrase.
func isTimeToken(toks []string, j int) bool {
	t := lowerTok(toks[j])
	if isTimeStart(toks, j) || fillers[t] || isBareHour(t) {
		return true
	}
	switch t {
	case "am", "pm", "a.m.", "p.m.", "after", "hours", "hour", "hrs", "minutes", "mins", "min", "h", "an",
		"a", "half", "sharp", "latest", "o'clock", "oclock":
		return true
	case "in":
		return j+2 < len(toks) && lowerTok(toks[j+1]) == "the" && dayParts[lowerTok(toks[j+2])] != ""
	}
	if _, ok := dayParts[t]; ok {
		return true
	}
	if _, ok := months[t]; ok {
		return true
	}
	_, _, ok := clock(t)
	return ok || reOrdinal.MatchString(t)
}

// isBareHour reports whether t is an hour written as a bare number ("at 8").
func isBareHour(t string) bool {
	n, err := strconv.Atoi(t)
	return err == nil && n >= 0 && n <= 23 && len(t) <= 2
}

// cutAtStop joins toks up to the first stop word, time phrase, plate or trailing punctuation.
func cutAtStop(toks []string) string {
	var out []string
	for i, t := range toks {
		low := lowerTok(t)
		if stopWords[low] || isTimeStart(toks, i) || findPlate(t) != "" || isContainer(t) && len(t) >= 10 {
			break
		}
		trimmed := strings.TrimRight(t, ",.;!?")
		out = append(out, trimmed)
		if trimmed != t {
			break
		}
	}
	return cleanPhrase(strings.Join(out, " "))
}

// after returns the phrase following the first of keys in text, up to a stop word ("carrying
// empty 40ft" → "empty 40ft").
func after(text string, keys ...string) string {
	toks := strings.Fields(text)
	for i, t := range toks {
		low := strings.ToLower(t)
		for _, k := range keys {
			if low != k {
				continue
			}
			if strings.HasPrefix(k, "note") || strings.HasPrefix(k, "remark") {
				return cleanPhrase(strings.Join(toks[i+1:], " "))
			}
			return cargoPhrase(toks[i+1:])
		}
	}
	return ""
}

// cargoPhrase reads a cargo description up to the next clause.
func cargoPhrase(toks []string) string {
	var out []string
	for i, t := range toks {
		low := lowerTok(t)
		if low == "note" || low == "notes" || low == "from" || low == "to" || low == "for" || isTimeStart(toks, i) || isContainer(t) && len(t) >= 10 {
			break
		}
		trimmed := strings.TrimRight(t, ",;")
		out = append(out, trimmed)
		if trimmed != t {
			break
		}
	}
	return cleanPhrase(strings.Join(out, " "))
}

// nearPhrase returns the place after "near", "around", "close to", "within 5 km of"….
func nearPhrase(text string) string {
	toks := strings.Fields(text)
	for i := 0; i < len(toks); i++ {
		start := -1
		switch lowerTok(toks[i]) {
		case "near", "around", "nearby", "by":
			start = i + 1
			if start < len(toks) && lowerTok(toks[start]) == "to" {
				start++
			}
		case "close", "closest", "nearest", "next":
			for j := i + 1; j < len(toks) && j <= i+3; j++ {
				if lowerTok(toks[j]) == "to" {
					start = j + 1
				}
			}
		case "of", "from":
			if i > 0 && (findRadius(toks[i-1]) > 0 || findRadius(strings.Join(toks[max(0, i-2):i], " ")) > 0) {
				start = i + 1
			}
		}
		if start < 0 || start >= len(toks) {
			continue
		}
		if p := cutAtStop(toks[start:]); p != "" && findRadius(p) == 0 {
			return p
		}
	}
	return ""
}

// findDate returns the day phrase of a summary request ("yesterday", "last Monday", "20/11").
func findDate(text string) string {
	toks := strings.Fields(text)
	for i := range toks {
		t := lowerTok(toks[i])
		switch t {
		case "today", "yesterday":
			if i >= 2 && lowerTok(toks[i-1]) == "before" && lowerTok(toks[i-2]) == "day" {
				return "day before yesterday"
			}
			return t
		case "last", "past", "previous":
			if i+1 < len(toks) {
				if _, ok := weekdays[lowerTok(toks[i+1])]; ok {
					return t + " " + lowerTok(toks[i+1])
				}
			}
		}
		if _, n, ok := parseDay(lowerToks(toks[i:min(i+2, len(toks))]), fleet.Day(fixedNow, fleet.Lagos()), fleet.Lagos(), false); ok {
			if _, wd := weekdays[t]; wd || n > 1 || strings.ContainsAny(t, "/-") {
				return strings.Join(lowerToks(toks[i:i+n]), " ")
			}
		}
	}
	return ""
}

func lowerTok(t string) string {
	t = strings.ToLower(strings.Trim(t, ",.;:!?()\"'"))
	return strings.TrimSuffix(strings.TrimSuffix(t, "'s"), "’s")
}

func lowerToks(toks []string) []string {
	out := make([]string, len(toks))
	for i, t := range toks {
		out[i] = lowerTok(t)
	}
	return out
}

func mustTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}
