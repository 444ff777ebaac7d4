package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/tools"
)

// recorder stands in for the fleet functions and records the arguments each command passes.
type recorder struct{ calls []string }

func (r *recorder) rec(name string, args any) {
	b, _ := json.Marshal(args)
	r.calls = append(r.calls, name+" "+string(b))
}
func (r *recorder) TruckLocation(_ context.Context, truck string) (*tools.TruckLocation, error) {
	r.rec("truck", truck)
	return nil, fleet.Errorf(fleet.ENOTFOUND, "truck %s not found", truck)
}
func (r *recorder) FleetStatus(_ context.Context, a tools.FleetStatusArgs) (*tools.FleetStatus, error) {
	r.rec("fleet", a)
	return nil, fleet.Errorf(fleet.EINVALID, "stop")
}
func (r *recorder) TripDetails(_ context.Context, ref string) (*tools.TripDetails, error) {
	r.rec("trip", ref)
	return nil, fleet.Errorf(fleet.ENOTFOUND, "stop")
}
func (r *recorder) NearbyTrucks(_ context.Context, a tools.NearbyArgs) (*tools.NearbyTrucks, error) {
	r.rec("near", a)
	return nil, fleet.Errorf(fleet.EINVALID, "stop")
}
func (r *recorder) DailySummary(_ context.Context, date string) (*tools.DailySummary, error) {
	r.rec("summary", date)
	return nil, fleet.Errorf(fleet.EINVALID, "stop")
}
func (r *recorder) SiteStatus(_ context.Context, a tools.SiteStatusArgs) (*tools.SiteStatus, error) {
	r.rec("site", a)
	return nil, fleet.Errorf(fleet.ENOTFOUND, "stop")
}
func (r *recorder) CreateTrip(_ context.Context, a tools.CreateTripArgs, _ tools.Caller) (*tools.TripCreated, error) {
	r.rec("create", a)
	return nil, fleet.Errorf(fleet.EINVALID, "stop")
}
func (r *recorder) CancelTrip(_ context.Context, code, reason string, c tools.Caller) (*tools.TripChanged, error) {
	r.rec("cancel", map[string]any{"trip_id": code, "reason": reason, "approver": c.Approver})
	return nil, fleet.Errorf(fleet.EINVALID, "stop")
}
func (r *recorder) UpdateTrip(_ context.Context, a tools.UpdateTripArgs, _ tools.Caller) (*tools.TripChanged, error) {
	r.rec("update", a)
	return nil, fleet.Errorf(fleet.EINVALID, "stop")
}
func (r *recorder) ApproveTrip(context.Context, string, tools.Caller) (fleet.Trip, error) {
	return fleet.Trip{}, nil
}
func (r *recorder) RejectTrip(context.Context, string, string, tools.Caller) (fleet.Trip, error) {
	return fleet.Trip{}, nil
}

// TestCommandArguments checks how each command's text becomes a fleet function's arguments.
func TestCommandArguments(t *testing.T) {
	cases := []struct{ cmd, text, want string }{
		{"/truck", "t 11985 la", `truck "t 11985 la"`},
		{"/fleet", "", `fleet {"filter":null,"site":null}`},
		{"/fleet", "idle", `fleet {"filter":"idle","site":null}`},
		{"/fleet", "on trip at Apapa", `fleet {"filter":"on_trip","site":"apapa"}`},
		{"/fleet", "ESSLIBRA", `fleet {"filter":null,"site":"esslibra"}`},
		{"/near", "ESSLIBRA 5 km", `near {"near":"ESSLIBRA","radius_km":5,"status":null,"limit":null}`},
		{"/near", "idle trucks within 3km of T11985LA", `near {"near":"T11985LA","radius_km":3,"status":"idle","limit":null}`},
		{"/near", "6.45,3.39", `near {"near":"6.45,3.39","radius_km":null,"status":null,"limit":null}`},
		{"/site", "APAPA", `site {"site":"APAPA","truck":null}`},
		{"/site", "tin can", `site {"site":"tin can","truck":null}`},
		{"/site", "Apapa port T28737LA", `site {"site":"Apapa port","truck":"T28737LA"}`},
		{"/summary", "yesterday", `summary "yesterday"`},
		{"/trip", "TRP-0042", `trip "TRP-0042"`},
		{"/trip", "42", `trip "42"`},
		{"/trip", "T11985LA", `trip "T11985LA"`},
		{"/trip", "T11985LA from ESSLIBRA to ECLAT at tomorrow 8am",
			`create {"truck":"T11985LA","origin":"ESSLIBRA","destination":"ECLAT","departure_time":"at tomorrow 8am","container_no":null,"cargo_type":null,"notes":null}`},
		{"/trip", "T11985LA from Apapa port to Eclat warehouse tomorrow 14:30 container MSCU 1234567 cargo cement",
			`create {"truck":"T11985LA","origin":"Apapa port","destination":"Eclat warehouse","departure_time":"tomorrow 14:30","container_no":"MSCU1234567","cargo_type":"cement","notes":null}`},
		{"/trip", "cancel TRP-0042 client postponed", `cancel {"approver":false,"reason":"client postponed","trip_id":"TRP-0042"}`},
		{"/trip", "TRP-0042 at 3pm", `update {"trip_id":"TRP-0042","departure":"at 3pm","destination":null}`},
		{"/trip", "TRP-0042 to tin can", `update {"trip_id":"TRP-0042","departure":null,"destination":"tin can"}`},
	}
	for _, c := range cases {
		t.Run(c.cmd+" "+c.text, func(t *testing.T) {
			rec := &recorder{}
			h := NewHandler(HandlerDeps{Lookups: rec, Desk: rec})
			h.Command(context.Background(), tools.Caller{UserID: "U1"}, c.cmd, c.text)
			if len(rec.calls) != 1 || rec.calls[0] != c.want {
				t.Errorf("%s %s called %v; want [%s]", c.cmd, c.text, rec.calls, c.want)
			}
		})
	}
}

