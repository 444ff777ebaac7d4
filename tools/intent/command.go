package intent

import (
	"strconv"
	"strings"

	"github.com/watchtower-ops/watchtower/fleet"
)

// parseCommand reads the slash commands of the console and Slack ("/truck T11985LA").
func parseCommand(text string) (Intent, bool) {
	if !strings.HasPrefix(text, "/") {
		return Intent{}, false
	}
	cmd, rest, _ := strings.Cut(text, " ")
	rest = strings.TrimSpace(rest)
	switch strings.ToLower(cmd) {
	case "/truck":
		in := call(TruckLocation, map[string]any{"truck": rest})
		if rest == "" {
			in.Missing = "truck"
		}
		return in, true
	case "/fleet":
		return commandFleet(rest), true
	case "/trip":
		return commandTrip(rest), true
	case "/near":
		return commandNear(rest), true
	case "/site":
		return commandSite(rest), true
	case "/alerts":
		return commandAlerts(rest), true
	case "/summary":
		return call(DailySummary, map[string]any{"date": nullable(rest)}), true
	}
	return Intent{}, false
}

// commandFleet reads "/fleet [filter|site]".
func commandFleet(rest string) Intent {
	low := strings.ToLower(strings.ReplaceAll(rest, "-", "_"))
	switch low {
	case "", "all":
		return call(FleetStatus, map[string]any{"filter": nil, "site": nil})
	case "moving", "idle", "parked", "offline", "on_trip", "maintenance", "at_site", "unrostered":
		return call(FleetStatus, map[string]any{"filter": low, "site": nil})
	}
	if f := filterOf(low); f != "" {
		return call(FleetStatus, map[string]any{"filter": f, "site": nil})
	}
	return call(FleetStatus, map[string]any{"filter": "at_site", "site": cleanPhrase(strings.TrimPrefix(low, "at "))})
}

// commandTrip reads "/trip <trip-id>", "/trip <plate>", "/trip <plate> from A to B at T",
// "/trip cancel <trip-id> [reason]", "/trip <trip-id> at <time>" and "/trip <trip-id> to <site>".
func commandTrip(rest string) Intent {
	if rest == "" {
		return Intent{}
	}
	first := strings.ToLower(strings.Fields(rest)[0])
	code := findTripCode(rest)
	switch {
	case first == "cancel":
		return parseCancel(rest, code, false)
	case code != "" && len(strings.Fields(rest)) > 1:
		if in, ok := parseUpdate(rest, strings.ToLower(rest), code, false, true); ok {
			return in
		}
		return finish(UpdateTrip, map[string]any{"trip_id": code, "departure": nil, "destination": nil}, Intent{})
	case code != "" || len(strings.Fields(rest)) == 1:
		if code == "" {
			code = rest
		}
		return call(TripDetails, map[string]any{"trip_id_or_truck": code})
	}
	plate := findPlate(rest)
	partial := false
	if plate == "" {
		plate = fleet.NormalizePlate(strings.Fields(rest)[0])
		partial = allDigits(plate)
	}
	return parseCreate(rest, plate, partial)
}

// commandNear reads "/near <site|plate|lat,lng> [km]".
func commandNear(rest string) Intent {
	toks := strings.Fields(rest)
	var radius any
	if n := len(toks); n > 1 {
		if v, err := strconv.ParseFloat(strings.TrimSuffix(strings.ToLower(toks[n-1]), "km"), 64); err == nil && v > 0 {
			radius, toks = v, toks[:n-1]
		} else if r := findRadius(strings.Join(toks[n-2:], " ")); r > 0 {
			radius, toks = r, toks[:n-2]
		}
	}
	near := strings.Join(toks, " ")
	in := call(NearbyTrucks, map[string]any{"near": near, "radius_km": radius, "status": nil})
	if near == "" {
		in.Missing = "near"
	}
	return in
}
