package bot

import (
	"context"
	"strings"

	"github.com/watchtower-ops/watchtower/tools"
)

// Line answers one line typed at the demo's console the way Slack answers the same input:
// "/truck T11985LA" and the other slash commands; "approve TRP-0042" and "reject TRP-0042
// [reason]" standing in for the buttons (caller must be an approver); anything else goes to
// the model as a question in conversation. Print the View with Console.
func (h *Handler) Line(ctx context.Context, caller tools.Caller, conversation, line string) View {
	line = strings.TrimSpace(line)
	verb, rest, _ := strings.Cut(line, " ")
	switch strings.ToLower(verb) {
	case "approve", "reject":
		code, reason, _ := strings.Cut(strings.TrimSpace(rest), " ")
		if code == "" {
			return usage("Which trip? e.g. `" + strings.ToLower(verb) + " TRP-0042`").View
		}
		reply, trip, ok := h.Decide(ctx, caller, code, strings.EqualFold(verb, "approve"), strings.TrimSpace(reason))
		if ok {
			return h.r.Decided(trip)
		}
		return reply.View
	}
	if strings.HasPrefix(verb, "/") {
		r := h.Command(ctx, caller, strings.ToLower(verb), rest)
		if r.OpenForm {
			return usage("The trip form is Slack's; here, type the trip: " + helpLines[CmdTrip]).View
		}
		return r.View
	}
	return h.Ask(ctx, caller, conversation, line)
}
