package tools_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/store"
	"github.com/watchtower-ops/watchtower/store/storetest"
	"github.com/watchtower-ops/watchtower/tools"
	"github.com/watchtower-ops/watchtower/tools/openaifake"
)

func askIn(t *testing.T, a *tools.Agent, conversation, text string) tools.Answer {
	t.Helper()
	ans, err := a.Ask(context.Background(), tools.Question{Text: text, Conversation: conversation, Caller: dispatcher})
	must(t, err)
	return ans
}

// TestAgentStatelessResend checks the mode used for servers that keep no state (Ollama, LM
// Studio, vLLM): store:false, no previous_response_id, the function_call resent before its
// output, and the thread's earlier turns resent on the next question.
func TestAgentStatelessResend(t *testing.T) {
	f, fake := newFixture(t), newFake(t)
	rdb, prefix := storetest.NewRedis(t)
	a := newAgent(t, f, fake, tools.NewRedisMemory(rdb, prefix, time.Hour), nil, func(c *tools.AgentConfig) { c.Stateless = nil })
	if !a.Stateless() {
		t.Fatal("an agent on a non-OpenAI base URL is not stateless")
	}
	fake.Script(openaifake.Step{Calls: []openaifake.Call{call(tools.ToolTruckLocation, map[string]string{"truck": "T11985LA"})}},
		openaifake.Step{Text: "Parked at APAPA."}, openaifake.Step{Text: "It is 0.0 km from APAPA."})
	askIn(t, a, "C1:100", "where is T11985LA")
	reqs := fake.Requests()
	for i, r := range reqs {
		if r.Body.Store == nil || *r.Body.Store || r.Body.PreviousResponseID != "" {
			t.Errorf("request %d: store %v previous %q; want store:false and no previous_response_id", i, r.Body.Store, r.Body.PreviousResponseID)
		}
	}
	if got := kinds(reqs[1].Body.Items()); got != "user,function_call:call_1_0,function_call_output:call_1_0" {
		t.Errorf("second request input = %s; want the user message, the call, then its output", got)
	}
	askIn(t, a, "C1:100", "how far from the port?")
	want := "user,function_call:call_1_0,function_call_output:call_1_0,assistant,user"
	if got := kinds(fake.Requests()[2].Body.Items()); got != want {
		t.Errorf("follow-up input = %s; want the remembered turn, then the new question: %s", got, want)
	}
}

// kinds describes input items: roles of messages, types and call IDs of the rest.
func kinds(items []openaifake.Item) string {
	var out []string
	for _, it := range items {
		switch it.Type {
		case "message":
			out = append(out, it.Role)
		default:
			out = append(out, it.Type+":"+it.CallID)
		}
	}
	return strings.Join(out, ",")
}

// TestAgentContinuation checks the OpenAI mode: a thread's next question continues from the
// previous response ID kept in Redis under {prefix}:conv:<key> with a TTL; another thread
// starts afresh; an ID the API no longer knows is dropped and the question asked again.
func TestAgentContinuation(t *testing.T) {
	f, fake := newFixture(t), newFake(t)
	rdb, prefix := storetest.NewRedis(t)
	mem := tools.NewRedisMemory(rdb, prefix, time.Hour)
	a := newAgent(t, f, fake, mem, nil, nil)
	fake.Script(openaifake.Step{Text: "Hello."}, openaifake.Step{Text: "Still here."}, openaifake.Step{Text: "New thread."})
	first := askIn(t, a, "C1:100", "hello")
	askIn(t, a, "C1:100", "and now?")
	askIn(t, a, "C1:200", "hello")
	reqs := fake.Requests()
	if reqs[0].Body.PreviousResponseID != "" || reqs[1].Body.PreviousResponseID != first.ResponseID || reqs[2].Body.PreviousResponseID != "" {
		t.Errorf("previous_response_id = %q, %q, %q; want \"\", %q, \"\"", reqs[0].Body.PreviousResponseID,
			reqs[1].Body.PreviousResponseID, reqs[2].Body.PreviousResponseID, first.ResponseID)
	}
	ttl, err := rdb.TTL(context.Background(), fleet.Keys{Prefix: prefix}.Conversation("C1:100")).Result()
	must(t, err)
	if ttl <= 0 || ttl > time.Hour {
		t.Errorf("TTL of %s:conv:C1:100 = %s; want up to an hour", prefix, ttl)
	}
	c, ok, err := mem.Load(context.Background(), "C1:100")
	must(t, err)
	if !ok || c.PreviousResponseID != "resp_2" || len(c.Turns) != 0 {
		t.Errorf("remembered = %+v; want resp_2 only", c)
	}

	must(t, mem.Save(context.Background(), "C1:300", tools.Conversation{PreviousResponseID: "resp_gone"}))
	fake.Script(openaifake.Step{Text: "Fresh start."})
	ans := askIn(t, a, "C1:300", "hello again")
	reqs = fake.Requests()
	if ans.Text != "Fresh start." || reqs[len(reqs)-2].Body.PreviousResponseID != "resp_gone" || reqs[len(reqs)-1].Body.PreviousResponseID != "" {
		t.Errorf("after an expired ID: answer %q; want the question retried without it", ans.Text)
	}
}

