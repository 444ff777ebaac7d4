package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/tools"
)

// tripChange is the answer of PATCH /api/v1/trips/{id} and POST …/cancel.
type tripChange struct {
	TripID  string   `json:"trip_id"`
	Status  string   `json:"status"`
	Changes []string `json:"changes"`
	Message string   `json:"message"`
	Trip    struct {
		Status      string `json:"status"`
		Destination string `json:"destination"`
		Notes       string `json:"notes"`
	} `json:"trip"`
}

// requestTrip creates a trip of T11985LA from APAPA to ECLAT tomorrow 08:00 through the API
// with the write token (erp-sync) and returns its ID.
func (f *fixture) requestTrip(t *testing.T) string {
	return f.requestTripAt(t, "2025-11-27T08:00:00+01:00")
}

// requestTripAt is requestTrip departing at an RFC 3339 time.
func (f *fixture) requestTripAt(t *testing.T, departure string) string {
	t.Helper()
	body := `{"truck":"T11985LA","origin":"APAPA","destination":"ECLAT","departure_time":"` + departure + `"}`
	r := f.do(t, "POST", "/api/v1/trips", f.write, body)
	wantStatus(t, "POST /api/v1/trips", r, http.StatusCreated, "")
	var c struct {
		TripID string `json:"trip_id"`
	}
	r.json(t, &c)
	return c.TripID
}

// approve approves trip code as a dispatch approver in Slack would.
func (f *fixture) approve(t *testing.T, code string) {
	t.Helper()
	if _, err := f.reg.ApproveTrip(context.Background(), code, tools.Caller{UserID: "U0BOSS", Via: "slack", Approver: true}); err != nil {
		t.Fatal(err)
	}
}

