package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/watchtower-ops/watchtower/bot/api"
	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/tools"
	"github.com/watchtower-ops/watchtower/tools/openaifake"
)

// askAnswer is the answer of POST /api/v1/ask.
type askAnswer struct {
	Answer    string `json:"answer"`
	Engine    string `json:"engine"`
	ToolCalls []struct {
		Name      string         `json:"name"`
		Arguments map[string]any `json:"arguments"`
		Error     *struct {
			Code, Message string
		} `json:"error"`
	} `json:"tool_calls"`
	Trip *struct {
		TripID      string `json:"trip_id"`
		Status      string `json:"status"`
		RequestedBy string `json:"requested_by"`
	} `json:"trip"`
}

// withAgent serves the API with the agent Slack uses: offline without fake, else the model
// behind fake.
func withAgent(f *fixture, fake *openaifake.Server) option {
	return func(d *api.Deps, _ *api.Config) {
		cfg := tools.AgentConfig{}
		if fake != nil {
			stateful := false
			cfg = tools.AgentConfig{APIKey: "sk-test", BaseURL: fake.BaseURL(), Model: "gpt-test", MaxRetries: -1, Stateless: &stateful}
		}
		d.Agent = tools.NewAgent(f.reg, nil, cfg, quiet)
	}
}

func askBody(q string) string {
	b, _ := json.Marshal(map[string]string{"question": q})
	return string(b)
}

func TestAskOffline(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.serve(t, withAgent(f, nil))
	ctx := context.Background()

	r := f.do(t, "POST", "/api/v1/ask", f.read, askBody("where is t 11985 la?"))
	wantStatus(t, "location", r, http.StatusOK, "")
	var got askAnswer
	got = askAnswer{}
	r.json(t, &got)
	if got.Engine != "offline" || !strings.Contains(got.Answer, "T11985LA is parked at APAPA") || len(got.ToolCalls) != 1 ||
		got.ToolCalls[0].Name != "get_truck_location" || got.ToolCalls[0].Arguments["truck"] == nil || got.Trip != nil {
		t.Errorf("ask location = %+v; want the offline answer and one get_truck_location call", got)
	}

	r = f.do(t, "POST", "/api/v1/ask", f.read, askBody("where is T1198LA"))
	wantStatus(t, "unknown truck", r, http.StatusOK, "")
	got = askAnswer{}
	r.json(t, &got)
	if c := got.ToolCalls; len(c) != 1 || c[0].Error == nil || c[0].Error.Code != "not_found" || !strings.Contains(got.Answer, "Did you mean T11985LA?") {
		t.Errorf("ask unknown truck = %+v; want the failed call and its suggestion", got)
	}

	trip := askBody("create trip for T11985LA from APAPA to ECLAT tomorrow 8am")
	for _, q := range []string{trip, askBody("create trip for T11985LA to ECLAT"), askBody("cancel TRP-0001")} {
		e := wantStatus(t, "read token writes", f.do(t, "POST", "/api/v1/ask", f.read, q), http.StatusForbidden, fleet.EFORBIDDEN)
		if !strings.Contains(e.Error.Message, "token portal has scope read") || !strings.Contains(e.Error.Message, "needs a write token") {
			t.Errorf("read token asking %s = %q; want a sentence naming the token and the scope needed", q, e.Error.Message)
		}
	}
	if _, err := f.st.TripByCode(ctx, "TRP-0001"); fleet.ErrorCode(err) != fleet.ENOTFOUND {
		t.Fatalf("a read token's question made a trip: %v", err)
	}

	r = f.do(t, "POST", "/api/v1/ask", f.write, askBody("create trip for T11985LA to ECLAT"))
	wantStatus(t, "missing origin", r, http.StatusOK, "")
	got = askAnswer{}
	r.json(t, &got)
	if !strings.Contains(got.Answer, "start from?") || len(got.ToolCalls) != 0 || got.Trip != nil {
		t.Errorf("ask without origin = %+v; want the one question and no call", got)
	}

	r = f.do(t, "POST", "/api/v1/ask", f.write, trip)
	wantStatus(t, "request a trip", r, http.StatusOK, "")
	got = askAnswer{}
	r.json(t, &got)
	if got.Trip == nil || got.Trip.TripID != "TRP-0001" || got.Trip.Status != "pending_approval" || got.Trip.RequestedBy != "erp-sync" ||
		len(got.ToolCalls) != 1 || got.ToolCalls[0].Name != "create_trip" {
		t.Fatalf("ask for a trip = %+v; want TRP-0001 pending_approval by erp-sync", got)
	}
	if n := f.notes.All(); len(n) != 1 || n[0].Kind != fleet.NotifyTripApproval {
		t.Errorf("notifications = %+v; want the approval request in Slack", n)
	}
	if action, actor := f.lastAudit(t, "TRP-0001"); action != "trip.create" || actor != erpActor {
		t.Errorf("audit = %s by %+v; want trip.create by %+v", action, actor, erpActor)
	}

	r = f.do(t, "POST", "/api/v1/ask", f.write, askBody("cancel TRP-0001"))
	wantStatus(t, "cancel by asking", r, http.StatusOK, "")
	got = askAnswer{}
	r.json(t, &got)
	if len(got.ToolCalls) != 1 || got.ToolCalls[0].Name != "cancel_trip" || got.ToolCalls[0].Error != nil || got.Trip != nil {
		t.Errorf("ask to cancel = %+v; want one successful cancel_trip", got)
	}
	if stored, err := f.st.TripByCode(ctx, "TRP-0001"); err != nil || stored.Status != fleet.TripCancelled {
		t.Errorf("TRP-0001 after asking to cancel = %s, %v; want cancelled", stored.Status, err)
	}
}