// TestCommandUsage checks that bad arguments get help and call nothing.
func TestCommandUsage(t *testing.T) {
	cases := []struct{ cmd, text, want string }{
		{"/truck", "", "Which truck?"},
		{"/near", "", "Near what?"},
		{"/site", "", "Which site?"},
		{"/trip", "T11985LA from APAPA to ECLAT", "When should"},
		{"/trip", "T28737LA to ECLAT in 3 hours", "Where does T28737LA start from?"},
		{"/trip", "T11985LA from APAPA to ECLAT at 9 tomorrow", "9am or 9pm?"},
		{"/truck", "help", "/truck T11985LA"},
		{"/watchtower", "frobnicate", "did not understand"},
		{"/watchtower", "jobs", "scheduler is not running"},
		{"/watchtower", "run analytics", "Only dispatch approvers"},
	}
	for _, c := range cases {
		rec := &recorder{}
		h := NewHandler(HandlerDeps{Lookups: rec, Desk: rec})
		r := h.Command(context.Background(), tools.Caller{UserID: "U1"}, c.cmd, c.text)
		if len(rec.calls) != 0 || r.InChannel || !strings.Contains(r.View.Console(), c.want) {
			t.Errorf("%s %q = %q (calls %v); want ephemeral help with %q", c.cmd, c.text, r.View.Console(), rec.calls, c.want)
		}
	}
	if r := NewHandler(HandlerDeps{}).Command(context.Background(), tools.Caller{}, "/trip", ""); !r.OpenForm {
		t.Error("/trip alone does not open the form")
	}
}

// TestProblemViews: domain errors show their message and suggestions; others a reference ID.
func TestProblemViews(t *testing.T) {
	h := NewHandler(HandlerDeps{})
	nf := &fleet.Error{Code: fleet.ENOTFOUND, Message: "truck T1198LA not found", Suggestions: []string{"T11985LA"}}
	if got := h.problem(context.Background(), nf, "x").Console(); !strings.Contains(got, "Did you mean T11985LA?") {
		t.Errorf("not found = %q", got)
	}
	got := h.problem(context.Background(), fmt.Errorf("pgx: boom"), "x").Console()
	if !strings.Contains(got, "reference WT-") || strings.Contains(got, "boom") {
		t.Errorf("internal error = %q; want a reference and no internals", got)
	}
}

func TestParseTripForm(t *testing.T) {
	zone := fleet.Lagos()
	now := time.Date(2025, 11, 26, 13, 0, 0, 0, time.UTC) // 14:00 in Lagos
	val := func(truck, origin, dest, date, hhmm, container string) map[string]map[string]slack.BlockAction {
		return map[string]map[string]slack.BlockAction{
			formTruck:       {formTruck: {SelectedOption: slack.OptionBlockObject{Value: truck}}},
			formOrigin:      {formOrigin: {SelectedOption: slack.OptionBlockObject{Value: origin}}},
			formDestination: {formDestination: {SelectedOption: slack.OptionBlockObject{Value: dest}}},
			formDate:        {formDate: {SelectedDate: date}},
			formTime:        {formTime: {SelectedTime: hhmm}},
			formContainer:   {formContainer: {Value: container}},
		}
	}
	cases := []struct {
		name       string
		values     map[string]map[string]slack.BlockAction
		wantErrors []string
		wantDep    string
	}{
		{"good", val("T1", "A", "B", "2025-11-26", "15:00", "mscu1234567"), nil, "2025-11-26T15:00:00+01:00"},
		{"too soon", val("T1", "A", "B", "2025-11-26", "14:20", ""), []string{formTime}, ""},
		{"past date", val("T1", "A", "B", "2025-11-25", "15:00", ""), []string{formDate}, ""},
		{"same site", val("T1", "A", "A", "2025-11-27", "08:00", ""), []string{formDestination}, ""},
		{"missing", val("", "", "", "", "", "BAD"), []string{formTruck, formDestination, formDate, formContainer}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			args, errs := parseTripForm(c.values, now, zone, 30*time.Minute)
			if len(errs) != len(c.wantErrors) {
				t.Errorf("errors = %v; want on %v", errs, c.wantErrors)
			}
			for _, f := range c.wantErrors {
				if errs[f] == "" {
					t.Errorf("no error on %s: %v", f, errs)
				}
			}
			if c.wantDep != "" && args.DepartureTime != c.wantDep {
				t.Errorf("departure = %s; want %s", args.DepartureTime, c.wantDep)
			}
		})
	}
}

