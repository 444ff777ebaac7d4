package bot_test

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/watchtower-ops/watchtower/bot/slackfake"
	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/tools"
)

// openAlert opens an alert in the store, queues its notification and waits for its parent
// message in channel; it returns the alert and the message's ts.
func (h *harness) openAlert(t *testing.T, a fleet.Alert, channel string) (fleet.Alert, string) {
	t.Helper()
	ctx := context.Background()
	a, created, err := h.st.OpenAlert(ctx, a)
	if err != nil || !created {
		t.Fatalf("OpenAlert = %+v created=%v, %v", a, created, err)
	}
	h.notify(t, fleet.AlertNotification(a, fleet.NotifyAlertOpened, a.OpenedAt))
	var ts string
	err = h.fake.WaitTimeout(waitFor, "the alert's parent message on record", func() bool {
		got, err := h.st.AlertByID(ctx, a.ID)
		ts = got.SlackTS
		return err == nil && ts != "" && got.SlackChannel == channel
	})
	if err != nil {
		t.Fatal(err)
	}
	return a, ts
}

func idleAlert(plate string) fleet.Alert {
	return fleet.Alert{Kind: fleet.AlertIdle, IncidentKey: fleet.IncidentKey(fleet.AlertIdle, plate), Plate: plate,
		Message: plate + " has idled with the engine on for 25 min", OpenedAt: time.Now().Add(-25 * time.Minute).UTC()}
}

// TestAlertButtons: an opened alert shows its severity and the three buttons; of three quick
// clicks on Acknowledge one acts, the message is updated in place with who and when, and the
// two others are told who already did it; clicks on an unknown or resolved alert get a
// sentence, never an error.
func TestAlertButtons(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	ctx := context.Background()
	a, ts := h.openAlert(t, idleAlert("T11985LA"), alertsCh)
	msg, _ := h.fake.Message(alertsCh, ts)
	for _, want := range []string{"Info", "alert_ack", "alert_snooze", "alert_mute", `"value":"` + strconv.FormatInt(a.ID, 10) + `"`} {
		if !strings.Contains(string(msg.Blocks), want) {
			t.Errorf("alert message lacks %s: %s", want, msg.Blocks)
		}
	}
	id := strconv.FormatInt(a.ID, 10)
	clicks := []slackfake.Interaction{
		h.fake.Click("UOPS1", alertsCh, ts, "alert_ack", id),
		h.fake.Click("UOPS2", alertsCh, ts, "alert_ack", id),
		h.fake.Click("UOPS1", alertsCh, ts, "alert_ack", id),
	}
	for _, c := range clicks {
		h.ackOf(t, c.EnvelopeID)
	}
	err := h.fake.WaitTimeout(waitFor, "two late clicks told", func() bool {
		n := 0
		for _, e := range h.fake.Ephemerals() {
			if strings.Contains(e.Text, "already acknowledged by") {
				n++
			}
		}
		return n == 2
	})
	if err != nil {
		t.Fatalf("%v; ephemerals = %+v", err, h.fake.Ephemerals())
	}
	got, err := h.st.AlertByID(ctx, a.ID)
	if err != nil || got.Acked == nil {
		t.Fatalf("alert = %+v, %v; want acknowledged", got, err)
	}
	who := got.Acked.By
	err = h.fake.WaitTimeout(waitFor, "the message updated in place", func() bool {
		m, _ := h.fake.Message(alertsCh, ts)
		b := string(m.Blocks)
		return strings.Contains(b, "Acknowledged by \\u003c@"+who) && !strings.Contains(b, "alert_ack") && strings.Contains(b, "alert_snooze")
	})
	if err != nil {
		m, _ := h.fake.Message(alertsCh, ts)
		t.Fatalf("%v; message = %s", err, m.Blocks)
	}
	audit, err := h.st.ListAudit(ctx, "alert:"+id)
	if err != nil || len(audit) != 1 || audit[0].Action != "alert.ack" {
		t.Errorf("audit = %+v, %v; want one alert.ack", audit, err)
	}

	h.ackOf(t, h.fake.Click("UOPS3", alertsCh, ts, "alert_snooze", "987654").EnvelopeID)
	h.ephemeralTo(t, "UOPS3", "can't find that alert")
	if _, err := h.st.ResolveAlert(ctx, a.IncidentKey, time.Time{}); err != nil {
		t.Fatal(err)
	}
	h.ackOf(t, h.fake.Click("UOPS4", alertsCh, ts, "alert_mute", id).EnvelopeID)
	h.ephemeralTo(t, "UOPS4", "already ended")
}

