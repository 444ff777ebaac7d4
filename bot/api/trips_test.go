package api_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/watchtower-ops/watchtower/fleet"
)

// createTrip is the body of a valid trip request, departing tomorrow 08:00 Lagos.
const createTrip = `{"truck":"T11985LA","origin":"APAPA","destination":"ECLAT",
	"departure_time":"2025-11-27T08:00:00+01:00","container_no":"MSCU 1234567","cargo_type":"40ft"}`

func TestCreateTrip(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	r := f.do(t, "POST", "/api/v1/trips", f.write, createTrip)
	wantStatus(t, "POST /api/v1/trips", r, http.StatusCreated, "")
	var got struct {
		TripID            string `json:"trip_id"`
		Status            string `json:"status"`
		Plate             string `json:"plate"`
		ContainerNo       string `json:"container_no"`
		ApprovalRequested bool   `json:"approval_requested"`
		TrackingURL       string `json:"tracking_url"`
	}
	r.json(t, &got)
	if got.TripID != "TRP-0001" || got.Status != "pending_approval" || got.Plate != "T11985LA" || got.ContainerNo != "MSCU1234567" || !got.ApprovalRequested {
		t.Errorf("created = %+v; want TRP-0001 pending_approval for T11985LA, container normalised, approval requested", got)
	}
	if loc := r.header.Get("Location"); loc != "/api/v1/trips/TRP-0001" {
		t.Errorf("Location = %q; want /api/v1/trips/TRP-0001", loc)
	}
	if !strings.HasPrefix(got.TrackingURL, "https://track.example.com/track/") {
		t.Errorf("tracking_url = %q; want a link under PUBLIC_BASE_URL", got.TrackingURL)
	}
	notes := f.notes.All()
	if len(notes) != 1 || notes[0].Kind != fleet.NotifyTripApproval || notes[0].Trip == nil || notes[0].Trip.Code != "TRP-0001" {
		t.Fatalf("notifications = %+v; want one trip approval for TRP-0001", notes)
	}
	trip, err := f.st.TripByCode(context.Background(), "TRP-0001")
	if err != nil {
		t.Fatal(err)
	}
	if trip.Status != fleet.TripPendingApproval || trip.RequestedBy != "erp-sync" || trip.RequestedVia != "api" {
		t.Errorf("stored trip = %s by %q via %q; want pending_approval by erp-sync via api", trip.Status, trip.RequestedBy, trip.RequestedVia)
	}
	audit, err := f.st.ListAudit(context.Background(), "TRP-0001")
	if err != nil {
		t.Fatal(err)
	}
	want := fleet.Actor{ID: "erp-sync", Name: "erp-sync", Via: "api"}
	if len(audit) != 1 || audit[0].Action != "trip.create" || audit[0].Actor != want {
		t.Errorf("audit = %+v; want one trip.create by %+v", audit, want)
	}
}

func TestCreateTripBadInput(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	tests := []struct {
		name, body, param, code string
		status                  int
	}{
		{"empty body", ``, "", "invalid", 400},
		{"not an object", `[1]`, "", "invalid", 400},
		{"two objects", `{"truck":"T11985LA"}{}`, "", "invalid", 400},
		{"unknown field", `{"truck":"T11985LA","driver":"Musa"}`, "driver", "invalid", 400},
		{"wrong type", `{"truck":11985}`, "truck", "invalid", 400},
		{"no truck", `{"destination":"ECLAT","departure_time":"2025-11-27T08:00:00+01:00"}`, "truck", "invalid", 400},
		{"no destination", `{"truck":"T11985LA","departure_time":"2025-11-27T08:00:00+01:00"}`, "destination", "invalid", 400},
		{"no departure", `{"truck":"T11985LA","destination":"ECLAT"}`, "departure", "invalid", 400},
		{"words for a time", `{"truck":"T11985LA","destination":"ECLAT","departure_time":"tomorrow 8am"}`, "departure_time", "invalid", 400},
		{"too soon", `{"truck":"T11985LA","origin":"APAPA","destination":"ECLAT","departure_time":"2025-11-26T10:10:00+01:00"}`, "departure", "invalid", 400},
		{"same site", `{"truck":"T11985LA","origin":"ECLAT","destination":"ECLAT","departure_time":"2025-11-27T08:00:00+01:00"}`, "destination", "invalid", 400},
		{"maintenance truck", `{"truck":"KJA123AB","origin":"TINCAN","destination":"ECLAT","departure_time":"2025-11-27T08:00:00+01:00"}`, "truck", "invalid", 400},
		{"unknown truck", `{"truck":"T11986XX","origin":"APAPA","destination":"ECLAT","departure_time":"2025-11-27T08:00:00+01:00"}`, "truck", "invalid", 400},
		{"unknown site", `{"truck":"T11985LA","origin":"APAPA","destination":"Atlantis","departure_time":"2025-11-27T08:00:00+01:00"}`, "destination", "invalid", 400},
		{"unknown origin", `{"truck":"T11985LA","origin":"Atlantis","destination":"ECLAT","departure":"2025-11-27T08:00:00+01:00"}`, "origin", "invalid", 400},
		{"both departure spellings", `{"truck":"T11985LA","origin":"APAPA","destination":"ECLAT","departure":"2025-11-27T08:00:00+01:00","departure_time":"2025-11-27T08:00:00+01:00"}`, "departure_time", "invalid", 400},
		{"past departure", `{"truck":"T11985LA","origin":"APAPA","destination":"ECLAT","departure":"2025-11-25T08:00:00+01:00"}`, "departure", "invalid", 400},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := f.do(t, "POST", "/api/v1/trips", f.write, tc.body)
			e := wantStatus(t, "POST "+tc.body, r, tc.status, tc.code)
			if e.Error.Field != tc.param || e.Error.Param != tc.param {
				t.Errorf("field, param = %q, %q; want %q (message %q)", e.Error.Field, e.Error.Param, tc.param, e.Error.Message)
			}
		})
	}
	if n := len(f.notes.All()); n != 0 {
		t.Errorf("refused requests queued %d notifications; want none", n)
	}
	wantStatus(t, "first booking", f.do(t, "POST", "/api/v1/trips", f.write, createTrip), http.StatusCreated, "")
	wantStatus(t, "same truck, same time", f.do(t, "POST", "/api/v1/trips", f.write, createTrip), http.StatusConflict, "conflict")
	wantStatus(t, "query string on POST", f.do(t, "POST", "/api/v1/trips?dry_run=1", f.write, createTrip), http.StatusBadRequest, "invalid")
}

