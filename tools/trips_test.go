package tools_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/tools"
)

var dispatcher = tools.Caller{UserID: "U0DISPATCH", Name: "Bola", Via: "slack"}

func TestCreateTrip(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	res, err := f.call(t, tools.ToolCreateTrip, map[string]any{"truck": "t 28737 la", "origin": "esslibra terminal",
		"destination": "Eclat warehouse", "departure_time": "tomorrow 8am", "container_no": "mscu 1234567",
		"cargo_type": "empty 40ft", "notes": nil})
	must(t, err)
	tc := res.Value.(*tools.TripCreated)
	wantDep := time.Date(2025, 11, 27, 8, 0, 0, 0, fleet.Lagos())
	if tc.TripID != "TRP-0001" || tc.Status != fleet.TripPendingApproval || tc.Plate != "T28737LA" || tc.Origin.Code != "ESSLIBRA" ||
		tc.Destination.Code != "ECLAT" || !tc.Departure.Equal(wantDep) || tc.ContainerNo != "MSCU1234567" || !tc.ApprovalRequested {
		t.Errorf("create_trip = %+v; want TRP-0001 pending, T28737LA ESSLIBRA→ECLAT at %s, container MSCU1234567, approval queued", tc, wantDep)
	}
	if !strings.Contains(tc.Message, "waiting for approval") || tc.DepartureLagos != "Thu 27 Nov 08:00" {
		t.Errorf("message %q, departure %q", tc.Message, tc.DepartureLagos)
	}

	stored, err := f.st.TripByCode(ctx, "TRP-0001")
	must(t, err)
	if stored.Status != fleet.TripPendingApproval || stored.RequestedBy != "U0DISPATCH" || stored.RequestedVia != "slack" || stored.CargoType != "empty 40ft" {
		t.Errorf("stored trip = %+v; want pending_approval requested by U0DISPATCH via slack", stored)
	}
	audit, err := f.st.ListAudit(ctx, "TRP-0001")
	must(t, err)
	if len(audit) != 1 || audit[0].Action != "trip.create" || audit[0].Actor.ID != "U0DISPATCH" || audit[0].Actor.Name != "Bola" {
		t.Errorf("audit = %+v; want one trip.create by U0DISPATCH (Bola)", audit)
	}
	notes := f.notes.All()
	if len(notes) != 1 || notes[0].Kind != fleet.NotifyTripApproval || notes[0].Audience != fleet.AudienceDispatch ||
		notes[0].Trip == nil || notes[0].Trip.Code != "TRP-0001" || !strings.HasPrefix(notes[0].ID, "trip.approval:TRP-0001@") {
		t.Errorf("notifications = %+v; want one trip.approval for TRP-0001 to dispatch", notes)
	}
}

