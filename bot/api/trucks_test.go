package api_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/watchtower-ops/watchtower/fleet"
)

// truckPage is GET /api/v1/trucks as a client reads it.
type truckPage struct {
	Data []struct {
		Plate  string `json:"plate"`
		Status string `json:"status"`
		Site   string `json:"site"`
	} `json:"data"`
	NextCursor *string `json:"next_cursor"`
	Matching   int     `json:"matching"`
}

func (p truckPage) plates() []string {
	var out []string
	for _, d := range p.Data {
		out = append(out, d.Plate)
	}
	return out
}

func TestListTrucks(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	tests := []struct {
		name  string
		query string
		want  []string
	}{
		{"all", "", []string{"KJA123AB", "T11985LA", "T28737LA", "T55501LA", "T77702LA"}},
		{"moving", "?state=moving", []string{"T28737LA"}},
		{"offline includes never reported", "?state=offline", []string{"T55501LA", "T77702LA"}},
		{"maintenance", "?state=maintenance", []string{"KJA123AB"}},
		{"at a site by name", "?site=" + url.QueryEscape("apapa port"), []string{"T11985LA"}},
		{"state and site", "?state=maintenance&site=TINCAN", []string{"KJA123AB"}},
		{"maintenance is not idle", "?state=idle", nil},
		{"state in upper case", "?state=PARKED", []string{"T11985LA"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := f.do(t, "GET", "/api/v1/trucks"+tc.query, f.read, "")
			wantStatus(t, "GET /api/v1/trucks"+tc.query, r, http.StatusOK, "")
			var p truckPage
			r.json(t, &p)
			if diff := cmp.Diff(tc.want, p.plates(), cmpopts.EquateEmpty()); diff != "" || p.Matching != len(tc.want) || p.NextCursor != nil {
				t.Errorf("GET /api/v1/trucks%s (matching %d, next %v), want one page, -want +got:\n%s", tc.query, p.Matching, p.NextCursor, diff)
			}
		})
	}
}

func TestListTrucksPages(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	var all []string
	next := "/api/v1/trucks?limit=2"
	for pages := 0; next != ""; pages++ {
		if pages > 5 {
			t.Fatal("pagination does not end")
		}
		r := f.do(t, "GET", next, f.read, "")
		wantStatus(t, "GET "+next, r, http.StatusOK, "")
		var p truckPage
		r.json(t, &p)
		if len(p.Data) > 2 {
			t.Fatalf("page of %d trucks; want at most 2", len(p.Data))
		}
		all = append(all, p.plates()...)
		next = ""
		if p.NextCursor != nil {
			next = "/api/v1/trucks?limit=2&cursor=" + url.QueryEscape(*p.NextCursor)
		}
	}
	if diff := cmp.Diff([]string{"KJA123AB", "T11985LA", "T28737LA", "T55501LA", "T77702LA"}, all); diff != "" {
		t.Errorf("trucks over all pages, -want +got:\n%s", diff)
	}
}

func TestListTrucksBadInput(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	tests := []struct {
		query, param, code string
		status             int
	}{
		{"?colour=red", "colour", "invalid", 400},
		{"?state=flying", "state", "invalid", 400},
		{"?limit=0", "limit", "invalid", 400},
		{"?limit=501", "limit", "invalid", 400},
		{"?limit=ten", "limit", "invalid", 400},
		{"?limit=1&limit=2", "limit", "invalid", 400},
		{"?cursor=bm9wZQ", "cursor", "invalid", 400},
		{"?cursor=" + url.QueryEscape("c2l0ZXM6QVBBUEE"), "cursor", "invalid", 400}, // a sites cursor
		{"?site=atlantis", "site", "invalid", 400},
		{"?status=flying", "status", "invalid", 400},
		{"?state=moving;", "", "invalid", 400},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			r := f.do(t, "GET", "/api/v1/trucks"+tc.query, f.read, "")
			e := wantStatus(t, "GET /api/v1/trucks"+tc.query, r, tc.status, tc.code)
			if e.Error.Param != tc.param {
				t.Errorf("param = %q; want %q (message %q)", e.Error.Param, tc.param, e.Error.Message)
			}
		})
	}
}