func TestCreateTripBodyLimits(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	post := func(contentType, body string) response {
		req, _ := http.NewRequest("POST", f.ts.URL+"/api/v1/trips", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+f.write)
		req.Header.Set("Content-Type", contentType)
		resp, err := f.ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var r response
		r.status, r.header = resp.StatusCode, resp.Header
		return r
	}
	if r := post("text/plain", createTrip); r.status != http.StatusUnsupportedMediaType {
		t.Errorf("text/plain body: status %d; want 415", r.status)
	}
	big := `{"truck":"T11985LA","notes":"` + strings.Repeat("x", 70<<10) + `"}`
	if r := post("application/json", big); r.status != http.StatusRequestEntityTooLarge {
		t.Errorf("70 KiB body: status %d; want 413", r.status)
	}
	if r := post("application/json; charset=utf-8", createTrip); r.status != http.StatusCreated {
		t.Errorf("JSON with charset: status %d; want 201", r.status)
	}
}

// addTrips books T11985LA and T28737LA on three days each (TRP-0001…0006) and approves the
// first, so lists have something to page through.
func addTrips(t *testing.T, f *fixture) {
	t.Helper()
	ctx := context.Background()
	dep := time.Date(2025, 11, 27, 8, 0, 0, 0, fleet.Lagos())
	for day := range 3 {
		for _, plate := range []string{"T11985LA", "T28737LA"} {
			tr := fleet.Trip{Plate: plate, Origin: "APAPA", Destination: "ECLAT", ScheduledDeparture: dep.AddDate(0, 0, day).UTC(),
				PlannedArrival: dep.AddDate(0, 0, day).Add(3 * time.Hour).UTC(), RequestedBy: "U0DISPATCH", RequestedVia: "slack",
				CreatedAt: f.now, UpdatedAt: f.now}
			if _, err := f.st.CreateTrip(ctx, tr, fleet.Actor{ID: "U0DISPATCH", Via: "slack"}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, err := f.st.TransitionTrip(ctx, "TRP-0001", fleet.Actor{ID: "U0BOSS"}, "trip.approve", func(tr fleet.Trip) (fleet.Trip, error) {
		return tr.Approve("U0BOSS", f.now)
	}); err != nil {
		t.Fatal(err)
	}
}

// tripIDs reads GET /api/v1/trips.
func tripIDs(t *testing.T, r response) ([]string, *string) {
	t.Helper()
	var p struct {
		Data []struct {
			TripID      string `json:"trip_id"`
			TrackingURL string `json:"tracking_url"`
		} `json:"data"`
		NextCursor *string `json:"next_cursor"`
	}
	r.json(t, &p)
	var ids []string
	for _, d := range p.Data {
		ids = append(ids, d.TripID)
		if !strings.HasPrefix(d.TrackingURL, "https://track.example.com/track/") {
			t.Errorf("%s tracking_url = %q; want our link", d.TripID, d.TrackingURL)
		}
	}
	return ids, p.NextCursor
}

func TestListTrips(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	addTrips(t, f)
	tests := []struct {
		name, query string
		want        []string
	}{
		{"all", "", []string{"TRP-0001", "TRP-0002", "TRP-0003", "TRP-0004", "TRP-0005", "TRP-0006"}},
		{"status", "?status=scheduled", []string{"TRP-0001"}},
		{"statuses", "?status=pending_approval,scheduled&plate=T11985LA", []string{"TRP-0001", "TRP-0003", "TRP-0005"}},
		{"from a day", "?from=2025-11-28", []string{"TRP-0003", "TRP-0004", "TRP-0005", "TRP-0006"}},
		{"to a day, inclusive", "?to=2025-11-28", []string{"TRP-0001", "TRP-0002", "TRP-0003", "TRP-0004"}},
		{"one day", "?from=2025-11-28&to=2025-11-28", []string{"TRP-0003", "TRP-0004"}},
		{"RFC 3339", "?from=" + url.QueryEscape("2025-11-29T07:00:00Z"), []string{"TRP-0005", "TRP-0006"}},
		{"nothing", "?status=completed", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := f.do(t, "GET", "/api/v1/trips"+tc.query, f.read, "")
			wantStatus(t, "GET /api/v1/trips"+tc.query, r, http.StatusOK, "")
			got, next := tripIDs(t, r)
			if diff := cmp.Diff(tc.want, got, cmpopts.EquateEmpty()); diff != "" || next != nil {
				t.Errorf("GET /api/v1/trips%s (next %v), -want +got:\n%s", tc.query, next, diff)
			}
		})
	}

	var all []string
	next := "/api/v1/trips?limit=4"
	for next != "" {
		r := f.do(t, "GET", next, f.read, "")
		wantStatus(t, "GET "+next, r, http.StatusOK, "")
		ids, cursor := tripIDs(t, r)
		all, next = append(all, ids...), ""
		if cursor != nil {
			next = "/api/v1/trips?limit=4&cursor=" + url.QueryEscape(*cursor)
		}
	}
	if len(all) != 6 || all[0] != "TRP-0001" || all[5] != "TRP-0006" {
		t.Errorf("trips over pages of 4 = %v; want TRP-0001 … TRP-0006 once each", all)
	}
}

func TestListTripsBadInput(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	for _, tc := range []struct{ query, param string }{
		{"?status=lost", "status"},
		{"?status=scheduled,lost", "status"},
		{"?from=yesterday", "from"},
		{"?to=2025-13-01", "to"},
		{"?from=2025-11-28&to=2025-11-27", "to"},
		{"?plate=ESSLIBRA", "plate"},
		{"?limit=-1", "limit"},
		{"?cursor=" + url.QueryEscape("dHJpcHM6eA"), "cursor"}, // "trips:x"
		{"?order=desc", "order"},
	} {
		t.Run(tc.query, func(t *testing.T) {
			r := f.do(t, "GET", "/api/v1/trips"+tc.query, f.read, "")
			e := wantStatus(t, "GET /api/v1/trips"+tc.query, r, http.StatusBadRequest, "invalid")
			if e.Error.Field != tc.param || e.Error.Param != tc.param {
				t.Errorf("field, param = %q, %q; want %q (message %q)", e.Error.Field, e.Error.Param, tc.param, e.Error.Message)
			}
		})
	}
}

func TestGetTrip(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	addTrips(t, f)
	var d struct {
		TripID string `json:"trip_id"`
		Status string `json:"status"`
		Origin struct {
			Name string `json:"name"`
		} `json:"origin"`
		Timeline    []struct{ Event string } `json:"timeline"`
		TrackingURL string                   `json:"tracking_url"`
	}
	for _, id := range []string{"TRP-0001", "trp-1", "1"} {
		r := f.do(t, "GET", "/api/v1/trips/"+id, f.read, "")
		wantStatus(t, "GET /api/v1/trips/"+id, r, http.StatusOK, "")
		r.json(t, &d)
		if d.TripID != "TRP-0001" || d.Status != "scheduled" || d.Origin.Name != "Apapa Port Complex" || len(d.Timeline) != 2 ||
			!strings.HasPrefix(d.TrackingURL, "https://track.example.com/track/") {
			t.Errorf("GET /api/v1/trips/%s = %+v; want TRP-0001 scheduled from Apapa with our tracking link", id, d)
		}
	}
	for _, id := range []string{"TRP-0099", "T11985LA", "nonsense"} {
		r := f.do(t, "GET", "/api/v1/trips/"+id, f.read, "")
		wantStatus(t, "GET /api/v1/trips/"+id, r, http.StatusNotFound, "not_found")
	}
}
