package slackfake_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"github.com/watchtower-ops/watchtower/bot/slackfake"
)

func newClient(fake *slackfake.Server) *socketmode.Client {
	api := slack.New("xoxb-test", slack.OptionAppLevelToken("xapp-test"), slack.OptionAPIURL(fake.APIURL()))
	return socketmode.New(api, socketmode.OptionPingInterval(5*time.Second))
}

// TestSocketModeRoundTrip checks that slack-go's own client connects, parses the fake's
// envelopes and that its acks are recorded.
func TestSocketModeRoundTrip(t *testing.T) {
	fake := slackfake.New(slackfake.WithPingInterval(100 * time.Millisecond))
	defer fake.Close()
	client := newClient(fake)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go client.RunContext(ctx)

	cmd := fake.SlashCommand("U1", "C1", "/truck", "T11985LA")
	mention := fake.Mention("U1", "C1", "where is T11985LA?", "")
	got := map[socketmode.EventType]bool{}
	for len(got) < 2 {
		select {
		case evt := <-client.Events:
			switch evt.Type {
			case socketmode.EventTypeSlashCommand:
				c := evt.Data.(slack.SlashCommand)
				if c.Command != "/truck" || c.Text != "T11985LA" || c.ResponseURL != cmd.ResponseURL {
					t.Errorf("slash command = %+v", c)
				}
				client.Ack(*evt.Request, map[string]any{"text": "ok"})
			case socketmode.EventTypeEventsAPI:
				e := evt.Data.(slackevents.EventsAPIEvent)
				m, ok := e.InnerEvent.Data.(*slackevents.AppMentionEvent)
				if !ok || !strings.Contains(m.Text, "T11985LA") {
					t.Errorf("inner event = %#v", e.InnerEvent.Data)
				}
				if cb := e.Data.(*slackevents.EventsAPICallbackEvent); cb.EventID != mention.EventID {
					t.Errorf("event ID = %q; want %q", cb.EventID, mention.EventID)
				}
				client.Ack(*evt.Request)
			default:
				continue
			}
			got[evt.Type] = true
		case <-time.After(5 * time.Second):
			t.Fatal("no envelope reached the client")
		}
	}
	a, err := fake.WaitAck(2*time.Second, cmd.EnvelopeID)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(a.Payload), `"ok"`) {
		t.Errorf("ack payload = %s", a.Payload)
	}
	if _, err := fake.WaitAck(2*time.Second, mention.EnvelopeID); err != nil {
		t.Fatal(err)
	}
}

func TestWebAPI(t *testing.T) {
	fake := slackfake.New()
	defer fake.Close()
	api := slack.New("xoxb-test", slack.OptionAPIURL(fake.APIURL()))
	ctx := context.Background()

	auth, err := api.AuthTestContext(ctx)
	if err != nil || auth.UserID != slackfake.BotUserID {
		t.Fatalf("AuthTest = %+v, %v", auth, err)
	}
	_, ts, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText("parent", false))
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionText("reply", false), slack.MsgOptionTS(ts)); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := api.UpdateMessageContext(ctx, "C1", ts, slack.MsgOptionText("parent v2", false)); err != nil {
		t.Fatal(err)
	}
	if m, _ := fake.Message("C1", ts); m.Text != "parent v2" || m.Updates != 1 {
		t.Errorf("parent = %+v", m)
	}
	if th := fake.Thread("C1", ts); len(th) != 1 || th[0].Text != "reply" {
		t.Errorf("thread = %+v", th)
	}

	fake.RateLimit("chat.postMessage", 1, 2)
	_, _, err = api.PostMessageContext(ctx, "C1", slack.MsgOptionText("x", false))
	var rl *slack.RateLimitedError
	if !errors.As(err, &rl) || rl.RetryAfter != 2*time.Second {
		t.Errorf("PostMessage under 429: err = %v; want RateLimitedError(2s)", err)
	}
	fake.RemoveChannel("CGONE")
	_, _, err = api.PostMessageContext(ctx, "CGONE", slack.MsgOptionText("x", false))
	if err == nil || err.Error() != "channel_not_found" {
		t.Errorf("PostMessage to a missing channel: err = %v; want channel_not_found", err)
	}

	blocks := make([]slack.Block, 51)
	for i := range blocks {
		blocks[i] = slack.NewDividerBlock()
	}
	if _, _, err := api.PostMessageContext(ctx, "C1", slack.MsgOptionBlocks(blocks...)); err == nil || err.Error() != "invalid_blocks" {
		t.Errorf("51 blocks: err = %v; want invalid_blocks", err)
	}

	f, err := api.UploadFileContext(ctx, slack.UploadFileParameters{Filename: "chart.png", FileSize: 3,
		Reader: strings.NewReader("png"), Channel: "C1", Title: "Chart", InitialComment: "weekly"})
	if err != nil {
		t.Fatal(err)
	}
	if files := fake.Files(); len(files) != 1 || files[0].ID != f.ID || string(files[0].Content) != "png" {
		t.Errorf("files = %+v", files)
	}

	in := fake.SlashCommand("U1", "C1", "/trip", "")
	if _, err := api.OpenViewContext(ctx, in.TriggerID, slack.ModalViewRequest{Type: slack.VTModal,
		Title: slack.NewTextBlockObject("plain_text", "T", false, false), CallbackID: "cb",
		Blocks: slack.Blocks{BlockSet: []slack.Block{slack.NewDividerBlock()}}}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := api.PostMessageContext(ctx, "", slack.MsgOptionResponseURL(in.ResponseURL, slack.ResponseTypeEphemeral),
		slack.MsgOptionText("via response_url", false)); err != nil {
		t.Fatal(err)
	}
	if rp := fake.ResponsePosts(); len(rp) != 1 || rp[0].Text != "via response_url" {
		t.Errorf("response posts = %+v", rp)
	}
}
