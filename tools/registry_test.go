package tools_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/tools"
	"github.com/watchtower-ops/watchtower/tools/intent"
)

// TestSchemasAreStrict checks what OpenAI's strict mode demands of every function: an object
// schema refusing extra properties, every property required, optional ones nullable.
func TestSchemasAreStrict(t *testing.T) {
	reg := tools.NewRegistry(nil, nil, tools.Options{})
	var names []string
	for _, tool := range reg.Tools() {
		names = append(names, tool.Name)
		t.Run(tool.Name, func(t *testing.T) {
			p := tool.Parameters
			if p["type"] != "object" || p["additionalProperties"] != false {
				t.Errorf("schema = %v; want an object with additionalProperties false", p)
			}
			props := p["properties"].(map[string]any)
			required := p["required"].([]string)
			if len(required) != len(props) {
				t.Errorf("required = %v; want all of %d properties", required, len(props))
			}
			for _, name := range required {
				prop, ok := props[name].(map[string]any)
				if !ok {
					t.Fatalf("required %q has no property", name)
				}
				if prop["description"] == nil {
					t.Errorf("property %q has no description", name)
				}
			}
			if tool.Description == "" {
				t.Error("no description")
			}
			if _, err := json.Marshal(p); err != nil {
				t.Errorf("schema does not marshal: %v", err)
			}
		})
	}
	want := []string{tools.ToolTruckLocation, tools.ToolCreateTrip, tools.ToolFleetStatus, tools.ToolTripDetails,
		tools.ToolDailySummary, tools.ToolNearbyTrucks, tools.ToolCancelTrip, tools.ToolUpdateTrip, tools.ToolListAlerts, tools.ToolSiteStatus}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("tools, -want +got:\n%s", diff)
	}
	for _, name := range []string{intent.TruckLocation, intent.CreateTrip, intent.FleetStatus, intent.TripDetails, intent.DailySummary, intent.NearbyTrucks, intent.CancelTrip, intent.UpdateTrip, intent.SiteStatus} {
		if _, ok := reg.Tool(name); !ok {
			t.Errorf("the intent parser's function %q is not registered", name)
		}
	}
	create, _ := reg.Tool(tools.ToolCreateTrip)
	origin := create.Parameters["properties"].(map[string]any)["origin"].(map[string]any)
	if typ, _ := origin["type"].([]string); !slices.Equal(typ, []string{"string", "null"}) {
		t.Errorf("create_trip origin type = %v; want [string null]", origin["type"])
	}
	if create.ReadOnly {
		t.Error("create_trip is marked read-only")
	}
}

func TestCallRefusesBadArguments(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for _, tc := range []struct {
		name, tool, args, code, msg string
	}{
		{"unknown field", tools.ToolTruckLocation, `{"truck":"T11985LA","plate":"x"}`, fleet.EINVALID, `unknown field "plate"`},
		{"wrong type", tools.ToolNearbyTrucks, `{"near":"APAPA","radius_km":"five"}`, fleet.EINVALID, `"radius_km"`},
		{"not an object", tools.ToolFleetStatus, `[1,2]`, fleet.EINVALID, "not a JSON object"},
		{"trailing data", tools.ToolFleetStatus, `{} {}`, fleet.EINVALID, "trailing data"},
		{"unknown function", "delete_fleet", `{}`, fleet.ENOTFOUND, "unknown function"},
		{"empty truck", tools.ToolTruckLocation, `{"truck":" "}`, fleet.EINVALID, "which truck"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := f.reg.Call(ctx, tc.tool, json.RawMessage(tc.args), tools.Caller{})
			wantCode(t, tc.name, err, tc.code)
			var out struct {
				Error string `json:"error"`
				Code  string `json:"code"`
			}
			if jerr := json.Unmarshal(res.Output, &out); jerr != nil || !strings.Contains(out.Error, tc.msg) || out.Code != tc.code {
				t.Errorf("Output = %s; want an error containing %q with code %s", res.Output, tc.msg, tc.code)
			}
			if res.Value != nil || res.Err == nil || res.Tool != tc.tool {
				t.Errorf("Result = %+v; want the tool name, no value and the error", res)
			}
		})
	}
	// Nullable arguments may be left out by slash commands and the offline parser.
	if _, err := f.reg.Call(ctx, tools.ToolFleetStatus, nil, tools.Caller{}); err != nil {
		t.Errorf("get_fleet_status without arguments: %v", err)
	}
}

func TestInternalErrorsStayInternal(t *testing.T) {
	f := newFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // the database call fails with a context error, not a domain error
	res, err := f.reg.Call(ctx, tools.ToolTruckLocation, json.RawMessage(`{"truck":"T11985LA"}`), tools.Caller{})
	if err == nil {
		t.Fatal("Call with a cancelled context succeeded")
	}
	if string(res.Output) != `{"error":"internal error","code":"internal"}` {
		t.Errorf("Output = %s; want only the safe internal error", res.Output)
	}
}
