package tools_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/store"
	"github.com/watchtower-ops/watchtower/tools"
)

var approver = tools.Caller{UserID: "U0MANAGER", Name: "Ada", Via: "slack", Approver: true}

// requested creates a pending trip of T11985LA from APAPA to ECLAT tomorrow 21:00 for dispatcher.
func requested(t *testing.T, f *fixture) *tools.TripCreated {
	t.Helper()
	c, err := f.reg.CreateTrip(context.Background(), tools.CreateTripArgs{Truck: "T11985LA", Origin: sp("APAPA"),
		Destination: "ECLAT", DepartureTime: "tomorrow 9pm"}, dispatcher)
	must(t, err)
	return c
}

func TestCancelTripExactlyOnce(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	c := requested(t, f)
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = f.reg.CancelTrip(ctx, c.TripID, "client postponed", dispatcher)
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
		} else if got := fleet.ErrorMessage(err); got != "trip TRP-0001 is already cancelled" {
			t.Errorf("late cancel: %q", got)
		}
	}
	if ok != 1 {
		t.Fatalf("%d cancels succeeded; want exactly 1", ok)
	}
	stored, err := f.st.TripByCode(ctx, c.TripID)
	must(t, err)
	if stored.Status != fleet.TripCancelled || stored.CancelledBy != dispatcher.UserID || stored.CancelReason != "client postponed" {
		t.Errorf("stored = %s by %q (%q); want cancelled by the requester", stored.Status, stored.CancelledBy, stored.CancelReason)
	}
	audit, err := f.st.ListAudit(ctx, c.TripID)
	must(t, err)
	if n := countAction(audit, "trip.cancel"); n != 1 {
		t.Errorf("%d trip.cancel audit entries; want 1", n)
	}
	if n := countKind(f.notes.All(), fleet.NotifyTripDecided); n != 1 {
		t.Errorf("%d trip.decided notifications; want 1", n)
	}
}

func TestCancelTripRules(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	c := requested(t, f)
	stranger := tools.Caller{UserID: "U0OTHER", Via: "slack"}
	tests := []struct {
		name   string
		code   string
		caller tools.Caller
		want   string
		msg    string
	}{
		{"unknown trip", "TRP-0099", dispatcher, fleet.ENOTFOUND, "TRP-0099"},
		{"not yours", c.TripID, stranger, fleet.EFORBIDDEN, "trip TRP-0001 is not yours"},
		{"approver may", c.TripID, approver, "", ""},
		{"already cancelled", c.TripID, dispatcher, fleet.ECONFLICT, "already cancelled"},
	}
	for _, tt := range tests {
		_, err := f.reg.CancelTrip(ctx, tt.code, "", tt.caller)
		wantCode(t, tt.name, err, tt.want)
		if !strings.Contains(fleet.ErrorMessage(err), tt.msg) {
			t.Errorf("%s: %q; want it to contain %q", tt.name, fleet.ErrorMessage(err), tt.msg)
		}
	}
}

func TestCancelledTripIsDueForLoconav(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	c := requested(t, f)
	_, err := f.reg.ApproveTrip(ctx, c.TripID, approver)
	must(t, err)
	must(t, f.st.MarkLoconavCreated(ctx, c.TripID, "LN-77"))
	_, err = f.reg.CancelTrip(ctx, c.TripID, "", approver)
	must(t, err)
	due, err := f.st.ClaimLoconavPushes(ctx, time.Now().Add(time.Hour), time.Minute, 10)
	must(t, err)
	if len(due) != 1 || due[0].Code != c.TripID || due[0].Status != fleet.TripCancelled {
		t.Errorf("LocoNav work = %+v; want the cancelled %s, to delete it there", due, c.TripID)
	}
}

