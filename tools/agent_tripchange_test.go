package tools_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/store/storetest"
	"github.com/watchtower-ops/watchtower/tools"
	"github.com/watchtower-ops/watchtower/tools/openaifake"
)

// TestModelMovesAndCancelsATrip: the model calls update_trip and cancel_trip with their strict
// arguments; both act through the same service functions (the trip changes, the audit log
// has each change) and a stranger's call comes back to the model as a refusal.
func TestModelMovesAndCancelsATrip(t *testing.T) {
	f, fake := newFixture(t), newFake(t)
	ctx := context.Background()
	c := requested(t, f)
	a := newAgent(t, f, fake, nil, nil, nil)

	fake.Script(openaifake.Step{Calls: []openaifake.Call{call(tools.ToolUpdateTrip,
		map[string]any{"trip_id": c.TripID, "departure": "3pm", "destination": nil})}},
		openaifake.Step{Text: "Moved to 15:00; it waits for approval."})
	ans := ask(t, a, "move TRP-0001 to 3pm")
	if len(ans.Results) != 1 || ans.Results[0].Err != nil {
		t.Fatalf("results = %+v; want update_trip to succeed", ans.Results)
	}
	if ch := ans.Results[0].Value.(*tools.TripChanged); ch.Trip.ScheduledDeparture.In(fleet.Lagos()).Hour() != 15 {
		t.Errorf("update_trip = %+v; want 15:00", ch)
	}

	fake.Script(openaifake.Step{Calls: []openaifake.Call{call(tools.ToolCancelTrip, map[string]any{"trip_id": c.TripID, "reason": nil})}},
		openaifake.Step{Text: "I cannot cancel it."})
	res, err := a.Ask(ctx, tools.Question{Text: "cancel TRP-0001", Caller: tools.Caller{UserID: "U0OTHER", Via: "slack"}})
	must(t, err)
	if len(res.Results) != 1 || fleet.ErrorCode(res.Results[0].Err) != fleet.EFORBIDDEN ||
		!strings.Contains(string(res.Results[0].Output), "not yours") {
		t.Errorf("stranger's cancel_trip = %+v; want the refusal given to the model", res.Results)
	}

	fake.Script(openaifake.Step{Calls: []openaifake.Call{call(tools.ToolCancelTrip, map[string]any{"trip_id": c.TripID, "reason": "client postponed"})}},
		openaifake.Step{Text: "Cancelled."})
	ans = ask(t, a, "cancel TRP-0001, client postponed")
	if len(ans.Results) != 1 || ans.Results[0].Err != nil {
		t.Fatalf("results = %+v; want cancel_trip to succeed", ans.Results)
	}
	stored, err := f.st.TripByCode(ctx, c.TripID)
	must(t, err)
	if stored.Status != fleet.TripCancelled || stored.CancelReason != "client postponed" {
		t.Errorf("stored = %s (%q); want cancelled with the reason", stored.Status, stored.CancelReason)
	}
	audit, err := f.st.ListAudit(ctx, c.TripID)
	must(t, err)
	if countAction(audit, "trip.amend") != 1 || countAction(audit, "trip.cancel") != 1 {
		t.Errorf("audit = %+v; want one trip.amend and one trip.cancel", audit)
	}
}

// TestOfflineCancelInThread: without a model, "abeg cancel that trip" in a trip's thread
// cancels that trip; outside a thread it asks which trip, and the answer continues it.
func TestOfflineCancelInThread(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	c := requested(t, f)
	rdb, prefix := storetest.NewRedis(t)
	a := tools.NewAgent(f.reg, tools.NewRedisMemory(rdb, prefix, time.Hour), tools.AgentConfig{}, quiet)
	ans, err := a.Ask(ctx, tools.Question{Text: "abeg cancel that trip", Conversation: "C1:1.1", Caller: dispatcher})
	must(t, err)
	if !strings.Contains(ans.Text, "Which trip") {
		t.Fatalf("answer = %q; want the question which trip", ans.Text)
	}
	ans, err = a.Ask(ctx, tools.Question{Text: c.TripID, Conversation: "C1:1.1", Caller: dispatcher})
	must(t, err)
	if len(ans.Results) != 1 || ans.Results[0].Tool != tools.ToolCancelTrip || ans.Results[0].Err != nil {
		t.Fatalf("answer = %+v; want cancel_trip of %s", ans, c.TripID)
	}
}
