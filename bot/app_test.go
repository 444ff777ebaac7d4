package bot_test

import (
	"context"
	"strings"
	"testing"

	"github.com/slack-go/slack"

	"github.com/watchtower-ops/watchtower/bot"
	"github.com/watchtower-ops/watchtower/bot/slackfake"
	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/tools/openaifake"
)

const generalCh = "CGENERAL"

var esslibra = fleet.Point{Lat: 6.556389, Lng: 3.475556}

// replyIn waits for a reply in the thread ts of channel whose text contains want.
func (h *harness) replyIn(t *testing.T, channel, ts, want string) slackfake.Message {
	t.Helper()
	var got slackfake.Message
	err := h.fake.WaitTimeout(waitFor, "a reply containing "+want, func() bool {
		for _, m := range h.fake.Thread(channel, ts) {
			if strings.Contains(m.Text, want) {
				got = m
				return true
			}
		}
		return false
	})
	if err != nil {
		t.Fatalf("%v; thread = %+v", err, h.fake.Thread(channel, ts))
	}
	return got
}

// TestMentionAnsweredInThread: a mention goes to the model, which calls get_truck_location;
// the placeholder in the thread is replaced by the model's words with the truck card under
// them. Slack's retry of the same event, the bot's own messages and edits get no answer.
func TestMentionAnsweredInThread(t *testing.T) {
	h := newHarness(t, harnessOpts{model: true, answerWorkers: 1})
	h.placeTruck(t, "T11985LA", esslibra, 0)
	h.oai.Script(
		openaifake.Step{Calls: []openaifake.Call{{Name: "get_truck_location", Arguments: `{"truck":"T11985LA"}`}}},
		openaifake.Step{Text: "**T11985LA** is parked at ESSLIBRA."},
		openaifake.Step{Text: "Barrier answer."},
	)
	d := h.fake.Mention("UDISPATCH", generalCh, "where is T11985LA?", "")
	h.ackOf(t, d.EnvelopeID)
	ans := h.replyIn(t, generalCh, d.TS, "T11985LA is parked at ESSLIBRA")
	if ans.Updates != 1 {
		t.Errorf("answer updated %d times; want the placeholder replaced once", ans.Updates)
	}
	for _, want := range []string{`*T11985LA* is parked at ESSLIBRA`, `:truck: T11985LA`, `google.com/maps`} {
		if !strings.Contains(string(ans.Blocks), want) {
			t.Errorf("answer blocks lack %q: %s", want, ans.Blocks)
		}
	}
	if q := h.oai.Requests()[0].Body.Items(); len(q) == 0 || strings.Contains(q[len(q)-1].Text(), "<@") {
		t.Errorf("model input = %+v; want the question without the mention", q)
	}

	h.ackOf(t, h.fake.Redeliver(d, 1))
	h.ackOf(t, h.fake.Event(map[string]any{"type": "message", "channel_type": "im", "channel": "DUSER",
		"user": slackfake.BotUserID, "bot_id": slackfake.BotID, "text": "my own words"}).EnvelopeID)
	h.ackOf(t, h.fake.Event(map[string]any{"type": "message", "channel_type": "im", "channel": "DUSER",
		"subtype": "message_changed", "message": map[string]any{"user": "UDISPATCH", "text": "edited"}}).EnvelopeID)
	h.ackOf(t, h.fake.Event(map[string]any{"type": "app_mention", "channel": generalCh, "user": "UDISPATCH",
		"text": "<@" + slackfake.BotUserID + "> edited", "edited": map[string]any{"user": "UDISPATCH", "ts": "1.2"}}).EnvelopeID)
	barrier := h.fake.DirectMessage("UDISPATCH", "DUSER", "anything else?")
	h.replyIn(t, "DUSER", barrier.TS, "Barrier answer")

	if th := h.fake.Thread(generalCh, d.TS); len(th) != 1 {
		t.Errorf("mention thread has %d messages after the retry; want 1", len(th))
	}
	if msgs := h.fake.Messages("DUSER"); len(msgs) != 1 {
		t.Errorf("DM channel has %d messages; want only the barrier's answer", len(msgs))
	}
	if n := len(h.oai.Requests()); n != 3 {
		t.Errorf("model requests = %d; want 3 (tool call, answer, barrier)", n)
	}
}

