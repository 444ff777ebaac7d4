package bot_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/watchtower-ops/watchtower/bot"
	"github.com/watchtower-ops/watchtower/fleet"
)

// TestAlertDigest: with digests on, an info alert posts nothing of its own; the period's digest
// is one message per channel its alerts route to, posted once however often it is queued;
// a warning is posted at once as before.
func TestAlertDigest(t *testing.T) {
	e := newEnv(t)
	runSender(t, e, bot.SenderConfig{DigestInfo: true,
		Routes: fleet.AlertRoutes{Kinds: map[fleet.AlertKind]string{fleet.AlertGeofenceEnter: dispatchCh}}})
	ctx := context.Background()
	var infos []fleet.Alert
	for i, kind := range []fleet.AlertKind{fleet.AlertIdle, fleet.AlertIdle, fleet.AlertGeofenceEnter} {
		a, _, err := e.st.OpenAlert(ctx, fleet.Alert{Kind: kind, Plate: fmt.Sprintf("T%05dLA", i),
			IncidentKey: fmt.Sprintf("%s:T%05dLA", kind, i), Message: fmt.Sprintf("info-%d", i), OpenedAt: time.Now().UTC()})
		if err != nil {
			t.Fatal(err)
		}
		infos = append(infos, a)
		e.notify(t, fleet.AlertNotification(a, fleet.NotifyAlertOpened, a.OpenedAt))
	}
	warn := openAlert(t, e, 9)
	e.notify(t, fleet.AlertNotification(warn, fleet.NotifyAlertOpened, warn.OpenedAt))
	data, _ := json.Marshal(infos)
	digest := fleet.Notification{ID: "alert.digest:1", Kind: fleet.NotifyAlertDigest, Text: "15 min", Data: data}
	e.notify(t, digest)
	e.notify(t, digest) // a retried job run
	e.waitDrained(t)

	top := e.fake.TopLevel(alertsCh)
	if len(top) != 2 || !strings.Contains(top[0].Text+top[1].Text, "2 info alerts") {
		t.Fatalf("alerts channel = %+v; want the warning and one digest of the two idle alerts", top)
	}
	if d := e.fake.TopLevel(dispatchCh); len(d) != 1 || !strings.Contains(d[0].Text, "1 info alert") || !strings.Contains(d[0].Text, "info-2") {
		t.Errorf("dispatch channel = %+v; want one digest with the routed geofence alert", d)
	}
}

