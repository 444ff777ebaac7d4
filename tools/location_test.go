package tools_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/tools"
)

func TestTruckLocation(t *testing.T) {
	f := newFixture(t)
	for _, tc := range []struct {
		query, plate string
		status       fleet.State
		place        string
		atSite       bool
	}{
		{"T11985LA", "T11985LA", fleet.StateParked, "at APAPA (Apapa Port Complex)", true},
		{"t 11985 la", "T11985LA", fleet.StateParked, "at APAPA", true},
		{"11985", "T11985LA", fleet.StateParked, "at APAPA", true},
		{"T-28737-LA", "T28737LA", fleet.StateMoving, "km from APAPA", false},
		{"KJA123AB", "KJA123AB", fleet.StateMaintenance, "at TINCAN", true},
		{"T55501LA", "T55501LA", fleet.StateOffline, "0.6 km from ECLAT", false},
	} {
		t.Run(tc.query, func(t *testing.T) {
			res, err := f.call(t, tools.ToolTruckLocation, map[string]string{"truck": tc.query})
			must(t, err)
			loc := res.Value.(*tools.TruckLocation)
			if loc.Plate != tc.plate || loc.Status != tc.status || !strings.Contains(loc.Place, tc.place) || loc.AtSite != tc.atSite {
				t.Errorf("TruckLocation(%q) = %s %s %q at_site=%v; want %s %s %q %v", tc.query, loc.Plate, loc.Status, loc.Place,
					loc.AtSite, tc.plate, tc.status, tc.place, tc.atSite)
			}
			if !loc.HasFix || loc.FixAge == "" || loc.FixTimeLagos == "" || !strings.HasPrefix(loc.MapURL, "https://") || loc.NearestSite == nil {
				t.Errorf("TruckLocation(%q) = %+v; want fix age, Lagos time, map link and nearest site", tc.query, loc)
			}
			var out map[string]any
			must(t, json.Unmarshal(res.Output, &out))
			for _, key := range []string{"plate", "status", "lat", "lng", "speed_kmh", "heading_deg", "ignition_on", "fix_time_lagos", "fix_age", "nearest_site", "map_url", "active_trip"} {
				if _, ok := out[key]; !ok {
					t.Errorf("output lacks %q: %s", key, res.Output)
				}
			}
		})
	}
}

func TestTruckLocationDetails(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	loc, err := f.reg.TruckLocation(ctx, "T28737LA")
	must(t, err)
	if loc.FixAge != "1 min ago" || loc.FixTimeLagos != "Wed 26 Nov 09:59" || loc.SpeedKmh != 42 || loc.ActiveTrip != nil {
		t.Errorf("T28737LA = age %q, time %q, speed %v, trip %v; want 1 min ago, Wed 26 Nov 09:59, 42, none",
			loc.FixAge, loc.FixTimeLagos, loc.SpeedKmh, loc.ActiveTrip)
	}
	if loc.NearestSite.Code != "APAPA" || loc.NearestSite.DistanceKm == nil || *loc.NearestSite.DistanceKm < 2 || *loc.NearestSite.DistanceKm > 3 {
		t.Errorf("nearest site = %+v; want APAPA about 2.5 km away", loc.NearestSite)
	}

	never, err := f.reg.TruckLocation(ctx, "T77702LA")
	must(t, err)
	if never.HasFix || never.Status != fleet.StateOffline || !strings.Contains(never.Text(), "not reported") {
		t.Errorf("never-reported truck = %+v; want no fix, offline", never)
	}

	_, err = f.reg.CreateTrip(ctx, tools.CreateTripArgs{Truck: "T11985LA", Origin: sp("APAPA"), Destination: "ECLAT", DepartureTime: "today 14:00"}, tools.Caller{UserID: "U1", Via: "slack"})
	must(t, err)
	loc, err = f.reg.TruckLocation(ctx, "T11985LA")
	must(t, err)
	if loc.ActiveTrip == nil || loc.ActiveTrip.TripID != "TRP-0001" || loc.ActiveTrip.Origin != "APAPA" {
		t.Errorf("active trip = %+v; want TRP-0001 from APAPA", loc.ActiveTrip)
	}

	f.now = f.now.Add(45 * time.Minute)
	loc, err = f.reg.TruckLocation(ctx, "T11985LA")
	must(t, err)
	if loc.Status != fleet.StateOffline || loc.FixAge != "47 min ago" {
		t.Errorf("45 min later: %s, %s; want offline, 47 min ago", loc.Status, loc.FixAge)
	}
}

func TestTruckLocationUnknown(t *testing.T) {
	f := newFixture(t)
	res, err := f.call(t, tools.ToolTruckLocation, map[string]string{"truck": "T1198LA"})
	wantCode(t, "TruckLocation(T1198LA)", err, fleet.ENOTFOUND)
	var out struct {
		Error       string   `json:"error"`
		Suggestions []string `json:"suggestions"`
	}
	must(t, json.Unmarshal(res.Output, &out))
	if !strings.Contains(out.Error, "T1198LA not found") || !slices.Contains(out.Suggestions, "T11985LA") {
		t.Errorf("output = %s; want not found with suggestion T11985LA", res.Output)
	}
	if text := tools.RenderResult(res); !strings.Contains(text, "Did you mean T11985LA") {
		t.Errorf("RenderResult = %q; want the suggestion", text)
	}
}
