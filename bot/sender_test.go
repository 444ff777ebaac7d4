package bot_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/watchtower-ops/watchtower/bot"
	"github.com/watchtower-ops/watchtower/fleet"
)

// runSender starts a sender on e until the test ends.
func runSender(t *testing.T, e *env, cfg bot.SenderConfig) {
	t.Helper()
	cfg.Prefix, cfg.Block = e.prefix, readBlock
	if cfg.Channels == nil {
		cfg.Channels = map[fleet.Audience]string{fleet.AudienceAlerts: alertsCh, fleet.AudienceSummary: summaryCh, fleet.AudienceDispatch: dispatchCh}
	}
	if cfg.PerSecond == 0 {
		cfg.PerSecond, cfg.Burst = 500, 50
	}
	api := slack.New("xoxb-test", slack.OptionAPIURL(e.fake.APIURL()))
	s := bot.NewSender(e.rdb, api, e.st, e.st, bot.NewRenderer(nil), cfg, testLogger(t))
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := s.Run(ctx); err != nil {
			t.Errorf("Sender.Run = %v", err)
		}
	}()
	t.Cleanup(func() { cancel(); wg.Wait() })
}

func (e *env) waitDrained(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	for !e.drained(t) {
		if time.Now().After(deadline) {
			t.Fatal("the sender did not acknowledge every notification in time")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func openAlert(t *testing.T, e *env, i int) fleet.Alert {
	t.Helper()
	a, _, err := e.st.OpenAlert(context.Background(), fleet.Alert{Kind: fleet.AlertOverspeed, Plate: fmt.Sprintf("T%05dLA", i),
		IncidentKey: fmt.Sprintf("overspeed:T%05dLA", i), Severity: fleet.SeverityWarning,
		Message: fmt.Sprintf("alert-%d: 78 km/h on Third Mainland Bridge", i), Point: &fleet.Point{Lat: 6.5, Lng: 3.4}})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// TestSenderBurstUnder429 sends 50 incidents and resolves 10 of them while Slack answers the
// first posts with 429: every incident gets exactly one parent, every resolution one reply
// and an updated parent, and every entry is acknowledged.
func TestSenderBurstUnder429(t *testing.T) {
	e := newEnv(t)
	e.fake.RateLimit("chat.postMessage", 4, 1)
	e.fake.RateLimit("chat.update", 1, 1)
	runSender(t, e, bot.SenderConfig{})
	alerts := make([]fleet.Alert, 50)
	for i := range alerts {
		alerts[i] = openAlert(t, e, i)
		e.notify(t, fleet.Notification{ID: fmt.Sprintf("open-%d", i), Kind: fleet.NotifyAlertOpened, Audience: fleet.AudienceAlerts, Alert: &alerts[i], CreatedAt: time.Now()})
	}
	for i := range 10 {
		a, err := e.st.ResolveAlert(context.Background(), alerts[i].IncidentKey, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		e.notify(t, fleet.Notification{ID: fmt.Sprintf("resolve-%d", i), Kind: fleet.NotifyAlertResolved, Alert: &a, CreatedAt: time.Now()})
	}
	e.waitDrained(t)

	top := e.fake.TopLevel(alertsCh)
	if len(top) != 50 {
		t.Fatalf("parent messages = %d; want 50", len(top))
	}
	seen := map[string]int{}
	for _, m := range top {
		seen[strings.SplitN(strings.SplitN(m.Text, "alert-", 2)[1], ":", 2)[0]]++
	}
	for i := range 50 {
		if n := seen[fmt.Sprint(i)]; n != 1 {
			t.Errorf("incident %d has %d parent messages; want 1", i, n)
		}
	}
	for i, a := range alerts {
		stored, err := e.st.AlertByID(context.Background(), a.ID)
		if err != nil || stored.SlackChannel != alertsCh || stored.SlackTS == "" {
			t.Fatalf("alert %d Slack parent = %q %q, %v; want recorded", i, stored.SlackChannel, stored.SlackTS, err)
		}
		replies := e.fake.Thread(alertsCh, stored.SlackTS)
		parent, _ := e.fake.Message(alertsCh, stored.SlackTS)
		switch {
		case i < 10 && (len(replies) != 1 || !strings.Contains(replies[0].Text, "Resolved")):
			t.Errorf("incident %d thread = %+v; want one resolution reply", i, replies)
		case i < 10 && (parent.Updates != 1 || !strings.HasPrefix(parent.Text, "Resolved")):
			t.Errorf("incident %d parent = %q after %d updates; want it updated once to resolved", i, parent.Text, parent.Updates)
		case i >= 10 && len(replies) != 0:
			t.Errorf("incident %d has %d replies; want none", i, len(replies))
		}
	}
	if n := e.fake.CallCount("chat.postMessage"); n != 60+4 {
		t.Errorf("chat.postMessage calls = %d; want 60 accepted + 4 rate-limited", n)
	}
}

// TestSenderDeadLetters sends to a channel that does not exist: the entry goes to the dead
// stream with the reason, and the next notification is delivered anyway.
func TestSenderDeadLetters(t *testing.T) {
	e := newEnv(t)
	e.fake.RemoveChannel("CGONE")
	runSender(t, e, bot.SenderConfig{})
	e.notify(t, fleet.Notification{ID: "lost", Kind: fleet.NotifySystem, Channel: "CGONE", Text: "to nowhere"})
	e.notify(t, fleet.Notification{ID: "ok", Kind: fleet.NotifySystem, Text: "to alerts"})
	e.rdb.XAdd(context.Background(), &redisXAdd{Stream: fleet.Keys{Prefix: e.prefix}.Notify(), Values: map[string]any{"n": "{not json"}})
	e.waitDrained(t)
	dead, err := e.rdb.XRange(context.Background(), fleet.Keys{Prefix: e.prefix}.NotifyDead(), "-", "+").Result()
	if err != nil || len(dead) != 2 {
		t.Fatalf("dead entries = %d, %v; want 2", len(dead), err)
	}
	reasons := map[string]string{} // channel → error
	for _, d := range dead {
		reasons[d.Values["channel"].(string)], _ = d.Values["error"].(string)
	}
	if got := reasons["CGONE"]; !strings.HasSuffix(got, "channel_not_found") {
		t.Errorf("dead-letter reason for CGONE = %q; want channel_not_found", got)
	}
	if got := reasons[alertsCh]; !strings.Contains(got, "not a notification") {
		t.Errorf("dead-letter reason for the malformed entry = %q; want it named", got)
	}
	if msgs := e.fake.Messages(alertsCh); len(msgs) != 1 || !strings.Contains(msgs[0].Text, "to alerts") {
		t.Errorf("alerts channel = %+v; want the second notification", msgs)
	}
}

// TestSenderRetriesTransientErrors gets two 503s then success; the message is posted once.
func TestSenderRetriesTransientErrors(t *testing.T) {
	e := newEnv(t)
	e.fake.Inject(slackFault503)
	e.fake.FailWith("chat.postMessage", 1, "internal_error")
	runSender(t, e, bot.SenderConfig{MaxBackoff: 50 * time.Millisecond})
	e.notify(t, fleet.Notification{ID: "x1", Kind: fleet.NotifySystem, Text: "hello"})
	e.waitDrained(t)
	if msgs := e.fake.Messages(alertsCh); len(msgs) != 1 {
		t.Errorf("messages = %d; want 1", len(msgs))
	}
	if n := e.fake.CallCount("chat.postMessage"); n != 4 {
		t.Errorf("chat.postMessage calls = %d; want 2 503s + internal_error + success", n)
	}
}

// TestSenderSkipsDeliveredIDs appends the same notification ID twice (a producer retry after
// a lost reply): it is posted once.
func TestSenderSkipsDeliveredIDs(t *testing.T) {
	e := newEnv(t)
	runSender(t, e, bot.SenderConfig{})
	n := fleet.Notification{ID: "same", Kind: fleet.NotifySystem, Text: "once"}
	e.notify(t, n)
	e.waitDrained(t)
	e.notify(t, n)
	e.waitDrained(t)
	if msgs := e.fake.Messages(alertsCh); len(msgs) != 1 {
		t.Errorf("messages = %d; want 1", len(msgs))
	}
}

// TestSenderTripApprovalAndDecision posts the approval message with its buttons, records it,
// then updates it in place and answers the requester in its thread once decided.
func TestSenderTripApprovalAndDecision(t *testing.T) {
	e := newEnv(t)
	e.seedFleet(t)
	ctx := context.Background()
	trip, err := e.st.CreateTrip(ctx, fleet.Trip{Plate: "T11985LA", Origin: "ESSLIBRA", Destination: "ECLAT",
		ScheduledDeparture: time.Now().Add(3 * time.Hour), RequestedBy: "UDISPATCH", RequestedVia: "slack"},
		fleet.Actor{ID: "UDISPATCH", Via: "slack"})
	if err != nil {
		t.Fatal(err)
	}
	runSender(t, e, bot.SenderConfig{})
	e.notify(t, fleet.Notification{ID: "appr", Kind: fleet.NotifyTripApproval, Trip: &trip})
	e.waitDrained(t)
	stored, _ := e.st.TripByCode(ctx, trip.Code)
	if stored.SlackChannel != dispatchCh || stored.SlackTS == "" {
		t.Fatalf("approval message = %q %q; want recorded in %s", stored.SlackChannel, stored.SlackTS, dispatchCh)
	}
	msg, _ := e.fake.Message(dispatchCh, stored.SlackTS)
	for _, want := range []string{`"action_id":"trip_approve"`, `"action_id":"trip_reject"`, `"value":"` + trip.Code + `"`} {
		if !strings.Contains(string(msg.Blocks), want) {
			t.Errorf("approval blocks lack %s: %s", want, msg.Blocks)
		}
	}
	decided, err := e.st.TransitionTrip(ctx, trip.Code, fleet.Actor{ID: "UAPPROVER", Via: "slack"}, "trip.approve",
		func(t fleet.Trip) (fleet.Trip, error) { return t.Approve("UAPPROVER", time.Now()) })
	if err != nil {
		t.Fatal(err)
	}
	e.notify(t, fleet.Notification{ID: "dec", Kind: fleet.NotifyTripDecided, Trip: &decided})
	e.waitDrained(t)
	msg, _ = e.fake.Message(dispatchCh, stored.SlackTS)
	if msg.Updates != 1 || strings.Contains(string(msg.Blocks), "trip_approve") || !strings.Contains(string(msg.Blocks), "Approved") {
		t.Errorf("approval message after decision = %q (%d updates); want it updated without buttons", msg.Blocks, msg.Updates)
	}
	if th := e.fake.Thread(dispatchCh, stored.SlackTS); len(th) != 1 || !strings.Contains(th[0].Text, "UDISPATCH") {
		t.Errorf("approval thread = %+v; want one reply to the requester", th)
	}
}

// TestSenderWeeklyChart posts the weekly report and uploads its chart in the thread.
func TestSenderWeeklyChart(t *testing.T) {
	e := newEnv(t)
	runSender(t, e, bot.SenderConfig{})
	png := append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 64)...)
	data, _ := json.Marshal(map[string]any{"chart_png": png, "trips": 42, "on_time_pct": 91.5})
	e.notify(t, fleet.Notification{ID: "wk", Kind: fleet.NotifyWeeklyReport, Text: "*Week 47*: 42 trips", Data: data})
	e.waitDrained(t)
	files := e.fake.Files()
	top := e.fake.TopLevel(summaryCh)
	if len(top) != 1 || len(files) != 1 || files[0].ThreadTS != top[0].TS || string(files[0].Content) != string(png) {
		t.Fatalf("report = %+v, files = %+v; want the chart in the report's thread", top, files)
	}
}

// TestSenderAlertThread: an update replies in the incident's thread and updates the parent;
// an update whose parent was never posted becomes the parent.
func TestSenderAlertThread(t *testing.T) {
	e := newEnv(t)
	runSender(t, e, bot.SenderConfig{})
	a := openAlert(t, e, 1)
	e.notify(t, fleet.Notification{ID: "o", Kind: fleet.NotifyAlertOpened, Alert: &a})
	upd := a
	upd.Message = "alert-1: now 85 km/h"
	e.notify(t, fleet.Notification{ID: "u", Kind: fleet.NotifyAlertUpdated, Alert: &upd, Text: "now 85 km/h"})
	orphan := openAlert(t, e, 2)
	e.notify(t, fleet.Notification{ID: "u2", Kind: fleet.NotifyAlertUpdated, Alert: &orphan})
	e.waitDrained(t)
	top := e.fake.TopLevel(alertsCh)
	if len(top) != 2 {
		t.Fatalf("parents = %d; want the incident's and the orphan update's", len(top))
	}
	th := e.fake.Thread(alertsCh, top[0].TS)
	if len(th) != 1 || !strings.Contains(th[0].Text, "now 85 km/h") {
		t.Errorf("thread = %+v; want the update", th)
	}
	if p, _ := e.fake.Message(alertsCh, top[0].TS); p.Updates != 1 || !strings.Contains(p.Text, "85 km/h") {
		t.Errorf("parent = %q after %d updates; want it showing the update", p.Text, p.Updates)
	}
	if stored, _ := e.st.AlertByID(context.Background(), orphan.ID); stored.SlackTS != top[1].TS {
		t.Errorf("orphan's parent = %q; want %q recorded", stored.SlackTS, top[1].TS)
	}
}

// TestSenderTripEventThreads posts trip events in the approval message's thread, a delay
// broadcast to the channel too.
func TestSenderTripEventThreads(t *testing.T) {
	e := newEnv(t)
	e.seedFleet(t)
	ctx := context.Background()
	trip, err := e.st.CreateTrip(ctx, fleet.Trip{Plate: "T28737LA", Origin: "ESSLIBRA", Destination: "ECLAT",
		ScheduledDeparture: time.Now().Add(2 * time.Hour), RequestedBy: "UDISPATCH"}, fleet.Actor{ID: "UDISPATCH"})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.st.SetTripSlackMessage(ctx, trip.Code, dispatchCh, "1690000000.000001"); err != nil {
		t.Fatal(err)
	}
	runSender(t, e, bot.SenderConfig{})
	e.notify(t, fleet.Notification{ID: "ev", Kind: fleet.NotifyTripEvent, Trip: &trip,
		Event: &fleet.Event{Kind: fleet.EventTripDelayed, Plate: trip.Plate, TripCode: trip.Code, At: time.Now()}})
	e.waitDrained(t)
	msgs := e.fake.Messages(dispatchCh)
	if len(msgs) != 1 || msgs[0].ThreadTS != "1690000000.000001" || !strings.Contains(msgs[0].Text, "delayed") {
		t.Fatalf("dispatch = %+v; want the delay in the approval thread", msgs)
	}
	if c := e.fake.Calls("chat.postMessage"); len(c) != 1 || c[0].Form.Get("reply_broadcast") != "true" {
		t.Errorf("post = %+v; want reply_broadcast for a delay", c)
	}
}

// TestSenderUnconfiguredChannel dead-letters notifications whose audience has no channel.
func TestSenderUnconfiguredChannel(t *testing.T) {
	e := newEnv(t)
	runSender(t, e, bot.SenderConfig{Channels: map[fleet.Audience]string{fleet.AudienceAlerts: alertsCh}})
	e.notify(t, fleet.Notification{ID: "d", Kind: fleet.NotifySystem, Audience: fleet.AudienceSummary, Text: "x"})
	e.waitDrained(t)
	dead, _ := e.rdb.XRange(context.Background(), fleet.Keys{Prefix: e.prefix}.NotifyDead(), "-", "+").Result()
	if len(dead) != 1 || !strings.Contains(dead[0].Values["error"].(string), "no Slack channel") {
		t.Errorf("dead = %+v; want the notification with the reason", dead)
	}
}

// TestSenderFallsBackToText: when Slack refuses the blocks, the text alone is posted rather
// than the notification being lost.
func TestSenderFallsBackToText(t *testing.T) {
	e := newEnv(t)
	e.fake.FailWith("chat.postMessage", 1, "msg_blocks_too_long")
	runSender(t, e, bot.SenderConfig{})
	e.notify(t, fleet.Notification{ID: "b", Kind: fleet.NotifySystem, Text: "disk nearly full"})
	e.waitDrained(t)
	msgs := e.fake.Messages(alertsCh)
	if len(msgs) != 1 || msgs[0].Blocks != nil || !strings.Contains(msgs[0].Text, "disk nearly full") {
		t.Errorf("messages = %+v; want the text alone", msgs)
	}
}

// TestTwoSendersNeverDouble runs two replicas on one stream while Slack rate-limits, with a
// claim time short enough that each takes over entries the other holds: every incident is
// still posted exactly once.
func TestTwoSendersNeverDouble(t *testing.T) {
	e := newEnv(t)
	e.fake.RateLimit("chat.postMessage", 3, 1)
	runSender(t, e, bot.SenderConfig{Consumer: "replica-a", ClaimIdle: 300 * time.Millisecond, PerSecond: 20, Burst: 2})
	runSender(t, e, bot.SenderConfig{Consumer: "replica-b", ClaimIdle: 300 * time.Millisecond, PerSecond: 20, Burst: 2})
	for i := range 30 {
		a := openAlert(t, e, i)
		e.notify(t, fleet.Notification{ID: fmt.Sprintf("open-%d", i), Kind: fleet.NotifyAlertOpened, Alert: &a})
	}
	e.waitDrained(t)
	seen := map[string]int{}
	for _, m := range e.fake.TopLevel(alertsCh) {
		seen[strings.SplitN(strings.SplitN(m.Text, "alert-", 2)[1], ":", 2)[0]]++
	}
	for i := range 30 {
		if n := seen[fmt.Sprint(i)]; n != 1 {
			t.Errorf("incident %d posted %d times; want once", i, n)
		}
	}
}

// TestSenderResumesAfterRestart: entries a consumer read but never acknowledged (it was
// killed) are delivered when it comes back under the same name, more than a page of them.
func TestSenderResumesAfterRestart(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	if err := e.rdb.XGroupCreateMkStream(ctx, fleet.Keys{Prefix: e.prefix}.Notify(), bot.NotifyGroup, "0").Err(); err != nil {
		t.Fatal(err)
	}
	for i := range 100 {
		e.notify(t, fleet.Notification{ID: fmt.Sprintf("n%d", i), Kind: fleet.NotifySystem, Text: fmt.Sprintf("note-%d", i)})
	}
	if err := e.rdb.XReadGroup(ctx, &redisXReadGroup{Group: bot.NotifyGroup, Consumer: "replica-a",
		Streams: []string{fleet.Keys{Prefix: e.prefix}.Notify(), ">"}, Count: 100}).Err(); err != nil {
		t.Fatal(err)
	}
	runSender(t, e, bot.SenderConfig{Consumer: "replica-a", ClaimIdle: time.Hour})
	e.waitDrained(t)
	if n := len(e.fake.Messages(alertsCh)); n != 100 {
		t.Errorf("messages = %d; want all 100 pending notifications", n)
	}
}

// TestSenderTripEventRefreshesApproval posts LocoNav's tracking link in the approval thread and
// updates the approval message in place, so the link shows on the trip's message itself.
func TestSenderTripEventRefreshesApproval(t *testing.T) {
	e := newEnv(t)
	e.seedFleet(t)
	ctx := context.Background()
	actor := fleet.Actor{ID: "UMANAGER"}
	trip, err := e.st.CreateTrip(ctx, fleet.Trip{Plate: "T28737LA", Origin: "ESSLIBRA", Destination: "ECLAT",
		ScheduledDeparture: time.Now().Add(2 * time.Hour), RequestedBy: "UDISPATCH"}, fleet.Actor{ID: "UDISPATCH"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.TransitionTrip(ctx, trip.Code, actor, "approve", func(tr fleet.Trip) (fleet.Trip, error) {
		return tr.Approve("UMANAGER", time.Now())
	}); err != nil {
		t.Fatal(err)
	}
	const ts, link = "1690000000.000002", "https://track.loconav.example/t/abc"
	if err := e.st.SetTripSlackMessage(ctx, trip.Code, dispatchCh, ts); err != nil {
		t.Fatal(err)
	}
	if err := e.st.SetTripLoconav(ctx, trip.Code, "42", link); err != nil {
		t.Fatal(err)
	}
	runSender(t, e, bot.SenderConfig{})
	e.notify(t, fleet.Notification{ID: "pushed", Kind: fleet.NotifyTripEvent, Trip: &trip, Text: "Created in LocoNav: " + link})
	e.waitDrained(t)
	updates := e.fake.Calls("chat.update")
	if len(updates) != 1 || updates[0].Form.Get("ts") != ts || !strings.Contains(updates[0].Form.Get("blocks"), link) {
		t.Fatalf("chat.update = %+v; want the approval message %s updated with the tracking link", updates, ts)
	}
}
