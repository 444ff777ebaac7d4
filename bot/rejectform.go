package bot

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/watchtower-ops/watchtower/fleet"
)

// CallbackRejectForm is the modal asking why a trip is rejected.
const CallbackRejectForm = "trip_reject_form"

const formReason = "reason"

// rejectTarget is the rejection form's private_metadata: which trip, and where its approval
// message is.
type rejectTarget struct {
	Code    string `json:"code"`
	Channel string `json:"channel"`
	TS      string `json:"ts"`
}

// askRejectReason answers a Reject click from an approver with a form for the reason; the
// trip is rejected when the form is submitted. Non-approvers and late clicks are told why
// not, as for Approve.
func (a *App) askRejectReason(ctx context.Context, cb slack.InteractionCallback, act slack.BlockAction, channel, ts string) {
	refuse := func(r Reply) {
		if _, err := a.api.PostEphemeralContext(ctx, channel, cb.User.ID, messageOptions(r.View, "")...); err != nil {
			a.log.WarnContext(ctx, "post ephemeral", "channel", channel, "trip_id", act.Value, "err", err)
		}
	}
	if !a.h.approvers.Allowed(cb.User.ID) {
		refuse(a.h.refusal("reject trips"))
		return
	}
	if a.h.trips != nil {
		if t, err := a.h.trips.TripByCode(ctx, act.Value); err == nil && t.Status != fleet.TripPendingApproval {
			refuse(a.h.alreadyDecided(ctx, t.Code, fleet.Errorf(fleet.ECONFLICT, "trip %s is already decided", t.Code)))
			return
		}
	}
	meta, _ := json.Marshal(rejectTarget{Code: act.Value, Channel: channel, TS: ts})
	input := slack.NewPlainTextInputBlockElement(plainText("Truck needed elsewhere, wrong date…"), formReason)
	input.Multiline, input.MaxLength = true, 500
	view := slack.ModalViewRequest{Type: slack.VTModal, CallbackID: CallbackRejectForm, PrivateMetadata: string(meta),
		Title: plainText("Reject " + act.Value), Submit: plainText("Reject"), Close: plainText("Cancel"),
		Blocks: slack.Blocks{BlockSet: []slack.Block{
			slack.NewSectionBlock(mrkdwn(fmt.Sprintf("The requester will see the reason in the approval thread of *%s*.", esc(act.Value))), nil, nil),
			optional(slack.NewInputBlock(formReason, plainText("Reason"), nil, input)),
		}}}
	if _, err := a.api.OpenViewContext(ctx, cb.TriggerID, view); err != nil {
		a.log.WarnContext(ctx, "open reject form", "channel", channel, "trip_id", act.Value, "err", err)
		refuse(usage(":warning: I could not open the rejection form in time; please click Reject again."))
	}
}

// submitRejectForm rejects the trip with the reason given, exactly once, and updates the
// approval message in place. A refusal or a trip decided meanwhile is shown on the form.
func (a *App) submitRejectForm(ctx context.Context, req *socketmode.Request, cb slack.InteractionCallback) {
	ctx, cancel := context.WithTimeout(ctx, submitBudget)
	defer cancel()
	var target rejectTarget
	if err := json.Unmarshal([]byte(cb.View.PrivateMetadata), &target); err != nil || target.Code == "" {
		a.ack(ctx, req, slack.NewClearViewSubmissionResponse())
		return
	}
	var reason string
	if cb.View.State != nil {
		reason = cb.View.State.Values[formReason][formReason].Value
	}
	reply, trip, ok := a.h.Decide(ctx, a.users.caller(ctx, cb.User.ID), target.Code, false, reason)
	if !ok {
		a.ack(ctx, req, slack.NewErrorsViewSubmissionResponse(map[string]string{formReason: reply.View.FallbackText()}))
		return
	}
	a.ack(ctx, req, slack.NewClearViewSubmissionResponse())
	if target.TS == "" {
		return // the trip.decided notification updates the message it has on record
	}
	uctx := context.WithoutCancel(ctx)
	if _, _, _, err := a.api.UpdateMessageContext(uctx, target.Channel, target.TS, messageOptions(a.h.r.Decided(trip), "")...); err != nil {
		a.log.WarnContext(ctx, "update approval message", "channel", target.Channel, "trip_id", trip.Code, "err", err)
	}
}
