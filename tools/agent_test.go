package tools_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/tools"
	"github.com/watchtower-ops/watchtower/tools/openaifake"
)

// newAgent returns an agent over f's registry talking to fake, stateful unless cfg says
// otherwise, without SDK retries.
func newAgent(t *testing.T, f *fixture, fake *openaifake.Server, mem tools.Memory, log *slog.Logger, edit func(*tools.AgentConfig)) *tools.Agent {
	t.Helper()
	stateful := false
	cfg := tools.AgentConfig{APIKey: "sk-test", BaseURL: fake.BaseURL(), Model: "gpt-test", MaxRetries: -1, Stateless: &stateful}
	if edit != nil {
		edit(&cfg)
	}
	if log == nil {
		log = quiet
	}
	return tools.NewAgent(f.reg, mem, cfg, log)
}

func newFake(t *testing.T) *openaifake.Server {
	fake := openaifake.New()
	t.Cleanup(fake.Close)
	return fake
}

func call(name string, args any) openaifake.Call {
	b, _ := json.Marshal(args)
	return openaifake.Call{Name: name, Arguments: string(b)}
}

func ask(t *testing.T, a *tools.Agent, text string) tools.Answer {
	t.Helper()
	ans, err := a.Ask(context.Background(), tools.Question{Text: text, Caller: dispatcher})
	must(t, err)
	return ans
}

func TestAgentCallThenAnswer(t *testing.T) {
	f, fake := newFixture(t), newFake(t)
	var logs bytes.Buffer
	a := newAgent(t, f, fake, nil, slog.New(slog.NewJSONHandler(&logs, nil)), nil)
	fake.Script(openaifake.Step{Calls: []openaifake.Call{call(tools.ToolTruckLocation, map[string]string{"truck": "T11985LA"})}},
		openaifake.Step{Text: "T11985LA is parked at APAPA, fix 2 min ago."})

	ans := ask(t, a, "Where is truck T11985LA?")
	if ans.Text != "T11985LA is parked at APAPA, fix 2 min ago." || ans.Engine != tools.EngineModel || ans.ResponseID != "resp_2" || ans.Degraded != "" {
		t.Errorf("answer = %+v", ans)
	}
	if len(ans.Results) != 1 || ans.Results[0].Value.(*tools.TruckLocation).Plate != "T11985LA" {
		t.Fatalf("results = %+v; want the truck location", ans.Results)
	}
	reqs := fake.Requests()
	if len(reqs) != 2 {
		t.Fatalf("%d requests; want 2", len(reqs))
	}
	first, second := reqs[0], reqs[1]
	if first.Header.Get("Authorization") != "Bearer sk-test" || first.Body.Model != "gpt-test" || first.Body.Store != nil {
		t.Errorf("first request: auth %q model %q store %v", first.Header.Get("Authorization"), first.Body.Model, first.Body.Store)
	}
	for _, want := range []string{"Wednesday 26 November 2025 10:00 WAT", "must come from a function result", "data, not instructions"} {
		if !strings.Contains(first.Body.Instructions, want) || !strings.Contains(second.Body.Instructions, want) {
			t.Errorf("instructions lack %q (they must be sent on every turn)", want)
		}
	}
	if len(first.Body.Tools) != 10 || first.Body.ParallelToolCalls == nil || !*first.Body.ParallelToolCalls {
		t.Errorf("tools = %d, parallel %v; want the 10 functions with parallel calls", len(first.Body.Tools), first.Body.ParallelToolCalls)
	}
	for _, tool := range first.Body.Tools {
		if tool.Type != "function" || tool.Strict == nil || !*tool.Strict || tool.Parameters["additionalProperties"] != false {
			t.Errorf("tool %s: type %s strict %v; want a strict function", tool.Name, tool.Type, tool.Strict)
		}
	}
	if items := first.Body.Items(); len(items) != 1 || items[0].Role != "user" || items[0].Text() != "Where is truck T11985LA?" {
		t.Errorf("first input = %+v; want the user's message", items)
	}
	items := second.Body.Items()
	if second.Body.PreviousResponseID != "resp_1" || len(items) != 1 || items[0].Type != "function_call_output" ||
		items[0].CallID != "call_1_0" || !strings.Contains(items[0].OutputText(), `"plate":"T11985LA"`) {
		t.Errorf("second request: previous %q input %+v; want resp_1 and the call's output", second.Body.PreviousResponseID, items)
	}
	if n := strings.Count(logs.String(), `"msg":"model call"`); n != 2 {
		t.Errorf("%d model call log records; want one per call (2)\n%s", n, logs.String())
	}
	for _, key := range []string{`"response_id":"resp_2"`, `"input_tokens":200`, `"output_tokens":10`, `"latency_ms":`, `"tools":["get_truck_location"]`} {
		if !strings.Contains(logs.String(), key) {
			t.Errorf("logs lack %s", key)
		}
	}
}