func TestGetTruck(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	var loc struct {
		Plate       string `json:"plate"`
		Status      string `json:"status"`
		HasFix      bool   `json:"has_fix"`
		AtSite      bool   `json:"at_site"`
		FixAge      string `json:"fix_age"`
		NearestSite *struct {
			Code string `json:"code"`
		} `json:"nearest_site"`
	}
	for _, path := range []string{"/api/v1/trucks/T11985LA", "/api/v1/trucks/t-11985-la", "/api/v1/trucks/11985"} {
		r := f.do(t, "GET", path, f.read, "")
		wantStatus(t, "GET "+path, r, http.StatusOK, "")
		r.json(t, &loc)
		if loc.Plate != "T11985LA" || loc.Status != "parked" || !loc.HasFix || !loc.AtSite || loc.NearestSite == nil ||
			loc.NearestSite.Code != "APAPA" || loc.FixAge != "2 min ago" {
			t.Errorf("GET %s = %+v; want T11985LA parked at APAPA, fix 2 min ago", path, loc)
		}
	}
	r := f.do(t, "GET", "/api/v1/trucks/T77702LA", f.read, "")
	wantStatus(t, "never reported", r, http.StatusOK, "")
	r.json(t, &loc)
	if loc.HasFix || loc.Status != "offline" {
		t.Errorf("never-reported truck = %+v; want has_fix false, offline", loc)
	}
	r = f.do(t, "GET", "/api/v1/trucks/T11986LA", f.read, "")
	e := wantStatus(t, "unknown plate", r, http.StatusNotFound, "not_found")
	if !slices.Contains(e.Error.Suggestions, "T11985LA") {
		t.Errorf("suggestions = %v; want T11985LA among them", e.Error.Suggestions)
	}
	r = f.do(t, "GET", "/api/v1/trucks/T11985LA?verbose=1", f.read, "")
	wantStatus(t, "unknown parameter", r, http.StatusBadRequest, "invalid")
}

func TestNearTrucks(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	type answer struct {
		NearKind string `json:"near_kind"`
		Count    int    `json:"count"`
		Trucks   []struct {
			Plate string `json:"plate"`
		} `json:"trucks"`
		Truncated bool   `json:"truncated"`
		Excluded  string `json:"excluded"`
	}
	tests := []struct {
		name, query, kind string
		want              []string
	}{
		{"site", "near=APAPA&radius_km=5", "site", []string{"T11985LA", "T28737LA", "KJA123AB"}},
		{"site by name", "near=" + url.QueryEscape("tin can"), "site", []string{"KJA123AB", "T11985LA", "T28737LA"}},
		{"truck leaves itself out", "near=T11985LA&radius_km=1", "truck", []string{}},
		{"point", "near=" + url.QueryEscape("6.47,3.36") + "&radius_km=0.5", "point", []string{"T28737LA"}},
		{"status", "near=APAPA&status=moving", "site", []string{"T28737LA"}},
		{"limit", "near=APAPA&limit=1", "site", []string{"T11985LA"}},
		{"wide", "near=ECLAT&radius_km=50&status=offline", "site", []string{"T55501LA"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := f.do(t, "GET", "/api/v1/trucks/near?"+tc.query, f.read, "")
			wantStatus(t, "GET /api/v1/trucks/near?"+tc.query, r, http.StatusOK, "")
			var a answer
			r.json(t, &a)
			var got []string
			for _, tr := range a.Trucks {
				got = append(got, tr.Plate)
			}
			if diff := cmp.Diff(tc.want, got, cmpopts.EquateEmpty()); diff != "" || a.NearKind != tc.kind {
				t.Errorf("near?%s (%s; want %s), -want +got:\n%s", tc.query, a.NearKind, tc.kind, diff)
			}
		})
	}
	bad := []struct {
		query, param, code string
		status             int
	}{
		{"", "near", "invalid", 400},
		{"near=", "near", "invalid", 400},
		{"near=APAPA&radius_km=0", "radius_km", "invalid", 400},
		{"near=APAPA&radius_km=51", "radius_km", "invalid", 400},
		{"near=APAPA&radius_km=NaN", "radius_km", "invalid", 400},
		{"near=APAPA&radius_km=five", "radius_km", "invalid", 400},
		{"near=APAPA&limit=51", "limit", "invalid", 400},
		{"near=APAPA&status=asleep", "status", "invalid", 400},
		{"near=APAPA&sort=plate", "sort", "invalid", 400},
		{"near=atlantis", "near", "invalid", 400},
		{"near=T77702LA", "near", "invalid", 400}, // never reported: nothing can be near it
	}
	for _, tc := range bad {
		t.Run("bad "+tc.query, func(t *testing.T) {
			r := f.do(t, "GET", "/api/v1/trucks/near?"+tc.query, f.read, "")
			e := wantStatus(t, "GET /api/v1/trucks/near?"+tc.query, r, tc.status, tc.code)
			if e.Error.Param != tc.param {
				t.Errorf("param = %q; want %q (message %q)", e.Error.Param, tc.param, e.Error.Message)
			}
		})
	}
}

