package bot

import (
	"context"
	"fmt"
	"strings"

	"github.com/watchtower-ops/watchtower/fleet"
)

// CmdAlerts is the alert history command.
const CmdAlerts = "/alerts"

// AlertHistory reads past and open alerts. *store.Store satisfies it.
type AlertHistory interface {
	// QueryAlerts returns the alerts q selects, newest first, and the next page's cursor.
	QueryAlerts(ctx context.Context, q fleet.AlertQuery) ([]fleet.Alert, int64, error)
}

// alertQuery reads the argument of /alerts: open, today, a kind, or a plate.
func (h *Handler) alertQuery(text string) (fleet.AlertQuery, string) {
	word := strings.ToLower(strings.TrimSpace(text))
	yes := true
	switch {
	case word == "":
		return fleet.AlertQuery{}, "Latest alerts"
	case word == "open":
		return fleet.AlertQuery{Open: &yes}, "Open alerts"
	case word == "today":
		return fleet.AlertQuery{Since: fleet.Day(h.r.now(), h.r.Zone)}, "Alerts today"
	case fleet.ExpandKind(word) != nil:
		return fleet.AlertQuery{Kinds: fleet.ExpandKind(word)}, "Latest " + human(word) + " alerts"
	}
	plate := fleet.NormalizePlate(text)
	return fleet.AlertQuery{Plate: plate}, "Latest alerts of " + plate
}

// alertList answers /alerts [open|today|<plate>|<kind>].
func (h *Handler) alertList(ctx context.Context, text string) Reply {
	if h.history == nil {
		return usage(":warning: The alert history is not available here.")
	}
	q, title := h.alertQuery(text)
	q.Limit = 20
	list, next, err := h.history.QueryAlerts(ctx, q)
	if err != nil {
		return Reply{View: h.problem(ctx, err, "alert history", "filter", text)}
	}
	if len(list) == 0 {
		return usage(fmt.Sprintf(":information_source: %s: none.", title))
	}
	lines := []string{"*" + esc(title) + "*"}
	for _, a := range list {
		state := "open"
		switch {
		case !a.Open():
			state = "ended after " + duration(a.ResolvedAt.Sub(a.OpenedAt)) + ", " + esc(orDash(a.Resolution))
		case a.Acked != nil:
			state = "open, acknowledged by " + actorRef(*a.Acked)
		}
		lines = append(lines, fmt.Sprintf("%s #%d %s *%s* %s — %s (%s)", severityBadge(orSeverity(a.Severity)), a.ID,
			clock(a.OpenedAt, h.r.Zone), capitalize(human(a.Kind)), esc(orDash(a.Plate)), esc(a.Message), state))
	}
	if next != 0 {
		lines = append(lines, "_Showing the latest 20._")
	}
	return usage(lines...)
}
