package intent

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"

	"github.com/watchtower-ops/watchtower/fleet"
)

var (
	// rePlate is the shape of a plate once its words are joined: one to three letters, digits,
	// then up to three letters (T11985LA, KJA123AB, LND123XA, AB1234).
	rePlate     = regexp.MustCompile(`^[A-Z]{1,3}[0-9]{2,5}[A-Z]{0,3}$`)
	reTripCode  = regexp.MustCompile(`(?i)\btrp[-_ #]?\d{1,8}\b`)
	reTripWord  = regexp.MustCompile(`(?i)\btrip\s*(?:no\.?|number|id|#)?\s*#?(\d{1,8})\b`)
	rePoint     = regexp.MustCompile(`(-?\d{1,2}\.\d+)\s*,\s*(-?\d{1,3}\.\d+)`)
	reRadius    = regexp.MustCompile(`(?i)\b(\d+(?:\.\d+)?)\s*(?:km|kms|kilometers|kilometres|k)\b`)
	reRadiusM   = regexp.MustCompile(`(?i)\b(\d+)\s*(?:m|metres|meters)\b`)
	reContainer = regexp.MustCompile(`\b([A-Za-z]{4}\s?\d{6,7})\b`)
	reMention   = regexp.MustCompile(`<@[A-Z0-9]+(?:\|[^>]*)?>`)
	reClockText = regexp.MustCompile(`\b\d{1,2}[:.]\d{2}\b`)
)

// joinStop are short words never joined into a plate ("is T11985LA" is not "IST11985LA").
var joinStop = map[string]bool{
	"TO": true, "AT": true, "IN": true, "ON": true, "IS": true, "BY": true, "OF": true, "AM": true,
	"PM": true, "KM": true, "AND": true, "THE": true, "FOR": true, "NOW": true, "IT": true, "ME": true,
	"MY": true, "A": true, "AN": true, "OR": true, "TRP": true, "NO": true, "ANY": true, "ARE": true,
	"HAS": true, "WAS": true, "GO": true, "GET": true, "SEE": true, "ALL": true, "HOW": true, "WHO": true,
	"NEAR": true, "FROM": true, "WITH": true, "LEFT": true, "M": true, "H": true, "HRS": true,
}

// pidginLead are words never taken as the letters before a plate's digits ("wia 28737").
var pidginLead = map[string]bool{"wia": true, "weh": true, "wer": true, "be": true, "wetin": true, "where": true, "dey": true, "na": true, "una": true}

// words splits s into tokens of letters, digits and dashes, keeping their original case.
func words(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '-'
	})
}

// findPlate returns the plate-shaped run of up to three words in s ("T11985LA", "t 11985
// la", "KJA-123-AB"), normalised, or "" when there is none. The longest run wins (the first on
// a tie), so a stray letter before a plate ("where's T 11985 LA") is not taken into it. Trip
// codes and container numbers are skipped.
func findPlate(s string) string {
	s = reTripCode.ReplaceAllString(s, " ")
	s = reClockText.ReplaceAllString(s, " ") // "tin can 18:00" holds no plate CAN1800
	s = strings.NewReplacer("'s ", " ", "’s ", " ").Replace(s + " ")
	s = reContainer.ReplaceAllStringFunc(s, func(c string) string {
		if isContainer(c) {
			return " "
		}
		return c
	})
	ws := words(s)
	best := ""
	for i := range ws {
		if joinStop[strings.ToUpper(ws[i])] || notSites[strings.ToLower(ws[i])] || pidginLead[strings.ToLower(ws[i])] {
			continue
		}
		joined := ""
		for j := i; j < len(ws) && j < i+3; j++ {
			up := fleet.NormalizePlate(ws[j])
			if j > i && joinStop[up] || isClockWord(ws[j]) {
				break
			}
			joined += up
			if len(joined) > len(best) && rePlate.MatchString(joined) && fleet.ValidPlate(joined) {
				best = joined
			}
		}
	}
	return best
}

// countPlates returns how many different plates s names ("T28737LA and T11985LA" is two),
// reading left to right.
func countPlates(s string) int {
	seen := map[string]bool{}
	for rest := s; ; {
		p := findPlate(rest)
		if p == "" || seen[p] {
			return len(seen)
		}
		seen[p] = true
		cut := plateEnd(rest, p)
		if cut <= 0 || cut >= len(rest) {
			return len(seen)
		}
		rest = rest[cut:]
	}
}

// plateEnd returns the byte offset in s just after the letters and digits that spell plate
// p, or -1.
func plateEnd(s, p string) int {
	acc := ""
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9') {
			continue
		}
		up := strings.ToUpper(string(c))
		if strings.HasPrefix(p, acc+up) {
			acc += up
			if acc == p {
				return i + 1
			}
			continue
		}
		acc = ""
		if strings.HasPrefix(p, up) {
			acc = up
		}
	}
	return -1
}

