package bot

import (
	"context"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/tools"
)

// seenTTL is how long an event ID is remembered; Slack's retries come within minutes.
const seenTTL = time.Hour

// placeholder is posted in the thread while the model works.
var placeholder = View{Text: "Looking that up…"}.add(&Context{Items: []string{":mag: _Looking that up…_"}})

// firstDelivery reports whether this is the first delivery of a Slack event, across replicas
// (SET NX in Redis). When Redis cannot say, the event is answered: a rare double answer beats
// a lost question.
func (a *App) firstDelivery(ctx context.Context, eventID string) bool {
	if eventID == "" {
		return true
	}
	ok, err := a.rdb.SetNX(ctx, fleet.Keys{Prefix: a.cfg.Prefix}.SlackEvent(eventID), 1, seenTTL).Result()
	if err != nil {
		a.log.WarnContext(ctx, "event dedupe unavailable; answering", "err", err)
		return true
	}
	return ok
}

// answer answers a mention or direct message in its thread: a placeholder first, then the
// answer in its place.
func (a *App) answer(ctx context.Context, q question) {
	if !a.firstDelivery(ctx, q.eventID) {
		a.log.DebugContext(ctx, "duplicate event ignored", "channel", q.channel, "event_id", q.eventID)
		return
	}
	_, ph, err := a.api.PostMessageContext(ctx, q.channel, messageOptions(placeholder, q.thread)...)
	if err != nil {
		a.log.WarnContext(ctx, "post placeholder", "channel", q.channel, "err", err)
	}
	v := a.h.Ask(ctx, a.users.caller(ctx, q.user), q.channel+":"+q.thread, q.text)
	if ph != "" {
		_, _, _, err = a.api.UpdateMessageContext(ctx, q.channel, ph, messageOptions(v, "")...)
		if blocksRejected(err) {
			_, _, _, err = a.api.UpdateMessageContext(ctx, q.channel, ph, textOptions(v, "")...)
		}
		if err == nil {
			return
		}
		a.log.WarnContext(ctx, "replace placeholder; posting instead", "channel", q.channel, "err", err)
	}
	if _, _, err := a.api.PostMessageContext(ctx, q.channel, messageOptions(v, q.thread)...); err != nil {
		a.log.ErrorContext(ctx, "post answer", "channel", q.channel, "err", err)
	}
}

// runCommand answers a slash command through its response_url, or opens the trip form.
func (a *App) runCommand(ctx context.Context, cmd slack.SlashCommand) {
	caller := a.users.caller(ctx, cmd.UserID)
	reply := a.h.Command(ctx, caller, cmd.Command, cmd.Text)
	if reply.OpenForm {
		reply = a.openTripForm(ctx, cmd.TriggerID, cmd.ChannelID)
		if !reply.OpenForm {
			a.respond(ctx, cmd.ResponseURL, cmd.ChannelID, cmd.UserID, reply)
		}
		return
	}
	a.respond(ctx, cmd.ResponseURL, cmd.ChannelID, cmd.UserID, reply)
}

// respond posts reply through a response_url, falling back to an ephemeral message.
func (a *App) respond(ctx context.Context, responseURL, channel, user string, reply Reply) {
	kind := slack.ResponseTypeEphemeral
	if reply.InChannel {
		kind = slack.ResponseTypeInChannel
	}
	opts := append(messageOptions(reply.View, ""), slack.MsgOptionResponseURL(responseURL, kind))
	_, _, err := a.api.PostMessageContext(ctx, "", opts...)
	if err == nil {
		return
	}
	a.log.WarnContext(ctx, "post to response_url; sending ephemeral", "channel", channel, "err", err)
	if _, err := a.api.PostEphemeralContext(ctx, channel, user, messageOptions(reply.View, "")...); err != nil {
		a.log.ErrorContext(ctx, "answer slash command", "channel", channel, "err", err)
	}
}

// decide handles an Approve click (the approval message is updated in place at once; a
// refusal or a late click gets an ephemeral message) or a Reject click (a form asks why).
func (a *App) decide(ctx context.Context, cb slack.InteractionCallback, act slack.BlockAction) {
	channel, ts := cb.Container.ChannelID, cb.Container.MessageTs
	if channel == "" {
		channel = cb.Channel.ID
	}
	if act.ActionID == ActionReject {
		a.askRejectReason(ctx, cb, act, channel, ts)
		return
	}
	reply, trip, ok := a.h.Decide(ctx, a.users.caller(ctx, cb.User.ID), act.Value, true, "")
	if !ok {
		if _, err := a.api.PostEphemeralContext(ctx, channel, cb.User.ID, messageOptions(reply.View, "")...); err != nil {
			a.log.WarnContext(ctx, "post ephemeral", "channel", channel, "trip_id", act.Value, "err", err)
		}
		return
	}
	if ts == "" {
		return // the trip.decided notification updates the message it has on record
	}
	if _, _, _, err := a.api.UpdateMessageContext(ctx, channel, ts, messageOptions(a.h.r.Decided(trip), "")...); err != nil {
		a.log.WarnContext(ctx, "update approval message", "channel", channel, "trip_id", trip.Code, "err", err)
	}
}

// userCache remembers display names from users.info for an hour, so callers are named in
// trips and the audit log without a lookup per message.
type userCache struct {
	api *slack.Client
	mu  sync.Mutex
	m   map[string]cachedUser
}

type cachedUser struct {
	name string
	at   time.Time
}

func newUserCache(api *slack.Client) *userCache {
	return &userCache{api: api, m: make(map[string]cachedUser)}
}

// caller returns the Slack user as a tools.Caller; without a name when users.info fails.
func (c *userCache) caller(ctx context.Context, id string) tools.Caller {
	caller := tools.Caller{UserID: id, Via: "slack"}
	c.mu.Lock()
	u, ok := c.m[id]
	c.mu.Unlock()
	if ok && time.Since(u.at) < time.Hour {
		caller.Name = u.name
		return caller
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	info, err := c.api.GetUserInfoContext(ctx, id)
	if err != nil {
		return caller
	}
	caller.Name = info.RealName
	if caller.Name == "" {
		caller.Name = info.Name
	}
	c.mu.Lock()
	if len(c.m) > 5000 {
		c.m = make(map[string]cachedUser)
	}
	c.m[id] = cachedUser{name: caller.Name, at: time.Now()}
	c.mu.Unlock()
	return caller
}
