package tools_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/tools"
	"github.com/watchtower-ops/watchtower/tools/openaifake"
)

// reader may only read (an API token of scope read).
var reader = tools.Caller{UserID: "portal", Name: "portal", Via: "api", ReadOnly: true}

// TestReadOnlyCallerCannotWrite: the writing functions refuse a read-only caller before doing
// anything, the reading ones answer, and the refusal is an EFORBIDDEN *ReadOnlyError.
func TestReadOnlyCallerCannotWrite(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	c := requested(t, f)
	writes := map[string]string{
		tools.ToolCreateTrip: `{"truck":"T11985LA","origin":"APAPA","destination":"TINCAN","departure_time":"tomorrow 8am","container_no":null,"cargo_type":null,"notes":null}`,
		tools.ToolCancelTrip: `{"trip_id":"` + c.TripID + `","reason":null}`,
		tools.ToolUpdateTrip: `{"trip_id":"` + c.TripID + `","departure":"3pm","destination":null}`,
	}
	for name, args := range writes {
		res, err := f.reg.Call(ctx, name, []byte(args), reader)
		var ro *tools.ReadOnlyError
		if !errors.As(err, &ro) || ro.Tool != name || fleet.ErrorCode(err) != fleet.EFORBIDDEN ||
			!strings.Contains(fleet.ErrorMessage(err), "needs write access") || !strings.Contains(string(res.Output), "needs write access") {
			t.Errorf("Call(%s) by a reader = %v (%s); want a ReadOnlyError saying it needs write access", name, err, res.Output)
		}
	}
	stored, err := f.st.TripByCode(ctx, c.TripID)
	must(t, err)
	if stored.Status != fleet.TripPendingApproval || stored.UpdatedAt != c.Trip.UpdatedAt {
		t.Errorf("trip after refused writes = %s, updated %s; want it untouched", stored.Status, stored.UpdatedAt)
	}
	if _, err := f.st.TripByCode(ctx, "TRP-0002"); fleet.ErrorCode(err) != fleet.ENOTFOUND {
		t.Errorf("TRP-0002 after a refused create_trip: %v; want none", err)
	}
	if _, err := f.reg.Call(ctx, tools.ToolTripDetails, []byte(`{"trip_id_or_truck":"`+c.TripID+`"}`), reader); err != nil {
		t.Errorf("get_trip_details by a reader: %v; want an answer", err)
	}
}

// TestAgentRefusesReadOnlyWrites: offline, a trip request from a reader is refused at once,
// even before the parser would ask for what is missing; with the model, its create_trip call
// comes back refused and nothing is created.
func TestAgentRefusesReadOnlyWrites(t *testing.T) {
	f, fake := newFixture(t), newFake(t)
	ctx := context.Background()
	offline := tools.NewAgent(f.reg, nil, tools.AgentConfig{}, quiet)
	for _, text := range []string{"create trip for T11985LA to ECLAT", "create trip for T11985LA from APAPA to ECLAT tomorrow 8am", "cancel TRP-0001"} {
		ans, err := offline.Ask(ctx, tools.Question{Text: text, Caller: reader})
		must(t, err)
		var ro *tools.ReadOnlyError
		if len(ans.Results) != 1 || !errors.As(ans.Results[0].Err, &ro) || !strings.Contains(ans.Text, "needs write access") {
			t.Errorf("offline Ask(%q) by a reader = %+v; want one refused call and the refusal as the answer", text, ans)
		}
	}
	if ans, err := offline.Ask(ctx, tools.Question{Text: "where is T11985LA", Caller: reader}); err != nil || len(ans.Results) != 1 || ans.Results[0].Err != nil {
		t.Errorf("offline location by a reader = %+v, %v; want an answer", ans, err)
	}

	model := newAgent(t, f, fake, nil, nil, nil)
	fake.Script(openaifake.Step{Calls: []openaifake.Call{call(tools.ToolCreateTrip, map[string]any{"truck": "T11985LA", "origin": "APAPA",
		"destination": "ECLAT", "departure_time": "tomorrow 8am", "container_no": nil, "cargo_type": nil, "notes": nil})}},
		openaifake.Step{Text: "You may only read, so I cannot request that trip."})
	ans, err := model.Ask(ctx, tools.Question{Text: "trip for T11985LA APAPA to ECLAT tomorrow 8am", Caller: reader})
	must(t, err)
	var ro *tools.ReadOnlyError
	if len(ans.Results) != 1 || !errors.As(ans.Results[0].Err, &ro) {
		t.Errorf("model Ask by a reader = %+v; want create_trip refused", ans.Results)
	}
	if _, err := f.st.TripByCode(ctx, "TRP-0001"); fleet.ErrorCode(err) != fleet.ENOTFOUND {
		t.Errorf("TRP-0001 after a reader's question: %v; want no trip", err)
	}
}