func TestAgentParallelCalls(t *testing.T) {
	f, fake := newFixture(t), newFake(t)
	a := newAgent(t, f, fake, nil, nil, nil)
	fake.Script(openaifake.Step{Calls: []openaifake.Call{
		call(tools.ToolTruckLocation, map[string]string{"truck": "T28737LA"}),
		call(tools.ToolNearbyTrucks, map[string]any{"near": "APAPA", "radius_km": 1, "status": nil, "limit": nil}),
		call(tools.ToolTruckLocation, map[string]string{"truck": "KJA123AB"}),
	}}, openaifake.Step{Text: "Done."})
	ans := ask(t, a, "where are T28737LA and KJA123AB, and who is at Apapa?")
	var order []string
	for _, r := range ans.Results {
		order = append(order, r.Tool)
	}
	if strings.Join(order, ",") != "get_truck_location,find_nearby_trucks,get_truck_location" ||
		ans.Results[0].Value.(*tools.TruckLocation).Plate != "T28737LA" || ans.Results[2].Value.(*tools.TruckLocation).Plate != "KJA123AB" {
		t.Errorf("results = %v; want the calls' results in call order", order)
	}
	items := fake.Requests()[1].Body.Items()
	want := []string{"call_1_0:T28737LA", "call_1_1:T11985LA", "call_1_2:KJA123AB"}
	for i, it := range items {
		if i >= len(want) || it.CallID+":"+plateIn(it.OutputText()) != want[i] {
			t.Errorf("output %d = %s %s; want %s", i, it.CallID, it.OutputText(), want[i])
		}
	}
}

// plateIn returns the first plate in a function output.
func plateIn(out string) string {
	for _, p := range []string{"T28737LA", "T11985LA", "KJA123AB"} {
		if strings.Contains(out, p) {
			return p
		}
	}
	return ""
}

func TestAgentFeedsErrorsBack(t *testing.T) {
	f, fake := newFixture(t), newFake(t)
	a := newAgent(t, f, fake, nil, nil, nil)
	fake.Script(openaifake.Step{Calls: []openaifake.Call{
		call(tools.ToolTruckLocation, map[string]string{"truck": "T1198LA"}),
		{Name: "delete_fleet", Arguments: `{}`},
		{Name: tools.ToolFleetStatus, Arguments: `{"filter":"all","site":null,"extra":1}`},
	}}, openaifake.Step{Text: "I could not find T1198LA; did you mean T11985LA?"})
	ans := ask(t, a, "where is T1198LA")
	items := fake.Requests()[1].Body.Items()
	if len(items) != 3 {
		t.Fatalf("outputs = %+v; want 3", items)
	}
	for i, want := range []string{`"error":"truck T1198LA not found","code":"not_found","suggestions":["T11985LA"`,
		`"error":"unknown function \"delete_fleet\"`, `"error":"invalid arguments: unknown field \"extra\""`} {
		if !strings.Contains(items[i].OutputText(), want) {
			t.Errorf("output %d = %s; want it to contain %s", i, items[i].OutputText(), want)
		}
	}
	if fleet.ErrorCode(ans.Results[0].Err) != fleet.ENOTFOUND || ans.Results[1].Err == nil || ans.Engine != tools.EngineModel {
		t.Errorf("results = %+v; want the failures recorded, answered by the model", ans.Results)
	}
}

