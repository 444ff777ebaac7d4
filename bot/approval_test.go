package bot_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/watchtower-ops/watchtower/bot/slackfake"
	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/tools"
)

// submitAck submits the form and returns the ack's payload.
func (h *harness) submitAck(t *testing.T, viewID, user string, values map[string]map[string]any) map[string]any {
	t.Helper()
	env, err := h.fake.Submit(viewID, user, values)
	if err != nil {
		t.Fatal(err)
	}
	a := h.ackOf(t, env)
	var p map[string]any
	if err := json.Unmarshal(a.Payload, &p); err != nil {
		t.Fatalf("submission ack payload %s: %v", a.Payload, err)
	}
	return p
}

func formValues(truck, origin, dest, date, hhmm, container string) map[string]map[string]any {
	return map[string]map[string]any{
		"truck":       {"truck": slackfake.SelectValue(truck)},
		"origin":      {"origin": slackfake.SelectValue(origin)},
		"destination": {"destination": slackfake.SelectValue(dest)},
		"date":        {"date": slackfake.DateValue(date)},
		"time":        {"time": slackfake.TimeValue(hhmm)},
		"container":   {"container": slackfake.TextValue(container)},
		"cargo":       {"cargo": slackfake.SelectValue("General cargo")},
		"notes":       {"notes": slackfake.TextValue("Gate 3")},
	}
}