func TestUpdatePendingTripInPlace(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	c := requested(t, f)
	res, err := f.call(t, tools.ToolUpdateTrip, map[string]any{"trip_id": "trp-1", "departure": "3pm", "destination": nil})
	must(t, err)
	ch := res.Value.(*tools.TripChanged)
	want := time.Date(2025, 11, 27, 15, 0, 0, 0, fleet.Lagos()) // 3pm on the trip's own day
	if !ch.Trip.ScheduledDeparture.Equal(want) || ch.Status != fleet.TripPendingApproval ||
		strings.Join(ch.Changes, "; ") != "departure Thu 27 Nov 21:00 → Thu 27 Nov 15:00" {
		t.Errorf("update_trip = %+v; want pending at %s, departure 21:00 → 15:00", ch, want)
	}
	audit, err := f.st.ListAudit(ctx, c.TripID)
	must(t, err)
	if n := countAction(audit, "trip.amend"); n != 1 {
		t.Errorf("%d trip.amend audit entries; want 1", n)
	}
	notes := f.notes.All()
	last := notes[len(notes)-1]
	if last.Kind != fleet.NotifyTripApproval || !strings.Contains(last.Text, "21:00 → Thu 27 Nov 15:00") {
		t.Errorf("notification = %s %q; want the approval updated with old → new", last.Kind, last.Text)
	}
}

func TestUpdateScheduledTripNeedsApprovalAgain(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	c := requested(t, f)
	_, err := f.reg.ApproveTrip(ctx, c.TripID, approver)
	must(t, err)
	must(t, f.st.SetTripSlackMessage(ctx, c.TripID, "C0DISPATCH", "1700000000.000100"))
	ch, err := f.reg.UpdateTrip(ctx, tools.UpdateTripArgs{TripID: c.TripID, Destination: sp("tin can")}, dispatcher)
	must(t, err)
	if ch.Status != fleet.TripPendingApproval || ch.Trip.Destination != "TINCAN" || ch.Trip.SlackTS != "" || ch.Trip.DecidedBy != "" {
		t.Errorf("update = %+v; want pending_approval to TINCAN without the old decision or message", ch.Trip)
	}
	if got := strings.Join(ch.Changes, "; "); got != "destination ECLAT → TINCAN; back to pending approval" {
		t.Errorf("changes = %q", got)
	}
}

func TestUpdateTripRules(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	c := requested(t, f)
	other, err := f.reg.CreateTrip(ctx, tools.CreateTripArgs{Truck: "T11985LA", Origin: sp("APAPA"), Destination: "TINCAN",
		DepartureTime: "tomorrow 8am"}, dispatcher)
	must(t, err)
	tests := []struct {
		name   string
		args   tools.UpdateTripArgs
		caller tools.Caller
		want   string
		msg    string
	}{
		{"unknown trip", tools.UpdateTripArgs{TripID: "TRP-0042", Departure: sp("3pm")}, dispatcher, fleet.ENOTFOUND, "TRP-0042"},
		{"not yours", tools.UpdateTripArgs{TripID: c.TripID, Departure: sp("3pm")}, tools.Caller{UserID: "U0OTHER"}, fleet.EFORBIDDEN, "not yours"},
		{"time in the past", tools.UpdateTripArgs{TripID: c.TripID, Departure: sp("today 8am")}, dispatcher, fleet.EINVALID, "less than 30 minutes"},
		{"destination is the origin", tools.UpdateTripArgs{TripID: c.TripID, Destination: sp("Apapa")}, dispatcher, fleet.EINVALID, "both APAPA"},
		{"unknown site", tools.UpdateTripArgs{TripID: c.TripID, Destination: sp("go")}, dispatcher, fleet.ENOTFOUND, "go"},
		{"overlap", tools.UpdateTripArgs{TripID: c.TripID, Departure: sp("8:30am")}, dispatcher, fleet.ECONFLICT, other.TripID},
		{"nothing given", tools.UpdateTripArgs{TripID: c.TripID}, dispatcher, fleet.EINVALID, "what should change"},
	}
	for _, tt := range tests {
		_, err := f.reg.UpdateTrip(ctx, tt.args, tt.caller)
		wantCode(t, tt.name, err, tt.want)
		if !strings.Contains(fleet.ErrorMessage(err), tt.msg) {
			t.Errorf("%s: %q; want it to contain %q", tt.name, fleet.ErrorMessage(err), tt.msg)
		}
	}
	_, err = f.st.SetTruckStatus(ctx, "T11985LA", fleet.TruckMaintenance)
	must(t, err)
	_, err = f.reg.UpdateTrip(ctx, tools.UpdateTripArgs{TripID: c.TripID, Departure: sp("10pm")}, dispatcher)
	wantCode(t, "truck in maintenance", err, fleet.EINVALID)
	if !strings.Contains(fleet.ErrorMessage(err), "is in maintenance") {
		t.Errorf("truck in maintenance: %q", fleet.ErrorMessage(err))
	}
}