// TestAlertResolvedAfterRestart: an alert opened and acknowledged by one sender is resolved
// by another (a restart in between: nothing kept in memory); the parent keeps its original
// text and adds how it ended and how long it lasted.
func TestAlertResolvedAfterRestart(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	ctx := context.Background()
	a, ts := h.openAlert(t, idleAlert("T28737LA"), alertsCh)
	h.ackOf(t, h.fake.Click("UOPS1", alertsCh, ts, "alert_ack", strconv.FormatInt(a.ID, 10)).EnvelopeID)
	err := h.fake.WaitTimeout(waitFor, "the acknowledgement stored", func() bool {
		got, err := h.st.AlertByID(ctx, a.ID)
		return err == nil && got.Acked != nil
	})
	if err != nil {
		t.Fatal(err)
	}
	h.stopSender(t)

	resolved, err := h.st.ResolveAlert(ctx, a.IncidentKey, a.OpenedAt.Add(40*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	h.notify(t, fleet.AlertNotification(resolved, fleet.NotifyAlertResolved, *resolved.ResolvedAt))
	h.startSender(t)
	err = h.fake.WaitTimeout(waitFor, "the parent updated with how it ended", func() bool {
		m, _ := h.fake.Message(alertsCh, ts)
		b := string(m.Blocks)
		return strings.Contains(b, a.Message) && strings.Contains(b, "Ended:* back to normal") &&
			strings.Contains(b, "lasted 40 min") && strings.Contains(b, "Acknowledged by \\u003c@UOPS1") && !strings.Contains(b, "alert_snooze")
	})
	if err != nil {
		m, _ := h.fake.Message(alertsCh, ts)
		t.Fatalf("%v; message = %s", err, m.Blocks)
	}
	if n := len(h.fake.TopLevel(alertsCh)); n != 1 {
		t.Errorf("%d top-level messages in the alerts channel; want 1 (the thread's parent)", n)
	}
}

// TestAlertEscalationAndRoutes: a critical alert goes to the channel its severity routes to,
// and its escalation replies once in its thread mentioning on-call; once acknowledged, a late
// escalation says nothing. A kind's route beats its severity's.
func TestAlertEscalationAndRoutes(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	ctx := context.Background()
	sos := fleet.Alert{Kind: fleet.AlertLoconav, SourceKind: "SosAlert", IncidentKey: "loconav:T11985LA:SosAlert:1",
		Plate: "T11985LA", Message: "SOS button pressed", OpenedAt: time.Now().Add(-20 * time.Minute).UTC()}
	a, ts := h.openAlert(t, sos, dispatchCh)
	h.notify(t, fleet.AlertNotification(a, fleet.NotifyAlertEscalate, time.Now()))
	h.notify(t, fleet.AlertNotification(a, fleet.NotifyAlertEscalate, time.Now())) // a second replica's run
	err := h.fake.WaitTimeout(waitFor, "the escalation in the thread", func() bool {
		th := h.fake.Thread(dispatchCh, ts)
		return len(th) == 1 && strings.Contains(string(th[0].Blocks), "subteam^S0ONCALL")
	})
	if err != nil {
		t.Fatalf("%v; thread = %+v", err, h.fake.Thread(dispatchCh, ts))
	}
	h.ackOf(t, h.fake.Click("UOPS1", dispatchCh, ts, "alert_ack", strconv.FormatInt(a.ID, 10)).EnvelopeID)
	err = h.fake.WaitTimeout(waitFor, "the SOS ended by its acknowledgement", func() bool {
		got, err := h.st.AlertByID(ctx, a.ID)
		return err == nil && !got.Open() && strings.Contains(got.Resolution, "acknowledged by")
	})
	if err != nil {
		t.Fatal(err)
	}
	harsh := fleet.Alert{Kind: fleet.AlertHarshDriving, IncidentKey: "harsh_driving:T28737LA:1", Plate: "T28737LA",
		Severity: fleet.SeverityCritical, Message: "harsh braking", OpenedAt: time.Now().UTC()}
	h.openAlert(t, harsh, summaryCh)
	h.waitDrained(t)
	if th := h.fake.Thread(dispatchCh, ts); len(th) != 2 || !strings.Contains(th[1].Text, "Resolved") {
		t.Errorf("thread = %+v; want the escalation then the resolution, nothing else", th)
	}
}

// TestAlertsCommand: /alerts lists open alerts, a truck's, a kind's; /truck maintenance
// silences the truck and refuses it trips until /truck active.
func TestAlertsCommand(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	ctx := context.Background()
	a, _ := h.openAlert(t, idleAlert("T11985LA"), alertsCh)
	caller := tools.Caller{UserID: "UOPS1", Via: "slack"}
	for _, tc := range []struct{ text, want string }{
		{"open", "#" + strconv.FormatInt(a.ID, 10)},
		{"idle", "Latest idle alerts"},
		{"T11985LA", "has idled"},
		{"overspeed", "none"},
	} {
		got := h.handler.Command(ctx, caller, "/alerts", tc.text).View.FallbackText()
		if !strings.Contains(got, tc.want) {
			t.Errorf("/alerts %s = %q; want it to contain %q", tc.text, got, tc.want)
		}
	}
	got := h.handler.Command(ctx, caller, "/truck", "T28737LA maintenance until tomorrow 8am").View.FallbackText()
	if !strings.Contains(got, "in maintenance") {
		t.Fatalf("/truck maintenance = %q", got)
	}
	if _, created, _ := h.st.OpenAlert(ctx, idleAlert("T28737LA")); created {
		t.Errorf("a truck in maintenance raised an idle alert")
	}
	refusal := h.handler.Command(ctx, caller, "/trip", "T28737LA from ESSLIBRA to ECLAT at tomorrow 10am").View.FallbackText()
	if !strings.Contains(refusal, "in maintenance") {
		t.Errorf("trip for a truck in maintenance = %q; want a refusal saying it is in maintenance", refusal)
	}
	if got := h.handler.Command(ctx, caller, "/truck", "T28737LA active").View.FallbackText(); !strings.Contains(got, "back in service") {
		t.Errorf("/truck active = %q", got)
	}
}

// TestAlertButtonsWhoMay: only approvers and on-call (here the members of the on-call user
// group) may act on alerts. Anyone else is told privately who may, the alert and its
// message stay as they were, and the refusal is audited; an approver's click then acts.
func TestAlertButtonsWhoMay(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	ctx := context.Background()
	a, ts := h.openAlert(t, idleAlert("KJA123AB"), alertsCh)
	id := strconv.FormatInt(a.ID, 10)
	before, _ := h.fake.Message(alertsCh, ts)
	for _, act := range []string{"alert_ack", "alert_snooze", "alert_mute"} {
		h.ackOf(t, h.fake.Click("UOTHER", alertsCh, ts, act, id).EnvelopeID)
	}
	err := h.fake.WaitTimeout(waitFor, "three refusals to UOTHER", func() bool {
		n := 0
		for _, e := range h.fake.Ephemerals() {
			if e.User == "UOTHER" && strings.Contains(e.Text, "Only dispatch approvers and on-call can acknowledge, snooze or mute alerts") &&
				strings.Contains(e.Text, "subteam^S0ONCALL") {
				n++
			}
		}
		return n == 3
	})
	if err != nil {
		t.Fatalf("%v; ephemerals = %+v", err, h.fake.Ephemerals())
	}
	got, err := h.st.AlertByID(ctx, a.ID)
	if err != nil || got.Acked != nil || got.Snoozed != nil || got.Muted != nil {
		t.Fatalf("alert after refused clicks = %+v, %v; want untouched", got, err)
	}
	if after, _ := h.fake.Message(alertsCh, ts); string(after.Blocks) != string(before.Blocks) {
		t.Errorf("message changed by refused clicks: %s", after.Blocks)
	}
	audit, err := h.st.ListAudit(ctx, "alert:"+id)
	if err != nil {
		t.Fatal(err)
	}
	var refused []string
	for _, e := range audit {
		if e.Actor.ID == "UOTHER" {
			refused = append(refused, e.Action)
		}
	}
	slices.Sort(refused) // the clicks are handled concurrently
	if strings.Join(refused, ",") != "alert.ack.refused,alert.mute.refused,alert.snooze.refused" {
		t.Errorf("audited refusals = %v; want ack, snooze and mute refused", refused)
	}

	h.ackOf(t, h.fake.Click("UAPPROVER", alertsCh, ts, "alert_mute", id).EnvelopeID)
	err = h.fake.WaitTimeout(waitFor, "the approver's mute", func() bool {
		got, err := h.st.AlertByID(ctx, a.ID)
		return err == nil && got.Muted != nil && got.Muted.By == "UAPPROVER"
	})
	if err != nil {
		t.Fatal(err)
	}
}