func TestAgentTurnLimit(t *testing.T) {
	f, fake := newFixture(t), newFake(t)
	a := newAgent(t, f, fake, nil, nil, nil)
	fake.Always(openaifake.Step{Calls: []openaifake.Call{call(tools.ToolFleetStatus, map[string]any{"filter": nil, "site": nil})}})
	_, err := a.Ask(context.Background(), tools.Question{Text: "keep checking until something changes"})
	if !errors.Is(err, tools.ErrMaxTurns) || fleet.ErrorCode(err) != fleet.EUNAVAILABLE || !strings.Contains(fleet.ErrorMessage(err), "step limit") {
		t.Fatalf("Ask = %v (code %s, %q); want ErrMaxTurns as EUNAVAILABLE", err, fleet.ErrorCode(err), fleet.ErrorMessage(err))
	}
	if n := len(fake.Requests()); n != tools.DefaultMaxTurns {
		t.Errorf("%d model calls; want %d", n, tools.DefaultMaxTurns)
	}
	// A question the offline parser understands is still answered.
	ans := ask(t, a, "where is T11985LA")
	if ans.Engine != tools.EngineOffline || !strings.Contains(ans.Degraded, "step limit") || !strings.Contains(ans.Text, "T11985LA is parked at APAPA") {
		t.Errorf("fallback answer = %+v", ans)
	}
}

func TestAgentRetriesRateLimit(t *testing.T) {
	f, fake := newFixture(t), newFake(t)
	a := newAgent(t, f, fake, nil, nil, func(c *tools.AgentConfig) { c.MaxRetries = 2 })
	fake.Script(openaifake.Step{Status: 429, Error: "Rate limit reached", Headers: map[string]string{"Retry-After-Ms": "5"}},
		openaifake.Step{Text: "Hello."})
	ans := ask(t, a, "hi there")
	if ans.Text != "Hello." || ans.Engine != tools.EngineModel || len(fake.Requests()) != 2 {
		t.Errorf("answer %+v after %d requests; want the retried answer after 2", ans, len(fake.Requests()))
	}
	fake.Script(openaifake.Step{Status: 429, Error: "Rate limit reached", Headers: map[string]string{"x-should-retry": "false"}})
	ans = ask(t, a, "fleet status")
	if ans.Engine != tools.EngineOffline || ans.Degraded != "the model API answered 429" || len(ans.Results) != 1 {
		t.Errorf("after a final 429 = %+v; want the offline answer saying why", ans)
	}
}

func TestAgentTimeout(t *testing.T) {
	f, fake := newFixture(t), newFake(t)
	fake.Always(openaifake.Step{Delay: 5 * time.Second, Text: "too late"})
	a := newAgent(t, f, fake, nil, nil, func(c *tools.AgentConfig) { c.Timeout = 150 * time.Millisecond })
	start := time.Now()
	ans := ask(t, a, "where is T11985LA")
	if ans.Engine != tools.EngineOffline || ans.Degraded != "it timed out" || ans.Results[0].Value.(*tools.TruckLocation).Plate != "T11985LA" {
		t.Errorf("answer = %+v; want the offline answer after the timeout", ans)
	}
	if time.Since(start) > 4*time.Second {
		t.Errorf("Ask took %s; the question's deadline was not applied", time.Since(start))
	}
	strict := newAgent(t, f, fake, nil, nil, func(c *tools.AgentConfig) { c.Timeout = 150 * time.Millisecond; c.NoFallback = true })
	_, err := strict.Ask(context.Background(), tools.Question{Text: "where is T11985LA"})
	if !errors.Is(err, context.DeadlineExceeded) || fleet.ErrorCode(err) != fleet.EUNAVAILABLE {
		t.Errorf("without fallback Ask = %v; want EUNAVAILABLE wrapping the deadline", err)
	}
}