// TestDirectMessageOffline: without a model the offline parser answers a direct message in
// its thread with the truck card.
func TestDirectMessageOffline(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.placeTruck(t, "T28737LA", fleet.Point{Lat: 6.4383, Lng: 3.3436}, 42)
	d := h.fake.DirectMessage("UDISPATCH", "DUSER", "where is t 28737 la")
	ans := h.replyIn(t, "DUSER", d.TS, "T28737LA")
	if !strings.Contains(string(ans.Blocks), ":truck: T28737LA") || !strings.Contains(string(ans.Blocks), "42 km/h") {
		t.Errorf("answer blocks = %s; want the truck card", ans.Blocks)
	}
}

// TestSlashTruckAndNear answers /truck and /near from the fleet functions through the
// response_url, with usage help and suggestions for bad arguments.
func TestSlashTruckAndNear(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.placeTruck(t, "T11985LA", esslibra, 0)
	h.placeTruck(t, "T28737LA", fleet.Point{Lat: 6.5650, Lng: 3.4780}, 35)
	cases := []struct {
		name, cmd, text string
		inChannel       bool
		want            []string
	}{
		{"truck", "/truck", "t 11985 la", true, []string{":truck: T11985LA", "Parked", "ESSLIBRA", "min ago"}},
		{"near", "/near", "ESSLIBRA 5 km", true, []string{"Near ESSLIBRA", "T11985LA", "T28737LA", "1.0 km"}},
		{"unknown plate", "/truck", "T11986LA", false, []string{"Did you mean", "T11985LA"}},
		{"near without a place", "/near", "", false, []string{"Near what?"}},
		{"help", "/watchtower", "help", false, []string{"/trip", "/summary"}},
	}
	sent := make([]slackfake.Interaction, len(cases))
	for i, c := range cases {
		sent[i] = h.fake.SlashCommand("UDISPATCH", generalCh, c.cmd, c.text)
	}
	posts := h.responses(t, len(cases))
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if a := h.ackOf(t, sent[i].EnvelopeID); a.Payload != nil {
				t.Errorf("ack payload = %s; want an empty ack", a.Payload)
			}
			var p *slackfake.ResponsePost
			for j := range posts {
				if posts[j].URL == sent[i].ResponseURL {
					p = &posts[j]
				}
			}
			if p == nil {
				t.Fatalf("no response to %s %s", c.cmd, c.text)
			}
			if got := p.ResponseType == "in_channel"; got != c.inChannel {
				t.Errorf("response_type = %q; want in_channel %v", p.ResponseType, c.inChannel)
			}
			for _, w := range c.want {
				if !strings.Contains(string(p.Blocks), w) {
					t.Errorf("%s %s answer lacks %q: %s", c.cmd, c.text, w, p.Blocks)
				}
			}
		})
	}
}

// TestAppRefusedToken stops the app with an error naming the variable when Slack refuses the
// bot token, instead of retrying forever.
func TestAppRefusedToken(t *testing.T) {
	e := newEnv(t)
	e.fake.FailWith("auth.test", 0, "invalid_auth")
	api := slack.New("xoxb-revoked", slack.OptionAppLevelToken("xapp-test"), slack.OptionAPIURL(e.fake.APIURL()))
	app := bot.NewApp(bot.Config{Prefix: e.prefix}, api, bot.NewHandler(bot.HandlerDeps{}), e.st, e.rdb, testLogger(t))
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	if err := app.Run(ctx); err == nil || !strings.Contains(err.Error(), "SLACK_BOT_TOKEN") {
		t.Errorf("Run = %v; want an error naming SLACK_BOT_TOKEN", err)
	}
}

// TestReconnectsOnDisconnect: when Slack asks the app to reconnect, it opens a new connection
// and keeps answering.
func TestReconnectsOnDisconnect(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	h.fake.Disconnect()
	if err := h.fake.WaitTimeout(waitFor, "a second connection", func() bool { return h.fake.Connections() == 2 }); err != nil {
		t.Fatal(err)
	}
	in := h.fake.SlashCommand("UDISPATCH", generalCh, "/watchtower", "help")
	h.ackOf(t, in.EnvelopeID)
	h.responses(t, 1)
}