// TestAgentCreateTripStaysPending checks that the model can only request a trip: whatever it
// says, the trip is pending_approval with its approval queued; and that a model failure after
// the write answers from the results instead of falling back (which would book it twice).
func TestAgentCreateTripStaysPending(t *testing.T) {
	f, fake := newFixture(t), newFake(t)
	a := newAgent(t, f, fake, nil, nil, nil)
	args := map[string]any{"truck": "T28737LA", "origin": "ESSLIBRA", "destination": "ECLAT", "departure_time": "2025-11-27T08:00:00+01:00",
		"container_no": nil, "cargo_type": nil, "notes": nil}
	fake.Script(openaifake.Step{Calls: []openaifake.Call{call(tools.ToolCreateTrip, args)}},
		openaifake.Step{Text: "Trip TRP-0001 is scheduled and approved."})
	ans := ask(t, a, "Create trip for T28737LA from ESSLIBRA to ECLAT tomorrow 8am")
	created := ans.Results[0].Value.(*tools.TripCreated)
	trip, err := f.st.TripByCode(context.Background(), created.TripID)
	must(t, err)
	if created.Status != fleet.TripPendingApproval || trip.Status != fleet.TripPendingApproval || trip.RequestedBy != dispatcher.UserID {
		t.Errorf("trip = %s (stored %s) by %s; want pending_approval by %s", created.Status, trip.Status, trip.RequestedBy, dispatcher.UserID)
	}
	if notes := f.notes.All(); len(notes) != 1 || notes[0].Kind != fleet.NotifyTripApproval {
		t.Errorf("notifications = %+v; want one approval request", notes)
	}

	args["truck"], args["departure_time"] = "T11985LA", "tomorrow 9am"
	fake.Script(openaifake.Step{Calls: []openaifake.Call{call(tools.ToolCreateTrip, args)}},
		openaifake.Step{Status: 500, Error: "server error", Headers: map[string]string{"x-should-retry": "false"}})
	ans = ask(t, a, "Create trip for T11985LA from ESSLIBRA to ECLAT tomorrow 9am")
	if ans.Engine != tools.EngineModel || ans.Degraded == "" || !strings.Contains(ans.Text, "Trip TRP-0002 requested") ||
		!strings.Contains(ans.Text, "waiting for approval") {
		t.Errorf("answer after the write and a failure = %+v; want the trip confirmed from the results", ans)
	}
	trips, err := f.st.ListTrips(context.Background(), store.TripFilter{})
	must(t, err)
	if len(trips) != 2 {
		t.Errorf("%d trips; want 2 (the second request must not be repeated by the fallback)", len(trips))
	}
	for _, tr := range trips {
		if tr.Status != fleet.TripPendingApproval {
			t.Errorf("trip %s is %s; want pending_approval", tr.Code, tr.Status)
		}
	}
}

// TestAgentOfflineContinues checks that the offline parser's one question and its answer in
// the same thread make one request: nothing is created until the request is complete, and
// another thread does not continue it.
func TestAgentOfflineContinues(t *testing.T) {
	f := newFixture(t)
	rdb, prefix := storetest.NewRedis(t)
	a := tools.NewAgent(f.reg, tools.NewRedisMemory(rdb, prefix, time.Hour), tools.AgentConfig{}, quiet)
	for _, step := range []struct{ conversation, text, want string }{
		{"C1:200", "abeg book T11985LA to ECLAT at 9 tomorrow", "Where does T11985LA start from?"},
		{"C1:300", "9pm", "I can locate trucks"}, // another thread: nothing pending there
		{"C1:200", "from Apapa", "9am or 9pm?"},
		{"C1:200", "9pm", "Trip TRP-0001 requested: T11985LA from APAPA to ECLAT"},
		{"C1:200", "9pm", "I can locate trucks"}, // the request is done: nothing pending
	} {
		ans := askIn(t, a, step.conversation, step.text)
		if !strings.Contains(ans.Text, step.want) {
			t.Errorf("%s %q → %q; want it to contain %q", step.conversation, step.text, ans.Text, step.want)
		}
	}
	trip, err := f.st.TripByCode(context.Background(), "TRP-0001")
	must(t, err)
	if got := trip.ScheduledDeparture.In(fleet.Lagos()).Format("15:04"); got != "21:00" {
		t.Errorf("departure %s; want 21:00", got)
	}
}
