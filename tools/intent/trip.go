package intent

import (
	"encoding/json"
	"strings"
)

// createVerbs are the words that ask for a new trip.
var createVerbs = []string{"create", "book", "schedule", "dispatch", "send", "carry", "move", "take", "plan",
	"arrange", "set up", "setup", "raise", "new trip", "make a trip", "open a trip", "log a trip", "add a trip",
	"add trip", "request a trip", "load", "run", "make una send", "make e go", "make am go", "deploy", "assign"}

// cancelWords ask to cancel a trip by themselves; weakCancelWords only next to a trip ID.
var (
	cancelWords     = []string{"cancel", "cancelled", "canceled", "cancle", "cancell", "cansel", "kansel", "abort", "call off", "scrap", "scratch", "terminate", "void"}
	weakCancelWords = []string{"kill", "drop", "stop", "remove", "delete", "no go again", "forget"}
	updateWords     = []string{"move", "shift", "push", "change", "reschedule", "postpone", "delay", "bring forward", "update", "amend", "instead", "make e go", "make am go", "make e leave", "make e comot", "let it go", "let it leave", "should go", "should leave", "now go", "go to", "edit", "adjust", "leave", "make", "set", "put", "go"}
	threadTripWords = []string{"that trip", "this trip", "the trip", "dis trip", "dat trip", "that one", "this one", "it", "e", "am"}
)

// notSites are words a site phrase never starts with or contains: verbs, pidgin and filler
// ("go", "move", "carry", "abeg", "dey", "now", "sharp").
var notSites = map[string]bool{
	"go": true, "move": true, "carry": true, "take": true, "abeg": true, "dey": true, "now": true, "sharp": true,
	"pls": true, "please": true, "plz": true, "make": true, "una": true, "am": true, "e": true, "wey": true,
	"don": true, "reach": true, "o": true, "oo": true, "ooo": true, "sir": true, "ma": true, "boss": true,
	"send": true, "book": true, "create": true, "schedule": true, "dispatch": true, "trip": true, "asap": true,
	"it": true, "them": true, "there": true, "here": true, "where": true, "instead": true, "again": true,
	"quick": true, "quickly": true, "fast": true, "biko": true, "jare": true, "na": true, "sef": true, "sha": true,
	"abi": true, "kindly": true, "thanks": true, "you": true, "me": true, "us": true, "leave": true, "comot": true,
	"start": true, "load": true, "a": true, "an": true, "be": true, "immediately": true, "urgent": true,
	"urgently": true, "later": true, "soon": true, "tomorrow": true, "today": true, "tonight": true,
	"his": true, "its": true, "their": true, "destination": true, "site": true, "somewhere": true, "this": true,
	"that": true, "he": true, "she": true, "they": true, "we": true, "i": true, "my": true, "our": true,
	"let": true, "should": true, "will": true, "could": true, "would": true, "must": true,
	"arrive": true, "get": true, "reaching": true, "going": true, "heading": true, "run": true, "drive": true,
	"happen": true, "same": true, "work": true, "park": true, "waka": true, "spoil": true, "wia": true, "wetin": true,
}

// siteName returns the site phrase at the start of toks (up to a stop word, a time, a plate),
// or "" when the phrase starts with a word that is never a site.
func siteName(toks []string) string {
	var keep []string
	for _, t := range toks {
		if notSites[lowerTok(t)] {
			break
		}
		keep = append(keep, t)
	}
	return cutAtStop(keep)
}

// isCreate reports whether text asks for a new trip.
func isCreate(lower, text, plate string) bool {
	origin, dest, depart := route(text)
	switch {
	case hasWord(lower, "send me", "send the", "send us", "send report", "run report"):
		return false
	case hasWord(lower, createVerbs...):
		return plate != "" || dest != "" || hasWord(lower, "trip", "trips", "truck", "container")
	case dest != "" && plate != "":
		return origin != "" || depart != ""
	}
	return false
}

// parseCreate reads the arguments of create_trip.
func parseCreate(text, plate string, partial bool) Intent {
	origin, dest, depart := route(text)
	args := map[string]any{
		"truck":          plate,
		"origin":         nullable(origin),
		"destination":    dest,
		"departure_time": depart,
		"container_no":   nullable(findContainer(text)),
		"cargo_type":     nullable(after(text, "carrying", "cargo:", "cargo", "loaded with")),
		"notes":          nullable(after(text, "notes:", "note:", "notes", "note", "remark:", "remarks:")),
	}
	in := finish(CreateTrip, args, Intent{PartialPlate: partial})
	if countPlates(text) > 1 { // one trip per truck: never pick one of several
		in.Missing, in.Question = "truck", "One trip per truck: which truck is this trip for?"
	}
	return in
}

