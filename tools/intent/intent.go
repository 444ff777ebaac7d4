// Package intent is Watch Tower's offline intent parser: it turns a dispatcher's free text
// ("where is T 11985 LA?", "abeg book T28737LA from tincan to eclat tonight 9", "cancel
// TRP-0002", "move TRP-0002 to 3pm", "who is near Apapa") into a call of one of the fleet
// functions with arguments in the function's JSON shape, or into the one short question to
// ask first. It answers when there is no model, or the model is down.
//
// It only reads text and never guesses: plates are normalised but not looked up (digits
// alone are passed as written and marked partial), sites and times are passed on as written
// and the functions resolve them (fuzzy sites, times in Lagos with ParseTime); a bare hour
// without am/pm, a missing origin or a word that is not a site is asked. Continue merges the
// answer to that question into the pending request. It is pure: no I/O, no clock, no logging.
//
// It imports fleet only, never tools' callers or store.
package intent

import (
	"encoding/json"
	"regexp"
	"strings"
)

// Function names, equal to the fleet functions' names in package tools.
const (
	TruckLocation = "get_truck_location"
	CreateTrip    = "create_trip"
	FleetStatus   = "get_fleet_status"
	TripDetails   = "get_trip_details"
	DailySummary  = "get_daily_summary"
	NearbyTrucks  = "find_nearby_trucks"
	CancelTrip    = "cancel_trip"
	UpdateTrip    = "update_trip"
	// ListAlerts (alerts.go) is the alert history.
)

// Intent is what the parser understood: a function and its arguments, or the one short
// question to ask before the call can be made.
type Intent struct {
	// Tool is the function to call, "" when the text was not understood.
	Tool string
	// Args are the function's arguments as JSON, in its schema's field names; optional
	// arguments the text did not give are null. When Missing is set they hold what was
	// understood so far, so Continue can complete them.
	Args json.RawMessage
	// Missing names the argument the dispatcher still has to give ("truck", "origin",
	// "destination", "departure_time", "trip_id", "departure"), "" when the call is complete.
	// Tool is set when Missing is.
	Missing string
	// Question is the one short question to ask when Missing is set ("9am or 9pm?").
	Question string
	// ThreadTrip says the trip is "that trip": the trip of the thread the message was posted
	// in. trip_id is then empty and the caller fills it in (or asks which trip).
	ThreadTrip bool
	// PartialPlate says the truck is written as digits only ("28737"), passed as written: the
	// function resolves it, and asks which truck when the digits fit more than one.
	PartialPlate bool
}

// Understood reports whether the intent is a complete function call.
func (i Intent) Understood() bool { return i.Tool != "" && i.Missing == "" }

// Help is the one-line answer for text the parser does not understand.
const Help = "I can locate trucks, create, move or cancel trips, and give fleet status, trip progress, " +
	"nearby trucks, site queues, alerts and daily summaries, e.g. \"where is T28737LA\"."

var (
	nearWords    = []string{"near", "nearby", "around", "close to", "closest", "nearest", "next to", "within", "vicinity", "proximity", "in the area of", "radius", "dey close", "close by"}
	tripWords    = []string{"eta", "arrive", "arrival", "arriving", "arrived", "trip", "progress", "how far", "destination", "delivery", "deliver", "delivered", "when will", "heading", "going", "on time", "late", "reach", "reached", "offload", "offloaded", "how long"}
	etaWords     = []string{"eta", "arrive", "arrival", "arriving", "arrived", "how far", "when will", "when", "on time", "late", "delivered", "offloaded", "how long", "destination", "trip", "progress"}
	summaryWords = []string{"summary", "summry", "sumary", "report", "digest", "kpi", "kpis", "how did we do", "how did we", "how we do", "how did the fleet", "how was", "numbers", "stats", "statistics", "performance", "perform", "on-time", "turnaround", "utilisation", "utilization", "recap", "overview of the day", "wetin happen", "what happened", "wetin we do", "how the day go", "how today go", "how yesterday go", "how many trips", "trips completed", "completed trips", "trips did we"}
	statusWords  = []string{"fleet", "status", "overview", "how many trucks", "how many motors", "all trucks", "which trucks", "what trucks", "list trucks", "list the trucks", "trucks list", "connectivity", "roll call", "dashboard", "all the trucks", "our trucks", "how many of our", "which motors", "how many vehicles"}
	whereWords   = []string{"where", "wia", "weh", "wer", "location", "locate", "find", "position", "track", "gps", "coordinates", "whereabouts", "last seen", "map", "which place", "wey side", "which side", "side wey"}
)

// filterWords map fleet-status filters to the words dispatchers use for them.
var filterWords = []struct {
	filter string
	words  []string
}{
	{"on_trip", []string{"on trip", "on a trip", "on trips", "busy", "on delivery", "on the road with", "assigned", "dey work", "working"}},
	{"maintenance", []string{"maintenance", "workshop", "repair", "repairs", "broken down", "under repair", "mechanic", "spoil", "spoilt"}},
	{"unrostered", []string{"unrostered", "not in the roster", "unregistered", "unknown trucks", "not rostered"}},
	{"offline", []string{"offline", "not reporting", "no signal", "disconnected", "lost signal", "dark", "off the grid", "no gps", "no dey report", "not sending", "no network"}},
	{"moving", []string{"moving", "driving", "in motion", "on the move", "en route", "dey move", "dey drive", "dey go", "on the road", "in transit"}},
	{"idle", []string{"idle", "idling", "dey idle"}},
	{"parked", []string{"parked", "stationary", "stopped", "dey park", "packed"}},
}

