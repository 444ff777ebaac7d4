package bot

import (
	"context"
	"regexp"
	"strconv"
	"strings"

	"github.com/watchtower-ops/watchtower/tools"
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
	return []string{CmdTruck, CmdFleet, CmdTrip, CmdNear, CmdSite, CmdSummary, CmdAlerts, CmdWatchtower}
}

// helpLines is the usage of every command, for /watchtower help and bad arguments.
var helpLines = map[string]string{
	CmdTruck: "`/truck T11985LA` — where a truck is now, how fresh the fix is, its trip · `/truck T11985LA maintenance [until 2026-12-10]` · `/truck T11985LA active` · `/truck T11985LA unmute`",
	CmdFleet: "`/fleet [moving|idle|parked|offline|on_trip|maintenance|at_site|unrostered] [site]` — fleet status",
	CmdTrip: "`/trip` — the trip form · `/trip T11985LA from ESSLIBRA to ECLAT at tomorrow 8am` — request a trip · `/trip TRP-0042` — trip details · " +
		"`/trip TRP-0042 at 3pm` / `/trip TRP-0042 to TINCAN` — move it · `/trip cancel TRP-0042 [reason]` — cancel it",
	CmdNear:       "`/near ESSLIBRA|T11985LA|6.45,3.39 [km] [moving|idle|parked|offline|maintenance]` — nearest trucks",
	CmdSite:       "`/site APAPA [T28737LA]` — trucks inside a site now and how long each has waited, the usual dwell there (7 days)",
	CmdSummary:    "`/summary [today|yesterday|2025-11-26]` — the daily summary",
	CmdAlerts:     "`/alerts [open|today|T11985LA|overspeed]` — alert history: open ones, today's, a truck's or a kind's",
	CmdWatchtower: "`/watchtower help|jobs|map|run <job>` — this help, the scheduled jobs, a link to the live fleet map, run a job now (approvers)",
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
	case CmdSite:
		return h.site(ctx, text)
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
		case "moving", "idle", "parked", "offline", "maintenance":
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