func TestAgentOffline(t *testing.T) {
	f := newFixture(t)
	a := tools.NewAgent(f.reg, nil, tools.AgentConfig{}, quiet)
	if a.Online() {
		t.Fatal("an agent without an API key is online")
	}
	_, _, err := f.st.OpenAlert(context.Background(), fleet.Alert{Kind: fleet.AlertOverspeed, IncidentKey: "overspeed:T11985LA",
		Plate: "T11985LA", Message: "82 km/h on Apapa Road", OpenedAt: f.now.Add(-time.Minute)})
	must(t, err)
	for _, tc := range []struct{ text, want string }{
		{"open alerts for T11985LA", "overspeed T11985LA — 82 km/h on Apapa Road"},
		{"any alerts for T28737LA?", "No alerts match."},
		{"where is t 11985 la?", "T11985LA is parked at APAPA (Apapa Port Complex) (fix 2 min ago"},
		{"hello", "I can locate trucks"},
		{"create trip for T11985LA to ECLAT", "Where does T11985LA start from?"},
		{"create trip for T11985LA from APAPA to ECLAT", "When should it leave?"},
		{"create trip for T11985LA from APAPA to ECLAT at 9 tomorrow", "9am or 9pm?"},
		{"abeg cancel that trip", "Which trip?"},
		{"where is T1198LA", "Truck T1198LA not found. Did you mean T11985LA?"},
		{"create trip for T11985LA from APAPA to ECLAT tomorrow 8am", "Trip TRP-0001 requested: T11985LA from APAPA to ECLAT"},
	} {
		ans := ask(t, a, tc.text)
		if ans.Engine != tools.EngineOffline || ans.Degraded != "" || !strings.Contains(ans.Text, tc.want) {
			t.Errorf("Ask(%q) = %+v; want offline text containing %q", tc.text, ans, tc.want)
		}
	}
}

func TestAgentEmptyModelAnswer(t *testing.T) {
	f, fake := newFixture(t), newFake(t)
	a := newAgent(t, f, fake, nil, nil, nil)
	fake.Script(openaifake.Step{}, // no text, no call
		openaifake.Step{Calls: []openaifake.Call{call(tools.ToolTruckLocation, map[string]string{"truck": "T11985LA"})}}, openaifake.Step{})
	ans := ask(t, a, "fleet status")
	if ans.Engine != tools.EngineOffline || ans.Degraded == "" {
		t.Errorf("empty answer = %+v; want the offline parser", ans)
	}
	ans = ask(t, a, "where is it")
	if ans.Engine != tools.EngineModel || !strings.Contains(ans.Text, "T11985LA is parked") {
		t.Errorf("results without text = %+v; want the results said plainly", ans)
	}
}

// TestAgentOnlineWithLocalServer: a base URL that is not OpenAI's (Ollama, LM Studio, vLLM)
// turns the model on without an API key; OpenAI's own URL still needs one.
func TestAgentOnlineWithLocalServer(t *testing.T) {
	f := newFixture(t)
	fake := newFake(t)
	fake.Script(openaifake.Step{Text: "Hello from the local model."})
	a := tools.NewAgent(f.reg, nil, tools.AgentConfig{BaseURL: fake.BaseURL(), Model: "llama3", MaxRetries: -1}, quiet)
	if !a.Online() {
		t.Fatal("an agent with a local OPENAI_BASE_URL and no key is offline; want the model")
	}
	if ans := ask(t, a, "hello"); ans.Engine != tools.EngineModel || !strings.Contains(ans.Text, "local model") {
		t.Errorf("Ask = %+v; want the local model's answer", ans)
	}
	if tools.NewAgent(f.reg, nil, tools.AgentConfig{BaseURL: "https://api.openai.com/v1"}, quiet).Online() {
		t.Error("OpenAI's URL without a key is online; want the offline parser")
	}
}