// finish sets the Missing argument and its Question of a trip call: the first of truck,
// destination, origin and departure that is absent or unsettled. flags carries ThreadTrip
// and PartialPlate.
func finish(tool string, args map[string]any, flags Intent) Intent {
	in := call(tool, args)
	in.ThreadTrip, in.PartialPlate = flags.ThreadTrip, flags.PartialPlate
	str := func(k string) string { s, _ := args[k].(string); return s }
	switch tool {
	case CreateTrip:
		switch {
		case str("truck") == "":
			in.Missing, in.Question = "truck", "Which truck? Give its plate, e.g. T28737LA."
		case str("destination") == "":
			in.Missing, in.Question = "destination", "Where to? Give the destination site, e.g. ECLAT."
		case str("origin") == "":
			in.Missing, in.Question = "origin", "Where does "+str("truck")+" start from? e.g. \"from APAPA\"."
		default:
			if q := timeQuestion(str("departure_time")); q != "" {
				in.Missing, in.Question = "departure_time", q
			}
		}
	case UpdateTrip:
		switch {
		case str("trip_id") == "" && !flags.ThreadTrip:
			in.Missing, in.Question = "trip_id", "Which trip? Give its ID, e.g. TRP-0002."
		case str("departure") == "" && str("destination") == "":
			in.Missing, in.Question = "departure", "What should change? e.g. \"at 3pm\" or \"to APAPA\"."
		case str("departure") != "":
			if q := timeQuestion(str("departure")); q != "" {
				in.Missing, in.Question = "departure", q
			}
		}
	case CancelTrip:
		if str("trip_id") == "" && !flags.ThreadTrip {
			in.Missing, in.Question = "trip_id", "Which trip? Give its ID, e.g. TRP-0002."
		}
	}
	return in
}

// timeQuestion is the question to ask about a departure phrase, "" when it is settled.
func timeQuestion(phrase string) string {
	if phrase == "" {
		return "When should it leave? e.g. \"tomorrow 8am\" or \"tonight 9pm\"."
	}
	m, ok := parseMoment(strings.ToLower(phrase), fixedNow, fixedNow.Location())
	if !ok {
		return "When should it leave? e.g. \"tomorrow 8am\" or \"tonight 9pm\"."
	}
	return m.question(phrase)
}

// parseTripChange reads a request to cancel or change an existing trip: one with a trip ID,
// or "that trip" (the thread's).
func parseTripChange(text, lower, code, plate string) (Intent, bool) {
	thread := code == "" && plate == "" && refersToThread(lower)
	question := strings.HasSuffix(strings.TrimSpace(lower), "?") ||
		hasWord(lower, "is", "was", "has", "did", "why", "who", "when", "how", "wetin", "what") && !hasWord(lower, "cancel", "abeg", "pls", "please")
	cancel := !question && (hasWord(lower, cancelWords...) || code != "" && hasWord(lower, weakCancelWords...))
	switch {
	case cancel && hasWord(lower, "alert", "alerts", "alarm", "notification", "notifications"):
		return Intent{}, true // not a trip: out of scope
	case cancel && code == "" && plate != "":
		return finish(CancelTrip, map[string]any{"trip_id": "", "reason": nil}, Intent{}), true
	case cancel && code == "" && !hasWord(lower, "from", "create", "book"):
		return parseCancel(text, "", true), true
	case cancel:
		return parseCancel(text, code, false), true
	case code == "" && !thread, thread && question, thread && hasWord(lower, "from"):
		return Intent{}, false
	}
	return parseUpdate(text, lower, code, thread, false)
}

// refersToThread reports whether lower names the thread's trip ("that trip", "cancel am").
func refersToThread(lower string) bool {
	if hasWord(lower, threadTripWords[:len(threadTripWords)-1]...) {
		return true
	}
	toks := strings.Fields(lower)
	for i, t := range toks { // pidgin "am" (it), not "9 am"
		if lowerTok(t) == "am" && (i == 0 || !allDigits(strings.Trim(toks[i-1], ",.:"))) {
			return true
		}
	}
	return false
}

// parseCancel reads cancel_trip's arguments: the trip and the reason after it.
func parseCancel(text, code string, thread bool) Intent {
	return finish(CancelTrip, map[string]any{"trip_id": code, "reason": nullable(cancelReason(text))}, Intent{ThreadTrip: thread})
}