func TestGetFleet(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	r := f.do(t, "GET", "/api/v1/fleet", f.read, "")
	wantStatus(t, "GET /api/v1/fleet", r, http.StatusOK, "")
	var got struct {
		Size, Moving, Idle, Parked, Offline, Maintenance int
		Utilisation                                      float64
		ActiveTrips                                      int `json:"active_trips"`
		ScheduledTrips                                   int `json:"scheduled_trips"`
		PendingTrips                                     int `json:"pending_trips"`
	}
	r.json(t, &got)
	// The fixture's fleet: one moving, one parked, two offline (one never reported), one in
	// maintenance (reporting idle), one inactive (outside the fleet); no trips.
	if got.Size != 5 || got.Moving != 1 || got.Idle != 0 || got.Parked != 1 || got.Offline != 2 || got.Maintenance != 1 {
		t.Errorf("GET /api/v1/fleet = %+v; want size 5: 1 moving, 0 idle, 1 parked, 2 offline, 1 maintenance", got)
	}
	if sum := got.Moving + got.Idle + got.Parked + got.Offline + got.Maintenance; sum != got.Size {
		t.Errorf("states add up to %d; want size %d", sum, got.Size)
	}
	if got.Utilisation != 0 || got.ActiveTrips != 0 || got.ScheduledTrips != 0 || got.PendingTrips != 0 {
		t.Errorf("GET /api/v1/fleet trips = %+v; want none", got)
	}
}

// TestListTrucksCarriesDriver checks that the list names each truck's driver like the
// single-truck answer, and leaves the fields empty for a truck without one.
func TestListTrucksCarriesDriver(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	d, err := f.st.CreateDriver(ctx, fleet.Driver{Name: "Musa Ibrahim", Phone: "08031234567"})
	if err != nil {
		t.Fatalf("CreateDriver: %v", err)
	}
	if _, err := f.st.AssignDriver(ctx, "T11985LA", d.ID); err != nil {
		t.Fatalf("AssignDriver: %v", err)
	}
	r := f.do(t, "GET", "/api/v1/trucks", f.read, "")
	wantStatus(t, "GET /api/v1/trucks", r, http.StatusOK, "")
	var p struct {
		Data []struct {
			Plate       string `json:"plate"`
			DriverName  string `json:"driver_name"`
			DriverPhone string `json:"driver_phone"`
		} `json:"data"`
	}
	r.json(t, &p)
	got := map[string][2]string{}
	for _, tr := range p.Data {
		got[tr.Plate] = [2]string{tr.DriverName, tr.DriverPhone}
	}
	want := map[string][2]string{"KJA123AB": {}, "T11985LA": {d.Name, d.Phone}, "T28737LA": {}, "T55501LA": {}, "T77702LA": {}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("drivers of GET /api/v1/trucks, -want +got:\n%s", diff)
	}
	r = f.do(t, "GET", "/api/v1/trucks/T11985LA", f.read, "")
	var one struct {
		DriverName  string `json:"driver_name"`
		DriverPhone string `json:"driver_phone"`
	}
	r.json(t, &one)
	if g := [2]string{one.DriverName, one.DriverPhone}; g != want["T11985LA"] {
		t.Errorf("GET /api/v1/trucks/T11985LA driver = %v, the list says %v", g, want["T11985LA"])
	}
}
