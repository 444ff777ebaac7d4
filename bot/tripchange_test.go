package bot_test

import (
	"context"
	"strings"
	"testing"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/tools"
)

// requestTrip creates a pending trip for UDISPATCH and waits for its approval message.
func (h *harness) requestTrip(t *testing.T, plate, when string) (code, ts string) {
	t.Helper()
	ctx := context.Background()
	created, err := h.reg.CreateTrip(ctx, tools.CreateTripArgs{Truck: plate, Origin: ptr("ESSLIBRA"), Destination: "ECLAT",
		DepartureTime: when}, tools.Caller{UserID: "UDISPATCH", Via: "slack"})
	if err != nil {
		t.Fatal(err)
	}
	err = h.fake.WaitTimeout(waitFor, "the approval message on record", func() bool {
		tr, err := h.st.TripByCode(ctx, created.TripID)
		ts = tr.SlackTS
		return err == nil && ts != ""
	})
	if err != nil {
		t.Fatal(err)
	}
	return created.TripID, ts
}

// TestCancelTripInChat: a stranger's Cancel trip click is refused; "abeg cancel that trip" in
// the approval thread cancels the thread's trip for its requester, once; the approval message
// shows the cancellation in place; later clicks hear it is already cancelled.
func TestCancelTripInChat(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	ctx := context.Background()
	code, ts := h.requestTrip(t, "T11985LA", "tomorrow 9am")

	h.ackOf(t, h.fake.Click("UOTHER", dispatchCh, ts, "trip_cancel", code).EnvelopeID)
	h.ephemeralTo(t, "UOTHER", "is not yours")

	h.fake.Mention("UDISPATCH", dispatchCh, "abeg cancel that trip", ts)
	err := h.fake.WaitTimeout(waitFor, "the trip cancelled", func() bool {
		tr, _ := h.st.TripByCode(ctx, code)
		return tr.Status == fleet.TripCancelled
	})
	if err != nil {
		t.Fatal(err)
	}
	err = h.fake.WaitTimeout(waitFor, "the approval message updated", func() bool {
		m, _ := h.fake.Message(dispatchCh, ts)
		return strings.Contains(string(m.Blocks), "Cancelled") && !strings.Contains(string(m.Blocks), "trip_approve")
	})
	if err != nil {
		m, _ := h.fake.Message(dispatchCh, ts)
		t.Fatalf("%v: %s", err, m.Blocks)
	}
	h.fake.Click("UAPPROVER", dispatchCh, ts, "trip_cancel", code)
	h.ephemeralTo(t, "UAPPROVER", "already cancelled")
	audit, err := h.st.ListAudit(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, a := range audit {
		if a.Action == "trip.cancel" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d trip.cancel audit entries; want 1", n)
	}
}

// TestSlashCancelAndAmend: /trip cancel by an approver; /trip <id> at <time> on a scheduled
// trip sends it back to approval with a new approval message showing old → new; bad input
// gets a sentence.
func TestSlashCancelAndAmend(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	ctx := context.Background()
	code, ts := h.requestTrip(t, "T11985LA", "tomorrow 9am")
	if _, err := h.reg.ApproveTrip(ctx, code, tools.Caller{UserID: "UAPPROVER", Via: "slack", Approver: true}); err != nil {
		t.Fatal(err)
	}
	h.ackOf(t, h.fake.SlashCommand("UDISPATCH", generalCh, "/trip", code+" at 3pm").EnvelopeID)
	err := h.fake.WaitTimeout(waitFor, "a new approval message", func() bool {
		for _, m := range h.fake.TopLevel(dispatchCh) {
			if m.TS != ts && strings.Contains(string(m.Blocks), "09:00 → ") && strings.Contains(string(m.Blocks), "trip_approve") {
				return true
			}
		}
		return false
	})
	if err != nil {
		t.Fatalf("%v; dispatch = %+v", err, h.fake.TopLevel(dispatchCh))
	}
	tr, _ := h.st.TripByCode(ctx, code)
	if tr.Status != fleet.TripPendingApproval || tr.ScheduledDeparture.In(fleet.Lagos()).Hour() != 15 {
		t.Errorf("trip = %s at %s; want pending approval at 15:00", tr.Status, tr.ScheduledDeparture)
	}
	for _, c := range []struct{ user, text, want string }{
		{"UDISPATCH", "TRP-0099 at 3pm", "TRP-0099"},
		{"UOTHER", "cancel " + code, "is not yours"},
		{"UDISPATCH", code + " to ESSLIBRA", "both ESSLIBRA"},
		{"UDISPATCH", code + " at today 1am", "less than 30 minutes"},
		{"UAPPROVER", "cancel " + code + " client postponed", "cancelled"},
	} {
		before := len(h.fake.ResponsePosts())
		h.ackOf(t, h.fake.SlashCommand(c.user, generalCh, "/trip", c.text).EnvelopeID)
		posts := h.responses(t, before+1)
		if got := posts[before].Text; !strings.Contains(got, c.want) {
			t.Errorf("/trip %s = %q; want %q", c.text, got, c.want)
		}
	}
	tr, _ = h.st.TripByCode(ctx, code)
	if tr.Status != fleet.TripCancelled || tr.CancelReason != "client postponed" {
		t.Errorf("trip = %s (%q); want cancelled with the reason", tr.Status, tr.CancelReason)
	}
}

// TestMovedTripMarksOldApproval: moving an approved trip sends it back to approval with a new
// message, and its old approval message, which showed "Approved", now says who moved it and
// that it awaits approval again.
func TestMovedTripMarksOldApproval(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	ctx := context.Background()
	code, ts := h.requestTrip(t, "T11985LA", "tomorrow 9am")
	if _, err := h.reg.ApproveTrip(ctx, code, tools.Caller{UserID: "UAPPROVER", Via: "slack", Approver: true}); err != nil {
		t.Fatal(err)
	}
	err := h.fake.WaitTimeout(waitFor, "the approval message shows the approval", func() bool {
		m, _ := h.fake.Message(dispatchCh, ts)
		return strings.Contains(string(m.Blocks), "Approved")
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = h.reg.UpdateTrip(ctx, tools.UpdateTripArgs{TripID: code, Departure: ptr("tomorrow 3pm")},
		tools.Caller{UserID: "UDISPATCH", Name: "Ada Dispatch", Via: "slack"})
	if err != nil {
		t.Fatal(err)
	}
	err = h.fake.WaitTimeout(waitFor, "the old approval message marked as moved", func() bool {
		m, _ := h.fake.Message(dispatchCh, ts)
		return strings.Contains(m.Text, "moved by Ada Dispatch") && strings.Contains(m.Text, "awaiting approval again") &&
			!strings.Contains(string(m.Blocks), "Approved")
	})
	if err != nil {
		m, _ := h.fake.Message(dispatchCh, ts)
		t.Fatalf("%v: text %q, blocks %s", err, m.Text, m.Blocks)
	}
	tr, err := h.st.TripByCode(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	if tr.Status != fleet.TripPendingApproval || tr.SlackTS == "" || tr.SlackTS == ts {
		t.Errorf("trip = %s, approval message %q; want pending approval in a new message (not %s)", tr.Status, tr.SlackTS, ts)
	}
}