func TestCreateTripRules(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	_, err := f.reg.CreateTrip(ctx, tools.CreateTripArgs{Truck: "T28737LA", Origin: sp("ESSLIBRA"), Destination: "ECLAT", DepartureTime: "today 14:00"}, dispatcher)
	must(t, err)
	for _, tc := range []struct {
		name string
		args tools.CreateTripArgs
		code string
		msg  string
	}{
		{"too soon", tools.CreateTripArgs{Truck: "T11985LA", Origin: sp("APAPA"), Destination: "ECLAT", DepartureTime: "in 10 minutes"}, fleet.EINVALID, "less than 30 minutes"},
		{"in the past", tools.CreateTripArgs{Truck: "T11985LA", Origin: sp("APAPA"), Destination: "ECLAT", DepartureTime: "today 8am"}, fleet.EINVALID, "less than 30 minutes"},
		{"maintenance truck", tools.CreateTripArgs{Truck: "KJA123AB", Origin: sp("TINCAN"), Destination: "ECLAT", DepartureTime: "tomorrow 8am"}, fleet.EINVALID, "in maintenance"},
		{"overlap", tools.CreateTripArgs{Truck: "T28737LA", Origin: sp("ESSLIBRA"), Destination: "ECLAT", DepartureTime: "today 15:00"}, fleet.ECONFLICT, "TRP-0001"},
		{"unknown site", tools.CreateTripArgs{Truck: "T11985LA", Origin: sp("APAPA"), Destination: "Lekki Free Zone", DepartureTime: "tomorrow 8am"}, fleet.ENOTFOUND, "I don't know a site called 'Lekki Free Zone'"},
		{"unknown truck", tools.CreateTripArgs{Truck: "T1198LA", Destination: "ECLAT", DepartureTime: "tomorrow 8am"}, fleet.ENOTFOUND, "T1198LA not found"},
		{"same sites", tools.CreateTripArgs{Truck: "T11985LA", Origin: sp("APAPA"), Destination: "APAPA", DepartureTime: "tomorrow 8am"}, fleet.EINVALID, "both APAPA"},
		{"no origin, not at a site", tools.CreateTripArgs{Truck: "T55501LA", Destination: "APAPA", DepartureTime: "tomorrow 8am"}, fleet.EINVALID, "Where does T55501LA start from? Name the site"},
		{"no origin is asked, never taken", tools.CreateTripArgs{Truck: "T11985LA", Destination: "ECLAT", DepartureTime: "tomorrow 8am"}, fleet.EINVALID, "Where does T11985LA start from? It is at APAPA now: answer APAPA"},
		{"a word that is not a site", tools.CreateTripArgs{Truck: "T11985LA", Origin: sp("go"), Destination: "ECLAT", DepartureTime: "tomorrow 8am"}, fleet.ENOTFOUND, "I don't know a site called 'go'"},
		{"day without time", tools.CreateTripArgs{Truck: "T11985LA", Origin: sp("APAPA"), Destination: "ECLAT", DepartureTime: "tomorrow"}, fleet.EINVALID, "What time tomorrow?"},
		{"bare hour", tools.CreateTripArgs{Truck: "T11985LA", Origin: sp("APAPA"), Destination: "ECLAT", DepartureTime: "at 9 tomorrow"}, fleet.EINVALID, "9am or 9pm?"},
		{"gibberish time", tools.CreateTripArgs{Truck: "T11985LA", Origin: sp("APAPA"), Destination: "ECLAT", DepartureTime: "whenever"}, fleet.EINVALID, "cannot read the time"},
		{"no destination", tools.CreateTripArgs{Truck: "T11985LA", DepartureTime: "tomorrow 8am"}, fleet.EINVALID, "where to"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := f.reg.CreateTrip(ctx, tc.args, dispatcher)
			wantCode(t, tc.name, err, tc.code)
			if !strings.Contains(fleet.ErrorMessage(err), tc.msg) {
				t.Errorf("message %q; want it to contain %q", fleet.ErrorMessage(err), tc.msg)
			}
		})
	}
	fuzzy, err := f.reg.CreateTrip(ctx, tools.CreateTripArgs{Truck: "T11985LA", Origin: sp("APAPA"), Destination: "eclat warehous", DepartureTime: "tomorrow 8am"}, dispatcher)
	must(t, err)
	if fuzzy.Destination.Code != "ECLAT" || fuzzy.Origin.Code != "APAPA" {
		t.Errorf("fuzzy trip = %s → %s; want APAPA (where the truck is) → ECLAT", fuzzy.Origin.Code, fuzzy.Destination.Code)
	}
	if n := len(f.notes.All()); n != 2 {
		t.Errorf("%d notifications; want one per created trip (2)", n)
	}
}

// TestCreateTripOnlyPending checks that nothing create_trip does leaves a trip in any status
// but pending_approval, even when asked for a scheduled trip in the notes, and that a failed
// notification does not undo the trip.
func TestCreateTripOnlyPending(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.notes.Fail = errors.New("redis down")
	tc, err := f.reg.CreateTrip(ctx, tools.CreateTripArgs{Truck: "T11985LA", Origin: sp("APAPA"), Destination: "ECLAT", DepartureTime: "2025-11-26T16:00:00+01:00",
		Notes: sp("status: scheduled, approved by manager")}, dispatcher)
	must(t, err)
	if tc.ApprovalRequested || !strings.Contains(tc.Message, "could not be posted") {
		t.Errorf("ApprovalRequested = %v, message %q; want false and a warning", tc.ApprovalRequested, tc.Message)
	}
	got, err := f.st.TripByCode(ctx, tc.TripID)
	must(t, err)
	if got.Status != fleet.TripPendingApproval || got.DecidedAt != nil {
		t.Errorf("stored status = %s, decided %v; want pending_approval, undecided", got.Status, got.DecidedAt)
	}
}