// TestTripForm opens the /trip form, submits it with mistakes (inline errors from the form's
// own checks and from create_trip), then correctly: the trip waits for approval and the
// approval message reaches the dispatch channel.
func TestTripForm(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	in := h.fake.SlashCommand("UDISPATCH", generalCh, "/trip", "")
	h.ackOf(t, in.EnvelopeID)
	if err := h.fake.WaitTimeout(waitFor, "the trip form", func() bool { return len(h.fake.Views()) == 1 }); err != nil {
		t.Fatal(err)
	}
	view := h.fake.Views()[0]
	for _, want := range []string{`"callback_id":"trip_form"`, `"value":"T11985LA"`, `"value":"ECLAT"`, `"type":"datepicker"`, `"type":"timepicker"`} {
		if !strings.Contains(string(view.JSON), want) {
			t.Errorf("trip form lacks %s", want)
		}
	}
	lagos := fleet.Lagos()
	yesterday := time.Now().In(lagos).AddDate(0, 0, -1).Format(time.DateOnly)
	tomorrow := time.Now().In(lagos).AddDate(0, 0, 1).Format(time.DateOnly)

	p := h.submitAck(t, view.ID, "UDISPATCH", formValues("T11985LA", "ESSLIBRA", "ESSLIBRA", yesterday, "08:00", "MSCU12"))
	errs, _ := p["errors"].(map[string]any)
	if p["response_action"] != "errors" || errs["destination"] == nil || errs["date"] == nil || errs["container"] == nil {
		t.Errorf("first submission ack = %v; want errors on destination, date and container", p)
	}
	p = h.submitAck(t, view.ID, "UDISPATCH", formValues("APP381VP", "ESSLIBRA", "ECLAT", tomorrow, "08:00", ""))
	errs, _ = p["errors"].(map[string]any)
	if msg, _ := errs["truck"].(string); p["response_action"] != "errors" || !strings.Contains(msg, "in maintenance") {
		t.Errorf("maintenance truck ack = %v; want the store's refusal on the truck field", p)
	}
	p = h.submitAck(t, view.ID, "UDISPATCH", formValues("T11985LA", "ESSLIBRA", "ECLAT", tomorrow, "08:00", "mscu 1234567"))
	if p["response_action"] != "update" || !strings.Contains(string(mustJSON(p["view"])), "requested") {
		t.Fatalf("good submission ack = %v; want the confirmation in place of the form", p)
	}
	trip, err := h.st.TripByCode(context.Background(), "TRP-0001")
	if err != nil || trip.Status != fleet.TripPendingApproval || trip.RequestedBy != "UDISPATCH" || trip.ContainerNo != "MSCU1234567" {
		t.Fatalf("trip = %+v, %v; want TRP-0001 pending approval for UDISPATCH", trip, err)
	}
	if err := h.fake.WaitTimeout(waitFor, "the approval message", func() bool { return len(h.fake.TopLevel(dispatchCh)) == 1 }); err != nil {
		t.Fatal(err)
	}
	if eph := h.fake.Ephemerals(); len(eph) != 1 || eph[0].Channel != generalCh || !strings.Contains(eph[0].Text, "TRP-0001") {
		t.Errorf("ephemerals = %+v; want the requester's confirmation in %s", eph, generalCh)
	}
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

// ephemeralTo waits for an ephemeral message to user containing want.
func (h *harness) ephemeralTo(t *testing.T, user, want string) {
	t.Helper()
	err := h.fake.WaitTimeout(waitFor, "an ephemeral to "+user+" saying "+want, func() bool {
		for _, e := range h.fake.Ephemerals() {
			if e.User == user && strings.Contains(e.Text, want) {
				return true
			}
		}
		return false
	})
	if err != nil {
		t.Fatalf("%v; ephemerals = %+v", err, h.fake.Ephemerals())
	}
}

// TestApprovalButtons: a non-approver is refused; two approvers clicking at once and a double
// click approve the trip exactly once; the message is updated in place with who decided, the
// requester hears back in the thread, and the audit log has one approval.
func TestApprovalButtons(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	ctx := context.Background()
	created, err := h.reg.CreateTrip(ctx, tools.CreateTripArgs{Truck: "T11985LA", Origin: ptr("ESSLIBRA"), Destination: "ECLAT",
		DepartureTime: "tomorrow 9am"}, tools.Caller{UserID: "UDISPATCH", Name: "Tunde Bello", Via: "slack"})
	if err != nil {
		t.Fatal(err)
	}
	code := created.TripID
	var ts string
	err = h.fake.WaitTimeout(waitFor, "the approval message on record", func() bool {
		tr, err := h.st.TripByCode(ctx, code)
		ts = tr.SlackTS
		return err == nil && ts != ""
	})
	if err != nil {
		t.Fatal(err)
	}

	h.ackOf(t, h.fake.Click("UOTHER", dispatchCh, ts, "trip_approve", code).EnvelopeID)
	h.ephemeralTo(t, "UOTHER", "Only dispatch approvers")
	if tr, _ := h.st.TripByCode(ctx, code); tr.Status != fleet.TripPendingApproval {
		t.Fatalf("after a non-approver's click the trip is %s; want pending approval", tr.Status)
	}

	clicks := []slackfake.Interaction{
		h.fake.Click("UAPPROVER", dispatchCh, ts, "trip_approve", code),
		h.fake.Click("UAPPROVER2", dispatchCh, ts, "trip_approve", code),
		h.fake.Click("UAPPROVER", dispatchCh, ts, "trip_approve", code),
	}
	for _, c := range clicks {
		h.ackOf(t, c.EnvelopeID)
	}
	err = h.fake.WaitTimeout(waitFor, "two late clicks told", func() bool {
		n := 0
		for _, e := range h.fake.Ephemerals() {
			if strings.Contains(e.Text, "already approved") {
				n++
			}
		}
		return n == 2
	})
	if err != nil {
		t.Fatalf("%v; ephemerals = %+v", err, h.fake.Ephemerals())
	}
	tr, _ := h.st.TripByCode(ctx, code)
	if tr.Status != fleet.TripScheduled || (tr.DecidedBy != "UAPPROVER" && tr.DecidedBy != "UAPPROVER2") {
		t.Fatalf("trip = %s decided by %q; want scheduled by an approver", tr.Status, tr.DecidedBy)
	}
	h.replyIn(t, dispatchCh, ts, "UDISPATCH")
	msg, _ := h.fake.Message(dispatchCh, ts)
	if strings.Contains(string(msg.Blocks), "trip_approve") || !strings.Contains(string(msg.Blocks), "Approved") || !strings.Contains(string(msg.Blocks), tr.DecidedBy) {
		t.Errorf("approval message = %s; want it updated in place with who approved", msg.Blocks)
	}
	audit, err := h.st.ListAudit(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	approvals := 0
	for _, a := range audit {
		if a.Action == "trip.approve" {
			approvals++
		}
	}
	if approvals != 1 {
		t.Errorf("audit has %d trip.approve entries; want exactly 1: %+v", approvals, audit)
	}
}

func ptr[T any](v T) *T { return &v }

// TestRejectWithReason: Reject asks the approver why; the submitted reason rejects the trip
// once, shows on the updated message and reaches the requester in the thread. A
// non-approver's Reject is refused without a form.
func TestRejectWithReason(t *testing.T) {
	h := newHarness(t, harnessOpts{})
	ctx := context.Background()
	created, err := h.reg.CreateTrip(ctx, tools.CreateTripArgs{Truck: "T28737LA", Origin: ptr("TINCAN"), Destination: "ECLAT",
		DepartureTime: "tomorrow 10am"}, tools.Caller{UserID: "UDISPATCH", Via: "slack"})
	if err != nil {
		t.Fatal(err)
	}
	code := created.TripID
	var ts string
	if err := h.fake.WaitTimeout(waitFor, "the approval message on record", func() bool {
		tr, _ := h.st.TripByCode(ctx, code)
		ts = tr.SlackTS
		return ts != ""
	}); err != nil {
		t.Fatal(err)
	}
	h.fake.Click("UOTHER", dispatchCh, ts, "trip_reject", code)
	h.ephemeralTo(t, "UOTHER", "Only dispatch approvers can reject trips")
	h.fake.Click("UAPPROVER", dispatchCh, ts, "trip_reject", code)
	if err := h.fake.WaitTimeout(waitFor, "the reason form", func() bool { return len(h.fake.Views()) == 1 }); err != nil {
		t.Fatal(err)
	}
	if tr, _ := h.st.TripByCode(ctx, code); tr.Status != fleet.TripPendingApproval {
		t.Fatalf("trip is %s before the form was submitted; want pending", tr.Status)
	}
	p := h.submitAck(t, h.fake.Views()[0].ID, "UAPPROVER", map[string]map[string]any{
		"reason": {"reason": slackfake.TextValue("Truck needed at Apapa")}})
	if p["response_action"] != "clear" {
		t.Errorf("submission ack = %v; want the form closed", p)
	}
	tr, _ := h.st.TripByCode(ctx, code)
	if tr.Status != fleet.TripRejected || tr.RejectReason != "Truck needed at Apapa" || tr.DecidedBy != "UAPPROVER" {
		t.Fatalf("trip = %s (%q by %s); want rejected with the reason by UAPPROVER", tr.Status, tr.RejectReason, tr.DecidedBy)
	}
	reply := h.replyIn(t, dispatchCh, ts, "rejected")
	if !strings.Contains(reply.Text, "Truck needed at Apapa") {
		t.Errorf("requester's reply = %q; want the reason", reply.Text)
	}
	msg, _ := h.fake.Message(dispatchCh, ts)
	if !strings.Contains(string(msg.Blocks), "Rejected") || !strings.Contains(string(msg.Blocks), "Truck needed at Apapa") {
		t.Errorf("approval message = %s; want it rejected with the reason", msg.Blocks)
	}
}