// complete runs trip code through to completed.
func (f *fixture) complete(t *testing.T, code string) {
	t.Helper()
	at := f.now
	_, err := f.st.TransitionTrip(context.Background(), code, fleet.SystemActor(), "trip.complete", func(tr fleet.Trip) (fleet.Trip, error) {
		var err error
		for _, step := range []func(fleet.Trip) (fleet.Trip, error){
			func(x fleet.Trip) (fleet.Trip, error) { return x.Approve("U0BOSS", at) },
			func(x fleet.Trip) (fleet.Trip, error) { return x.Depart(at) },
			func(x fleet.Trip) (fleet.Trip, error) { return x.Arrive(at) },
			func(x fleet.Trip) (fleet.Trip, error) { return x.Complete(at) },
		} {
			if tr, err = step(tr); err != nil {
				return tr, err
			}
		}
		return tr, nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// lastAudit returns the newest audit entry about subject.
func (f *fixture) lastAudit(t *testing.T, subject string) (action string, actor fleet.Actor) {
	t.Helper()
	entries, err := f.st.ListAudit(context.Background(), subject)
	if err != nil || len(entries) == 0 {
		t.Fatalf("ListAudit(%s) = %v, %v; want entries", subject, entries, err)
	}
	e := entries[len(entries)-1]
	return e.Action, e.Actor
}

var erpActor = fleet.Actor{ID: "erp-sync", Name: "erp-sync", Via: "api"}

func TestUpdateTripPending(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	code := f.requestTrip(t)
	r := f.do(t, "PATCH", "/api/v1/trips/"+strings.ToLower(code), f.write, `{"departure":"2025-11-27T15:00:00+01:00","notes":"gate 3"}`)
	wantStatus(t, "PATCH departure", r, http.StatusOK, "")
	var got tripChange
	r.json(t, &got)
	if got.TripID != code || got.Status != "pending_approval" || got.Trip.Status != "pending_approval" || got.Trip.Notes != "gate 3" ||
		strings.Join(got.Changes, "; ") != `departure Thu 27 Nov 08:00 → Thu 27 Nov 15:00; notes "gate 3" added` {
		t.Errorf("PATCH = %+v; want pending with the notes, old → new", got)
	}
	want := time.Date(2025, 11, 27, 15, 0, 0, 0, fleet.Lagos())
	if stored, err := f.st.TripByCode(context.Background(), code); err != nil || !stored.ScheduledDeparture.Equal(want) || stored.Notes != "gate 3" {
		t.Errorf("stored trip = %+v, %v; want departure %s and the notes", stored, err, want)
	}
	notes := f.notes.All()
	if last := notes[len(notes)-1]; len(notes) != 2 || last.Kind != fleet.NotifyTripApproval || !strings.Contains(last.Text, "08:00 → Thu 27 Nov 15:00") {
		t.Errorf("notifications = %+v; want the approval message updated with old → new", notes)
	}
	if action, actor := f.lastAudit(t, code); action != "trip.amend" || actor != erpActor {
		t.Errorf("audit = %s by %+v; want trip.amend by %+v", action, actor, erpActor)
	}
}

func TestUpdateScheduledTripGoesBackForApproval(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	code := f.requestTrip(t)
	f.approve(t, code)

	r := f.do(t, "PATCH", "/api/v1/trips/"+code, f.write, `{"notes":"call Musa at the gate"}`)
	wantStatus(t, "PATCH notes", r, http.StatusOK, "")
	var got tripChange
	r.json(t, &got)
	if got.Status != "scheduled" || got.Trip.Notes != "call Musa at the gate" {
		t.Errorf("notes on a scheduled trip = %+v; want it still scheduled", got)
	}

	before := len(f.notes.All())
	r = f.do(t, "PATCH", "/api/v1/trips/"+code, f.write, `{"destination":"tin can","departure_time":"2025-11-27T09:00:00+01:00"}`)
	wantStatus(t, "PATCH destination", r, http.StatusOK, "")
	r.json(t, &got)
	if got.Status != "pending_approval" || got.Trip.Destination != "TINCAN" || !strings.Contains(got.Message, "waits for approval again") ||
		got.Changes[len(got.Changes)-1] != "back to pending approval" {
		t.Errorf("new plan on a scheduled trip = %+v; want pending_approval to TINCAN", got)
	}
	notes := f.notes.All()
	if len(notes) != before+1 || notes[before].Kind != fleet.NotifyTripApproval || notes[before].Trip.Status != fleet.TripPendingApproval {
		t.Errorf("notifications = %+v; want one new approval request", notes[before:])
	}
}

func TestUpdateTripErrors(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	code := f.requestTrip(t)
	later := f.requestTripAt(t, "2025-11-27T20:00:00+01:00") // moved onto the first below
	stranger := f.token(t, "portal-two", fleet.ScopeWrite)
	path := "/api/v1/trips/" + code
	tests := []struct {
		name, path, token, body, param, code, msg string
		status                                    int
	}{
		{"read token", path, f.read, `{"notes":"x"}`, "", "forbidden", "needs a write token", 403},
		{"not its trip", path, stranger, `{"notes":"x"}`, "", "forbidden", "an admin token any trip", 403},
		{"unknown trip", "/api/v1/trips/TRP-0099", f.write, `{"notes":"x"}`, "", "not_found", "TRP-0099", 404},
		{"not a trip code", "/api/v1/trips/lorry", f.write, `{"notes":"x"}`, "", "not_found", "lorry", 404},
		{"past departure", path, f.write, `{"departure":"2025-11-26T09:00:00+01:00"}`, "departure", "invalid", "30 minutes", 400},
		{"words for a time", path, f.write, `{"departure":"3pm"}`, "departure", "invalid", "RFC 3339", 400},
		{"both spellings", path, f.write, `{"departure":"2025-11-27T15:00:00+01:00","departure_time":"2025-11-27T15:00:00+01:00"}`, "departure_time", "invalid", "not both", 400},
		{"empty destination", path, f.write, `{"destination":" "}`, "destination", "invalid", "site code", 400},
		{"nothing", path, f.write, `{}`, "", "invalid", "nothing to change", 400},
		{"all null", path, f.write, `{"departure":null,"destination":null,"notes":null}`, "", "invalid", "nothing to change", 400},
		{"unknown field", path, f.write, `{"status":"scheduled"}`, "status", "invalid", "unknown field", 400},
		{"unknown site", path, f.write, `{"destination":"go"}`, "", "not_found", "go", 404},
		{"destination is the origin", path, f.write, `{"destination":"APAPA"}`, "destination", "invalid", "APAPA", 400},
		{"overlap", "/api/v1/trips/" + later, f.write, `{"departure":"2025-11-27T08:30:00+01:00"}`, "", "conflict", code, 409},
		{"same plan", path, f.write, `{"departure":"2025-11-27T08:00:00+01:00"}`, "", "invalid", "nothing to change", 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := wantStatus(t, tt.name, f.do(t, "PATCH", tt.path, tt.token, tt.body), tt.status, tt.code)
			if e.Error.Param != tt.param || !strings.Contains(e.Error.Message, tt.msg) {
				t.Errorf("error = %+v; want param %q and a message containing %q", e.Error, tt.param, tt.msg)
			}
		})
	}
	stored, err := f.st.TripByCode(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	if stored.Status != fleet.TripPendingApproval || stored.Destination != "ECLAT" || stored.Notes != "" {
		t.Errorf("trip after refused changes = %+v; want it untouched", stored)
	}

	admin := f.token(t, "ops-admin", fleet.ScopeAdmin)
	wantStatus(t, "admin changes another's trip", f.do(t, "PATCH", path, admin, `{"notes":"checked by ops"}`), http.StatusOK, "")
	if _, actor := f.lastAudit(t, code); actor.ID != "ops-admin" || actor.Via != "api" {
		t.Errorf("audit actor = %+v; want ops-admin via api", actor)
	}
	f.complete(t, code)
	wantStatus(t, "completed trip", f.do(t, "PATCH", path, f.write, `{"departure":"2025-11-27T15:00:00+01:00"}`), http.StatusConflict, fleet.ECONFLICT)
}

func TestCancelTrip(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	code := f.requestTrip(t)
	path := "/api/v1/trips/" + code + "/cancel"
	wantStatus(t, "read token", f.do(t, "POST", path, f.read, ""), http.StatusForbidden, fleet.EFORBIDDEN)
	stranger := f.token(t, "portal-two", fleet.ScopeWrite)
	wantStatus(t, "not its trip", f.do(t, "POST", path, stranger, ""), http.StatusForbidden, fleet.EFORBIDDEN)
	wantStatus(t, "unknown field", f.do(t, "POST", path, f.write, `{"why":"x"}`), http.StatusBadRequest, fleet.EINVALID)
	wantStatus(t, "not JSON", f.do(t, "POST", path, f.write, `reason=x`), http.StatusBadRequest, fleet.EINVALID)

	r := f.do(t, "POST", path, f.write, `{"reason":"client postponed"}`)
	wantStatus(t, "cancel", r, http.StatusOK, "")
	var got tripChange
	r.json(t, &got)
	if got.Status != "cancelled" || got.Trip.Status != "cancelled" || !strings.Contains(got.Message, "client postponed") {
		t.Errorf("cancel = %+v; want cancelled with the reason", got)
	}
	e := wantStatus(t, "cancel twice", f.do(t, "POST", path, f.write, ""), http.StatusConflict, fleet.ECONFLICT)
	if e.Error.Message != "trip "+code+" is already cancelled" {
		t.Errorf("second cancel = %q; want it to say the trip is already cancelled", e.Error.Message)
	}
	stored, err := f.st.TripByCode(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	if stored.CancelledBy != "erp-sync" || stored.CancelReason != "client postponed" {
		t.Errorf("stored = cancelled by %q (%q); want erp-sync with the reason", stored.CancelledBy, stored.CancelReason)
	}
	decided := 0
	for _, n := range f.notes.All() {
		if n.Kind == fleet.NotifyTripDecided {
			decided++
		}
	}
	if decided != 1 {
		t.Errorf("%d approval-message updates queued; want 1", decided)
	}
	if action, actor := f.lastAudit(t, code); action != "trip.cancel" || actor != erpActor {
		t.Errorf("audit = %s by %+v; want trip.cancel by %+v", action, actor, erpActor)
	}

	wantStatus(t, "unknown trip", f.do(t, "POST", "/api/v1/trips/TRP-0099/cancel", f.write, ""), http.StatusNotFound, fleet.ENOTFOUND)
	other := f.do(t, "PATCH", "/api/v1/trips/"+code, f.write, `{"notes":"x"}`)
	wantStatus(t, "change a cancelled trip", other, http.StatusConflict, fleet.ECONFLICT)

	// an admin token may cancel any trip; a completed trip is refused
	second := f.requestTripAt(t, "2025-11-28T08:00:00+01:00")
	f.complete(t, second)
	admin := f.token(t, "ops-admin", fleet.ScopeAdmin)
	e = wantStatus(t, "completed trip", f.do(t, "POST", "/api/v1/trips/"+second+"/cancel", admin, ""), http.StatusConflict, fleet.ECONFLICT)
	if !strings.Contains(e.Error.Message, "completed") {
		t.Errorf("cancel of a completed trip = %q; want it to say completed", e.Error.Message)
	}
	third := f.requestTripAt(t, "2025-11-29T08:00:00+01:00")
	wantStatus(t, "admin cancels another's trip", f.do(t, "POST", "/api/v1/trips/"+third+"/cancel", admin, ""), http.StatusOK, "")
}
