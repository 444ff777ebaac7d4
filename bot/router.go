package bot

import (
	"context"
	"regexp"
	"strings"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"
)

// EventTypes lists the Events API subscriptions the router handles, as manifest.yaml names
// them (message.im is a "message" event from a direct message channel).
func EventTypes() []string { return []string{"app_mention", "message.im"} }

// busyText answers a slash command when the command queue is full.
const busyText = ":hourglass_flowing_sand: Watch Tower is busy right now; please try again in a few seconds."

// route handles one Socket Mode event on the read loop: it must not block. Work goes to a
// pool and the envelope is acknowledged at once; only the trip form's submission waits for
// its validation, since Slack takes the inline errors in the ack.
func (a *App) route(ctx context.Context, evt socketmode.Event) {
	switch evt.Type {
	case socketmode.EventTypeConnected:
		a.log.InfoContext(ctx, "slack socket mode connected")
	case socketmode.EventTypeConnectionError, socketmode.EventTypeIncomingError, socketmode.EventTypeErrorBadMessage,
		socketmode.EventTypeErrorWriteFailed, socketmode.EventTypeInvalidAuth:
		a.log.WarnContext(ctx, "slack socket mode", "event", string(evt.Type), "detail", evt.Data)
	case socketmode.EventTypeEventsAPI:
		a.cfg.Metrics.envelope(string(evt.Type))
		a.onEventsAPI(ctx, evt)
	case socketmode.EventTypeSlashCommand:
		a.cfg.Metrics.envelope(string(evt.Type))
		a.onSlashCommand(ctx, evt)
	case socketmode.EventTypeInteractive:
		a.cfg.Metrics.envelope(string(evt.Type))
		a.onInteractive(ctx, evt)
	}
}

// onEventsAPI queues a mention or direct message. When the queue is full the envelope is not
// acknowledged, so Slack delivers the event again later instead of it being lost.
func (a *App) onEventsAPI(ctx context.Context, evt socketmode.Event) {
	ev, ok := evt.Data.(slackevents.EventsAPIEvent)
	if !ok {
		a.ack(ctx, evt.Request, nil)
		return
	}
	q, ok := a.question(ev)
	if !ok {
		a.ack(ctx, evt.Request, nil)
		return
	}
	if !a.answers.try(func(ctx context.Context) { a.answer(ctx, q) }) {
		a.cfg.Metrics.refusedWork("answers")
		a.log.WarnContext(ctx, "answer queue full; leaving the event to Slack's retry", "channel", q.channel)
		return
	}
	a.ack(ctx, evt.Request, nil)
}

// question is a message for the model.
type question struct {
	eventID, channel, user, text, ts, thread string
}

var mentionTok = regexp.MustCompile(`<@[A-Z0-9]+(?:\|[^>]*)?>`)

// question extracts what to answer from an event, ignoring bots (this one included), edits
// and other message subtypes.
func (a *App) question(ev slackevents.EventsAPIEvent) (question, bool) {
	var eventID string
	if cb, ok := ev.Data.(*slackevents.EventsAPICallbackEvent); ok {
		eventID = cb.EventID
	}
	var q question
	switch e := ev.InnerEvent.Data.(type) {
	case *slackevents.AppMentionEvent:
		if e.BotID != "" || e.Edited != nil || a.fromBot(e.User) {
			return q, false
		}
		q = question{channel: e.Channel, user: e.User, text: e.Text, ts: e.TimeStamp, thread: e.ThreadTimeStamp}
	case *slackevents.MessageEvent:
		if e.ChannelType != "im" || e.BotID != "" || a.fromBot(e.User) || !userSubtype(e.SubType) {
			return q, false
		}
		q = question{channel: e.Channel, user: e.User, text: e.Text, ts: e.TimeStamp, thread: e.ThreadTimeStamp}
	default:
		return q, false
	}
	if q.thread == "" {
		q.thread = q.ts
	}
	q.eventID = eventID
	q.text = strings.TrimSpace(mentionTok.ReplaceAllString(q.text, " "))
	return q, true
}

// fromBot reports whether user is empty (a bot or system message) or this app's bot user.
func (a *App) fromBot(user string) bool { return user == "" || user == a.botUserID }

// userSubtype reports whether a message subtype is a person writing: plain messages, file
// shares and thread broadcasts, but not edits, deletions, joins or bot messages.
func userSubtype(s string) bool { return s == "" || s == "file_share" || s == "thread_broadcast" }

// onSlashCommand acknowledges at once and answers through the response_url from the command
// pool; when the pool is full the ack itself says so.
func (a *App) onSlashCommand(ctx context.Context, evt socketmode.Event) {
	cmd, ok := evt.Data.(slack.SlashCommand)
	if !ok {
		a.ack(ctx, evt.Request, nil)
		return
	}
	if !a.commands.try(func(ctx context.Context) { a.runCommand(ctx, cmd) }) {
		a.cfg.Metrics.refusedWork("commands")
		a.log.WarnContext(ctx, "command queue full", "channel", cmd.ChannelID, "command", cmd.Command)
		a.ack(ctx, evt.Request, map[string]any{"response_type": "ephemeral", "text": busyText})
		return
	}
	a.ack(ctx, evt.Request, nil)
}

// onInteractive handles the approval buttons and the trip form.
func (a *App) onInteractive(ctx context.Context, evt socketmode.Event) {
	cb, ok := evt.Data.(slack.InteractionCallback)
	if !ok {
		a.ack(ctx, evt.Request, nil)
		return
	}
	switch {
	case cb.Type == slack.InteractionTypeViewSubmission && cb.View.CallbackID == CallbackTripForm:
		req := evt.Request
		if !a.commands.try(func(ctx context.Context) { a.submitTripForm(ctx, req, cb) }) {
			a.ack(ctx, req, slack.NewErrorsViewSubmissionResponse(map[string]string{formTruck: "Watch Tower is busy; submit again in a few seconds."}))
		}
	case cb.Type == slack.InteractionTypeViewSubmission && cb.View.CallbackID == CallbackRejectForm:
		req := evt.Request
		if !a.commands.try(func(ctx context.Context) { a.submitRejectForm(ctx, req, cb) }) {
			a.ack(ctx, req, slack.NewErrorsViewSubmissionResponse(map[string]string{formReason: "Watch Tower is busy; submit again in a few seconds."}))
		}
	case cb.Type == slack.InteractionTypeBlockActions:
		a.ack(ctx, evt.Request, nil)
		for _, act := range cb.ActionCallback.BlockActions {
			if _, ok := alertActions[act.ActionID]; ok {
				if !a.commands.try(func(ctx context.Context) { a.actOnAlert(ctx, cb, *act) }) {
					a.log.WarnContext(ctx, "command queue full; click dropped", "alert_id", act.Value, "user", cb.User.ID)
				}
				continue
			}
			run := a.decide
			switch act.ActionID {
			case ActionApprove, ActionReject:
			case ActionCancel:
				run = a.cancelTrip
			default:
				continue
			}
			if !a.commands.try(func(ctx context.Context) { run(ctx, cb, *act) }) {
				a.log.WarnContext(ctx, "command queue full; click dropped", "trip_id", act.Value, "user", cb.User.ID)
			}
		}
	default:
		a.ack(ctx, evt.Request, nil)
	}
}
