package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
)

// TestLearnedETAInAPI: with five completed APAPA → ECLAT trips leaving 06–09, a trip at 08:00
// is planned from their median, and the create, list and details answers and the tracking page
// say so; a trip at 09:00 on the same lane is estimated from distance.
func TestLearnedETAInAPI(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	for i, d := range []time.Duration{3, 4, 5, 6, 7} {
		sched := time.Date(2025, 11, 20+i, 7, 30, 0, 0, fleet.Lagos())
		arr, done := sched.Add(d*time.Hour), sched.Add(d*time.Hour+time.Hour)
		_, err := f.st.CreateTrip(ctx, fleet.Trip{Plate: "T77702LA", Origin: "APAPA", Destination: "ECLAT", ScheduledDeparture: sched,
			Status: fleet.TripCompleted, DepartedAt: &sched, ArrivedAt: &arr, CompletedAt: &done, RequestedBy: "U0DISPATCH"}, fleet.Actor{ID: "U0DISPATCH"})
		if err != nil {
			t.Fatal(err)
		}
	}
	r := f.do(t, "POST", "/api/v1/trips", f.write, createTrip) // 08:00 on the 27th
	wantStatus(t, "POST /api/v1/trips", r, http.StatusCreated, "")
	var created struct {
		TripID         string    `json:"trip_id"`
		PlannedArrival time.Time `json:"planned_arrival"`
		Basis          string    `json:"planned_arrival_basis"`
		Trips          int       `json:"planned_arrival_trips"`
		Note           string    `json:"planned_arrival_note"`
	}
	r.json(t, &created)
	want := time.Date(2025, 11, 27, 13, 0, 0, 0, fleet.Lagos()) // 08:00 + the median 5 h
	if !created.PlannedArrival.Equal(want) || created.Basis != "learned" || created.Trips != 5 || created.Note != "based on 5 past trips" {
		t.Errorf("created = %+v; want planned %v learned from 5 trips", created, want)
	}

	var page struct {
		Data []struct {
			TripID string  `json:"trip_id"`
			Basis  *string `json:"planned_arrival_basis"`
			Trips  int     `json:"planned_arrival_trips"`
		} `json:"data"`
	}
	r = f.do(t, "GET", "/api/v1/trips?status=pending_approval", f.read, "")
	wantStatus(t, "GET /api/v1/trips", r, http.StatusOK, "")
	r.json(t, &page)
	if len(page.Data) != 1 || page.Data[0].Basis == nil || *page.Data[0].Basis != "learned" || page.Data[0].Trips != 5 {
		t.Errorf("GET /api/v1/trips = %+v; want one trip learned from 5", page.Data)
	}

	var d struct {
		ETA        *time.Time `json:"eta"`
		Basis      *string    `json:"eta_basis"`
		Trips      int        `json:"eta_trips"`
		Note       string     `json:"eta_note"`
		Assumption string     `json:"eta_assumption"`
	}
	r = f.do(t, "GET", "/api/v1/trips/"+created.TripID, f.read, "")
	wantStatus(t, "GET /api/v1/trips/{id}", r, http.StatusOK, "")
	r.json(t, &d)
	if d.ETA == nil || !d.ETA.Equal(want) || d.Basis == nil || *d.Basis != "learned" || d.Trips != 5 || d.Note != "based on 5 past trips" ||
		!strings.Contains(d.Assumption, "APAPA → ECLAT trips leaving 06–09") {
		t.Errorf("GET /api/v1/trips/%s = %+v; want ETA %v learned from 5", created.TripID, d, want)
	}
	status, html, _ := f.trackPage(t, linkPath(t, created.TripID, f.now.Add(72*time.Hour)))
	if status != http.StatusOK || !strings.Contains(html, "Expected arrival based on 5 past trips on this route.") {
		t.Errorf("tracking page (%d) does not say the ETA is based on 5 past trips:\n%s", status, html)
	}

	r = f.do(t, "POST", "/api/v1/trips", f.write, strings.Replace(strings.Replace(createTrip, "08:00", "09:00", 1), "T11985LA", "T28737LA", 1))
	wantStatus(t, "POST /api/v1/trips at 09:00", r, http.StatusCreated, "")
	r.json(t, &created)
	if created.Basis != "distance" || created.Trips != 0 || created.Note != "estimated from distance" {
		t.Errorf("created at 09:00 = %+v; want estimated from distance", created)
	}
	status, html, _ = f.trackPage(t, linkPath(t, created.TripID, f.now.Add(72*time.Hour)))
	if status != http.StatusOK || !strings.Contains(html, "Expected arrival estimated from distance; Lagos traffic can make it longer.") {
		t.Errorf("tracking page (%d) does not say the ETA is estimated from distance:\n%s", status, html)
	}
}
