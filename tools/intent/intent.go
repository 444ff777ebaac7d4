// Package intent is Watch Tower's offline intent parser: it turns a dispatcher's free text
// ("where is T 11985 LA?", "create trip for T28737LA from ESSLIBRA to ECLAT tomorrow 8am", "who
// is near Apapa") into a call of one of the six fleet functions with arguments in the
// function's JSON shape. It answers when there is no model, or the model is down.
//
// It only reads text: plates are normalised but not looked up, sites and times are passed on
// as written, and the functions resolve them (fuzzy sites, times in Lagos with ParseTime). It
// is pure: no I/O, no clock, no logging.
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
)

// Intent is what the parser understood: a function and its arguments.
type Intent struct {
	// Tool is the function to call, "" when the text was not understood.
	Tool string
	// Args are the function's arguments as JSON, in its schema's field names; optional
	// arguments the text did not give are null.
	Args json.RawMessage
	// Missing names the argument the dispatcher still has to give ("truck", "destination",
	// "departure_time"), "" when the call is complete. Tool is set when Missing is.
	Missing string
}

// Understood reports whether the intent is a complete function call.
func (i Intent) Understood() bool { return i.Tool != "" && i.Missing == "" }

// Help is the short answer for text the parser does not understand.
const Help = "I can answer these without the model:\n" +
	"• where is T11985LA\n" +
	"• create trip for T28737LA from ESSLIBRA to ECLAT tomorrow 8am\n" +
	"• fleet status / which trucks are offline / trucks at ESSLIBRA\n" +
	"• status of TRP-0042 / ETA of T11985LA\n" +
	"• today's summary / summary for yesterday\n" +
	"• who is near Apapa / trucks within 5 km of 6.45,3.39"

// MissingHelp returns the question to ask when an intent lacks an argument.
func MissingHelp(in Intent) string {
	switch in.Missing {
	case "truck":
		return "Which truck? e.g. \"create trip for T28737LA from ESSLIBRA to ECLAT tomorrow 8am\""
	case "destination":
		return "Where to? e.g. \"create trip for T28737LA from ESSLIBRA to ECLAT tomorrow 8am\""
	case "departure_time":
		return "When should it leave? Add a time such as \"tomorrow 8am\", \"today 14:30\", \"in 3 hours\" or \"Monday 7:30\"."
	}
	return Help
}

var (
	createWords  = []string{"create", "book", "schedule", "new trip", "dispatch", "plan", "arrange", "set up", "setup", "raise", "make a trip", "open a trip", "log a trip", "add a trip", "add trip", "request a trip", "send"}
	nearWords    = []string{"near", "nearby", "around", "close to", "closest", "nearest", "next to", "within", "vicinity", "proximity", "in the area of", "radius"}
	tripWords    = []string{"eta", "arrive", "arrival", "arriving", "trip", "progress", "how far", "destination", "delivery", "deliver", "when will", "heading", "going", "on time", "late", "reach"}
	summaryWords = []string{"summary", "report", "digest", "kpi", "kpis", "how did we do", "how was", "numbers", "stats", "statistics", "performance", "on-time", "on time", "turnaround", "utilisation", "utilization", "recap", "overview of the day"}
	statusWords  = []string{"fleet", "status", "overview", "how many trucks", "all trucks", "which trucks", "what trucks", "list trucks", "list the trucks", "trucks list", "connectivity", "roll call", "dashboard"}
	whereWords   = []string{"where", "location", "locate", "find", "position", "track", "gps", "coordinates", "whereabouts", "last seen", "map"}
)

// filterWords map fleet-status filters to the words dispatchers use for them.
var filterWords = []struct {
	filter string
	words  []string
}{
	{"on_trip", []string{"on trip", "on a trip", "on trips", "busy", "on delivery", "on the road with", "assigned"}},
	{"maintenance", []string{"maintenance", "workshop", "repair", "repairs", "broken down", "under repair"}},
	{"unrostered", []string{"unrostered", "not in the roster", "unregistered", "unknown trucks", "not rostered"}},
	{"offline", []string{"offline", "not reporting", "no signal", "disconnected", "lost signal", "dark", "off the grid", "no gps"}},
	{"moving", []string{"moving", "driving", "in motion", "on the move", "en route"}},
	{"idle", []string{"idle", "idling"}},
	{"parked", []string{"parked", "stationary", "stopped"}},
}

var reAtSite = regexp.MustCompile(`(?i)\b(?:at|in|inside)\s+([A-Za-z][A-Za-z0-9 '&.-]{1,60})`)

// Parse reads one message. It never fails: text it does not understand gives an Intent with
// an empty Tool (answer with Help), and a recognised request lacking something gives Missing.
func Parse(text string) Intent {
	text = strings.TrimSpace(reMention.ReplaceAllString(text, " "))
	if in, ok := parseCommand(text); ok {
		return in
	}
	lower := strings.ToLower(text)
	plate := findPlate(text)
	if plate == "" {
		plate = findDigitsPlate(text, hasWord(lower, whereWords...))
	}
	code := findTripCode(text)
	switch {
	case isCreate(lower, text, plate):
		return parseCreate(text, plate)
	case code != "":
		return call(TripDetails, map[string]any{"trip_id_or_truck": code})
	case hasWord(lower, nearWords...) && !hasWord(lower, "nearest site", "closest site"):
		return parseNearby(text, plate)
	case plate != "" && hasWord(lower, tripWords...):
		return call(TripDetails, map[string]any{"trip_id_or_truck": plate})
	case plate != "":
		return call(TruckLocation, map[string]any{"truck": plate})
	case hasWord(lower, summaryWords...):
		return call(DailySummary, map[string]any{"date": nullable(findDate(text))})
	case hasWord(lower, statusWords...) || filterOf(lower) != "" || siteOf(text) != "" && hasWord(lower, "truck", "trucks", "who", "anyone", "anybody", "vehicles"):
		return parseStatus(text)
	}
	return Intent{}
}

// isCreate reports whether text asks for a new trip.
func isCreate(lower, text, plate string) bool {
	_, dest, _ := route(text)
	switch {
	case hasWord(lower, "send me", "send the", "send us"):
		return false
	case hasWord(lower, createWords...):
		return plate != "" || hasWord(lower, "trip", "trips", "truck", "load", "container") || dest != ""
	case dest != "" && plate != "" && hasWord(lower, "from"):
		return true
	}
	return false
}

// parseCreate reads the arguments of create_trip.
func parseCreate(text, plate string) Intent {
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
	in := call(CreateTrip, args)
	switch {
	case plate == "":
		in.Missing = "truck"
	case dest == "":
		in.Missing = "destination"
	case depart == "":
		in.Missing = "departure_time"
	}
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
	if site != "" && filter == "" {
		filter = "at_site"
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
	phrase := cutAtStop(strings.Fields(g[1]))
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