func TestAskBadInput(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	wantStatus(t, "no agent", f.do(t, "POST", "/api/v1/ask", f.read, askBody("hello")), http.StatusServiceUnavailable, fleet.EUNAVAILABLE)
	f.serve(t, withAgent(f, nil))
	tests := []struct{ name, body, param string }{
		{"empty body", ``, ""},
		{"no question", `{}`, "question"},
		{"blank question", `{"question":"  "}`, "question"},
		{"too long", askBody(strings.Repeat("where is T11985LA ", 200)), "question"},
		{"wrong type", `{"question":42}`, "question"},
		{"unknown field", `{"question":"hi","thread":"x"}`, "thread"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := wantStatus(t, tt.name, f.do(t, "POST", "/api/v1/ask", f.read, tt.body), http.StatusBadRequest, fleet.EINVALID)
			if e.Error.Param != tt.param {
				t.Errorf("param = %q; want %q", e.Error.Param, tt.param)
			}
		})
	}
	wantStatus(t, "no token", f.do(t, "POST", "/api/v1/ask", "", askBody("hello")), http.StatusUnauthorized, fleet.EUNAUTHORIZED)
}

func TestAskModel(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	fake := openaifake.New()
	t.Cleanup(fake.Close)
	f.serve(t, withAgent(f, fake))

	fake.Script(openaifake.Step{Calls: []openaifake.Call{{Name: tools.ToolTruckLocation, Arguments: `{"truck":"T11985LA"}`}}},
		openaifake.Step{Text: "T11985LA is parked at Apapa Port (fix 2 min old)."})
	r := f.do(t, "POST", "/api/v1/ask", f.read, askBody("where's the Apapa truck T11985LA?"))
	wantStatus(t, "model location", r, http.StatusOK, "")
	var got askAnswer
	got = askAnswer{}
	r.json(t, &got)
	if got.Engine != "model" || got.Answer != "T11985LA is parked at Apapa Port (fix 2 min old)." || len(got.ToolCalls) != 1 ||
		got.ToolCalls[0].Name != "get_truck_location" || got.ToolCalls[0].Arguments["truck"] != "T11985LA" {
		t.Errorf("model answer = %+v; want its text and the call it made", got)
	}
	reqs := fake.Requests()
	if len(reqs) != 2 || reqs[0].Header.Get("Authorization") != "Bearer sk-test" {
		t.Errorf("%d model requests; want 2 with the API key", len(reqs))
	}

	createArgs := `{"truck":"T11985LA","origin":"APAPA","destination":"ECLAT","departure_time":"2025-11-27T08:00:00+01:00","container_no":null,"cargo_type":null,"notes":null}`
	fake.Script(openaifake.Step{Calls: []openaifake.Call{{Name: tools.ToolCreateTrip, Arguments: createArgs}}},
		openaifake.Step{Text: "I cannot request trips for you."})
	e := wantStatus(t, "model trip, read token", f.do(t, "POST", "/api/v1/ask", f.read, askBody("book T11985LA Apapa to Eclat tomorrow 8am")),
		http.StatusForbidden, fleet.EFORBIDDEN)
	if !strings.Contains(e.Error.Message, "requesting a trip needs a write token") {
		t.Errorf("403 = %q; want it to say requesting a trip needs a write token", e.Error.Message)
	}
	if _, err := f.st.TripByCode(context.Background(), "TRP-0001"); fleet.ErrorCode(err) != fleet.ENOTFOUND {
		t.Fatalf("the read token's question made a trip: %v", err)
	}

	fake.Script(openaifake.Step{Calls: []openaifake.Call{{Name: tools.ToolCreateTrip, Arguments: createArgs}}},
		openaifake.Step{Text: "Requested TRP-0001; it waits for approval in the dispatch channel."})
	r = f.do(t, "POST", "/api/v1/ask", f.write, askBody("book T11985LA Apapa to Eclat tomorrow 8am"))
	wantStatus(t, "model trip, write token", r, http.StatusOK, "")
	got = askAnswer{}
	r.json(t, &got)
	if got.Trip == nil || got.Trip.Status != "pending_approval" || got.Trip.RequestedBy != "erp-sync" || got.ToolCalls[0].Arguments["departure_time"] == nil {
		t.Errorf("model trip = %+v; want a pending_approval trip by erp-sync, departure_time as the tool's argument", got)
	}

	// the model fails and the offline parser does not understand: 503 with a sentence, never
	// the model API's own error text
	fake.Script(openaifake.Step{Status: 500, Error: "upstream shard db-7 exploded"})
	e = wantStatus(t, "model down", f.do(t, "POST", "/api/v1/ask", f.read, askBody("how are the boys doing today")),
		http.StatusServiceUnavailable, fleet.EUNAVAILABLE)
	if strings.Contains(e.Error.Message, "db-7") || !strings.Contains(e.Error.Message, "the assistant could not answer") {
		t.Errorf("503 = %q; want a safe sentence without the model's error text", e.Error.Message)
	}
	// …and when the offline parser understands, it answers
	fake.Script(openaifake.Step{Status: 500, Error: "upstream shard db-7 exploded"})
	r = f.do(t, "POST", "/api/v1/ask", f.read, askBody("where is T11985LA"))
	wantStatus(t, "model down, offline answers", r, http.StatusOK, "")
	got = askAnswer{}
	r.json(t, &got)
	if got.Engine != "offline" || strings.Contains(r.String(), "db-7") || !strings.Contains(got.Answer, "T11985LA is parked at APAPA") {
		t.Errorf("fallback = %+v; want the offline answer, no model error text", got)
	}
}

// String is the body, for checks on the raw answer.
func (r response) String() string { return string(r.body) }