// TestAlertDigestButtons: each alert of a digest carries its own Acknowledge, Snooze and
// Mute buttons (value = alert ID); a click acts once (a second click is told who did it), and
// the digest itself is updated in place — who acknowledged which alert, which ended — and
// never replaced by one alert's message.
func TestAlertDigestButtons(t *testing.T) {
	h := newHarness(t, harnessOpts{digest: true})
	ctx := context.Background()
	var infos []fleet.Alert
	for _, plate := range []string{"T11985LA", "T28737LA"} {
		a, _, err := h.st.OpenAlert(ctx, idleAlert(plate))
		if err != nil {
			t.Fatal(err)
		}
		infos = append(infos, a)
		h.notify(t, fleet.AlertNotification(a, fleet.NotifyAlertOpened, a.OpenedAt))
	}
	data, _ := json.Marshal(infos)
	h.notify(t, fleet.Notification{ID: "alert.digest:2", Kind: fleet.NotifyAlertDigest, Text: "15 min", Data: data})
	var ts string
	err := h.fake.WaitTimeout(waitFor, "the digest", func() bool {
		top := h.fake.TopLevel(alertsCh)
		if len(top) == 1 {
			ts = top[0].TS
		}
		return ts != ""
	})
	if err != nil {
		t.Fatal(err)
	}
	first, second := strconv.FormatInt(infos[0].ID, 10), strconv.FormatInt(infos[1].ID, 10)
	msg, _ := h.fake.Message(alertsCh, ts)
	for _, id := range []string{first, second} {
		for _, want := range []string{`"block_id":"alert_actions:` + id + `"`, `"text":"Acknowledge"`, `"action_id":"alert_ack"`,
			`"action_id":"alert_snooze"`, `"action_id":"alert_mute"`, `"value":"` + id + `"`} {
			if !strings.Contains(string(msg.Blocks), want) {
				t.Errorf("digest lacks %s: %s", want, msg.Blocks)
			}
		}
	}

	h.ackOf(t, h.fake.Click("UOPS1", alertsCh, ts, "alert_ack", first).EnvelopeID)
	// Clicks are handled concurrently; the second is sent once the first has taken effect, so
	// the test knows which of the two must win.
	err = h.fake.WaitTimeout(waitFor, "the first acknowledgement stored", func() bool {
		got, _ := h.st.AlertByID(ctx, infos[0].ID)
		return got.Acked != nil
	})
	if err != nil {
		t.Fatal(err)
	}
	h.ackOf(t, h.fake.Click("UOPS2", alertsCh, ts, "alert_ack", first).EnvelopeID)
	h.ephemeralTo(t, "UOPS2", "already acknowledged by")
	err = h.fake.WaitTimeout(waitFor, "the digest updated in place", func() bool {
		m, _ := h.fake.Message(alertsCh, ts)
		b := string(m.Blocks)
		return strings.Contains(b, "2 info alerts") && strings.Contains(b, "Acknowledged by \\u003c@UOPS1") &&
			strings.Count(b, `"action_id":"alert_ack"`) == 1 && strings.Contains(b, `"alert_actions:`+second+`"`)
	})
	if err != nil {
		m, _ := h.fake.Message(alertsCh, ts)
		t.Fatalf("%v; digest = %s", err, m.Blocks)
	}
	if got, _ := h.st.AlertByID(ctx, infos[0].ID); got.Acked == nil || got.Acked.By != "UOPS1" {
		t.Errorf("first alert = %+v; want acknowledged by UOPS1", got)
	}

	resolved, err := h.st.ResolveAlert(ctx, infos[1].IncidentKey, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	h.notify(t, fleet.AlertNotification(resolved, fleet.NotifyAlertResolved, *resolved.ResolvedAt))
	err = h.fake.WaitTimeout(waitFor, "the ended alert shown in the digest", func() bool {
		m, _ := h.fake.Message(alertsCh, ts)
		b := string(m.Blocks)
		return strings.Contains(b, "ended after") && !strings.Contains(b, `"alert_actions:`+second+`"`)
	})
	if err != nil {
		m, _ := h.fake.Message(alertsCh, ts)
		t.Fatalf("%v; digest = %s", err, m.Blocks)
	}
	if top := h.fake.TopLevel(alertsCh); len(top) != 1 {
		t.Errorf("%d top-level messages; want the digest alone", len(top))
	}
}

// TestAlertDigestPages: a period with more info alerts than one message can carry buttons
// for (Slack allows 50 blocks) is posted as parts, every alert with its buttons.
func TestAlertDigestPages(t *testing.T) {
	e := newEnv(t)
	runSender(t, e, bot.SenderConfig{DigestInfo: true})
	ctx := context.Background()
	var infos []fleet.Alert
	for i := range 25 {
		a, _, err := e.st.OpenAlert(ctx, fleet.Alert{Kind: fleet.AlertIdle, Plate: fmt.Sprintf("T%05dLA", i),
			IncidentKey: fmt.Sprintf("idle:T%05dLA", i), Message: fmt.Sprintf("info-%d", i), OpenedAt: time.Now().UTC()})
		if err != nil {
			t.Fatal(err)
		}
		infos = append(infos, a)
	}
	data, _ := json.Marshal(infos)
	e.notify(t, fleet.Notification{ID: "alert.digest:3", Kind: fleet.NotifyAlertDigest, Text: "15 min", Data: data})
	e.waitDrained(t)
	top := e.fake.TopLevel(alertsCh)
	if len(top) != 2 || !strings.Contains(top[0].Text, "20 info alerts in the last 15 min (part 1 of 2)") ||
		!strings.Contains(top[1].Text, "5 info alerts in the last 15 min (part 2 of 2)") {
		t.Fatalf("digest messages = %d; want parts 1 and 2 of 20 and 5 alerts", len(top))
	}
	buttons := 0
	for _, m := range top {
		var blocks []json.RawMessage
		if err := json.Unmarshal(m.Blocks, &blocks); err != nil || len(blocks) > 50 {
			t.Errorf("digest part has %d blocks (%v); want at most 50", len(blocks), err)
		}
		buttons += strings.Count(string(m.Blocks), `"action_id":"alert_ack"`)
	}
	if buttons != 25 {
		t.Errorf("Acknowledge buttons = %d; want one per alert (25)", buttons)
	}
}