var reAtSite = regexp.MustCompile(`(?i)\b(?:at|in|inside|dey)\s+([A-Za-z][A-Za-z0-9 '&.-]{1,60})`)

// Parse reads one message. It never fails: text it does not understand gives an Intent with
// an empty Tool (answer with Help), and a recognised request lacking something gives Missing
// and the Question to ask. It never fills an argument by guessing.
func Parse(text string) Intent {
	text = strings.TrimSpace(reMention.ReplaceAllString(text, " "))
	if in, ok := parseCommand(text); ok {
		return in
	}
	lower := strings.ToLower(text)
	code := findTripCode(text)
	plate, partial := findPlate(text), false
	if plate == "" && code == "" {
		plate = findDigitsPlate(text, hasWord(lower, whereWords...) || hasWord(lower, createVerbs...))
		partial = plate != ""
	}
	if in, ok := parseTripChange(text, lower, code, plate); ok {
		return in
	}
	if in, ok := parseSiteWait(text, lower, plate); ok && code == "" && !isCreate(lower, text, plate) {
		return withPartial(in, partial)
	}
	switch {
	case isCreate(lower, text, plate):
		return parseCreate(text, plate, partial)
	case code == "" && !partial && isAlertQuery(lower):
		return parseAlerts(text, plate)
	case code == "" && isAlertAct(lower):
		return Intent{} // the alert buttons and /truck … unmute act on alerts, never a guess from text
	case code != "":
		return call(TripDetails, map[string]any{"trip_id_or_truck": code})
	case hasWord(lower, nearWords...) && !hasWord(lower, "nearest site", "closest site"):
		return parseNearby(text, plate)
	case plate != "" && hasWord(lower, whereWords...) && !hasWord(lower, etaWords...):
		return withPartial(call(TruckLocation, map[string]any{"truck": plate}), partial)
	case plate != "" && hasWord(lower, tripWords...):
		return withPartial(call(TripDetails, map[string]any{"trip_id_or_truck": plate}), partial)
	case plate != "":
		return withPartial(call(TruckLocation, map[string]any{"truck": plate}), partial)
	case hasWord(lower, summaryWords...):
		return call(DailySummary, map[string]any{"date": nullable(findDate(text))})
	case isStatus(lower, text):
		return parseStatus(text)
	}
	return Intent{}
}

// isStatus reports whether text asks about the fleet's state.
func isStatus(lower, text string) bool {
	return hasWord(lower, statusWords...) || filterOf(lower) != "" ||
		siteOf(text) != "" && hasWord(lower, "truck", "trucks", "who", "anyone", "anybody", "vehicles", "motors", "motor")
}

// withPartial marks in's truck as written by its digits only when partial is set.
func withPartial(in Intent, partial bool) Intent {
	in.PartialPlate = partial
	return in
}

// parseNearby reads the arguments of find_nearby_trucks.
func parseNearby(text, plate string) Intent {
	near := findPoint(text)
	if near == "" {
		near = plate
	}
	if near == "" {
		near = nearPhrase(text)
	}
	var radius any
	if r := findRadius(text); r > 0 {
		radius = r
	}
	var status any
	if f := filterOf(strings.ToLower(text)); f == "moving" || f == "idle" || f == "parked" || f == "offline" {
		status = f
	}
	in := call(NearbyTrucks, map[string]any{"near": near, "radius_km": radius, "status": status})
	if near == "" {
		in.Missing = "near"
	}
	return in
}

// parseStatus reads the arguments of get_fleet_status.
func parseStatus(text string) Intent {
	lower := strings.ToLower(text)
	site := siteOf(text)
	filter := filterOf(lower)
	if site != "" && filter == "" { // who is at a site: its queue, with how long each has waited
		return call(SiteStatus, map[string]any{"site": site, "truck": nil})
	}
	return call(FleetStatus, map[string]any{"filter": nullable(filter), "site": nullable(site)})
}

// filterOf returns the fleet-status filter the words of lower name, or "".
func filterOf(lower string) string {
	for _, f := range filterWords {
		if hasWord(lower, f.words...) {
			return f.filter
		}
	}
	return ""
}

// siteOf returns the place in "trucks at ESSLIBRA" or "who is in Apapa port", or "".
func siteOf(text string) string {
	g := reAtSite.FindStringSubmatch(text)
	if g == nil {
		return ""
	}
	phrase := siteName(strings.Fields(g[1]))
	if phrase == "" || isTimeStart(strings.Fields(phrase), 0) || filterOf(strings.ToLower(phrase)) != "" {
		return ""
	}
	switch strings.ToLower(phrase) {
	case "the moment", "all", "total", "the fleet", "fleet", "a site", "site", "sites", "any site":
		return ""
	}
	return phrase
}

// call builds an Intent for tool with args.
func call(tool string, args map[string]any) Intent {
	b, err := json.Marshal(args)
	if err != nil { // maps of strings, numbers and nil always marshal
		return Intent{}
	}
	return Intent{Tool: tool, Args: b}
}

// nullable maps "" to JSON null.
func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}