// isClockWord reports whether w is a time written in one word ("1900hrs", "9pm", "21:00").
func isClockWord(w string) bool {
	low := strings.ToLower(w)
	if reMilitary.MatchString(low) && len(low) > 4 {
		return true
	}
	_, _, ok := clock(low)
	return ok && !allDigits(low)
}

// findDigitsPlate returns the digits of a plate named by its number alone: after "truck",
// "plate" or "vehicle" ("truck 11985"), or, when where is set (a location question), any
// standalone four-to-six-digit number ("locate 11985"). fleet.MatchPlate resolves them when
// they name one truck. It returns "" otherwise.
func findDigitsPlate(s string, where bool) string {
	ws := words(strings.ToLower(s))
	for i := 0; i+1 < len(ws); i++ {
		switch ws[i] {
		case "truck", "plate", "vehicle", "lorry", "trailer", "tractor":
			if d := ws[i+1]; len(d) >= 3 && len(d) <= 6 && allDigits(d) {
				return d
			}
		}
	}
	if where && !rePoint.MatchString(s) {
		for _, w := range ws {
			if len(w) >= 4 && len(w) <= 6 && allDigits(w) {
				return w
			}
		}
	}
	return ""
}

// findTripCode returns the canonical trip code in s ("TRP-0042" from "trp 42" or "trip #42").
func findTripCode(s string) string {
	if m := reTripCode.FindString(s); m != "" {
		if code, ok := fleet.ParseTripCode(m); ok {
			return code
		}
	}
	if g := reTripWord.FindStringSubmatch(s); g != nil {
		if code, ok := fleet.ParseTripCode(g[1]); ok {
			return code
		}
	}
	return ""
}

// findPoint returns "lat,lng" when s holds a coordinate pair.
func findPoint(s string) string {
	g := rePoint.FindStringSubmatch(s)
	if g == nil {
		return ""
	}
	p, err := fleet.ParsePoint(g[1] + "," + g[2])
	if err != nil {
		return ""
	}
	return strconv.FormatFloat(p.Lat, 'f', -1, 64) + "," + strconv.FormatFloat(p.Lng, 'f', -1, 64)
}

// findRadius returns the radius in km named in s ("5 km", "500 m"), or 0.
func findRadius(s string) float64 {
	if g := reRadius.FindStringSubmatch(s); g != nil {
		v, err := strconv.ParseFloat(g[1], 64)
		if err == nil && v > 0 {
			return v
		}
	}
	if g := reRadiusM.FindStringSubmatch(s); g != nil {
		v, err := strconv.ParseFloat(g[1], 64)
		if err == nil && v > 0 {
			return v / 1000
		}
	}
	return 0
}

// findContainer returns an ISO 6346 container number in s ("MSCU1234567"), upper case.
func findContainer(s string) string {
	for _, m := range reContainer.FindAllString(s, -1) {
		if isContainer(m) {
			return strings.ToUpper(strings.ReplaceAll(m, " ", ""))
		}
	}
	return ""
}

// isContainer reports whether s looks like a container number: owner code of four letters
// ending in U, J or Z, then six or seven digits.
func isContainer(s string) bool {
	s = strings.ToUpper(strings.ReplaceAll(s, " ", ""))
	if len(s) < 10 {
		return false
	}
	c := s[3]
	return c == 'U' || c == 'J' || c == 'Z'
}

func allDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// hasWord reports whether lower-case text contains any of the phrases as whole words.
func hasWord(text string, phrases ...string) bool {
	for _, p := range phrases {
		for i := 0; ; {
			j := strings.Index(text[i:], p)
			if j < 0 {
				break
			}
			j += i
			end := j + len(p)
			if (j == 0 || !isWordByte(text[j-1])) && (end == len(text) || !isWordByte(text[end])) {
				return true
			}
			i = j + 1
		}
	}
	return false
}

func isWordByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= '0' && b <= '9' || b == '_' || b >= 0x80
}

// cleanPhrase trims punctuation, politeness and filler from a site or place phrase.
func cleanPhrase(s string) string {
	s = strings.TrimSpace(s)
	for {
		before := s
		s = strings.Trim(s, " ?!.,;:'\"")
		lower := strings.ToLower(s)
		for _, suffix := range []string{" please", " pls", " right now", " now", " currently", " today", " asap"} {
			if strings.HasSuffix(lower, suffix) {
				s = s[:len(s)-len(suffix)]
				lower = lower[:len(lower)-len(suffix)]
			}
		}
		for _, prefix := range []string{"the ", "site ", "location "} {
			if strings.HasPrefix(lower, prefix) {
				s = s[len(prefix):]
				lower = lower[len(prefix):]
			}
		}
		if s == before {
			return s
		}
	}
}