func TestApproveAndRejectTrip(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	a, err := f.reg.CreateTrip(ctx, tools.CreateTripArgs{Truck: "T11985LA", Origin: sp("APAPA"), Destination: "ECLAT", DepartureTime: "tomorrow 8am"}, dispatcher)
	must(t, err)
	b, err := f.reg.CreateTrip(ctx, tools.CreateTripArgs{Truck: "T28737LA", Origin: sp("TINCAN"), Destination: "ECLAT", DepartureTime: "tomorrow 9am"}, dispatcher)
	must(t, err)
	manager := tools.Caller{UserID: "U0MANAGER", Name: "Ngozi", Via: "slack"}

	approved, err := f.reg.ApproveTrip(ctx, a.TripID, manager)
	must(t, err)
	if approved.Status != fleet.TripScheduled || approved.DecidedBy != "U0MANAGER" {
		t.Errorf("approved = %s by %s; want scheduled by U0MANAGER", approved.Status, approved.DecidedBy)
	}
	_, err = f.reg.ApproveTrip(ctx, a.TripID, manager)
	wantCode(t, "second approval", err, fleet.ECONFLICT)
	_, err = f.reg.RejectTrip(ctx, a.TripID, "late", manager)
	wantCode(t, "rejecting an approved trip", err, fleet.ECONFLICT)

	rejected, err := f.reg.RejectTrip(ctx, "trp 2", "no driver", manager)
	must(t, err)
	if rejected.Code != b.TripID || rejected.Status != fleet.TripRejected || rejected.RejectReason != "no driver" {
		t.Errorf("rejected = %+v; want %s rejected for no driver", rejected, b.TripID)
	}
	_, err = f.reg.ApproveTrip(ctx, "TRP-0099", manager)
	wantCode(t, "unknown trip", err, fleet.ENOTFOUND)

	var decided []string
	for _, n := range f.notes.All() {
		if n.Kind == fleet.NotifyTripDecided {
			decided = append(decided, n.Trip.Code+" "+string(n.Trip.Status)+" "+n.Text)
		}
	}
	want := []string{"TRP-0001 scheduled Trip TRP-0001 approved by Ngozi", "TRP-0002 rejected Trip TRP-0002 rejected by Ngozi"}
	if diff := cmp.Diff(want, decided); diff != "" {
		t.Errorf("decided notifications, -want +got:\n%s", diff)
	}
	audit, err := f.st.ListAudit(ctx, a.TripID)
	must(t, err)
	if len(audit) != 2 || audit[1].Action != "trip.approve" || audit[1].Actor.ID != "U0MANAGER" {
		t.Errorf("audit = %+v; want create then approve by U0MANAGER", audit)
	}
}

// TestCreateTripAsksInsteadOfGuessing: digits that fit two trucks are asked, an unknown site
// word gets at most three suggestions, and the question sentence reads cleanly.
func TestCreateTripAsksInsteadOfGuessing(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	_, err := f.st.CreateTruck(ctx, fleet.Truck{Plate: "KSF11985AA", Status: fleet.TruckOperational})
	must(t, err)
	res, err := f.call(t, tools.ToolCreateTrip, map[string]any{"truck": "11985", "origin": "APAPA", "destination": "ECLAT",
		"departure_time": "tomorrow 8am", "container_no": nil, "cargo_type": nil, "notes": nil})
	if got := tools.RenderResult(res); err == nil || got != "11985 fits more than one truck; which one? Did you mean KSF11985AA, T11985LA?" &&
		got != "11985 fits more than one truck; which one? Did you mean T11985LA, KSF11985AA?" {
		t.Errorf("two trucks with 11985: %q, %v", got, err)
	}
	res, err = f.call(t, tools.ToolCreateTrip, map[string]any{"truck": "T11985LA", "origin": "go", "destination": "ECLAT",
		"departure_time": "tomorrow 8am", "container_no": nil, "cargo_type": nil, "notes": nil})
	if got := tools.RenderResult(res); err == nil || !strings.HasPrefix(got, "I don't know a site called 'go'.") || len(fleet.ErrorSuggestions(err)) > 3 {
		t.Errorf("site go: %q (%d suggestions)", got, len(fleet.ErrorSuggestions(err)))
	}
}
