package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
)

// drive sends plate through ingest into site at in and out again at out (zero: still inside
// at the fixture's clock), a fix every 10 min.
func (f *fixture) drive(t *testing.T, plate string, site fleet.Site, in, out time.Time) {
	t.Helper()
	away := fleet.Point{Lat: site.Point.Lat + 0.05, Lng: site.Point.Lng}
	var obs []fleet.Observation
	add := func(at time.Time, p fleet.Point) {
		obs = append(obs, fleet.Observation{EntryID: fmt.Sprintf("%d-%d", at.UnixMilli(), len(obs)),
			Position: &fleet.Position{Plate: plate, FixTime: at.UTC(), ReceivedAt: at.UTC(), Point: p, Source: "test"}})
	}
	add(in.Add(-10*time.Minute), away)
	end := f.now.Add(-time.Minute)
	if !out.IsZero() {
		end = out.Add(-time.Minute)
	}
	for at := in; !at.After(end); at = at.Add(10 * time.Minute) {
		add(at, site.Point)
	}
	if !out.IsZero() {
		add(out, away)
	}
	if _, err := f.st.ApplyIngest(context.Background(), "", obs, fleet.DefaultThresholds()); err != nil {
		t.Fatal(err)
	}
}

// siteStatusBody is GET /api/v1/sites/{code}/status as a client reads it.
type siteStatusBody struct {
	Code   string `json:"code"`
	Count  int    `json:"count"`
	Trucks []struct {
		Plate   string `json:"plate"`
		Minutes int    `json:"dwell_minutes"`
	} `json:"trucks"`
	Typical struct {
		Visits        int `json:"visits"`
		MedianMinutes int `json:"median_minutes"`
		P90Minutes    int `json:"p90_minutes"`
	} `json:"typical"`
	Truck *struct {
		Plate  string `json:"plate"`
		Inside bool   `json:"inside"`
	} `json:"truck"`
}

func TestSiteStatusRoute(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	var apapa fleet.Site
	for _, s := range testSites {
		if s.Code == "APAPA" {
			apapa = s
		}
	}
	ctx := context.Background()
	for _, plate := range []string{"T40001LA", "T40002LA"} {
		if _, err := f.st.CreateTruck(ctx, fleet.Truck{Plate: plate}); err != nil {
			t.Fatal(err)
		}
	}
	for _, d := range []int{3, 2, 1} { // finished visits of 3, 2 and 1 h, oldest first
		in := f.now.Add(-time.Duration(d) * 24 * time.Hour)
		f.drive(t, "T40002LA", apapa, in, in.Add(time.Duration(d)*time.Hour))
	}
	f.drive(t, "T40001LA", apapa, f.now.Add(-100*time.Minute), time.Time{})

	for _, path := range []string{"/api/v1/sites/APAPA/status", "/api/v1/sites/apapa/status?truck=t40001la"} {
		r := f.do(t, "GET", path, f.read, "")
		wantStatus(t, path, r, http.StatusOK, "")
		var got siteStatusBody
		r.json(t, &got)
		if got.Code != "APAPA" || got.Count != 1 || got.Trucks[0].Plate != "T40001LA" || got.Trucks[0].Minutes != 100 ||
			got.Typical.Visits != 3 || got.Typical.MedianMinutes != 120 || got.Typical.P90Minutes != 168 {
			t.Errorf("GET %s = %s; want T40001LA inside 100 min, 3 visits, median 120, p90 168", path, r.body)
		}
		if strings.Contains(path, "truck=") && (got.Truck == nil || got.Truck.Plate != "T40001LA" || !got.Truck.Inside) {
			t.Errorf("GET %s truck = %+v; want T40001LA inside", path, got.Truck)
		}
	}

	e := wantStatus(t, "unknown site", f.do(t, "GET", "/api/v1/sites/Apapaa%20wharf%20gate/status", f.read, ""), http.StatusNotFound, "not_found")
	if e.Error.Message != "I don't know a site called 'Apapaa wharf gate'" || len(e.Error.Suggestions) == 0 || e.Error.Suggestions[0] != "APAPA" {
		t.Errorf("unknown site error = %+v; want the sentence with APAPA suggested", e.Error)
	}
	wantStatus(t, "unknown truck", f.do(t, "GET", "/api/v1/sites/APAPA/status?truck=T999ZZ", f.read, ""), http.StatusNotFound, "not_found")
	wantStatus(t, "unknown parameter", f.do(t, "GET", "/api/v1/sites/APAPA/status?plate=T1", f.read, ""), http.StatusBadRequest, "invalid")
	wantStatus(t, "no token", f.do(t, "GET", "/api/v1/sites/APAPA/status", "", ""), http.StatusUnauthorized, "unauthorized")
}