func TestErrorField(t *testing.T) {
	origin := "ESSLIBRA"
	args := tools.CreateTripArgs{Truck: "T1", Origin: &origin, Destination: "ECLAT"}
	cases := []struct {
		msg, want string
	}{
		{"truck T1 is maintenance, not operational", formTruck},
		{"truck T1 already has trip TRP-0001 (ESSLIBRA → ECLAT, departing Thu) at that time", formTime},
		{"departure Thu 08:00 is less than 30 minutes from now; pick a later time", formTime},
		{"site ECLAT not found", formDestination},
		{"site ESSLIBRA not found", formOrigin},
		{"truck T1 is not at a known site; say where the trip starts", formOrigin},
		{"Where does T1 start from? It is at APAPA now: answer APAPA, or name the site.", formOrigin},
	}
	for _, c := range cases {
		if got := errorField(fleet.Errorf(fleet.EINVALID, "%s", c.msg), args); got != c.want {
			t.Errorf("errorField(%q) = %s; want %s", c.msg, got, c.want)
		}
	}
}

// TestTripFormOptions keeps the selects within Slack's 100 options: a big fleet is grouped.
func TestTripFormOptions(t *testing.T) {
	plates := make([]string, 450)
	for i := range plates {
		plates[i] = fmt.Sprintf("%c%05dLA", 'A'+i%3, i)
	}
	sites := []fleet.Site{{Code: "ESSLIBRA", Name: "Esslibra", Kind: fleet.SiteTerminal}, {Code: "ECLAT", Name: "Eclat", Kind: fleet.SiteClient}}
	v := tripFormView(plates, sites, "C1", time.Now(), fleet.Lagos())
	raw, _ := json.Marshal(v)
	var view struct {
		Blocks []struct {
			BlockID string `json:"block_id"`
			Element struct {
				Options      []json.RawMessage `json:"options"`
				OptionGroups []struct {
					Options []json.RawMessage `json:"options"`
				} `json:"option_groups"`
			} `json:"element"`
		} `json:"blocks"`
	}
	if err := json.Unmarshal(raw, &view); err != nil {
		t.Fatal(err)
	}
	total := 0
	for _, b := range view.Blocks {
		if len(b.Element.Options) > maxOptions || len(b.Element.OptionGroups) > maxOptionGroup {
			t.Errorf("block %s has %d options, %d groups", b.BlockID, len(b.Element.Options), len(b.Element.OptionGroups))
		}
		for _, g := range b.Element.OptionGroups {
			if len(g.Options) > maxOptions {
				t.Errorf("block %s has a group of %d options", b.BlockID, len(g.Options))
			}
			if b.BlockID == formTruck {
				total += len(g.Options)
			}
		}
	}
	if total != len(plates) {
		t.Errorf("truck select offers %d plates; want all %d", total, len(plates))
	}
}

// TestConsoleLine routes console lines like Slack's front doors.
func TestConsoleLine(t *testing.T) {
	rec := &recorder{}
	h := NewHandler(HandlerDeps{Lookups: rec, Desk: rec, Approvers: Approvers{"*"}})
	caller := tools.Caller{UserID: "console", Via: "console"}
	if got := h.Line(context.Background(), caller, "console", "/truck t11985la").Console(); !strings.Contains(got, "not found") {
		t.Errorf("/truck line = %q", got)
	}
	if len(rec.calls) != 1 || rec.calls[0] != `truck "t11985la"` {
		t.Errorf("calls = %v", rec.calls)
	}
	if got := h.Line(context.Background(), caller, "console", "/trip").Console(); !strings.Contains(got, "trip form is Slack's") {
		t.Errorf("/trip line = %q", got)
	}
	if got := h.Line(context.Background(), caller, "console", "approve TRP-0001").Console(); !strings.Contains(got, "Approved") {
		t.Errorf("approve line = %q", got)
	}
}