// cancelReason returns what follows the trip ("cancel TRP-0003 because truck broke down").
func cancelReason(text string) string {
	rest := text
	if loc := reTripCode.FindStringIndex(rest); loc != nil {
		rest = rest[loc[1]:]
	} else if loc := reTripWord.FindStringIndex(rest); loc != nil {
		rest = rest[loc[1]:]
	} else {
		rest = afterThreadWord(text)
	}
	toks := strings.Fields(strings.Trim(strings.TrimSpace(rest), ",.;:-–!"))
	for len(toks) > 0 {
		switch lowerTok(toks[0]) {
		case "because", "cos", "coz", "bcos", "bc", "as", "since", "reason", "due", "to", "for", "-", "abeg", "pls", "please", "o", "oo", "sir",
			"cancel", "cancelled", "canceled", "trip", "it", "am", "is", "has", "been", "was", "abort", "kill", "drop", "scrap":
			toks = toks[1:]
			continue
		}
		break
	}
	for len(toks) > 0 && fillerEnd[lowerTok(toks[len(toks)-1])] {
		toks = toks[:len(toks)-1]
	}
	return strings.Trim(strings.Join(toks, " "), " ,.;:!")
}

// afterThreadWord returns the text after "that trip", "it" or "am", or "".
func afterThreadWord(text string) string {
	toks := strings.Fields(text)
	for i, t := range toks {
		low := lowerTok(t)
		if low == "trip" || low == "it" || low == "am" || low == "one" {
			return strings.Join(toks[i+1:], " ")
		}
	}
	return ""
}

// fillerEnd are politeness words dropped from the end of a reason.
var fillerEnd = map[string]bool{"abeg": true, "pls": true, "please": true, "o": true, "oo": true, "sir": true, "thanks": true, "biko": true}

// parseUpdate reads update_trip's arguments: a new departure ("move TRP-0002 to 3pm",
// "TRP-0002 at 21:00") and/or a new destination ("change TRP-0002 destination to APAPA").
func parseUpdate(text, lower, code string, thread, command bool) (Intent, bool) {
	verb := command || hasWord(lower, updateWords...)
	toks := strings.Fields(reTripCode.ReplaceAllString(text, " "))
	depart := timePhrase(toks, -1, -1)
	dest := ""
	for i, t := range toks {
		low := lowerTok(t)
		if (low == "to" || low == "go" || low == "destination") && i+1 < len(toks) && !isTimeStart(toks, i+1) && !isBareHour(lowerTok(toks[i+1])) {
			if d := siteName(toks[i+1:]); d != "" && lowerTok(toks[i+1]) != "to" {
				dest = d
			}
		}
	}
	if dest != "" && strings.EqualFold(dest, depart) {
		dest = ""
	}
	if bare := trailingBareHour(toks); depart == "" && bare != "" && verb {
		depart = bare // "push TRP-0010 to 9": asked as "9am or 9pm?"
	}
	switch {
	case !verb && (depart == "" || !startsTimeAfterCode(text)) && dest == "":
		return Intent{}, false
	case !verb && dest != "" && depart == "":
		return Intent{}, false
	case depart == "" && dest == "" && !hasWord(lower, "change", "amend", "edit", "move", "shift", "reschedule"):
		return Intent{}, false
	}
	args := map[string]any{"trip_id": code, "departure": nullable(depart), "destination": nullable(dest)}
	return finish(UpdateTrip, args, Intent{ThreadTrip: thread}), true
}

// startsTimeAfterCode reports whether a time follows the trip ID ("TRP-0002 at 21:00").
func startsTimeAfterCode(text string) bool {
	loc := reTripCode.FindStringIndex(text)
	if loc == nil {
		return false
	}
	toks := strings.Fields(text[loc[1]:])
	return len(toks) > 0 && (isTimeStart(toks, 0) || lowerTok(toks[0]) == "to" && len(toks) > 1 && isTimeStart(toks, 1))
}

// trailingBareHour returns the bare hour after "to", "at" or "by" ("push it to 9"), or "".
func trailingBareHour(toks []string) string {
	for i := 0; i+1 < len(toks); i++ {
		switch lowerTok(toks[i]) {
		case "to", "at", "by", "for":
			if h := lowerTok(toks[i+1]); isBareHour(h) {
				return h
			}
		}
	}
	return ""
}

// decode reads in's arguments as a map.
func decode(in Intent) map[string]any {
	args := map[string]any{}
	if len(in.Args) > 0 {
		if err := json.Unmarshal(in.Args, &args); err != nil {
			return map[string]any{}
		}
	}
	return args
}
