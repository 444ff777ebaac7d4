package bot

import (
	"context"
	"strconv"
	"strings"

	"github.com/slack-go/slack"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/tools"
)

// AlertDesk acts on alerts: the buttons and the JSON API call the same function.
// *tools.Registry satisfies it.
type AlertDesk interface {
	// ActOnAlert does act on alert id exactly once and queues the message update. It returns
	// ENOTFOUND, or ECONFLICT with the alert as stored when it is resolved or already done.
	ActOnAlert(ctx context.Context, id int64, act fleet.AlertAction, c tools.Caller) (fleet.Alert, error)
}

// ActOnAlert handles a click on an alert button (value = alert ID). ok is true only for the
// click that did the action; reply is then the updated alert message. Any other click gets a
// sentence for its clicker alone: the alert is unknown, already resolved, or someone already
// did the same (who and when).
func (h *Handler) ActOnAlert(ctx context.Context, caller tools.Caller, value string, act fleet.AlertAction) (reply Reply, ok bool) {
	ctx, cancel := context.WithTimeout(ctx, h.timeout)
	defer cancel()
	id, err := strconv.ParseInt(strings.TrimSpace(value), 10, 64)
	if err != nil || id <= 0 {
		return Reply{View: h.r.AlertActed(fleet.Alert{}, act, fleet.Errorf(fleet.ENOTFOUND, "no such alert"))}, false
	}
	if h.alerts == nil {
		return usage(":warning: Alert buttons are not available here."), false
	}
	caller.AlertHandler = caller.AlertHandler || h.mayActOnAlerts(ctx, caller.UserID)
	a, err := h.alerts.ActOnAlert(ctx, id, act, caller)
	switch fleet.ErrorCode(err) {
	case "":
		return Reply{View: h.r.AlertParent(a), InChannel: true}, true
	case fleet.EFORBIDDEN:
		return h.alertRefusal(), false
	case fleet.ENOTFOUND, fleet.ECONFLICT:
		return Reply{View: h.r.AlertActed(a, act, err)}, false
	}
	return Reply{View: h.problem(ctx, err, "alert "+string(act), "alert_id", id)}, false
}

// mayActOnAlerts reports whether userID may acknowledge, snooze and mute alerts: the
// approvers (SLACK_APPROVERS, "*" anyone) and whoever is on call (SLACK_ONCALL, a user or the
// members of a user group). The people an escalation wakes can thus answer it.
func (h *Handler) mayActOnAlerts(ctx context.Context, userID string) bool {
	if h.approvers.Allowed(userID) {
		return true
	}
	ok, err := h.oncall.Includes(ctx, userID)
	if err != nil {
		h.log.WarnContext(ctx, "read the on-call user group", "err", err)
	}
	return ok
}

// alertRefusal tells someone who may not act on alerts who may.
func (h *Handler) alertRefusal() Reply {
	var refs []string
	for _, a := range h.approvers {
		refs = append(refs, userRef(a))
	}
	if h.oncall != nil && h.oncall.id != "" {
		refs = append(refs, mentionOf(h.oncall.id))
	}
	who := "No approvers or on-call are configured yet (SLACK_APPROVERS, SLACK_ONCALL)."
	if len(refs) > 0 {
		who = "Ask " + listUpTo(refs, 8) + "."
	}
	return usage(":no_entry_sign: Only dispatch approvers and on-call can acknowledge, snooze or mute alerts. " + who)
}

// actOnAlert runs an alert button click: a refusal or "already done" goes to the clicker
// alone; a done action updates the message in place at once (the queued update repeats it,
// harmlessly, for the message on record).
func (a *App) actOnAlert(ctx context.Context, cb slack.InteractionCallback, act slack.BlockAction) {
	channel, ts := cb.Container.ChannelID, cb.Container.MessageTs
	if channel == "" {
		channel = cb.Channel.ID
	}
	reply, ok := a.h.ActOnAlert(ctx, a.users.caller(ctx, cb.User.ID), act.Value, alertActions[act.ActionID])
	if !ok {
		if _, err := a.api.PostEphemeralContext(ctx, channel, cb.User.ID, messageOptions(reply.View, "")...); err != nil {
			a.log.WarnContext(ctx, "post ephemeral", "channel", channel, "alert_id", act.Value, "err", err)
		}
		return
	}
	if ts == "" || inDigest(act.BlockID) {
		return // a digest is updated by the sender, which renders every alert it lists
	}
	if _, _, _, err := a.api.UpdateMessageContext(ctx, channel, ts, messageOptions(reply.View, "")...); err != nil {
		a.log.WarnContext(ctx, "update alert message", "channel", channel, "alert_id", act.Value, "err", err)
	}
}
