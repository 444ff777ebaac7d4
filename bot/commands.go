package bot

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/watchtower-ops/watchtower/tools"
	"github.com/watchtower-ops/watchtower/tools/intent"
)

// The slash commands of the contract. manifest.yaml declares exactly these.
const (
	CmdTruck      = "/truck"
	CmdFleet      = "/fleet"
	CmdTrip       = "/trip"
	CmdNear       = "/near"
	CmdSummary    = "/summary"
	CmdWatchtower = "/watchtower"
)

// SlashCommands lists the slash commands the router handles.
func SlashCommands() []string {
	return []string{CmdTruck, CmdFleet, CmdTrip, CmdNear, CmdSummary, CmdAlerts, CmdWatchtower}
}

// helpLines is the usage of every command, for /watchtower help and bad arguments.
var helpLines = map[string]string{
	CmdTruck:      "`/truck T11985LA` — where a truck is now, how fresh the fix is, its trip · `/truck T11985LA maintenance [until 2026-12-10]` · `/truck T11985LA active` · `/truck T11985LA unmute`",
	CmdFleet:      "`/fleet [moving|idle|parked|offline|on_trip|maintenance|at_site|unrostered] [site]` — fleet status",
	CmdTrip:       "`/trip` — the trip form · `/trip T11985LA from ESSLIBRA to ECLAT at tomorrow 8am` — request a trip · `/trip TRP-0042` — trip details",
	CmdNear:       "`/near ESSLIBRA|T11985LA|6.45,3.39 [km] [moving|idle|parked|offline]` — nearest trucks",
	CmdSummary:    "`/summary [today|yesterday|2025-11-26]` — the daily summary",
	CmdAlerts:     "`/alerts [open|today|T11985LA|overspeed]` — alert history: open ones, today's, a truck's or a kind's",
	CmdWatchtower: "`/watchtower help|jobs|run <job>` — this help, the scheduled jobs, run a job now (approvers)",
}

// Command answers a slash command typed by caller with its text (as Slack sends it, entities
// escaped). Bad arguments get usage help; failures get a friendly line.
func (h *Handler) Command(ctx context.Context, caller tools.Caller, command, text string) Reply {
	ctx, cancel := context.WithTimeout(ctx, h.timeout)
	defer cancel()
	text = strings.TrimSpace(unescaper.Replace(text))
	if strings.EqualFold(text, "help") && command != CmdWatchtower {
		return usage(helpLines[command])
	}
	switch command {
	case CmdTruck:
		if r, ok := h.truckService(ctx, caller, text); ok {
			return r
		}
		return h.truck(ctx, text)
	case CmdFleet:
		return h.fleet(ctx, text)
	case CmdTrip:
		return h.trip(ctx, caller, text)
	case CmdNear:
		return h.near(ctx, text)
	case CmdSummary:
		return h.summary(ctx, text)
	case CmdAlerts:
		return h.alertList(ctx, text)
	case CmdWatchtower:
		return h.watchtower(ctx, caller, text)
	}
	return h.help()
}

func (h *Handler) help() Reply {
	lines := []string{"*Watch Tower* answers questions about the fleet. Mention me or write to me (\"where is T11985LA?\"), or use:"}
	for _, c := range SlashCommands() {
		lines = append(lines, "• "+helpLines[c])
	}
	return usage(lines...)
}

func (h *Handler) truck(ctx context.Context, text string) Reply {
	if text == "" {
		return usage("Which truck? " + helpLines[CmdTruck])
	}
	loc, err := h.lookups.TruckLocation(ctx, text)
	if err != nil {
		return Reply{View: h.problem(ctx, err, "truck location", "plate", text)}
	}
	return Reply{View: h.r.TruckCard(loc), InChannel: true}
}

// fleetFilters maps what people type to get_fleet_status filters.
var fleetFilters = map[string]string{
	"all": "all", "moving": "moving", "idle": "idle", "parked": "parked", "offline": "offline",
	"on_trip": "on_trip", "ontrip": "on_trip", "trip": "on_trip", "maintenance": "maintenance",
	"at_site": "at_site", "unrostered": "unrostered",
}

func (h *Handler) fleet(ctx context.Context, text string) Reply {
	words := strings.Fields(strings.ToLower(text))
	var args tools.FleetStatusArgs
	if len(words) >= 2 && words[0] == "on" && words[1] == "trip" {
		words = append([]string{"on_trip"}, words[2:]...)
	}
	if len(words) > 0 {
		if f, ok := fleetFilters[words[0]]; ok {
			args.Filter, words = &f, words[1:]
		}
	}
	if len(words) > 0 && words[0] == "at" {
		words = words[1:]
	}
	if len(words) > 0 {
		site := strings.Join(words, " ")
		args.Site = &site
	}
	fs, err := h.lookups.FleetStatus(ctx, args)
	if err != nil {
		return Reply{View: h.problem(ctx, err, "fleet status")}
	}
	return Reply{View: h.r.FleetStatus(fs), InChannel: true}
}

var radiusWord = regexp.MustCompile(`^(\d+(?:\.\d+)?)(km)?$`)