func countAction(entries []store.AuditEntry, action string) int {
	n := 0
	for _, e := range entries {
		if e.Action == action {
			n++
		}
	}
	return n
}

func countKind(ns []fleet.Notification, k fleet.NotificationKind) int {
	n := 0
	for _, x := range ns {
		if x.Kind == k {
			n++
		}
	}
	return n
}

// TestDriverOnEveryAnswer: the truck's driver is on its location, a new trip and the trip's
// details.
func TestDriverOnEveryAnswer(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	d, err := f.st.CreateDriver(ctx, fleet.Driver{Name: "Musa Ibrahim", Phone: "08031234567"})
	must(t, err)
	_, err = f.st.AssignDriver(ctx, "T11985LA", d.ID)
	must(t, err)
	loc, err := f.reg.TruckLocation(ctx, "T11985LA")
	must(t, err)
	c := requested(t, f)
	det, err := f.reg.TripDetails(ctx, c.TripID)
	must(t, err)
	for what, got := range map[string][2]string{"location": {loc.DriverName, loc.DriverPhone},
		"created": {c.DriverName, c.DriverPhone}, "details": {det.DriverName, det.DriverPhone}} {
		if got != [2]string{"Musa Ibrahim", "08031234567"} {
			t.Errorf("%s driver = %v; want Musa Ibrahim 08031234567", what, got)
		}
	}
}

// TestUpdateTripNotes: notes change alone without sending a decided trip back for approval;
// with a new plan both apply; the same notes change nothing.
func TestUpdateTripNotes(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	c := requested(t, f)
	_, err := f.reg.ApproveTrip(ctx, c.TripID, approver)
	must(t, err)
	before := len(f.notes.All())
	ch, err := f.reg.UpdateTrip(ctx, tools.UpdateTripArgs{TripID: c.TripID, Notes: sp(" gate 3 ")}, dispatcher)
	must(t, err)
	if ch.Status != fleet.TripScheduled || ch.Trip.Notes != "gate 3" || strings.Join(ch.Changes, "; ") != `notes "gate 3" added` {
		t.Errorf("notes on a scheduled trip = %+v; want it scheduled with the notes", ch)
	}
	if n := len(f.notes.All()); n != before {
		t.Errorf("%d notifications after new notes on a scheduled trip; want none", n-before)
	}
	_, err = f.reg.UpdateTrip(ctx, tools.UpdateTripArgs{TripID: c.TripID, Notes: sp("gate 3")}, dispatcher)
	wantCode(t, "same notes", err, fleet.EINVALID)

	ch, err = f.reg.UpdateTrip(ctx, tools.UpdateTripArgs{TripID: c.TripID, Departure: sp("10pm"), Notes: sp("gate 5")}, dispatcher)
	must(t, err)
	if got := strings.Join(ch.Changes, "; "); ch.Status != fleet.TripPendingApproval || got != `departure Thu 27 Nov 21:00 → Thu 27 Nov 22:00; notes "gate 3" → "gate 5"; back to pending approval` {
		t.Errorf("new plan and notes = %s %q; want both, pending again", ch.Status, got)
	}
	ch, err = f.reg.UpdateTrip(ctx, tools.UpdateTripArgs{TripID: c.TripID, Departure: sp("10pm"), Notes: sp("")}, dispatcher)
	must(t, err)
	if got := strings.Join(ch.Changes, "; "); got != "notes cleared" {
		t.Errorf("same departure, notes cleared = %q; want only the notes", got)
	}
	audit, err := f.st.ListAudit(ctx, c.TripID)
	must(t, err)
	if n := countAction(audit, "trip.amend"); n != 3 || !strings.Contains(string(audit[len(audit)-1].Details), `"notes_to": ""`) {
		t.Errorf("audit = %+v; want 3 trip.amend, the last with the notes", audit)
	}
	_, err = f.reg.CancelTrip(ctx, c.TripID, "", dispatcher)
	must(t, err)
	_, err = f.reg.UpdateTrip(ctx, tools.UpdateTripArgs{TripID: c.TripID, Notes: sp("too late")}, dispatcher)
	wantCode(t, "notes on a cancelled trip", err, fleet.ECONFLICT)
}
