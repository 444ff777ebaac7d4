package intent

import (
	"strings"
)

// Continue merges reply, the dispatcher's answer in the same thread to pending's Question
// ("9pm", "from Apapa", "ESSLIBRA", "TRP-0002"), into the pending request and returns it,
// complete or with the next question. A reply that is a request of its own ("where is
// T11985LA", "cancel TRP-0002") is parsed on its own instead; a reply that answers nothing
// returns pending unchanged, so the caller asks again. It is pure, like Parse.
func Continue(pending Intent, reply string) Intent {
	reply = strings.TrimSpace(reMention.ReplaceAllString(reply, " "))
	fresh := Parse(reply)
	if pending.Tool == "" || pending.Missing == "" || isRequest(fresh, reply) && fresh.Tool != pending.Tool ||
		fresh.Tool != "" && len(strings.Fields(reply)) > 4 {
		return fresh
	}
	args := decode(pending)
	flags := Intent{ThreadTrip: pending.ThreadTrip, PartialPlate: pending.PartialPlate}
	if !merge(pending, args, &flags, reply) {
		if fresh.Tool != "" {
			return fresh
		}
		return pending
	}
	return finish(pending.Tool, args, flags)
}

// isRequest reports whether the reply, parsed as fresh, is a request of its own rather than
// an answer: it changes a trip or asks a question ("where is T28737LA").
func isRequest(fresh Intent, reply string) bool {
	lower := strings.ToLower(reply)
	if fresh.Tool == UpdateTrip && fresh.ThreadTrip { // "make am 9pm": about the pending request
		return false
	}
	return writes(fresh.Tool) || fresh.Tool != "" && (hasWord(lower, whereWords...) || hasWord(lower, summaryWords...) ||
		hasWord(lower, statusWords...) || hasWord(lower, nearWords...) || hasWord(lower, etaWords...))
}

// writes reports whether tool changes something.
func writes(tool string) bool { return tool == CreateTrip || tool == CancelTrip || tool == UpdateTrip }

// merge fills args with what reply says and reports whether it said anything that fits.
func merge(pending Intent, args map[string]any, flags *Intent, reply string) bool {
	lower := strings.ToLower(reply)
	toks := strings.Fields(reply)
	changed := false
	set := func(k, v string) {
		if v != "" {
			args[k], changed = v, true
		}
	}
	if code := findTripCode(reply); code != "" && pending.Tool != CreateTrip {
		set("trip_id", code)
		flags.ThreadTrip = false
	}
	if pending.Tool == CreateTrip {
		if plate := findPlate(reply); plate != "" {
			set("truck", plate)
			flags.PartialPlate = false
		} else if d := findDigitsPlate(reply, true); d != "" && pending.Missing == "truck" {
			set("truck", d)
			flags.PartialPlate = true
		}
	}
	origin, dest, when := route(reply)
	if pending.Tool == CreateTrip {
		set("origin", origin)
	}
	set("destination", dest)
	timeKey := "departure_time"
	if pending.Tool == UpdateTrip {
		timeKey = "departure"
	}
	if pending.Tool != CancelTrip {
		old, _ := args[timeKey].(string)
		if part := partOnly(lower); part != "" && pending.Missing == timeKey {
			set(timeKey, applyPart(old, part))
		} else if when != "" || pending.Missing == timeKey && isClockOnly(toks) {
			if when == "" {
				when = reply
			}
			set(timeKey, mergeTime(old, when))
		}
	}
	if !changed && (pending.Missing == "origin" || pending.Missing == "destination" || pending.Missing == "departure") {
		if site := bareSite(toks); site != "" {
			key := pending.Missing
			if key == "departure" {
				key = "destination"
			}
			set(key, site)
		}
	}
	if pending.Tool == CancelTrip && !changed && pending.Missing == "" {
		set("reason", strings.TrimSpace(reply))
	}
	return changed
}

// partOnly returns "am", "pm" or a day part when the reply is only that ("pm", "night",
// "for evening"), else "".
func partOnly(lower string) string {
	toks := strings.Fields(strings.NewReplacer(".", "", "!", "", ",", "").Replace(lower))
	var out string
	for _, t := range toks {
		switch {
		case t == "am" || t == "pm":
			out = t
		case dayParts[t] != "":
			out = dayParts[t]
		case fillers[t] || t == "in" || t == "the" || t == "o" || t == "oo":
		default:
			return ""
		}
	}
	return out
}

// applyPart settles the bare hour of old with part: "tomorrow 9" + "pm" is "tomorrow 9pm".
func applyPart(old, part string) string {
	toks := strings.Fields(old)
	for i, t := range toks {
		if isBareHour(lowerTok(t)) {
			if part == "am" || part == "pm" {
				toks[i] = lowerTok(t) + part
			} else {
				toks[i] = lowerTok(t) + " " + map[string]string{"morning": "morning", "afternoon": "afternoon", "evening": "evening", "night": "night"}[part]
			}
			return strings.Join(toks, " ")
		}
	}
	return old
}

// isClockOnly reports whether toks are a time of day alone ("9", "at 21:00", "9 o'clock").
func isClockOnly(toks []string) bool {
	seen := false
	for _, t := range toks {
		low := lowerTok(t)
		if _, _, ok := clock(low); ok {
			seen = true
			continue
		}
		if !fillers[low] && low != "am" && low != "pm" && low != "sharp" {
			return false
		}
	}
	return seen
}

// mergeTime combines the departure already given with the reply's: a reply naming a day or
// a relative time replaces it; a time of day replaces only its clock ("at 9 tomorrow" +
// "9pm" is "tomorrow 9pm").
func mergeTime(old, reply string) string {
	m, ok := parseMoment(strings.ToLower(reply), fixedNow, fixedNow.Location())
	if old == "" || !ok || m.hasRel || !m.day.IsZero() {
		return reply
	}
	var keep []string
	toks := strings.Fields(old)
	for i, t := range toks {
		low := lowerTok(t)
		_, month := months[low]
		nearMonth := i > 0 && months[lowerTok(toks[i-1])] != 0 || i+1 < len(toks) && months[lowerTok(toks[i+1])] != 0
		_, _, isClock := clock(low)
		switch {
		case month || nearMonth && reOrdinal.MatchString(low):
			keep = append(keep, t)
		case isClock || fillers[low] || low == "am" || low == "pm":
		default:
			keep = append(keep, t)
		}
	}
	return strings.TrimSpace(strings.Join(keep, " ") + " " + reply)
}

// bareSite reads a reply that is only a site ("ESSLIBRA", "na Apapa", "at tin can").
func bareSite(toks []string) string {
	for len(toks) > 0 {
		switch lowerTok(toks[0]) {
		case "from", "to", "at", "na", "e", "go", "start", "starts", "the", "it", "dey", "abeg", "pls", "please":
			toks = toks[1:]
			continue
		}
		break
	}
	if len(toks) == 0 || len(toks) > 4 {
		return ""
	}
	return siteName(toks)
}

// InThread fills the trip of a request about "that trip" with tripID, the trip of the thread
// the message was posted in, or asks which trip when tripID is "" (not in a trip's thread).
// Other intents are returned as they are.
func (i Intent) InThread(tripID string) Intent {
	if !i.ThreadTrip || i.Tool != CancelTrip && i.Tool != UpdateTrip {
		return i
	}
	args := decode(i)
	args["trip_id"] = tripID
	flags := Intent{ThreadTrip: tripID != "", PartialPlate: i.PartialPlate}
	return finish(i.Tool, args, flags)
}