func (h *Handler) near(ctx context.Context, text string) Reply {
	words := strings.Fields(text)
	var args tools.NearbyArgs
	var rest []string
	for i := 0; i < len(words); i++ {
		w := strings.ToLower(words[i])
		if m := radiusWord.FindStringSubmatch(w); m != nil && i > 0 {
			r, _ := strconv.ParseFloat(m[1], 64)
			args.RadiusKm = &r
			if i+1 < len(words) && strings.EqualFold(words[i+1], "km") {
				i++
			}
			continue
		}
		switch w {
		case "moving", "idle", "parked", "offline":
			args.Status = &w
			continue
		case "within", "in", "of", "near", "trucks", "truck", "around":
			continue
		}
		rest = append(rest, words[i])
	}
	args.Near = strings.Join(rest, " ")
	if args.Near == "" {
		return usage("Near what? " + helpLines[CmdNear])
	}
	n, err := h.lookups.NearbyTrucks(ctx, args)
	if err != nil {
		return Reply{View: h.problem(ctx, err, "nearby trucks")}
	}
	return Reply{View: h.r.Nearby(n), InChannel: true}
}

func (h *Handler) summary(ctx context.Context, text string) Reply {
	s, err := h.lookups.DailySummary(ctx, text)
	if err != nil {
		return Reply{View: h.problem(ctx, err, "daily summary")}
	}
	return Reply{View: h.r.DailySummary(s), InChannel: true}
}

var (
	tripFromTo  = regexp.MustCompile(`(?i)^(.+?)\s+from\s+(.+?)\s+to\s+(.+)$`)
	tripTo      = regexp.MustCompile(`(?i)^(.+?)\s+to\s+(.+)$`)
	tripWhen    = regexp.MustCompile(`(?i)^(.+?)\s+(?:at|on|departing|leaving|for)\s+(.+)$`)
	tripCont    = regexp.MustCompile(`(?i)\s+container\s+([A-Z]{4}\s?\d{6,7})\b`)
	tripCargo   = regexp.MustCompile(`(?i)\s+cargo\s+(?:"([^"]+)"|(\S+))`)
	tripCodeArg = regexp.MustCompile(`(?i)^(?:TRP[-_ #]?)?\d+$`)
)

// trip opens the form, shows a trip, or requests one from "<plate> from <site> to <site> at
// <time>".
func (h *Handler) trip(ctx context.Context, caller tools.Caller, text string) Reply {
	if text == "" {
		return Reply{OpenForm: true}
	}
	if tripCodeArg.MatchString(text) || !strings.Contains(" "+strings.ToLower(text)+" ", " to ") {
		d, err := h.lookups.TripDetails(ctx, text)
		if err != nil {
			return Reply{View: h.problem(ctx, err, "trip details", "trip_id", text)}
		}
		return Reply{View: h.r.TripDetails(d), InChannel: true}
	}
	args, ok := h.parseTrip(text)
	if !ok {
		return usage("I could not read that trip. " + helpLines[CmdTrip])
	}
	if args.DepartureTime == "" {
		return usage("When should it leave? Add the time, e.g. `/trip " + text + " at tomorrow 8am`.")
	}
	c, err := h.desk.CreateTrip(ctx, args, caller)
	if err != nil {
		return Reply{View: h.problem(ctx, err, "create trip", "plate", args.Truck)}
	}
	return Reply{View: h.r.TripCreated(c), InChannel: true}
}

// parseTrip reads "<plate> [from <site>] to <site> [at <time>] [container X] [cargo Y]".
func (h *Handler) parseTrip(text string) (tools.CreateTripArgs, bool) {
	var a tools.CreateTripArgs
	if m := tripCont.FindStringSubmatch(text); m != nil {
		c := strings.ToUpper(strings.ReplaceAll(m[1], " ", ""))
		a.ContainerNo, text = &c, strings.Replace(text, m[0], "", 1)
	}
	if m := tripCargo.FindStringSubmatch(text); m != nil {
		c := m[1] + m[2]
		a.CargoType, text = &c, strings.Replace(text, m[0], "", 1)
	}
	var dest string
	if m := tripFromTo.FindStringSubmatch(text); m != nil {
		origin := strings.TrimSpace(m[2])
		a.Truck, a.Origin, dest = strings.TrimSpace(m[1]), &origin, m[3]
	} else if m := tripTo.FindStringSubmatch(text); m != nil {
		a.Truck, dest = strings.TrimSpace(m[1]), m[2]
	} else {
		return a, false
	}
	a.Destination, a.DepartureTime = h.splitWhen(strings.TrimSpace(dest))
	return a, a.Truck != "" && a.Destination != ""
}

// splitWhen splits "ECLAT at tomorrow 8am" or "ECLAT tomorrow 8am" into the site and the
// time, keeping the longest trailing phrase that reads as a time.
func (h *Handler) splitWhen(s string) (site, when string) {
	if m := tripWhen.FindStringSubmatch(s); m != nil {
		return strings.TrimSpace(m[1]), strings.TrimSpace(m[2])
	}
	words := strings.Fields(s)
	now := time.Now()
	for i := 1; i < len(words); i++ {
		if _, err := intent.ParseTime(strings.Join(words[i:], " "), now, h.r.Zone); err == nil {
			return strings.Join(words[:i], " "), strings.Join(words[i:], " ")
		}
	}
	return s, ""
}
