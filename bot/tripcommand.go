package bot

import (
	"context"
	"encoding/json"

	"github.com/slack-go/slack"

	"github.com/watchtower-ops/watchtower/tools"
	"github.com/watchtower-ops/watchtower/tools/intent"
)

// trip answers /trip. Alone it opens the form; otherwise its text is read by the same parser
// as free text (package intent), so "/trip T11985LA from ESSLIBRA to ECLAT at 9pm",
// "/trip TRP-0042", "/trip cancel TRP-0042 [reason]", "/trip TRP-0042 at 3pm" and
// "/trip TRP-0042 to TINCAN" follow one set of rules; what is missing or unclear is asked.
func (h *Handler) trip(ctx context.Context, caller tools.Caller, text string) Reply {
	if text == "" {
		return Reply{OpenForm: true}
	}
	in := intent.Parse(CmdTrip + " " + text).InThread("")
	switch {
	case in.Tool == "":
		return usage("I could not read that. " + helpLines[CmdTrip])
	case in.Missing != "":
		return usage(in.Question)
	}
	caller = h.vouch(caller)
	switch in.Tool {
	case intent.TripDetails:
		var a struct {
			Ref string `json:"trip_id_or_truck"`
		}
		_ = json.Unmarshal(in.Args, &a) // the parser's own JSON
		d, err := h.lookups.TripDetails(ctx, a.Ref)
		if err != nil {
			return Reply{View: h.problem(ctx, err, "trip details", "trip_id", a.Ref)}
		}
		return Reply{View: h.r.TripDetails(d), InChannel: true}
	case intent.CreateTrip:
		var a tools.CreateTripArgs
		_ = json.Unmarshal(in.Args, &a)
		c, err := h.desk.CreateTrip(ctx, a, caller)
		if err != nil {
			return Reply{View: h.problem(ctx, err, "create trip", "plate", a.Truck)}
		}
		return Reply{View: h.r.TripCreated(c), InChannel: true}
	case intent.CancelTrip:
		var a tools.CancelTripArgs
		_ = json.Unmarshal(in.Args, &a)
		return h.cancelReply(ctx, caller, a.TripID, deref(a.Reason))
	case intent.UpdateTrip:
		var a tools.UpdateTripArgs
		_ = json.Unmarshal(in.Args, &a)
		c, err := h.desk.UpdateTrip(ctx, a, caller)
		if err != nil {
			return Reply{View: h.problem(ctx, err, "update trip", "trip_id", a.TripID)}
		}
		return Reply{View: h.r.TripChanged(c), InChannel: true}
	}
	return usage("I could not read that. " + helpLines[CmdTrip])
}

// CancelTrip cancels trip code for caller (a Cancel trip click or /trip cancel): only its
// requester or an approver may; the approval message is updated by the trip's notification.
// ok is true only for the call that cancelled it.
func (h *Handler) CancelTrip(ctx context.Context, caller tools.Caller, code, reason string) (reply Reply, ok bool) {
	ctx, cancel := context.WithTimeout(ctx, h.timeout)
	defer cancel()
	r := h.cancelReply(ctx, h.vouch(caller), code, reason)
	return r, r.InChannel
}

// cancelReply runs the cancellation and words its outcome.
func (h *Handler) cancelReply(ctx context.Context, caller tools.Caller, code, reason string) Reply {
	c, err := h.desk.CancelTrip(ctx, code, reason, caller)
	if err != nil {
		return Reply{View: h.problem(ctx, err, "cancel trip", "trip_id", code)}
	}
	return Reply{View: h.r.TripChanged(c), InChannel: true}
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// cancelTrip handles a Cancel trip click: the outcome (a refusal, "already cancelled", or
// the cancellation) goes to the clicker alone; the approval message is updated in place by
// the trip's notification.
func (a *App) cancelTrip(ctx context.Context, cb slack.InteractionCallback, act slack.BlockAction) {
	channel := cb.Container.ChannelID
	if channel == "" {
		channel = cb.Channel.ID
	}
	reply, _ := a.h.CancelTrip(ctx, a.users.caller(ctx, cb.User.ID), act.Value, "")
	if _, err := a.api.PostEphemeralContext(ctx, channel, cb.User.ID, messageOptions(reply.View, "")...); err != nil {
		a.log.WarnContext(ctx, "post ephemeral", "channel", channel, "trip_id", act.Value, "err", err)
	}
}
