package bot

import (
	"context"
	"fmt"
	"strings"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/tools"
)

// Decide approves (or rejects, with reason) trip code for caller. Only approvers may decide;
// anyone else gets a refusal. The transition happens exactly once: a second click, or a
// second approver at the same moment, is told who decided first. decided is true only for
// the call that made the transition, and trip is then the trip as decided.
func (h *Handler) Decide(ctx context.Context, caller tools.Caller, code string, approve bool, reason string) (reply Reply, trip fleet.Trip, decided bool) {
	ctx, cancel := context.WithTimeout(ctx, h.timeout)
	defer cancel()
	verb := "approve"
	if !approve {
		verb = "reject"
	}
	if !h.approvers.Allowed(caller.UserID) {
		return h.refusal(verb + " trips"), fleet.Trip{}, false
	}
	var err error
	if approve {
		trip, err = h.desk.ApproveTrip(ctx, code, caller)
	} else {
		trip, err = h.desk.RejectTrip(ctx, code, reason, caller)
	}
	if fleet.ErrorCode(err) == fleet.ECONFLICT {
		return h.alreadyDecided(ctx, code, err), fleet.Trip{}, false
	}
	if err != nil {
		return Reply{View: h.problem(ctx, err, verb+" trip", "trip_id", code)}, fleet.Trip{}, false
	}
	return Reply{View: h.r.Decided(trip)}, trip, true
}

// refusal tells a non-approver who may do what they tried ("approve trips").
func (h *Handler) refusal(action string) Reply {
	who := "No approvers are configured yet (SLACK_APPROVERS)."
	if len(h.approvers) > 0 {
		refs := make([]string, 0, len(h.approvers))
		for _, a := range h.approvers {
			refs = append(refs, userRef(a))
		}
		who = "Ask " + listUpTo(refs, 8) + "."
	}
	return usage(fmt.Sprintf(":no_entry_sign: Only dispatch approvers can %s. %s", action, who))
}

// alreadyDecided says who decided a trip first; without the trip at hand it gives the
// state machine's message.
func (h *Handler) alreadyDecided(ctx context.Context, code string, cause error) Reply {
	if h.trips != nil {
		if t, err := h.trips.TripByCode(ctx, code); err == nil && t.DecidedBy != "" && t.DecidedAt != nil {
			state := strings.ReplaceAll(string(t.Status), "_", " ")
			if t.Status == fleet.TripScheduled {
				state = "approved"
			}
			return usage(fmt.Sprintf(":information_source: %s was already %s by %s at %s.", t.Code, state, userRef(t.DecidedBy), clock(*t.DecidedAt, h.r.Zone)))
		}
	}
	return usage(":information_source: " + esc(capitalize(fleet.ErrorMessage(cause))) + ".")
}
