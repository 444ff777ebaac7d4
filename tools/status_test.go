package tools_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/tools"
)

// startTrip creates a trip for plate and moves it to ongoing, as ingest would on departure.
func startTrip(t *testing.T, f *fixture, plate, origin, dest string) fleet.Trip {
	t.Helper()
	ctx := context.Background()
	tc, err := f.reg.CreateTrip(ctx, tools.CreateTripArgs{Truck: plate, Origin: sp(origin), Destination: dest, DepartureTime: "in 1 hour"}, dispatcher)
	must(t, err)
	_, err = f.reg.ApproveTrip(ctx, tc.TripID, tools.Caller{UserID: "U0MANAGER", Via: "slack"})
	must(t, err)
	trip, err := f.st.TransitionTrip(ctx, tc.TripID, fleet.Actor{}, "trip.depart", func(tr fleet.Trip) (fleet.Trip, error) {
		return tr.Depart(f.now.Add(-30 * time.Minute))
	})
	must(t, err)
	return trip
}

func TestFleetStatus(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	startTrip(t, f, "T28737LA", "APAPA", "ECLAT")
	_, err := f.reg.CreateTrip(ctx, tools.CreateTripArgs{Truck: "T11985LA", Origin: sp("APAPA"), Destination: "ECLAT", DepartureTime: "tomorrow 8am"}, dispatcher)
	must(t, err)

	all, err := f.reg.FleetStatus(ctx, tools.FleetStatusArgs{})
	must(t, err)
	// KJA123AB reports idle but is in maintenance: maintenance wins (fleet.StateOf).
	wantStates := tools.StateCounts{Moving: 1, Parked: 1, Offline: 2, Maintenance: 1, NoFix: 1}
	wantRoster := tools.RosterCounts{Operational: 4, Maintenance: 1, Inactive: 1, OnTrip: 1, AtSite: 2}
	if all.TrucksTotal != 5 || all.States != wantStates || all.Roster != wantRoster || all.ConnectivityPct != 60 {
		t.Errorf("status = total %d, %+v, %+v, connectivity %v; want 5, %+v, %+v, 60",
			all.TrucksTotal, all.States, all.Roster, all.ConnectivityPct, wantStates, wantRoster)
	}
	if all.ActiveTrips != 1 || all.PendingTrips != 1 || all.ScheduledTrips != 0 || all.TripsByStatus["ongoing"] != 1 || all.TripsByStatus["pending_approval"] != 1 {
		t.Errorf("trips = active %d, scheduled %d, pending %d, %v; want 1 ongoing, 0 scheduled, 1 pending",
			all.ActiveTrips, all.ScheduledTrips, all.PendingTrips, all.TripsByStatus)
	}
	if all.UtilisationPct != 25 {
		t.Errorf("utilisation = %v%%; want 25%% (1 on a trip of 4 not in maintenance)", all.UtilisationPct)
	}
	if all.Matching != 5 || len(all.Trucks) != 5 || all.Filter != tools.FilterAll || all.AsOfLagos != "Wed 26 Nov 10:00" {
		t.Errorf("list = %d/%d filter %q as of %q; want all 5, as of Wed 26 Nov 10:00", len(all.Trucks), all.Matching, all.Filter, all.AsOfLagos)
	}

	for _, tc := range []struct {
		filter, site string
		plates       []string
	}{
		{"moving", "", []string{"T28737LA"}},
		{"idle", "", nil}, // KJA123AB idles in maintenance
		{"parked", "", []string{"T11985LA"}},
		{"offline", "", []string{"T55501LA", "T77702LA"}},
		{"on_trip", "", []string{"T28737LA"}},
		{"maintenance", "", []string{"KJA123AB"}},
		{"at_site", "", []string{"KJA123AB", "T11985LA"}},
		{"unrostered", "", nil},
		{"", "tin can", []string{"KJA123AB"}},
		{"parked", "APAPA", []string{"T11985LA"}},
		{"moving", "APAPA", nil},
	} {
		t.Run(tc.filter+"@"+tc.site, func(t *testing.T) {
			args := tools.FleetStatusArgs{}
			if tc.filter != "" {
				args.Filter = sp(tc.filter)
			}
			if tc.site != "" {
				args.Site = sp(tc.site)
			}
			got, err := f.reg.FleetStatus(ctx, args)
			must(t, err)
			var plates []string
			for _, tr := range got.Trucks {
				plates = append(plates, tr.Plate)
			}
			if diff := cmp.Diff(tc.plates, plates, cmpopts.EquateEmpty()); diff != "" || got.Matching != len(tc.plates) {
				t.Errorf("FleetStatus(%q, %q) matching %d, -want +got:\n%s", tc.filter, tc.site, got.Matching, diff)
			}
		})
	}

	onTrip, err := f.reg.FleetStatus(ctx, tools.FleetStatusArgs{Filter: sp("on_trip")})
	must(t, err)
	if onTrip.Trucks[0].TripID != "TRP-0001" || onTrip.Trucks[0].FixAge != "1 min ago" || !strings.Contains(onTrip.Text(), "T28737LA — moving, trip TRP-0001") {
		t.Errorf("on trip = %+v\n%s", onTrip.Trucks[0], onTrip.Text())
	}
	idx := tools.NewStateIndex(f.st, time.Hour, quiet)
	indexed := tools.NewRegistry(f.st, f.notes, tools.Options{Now: func() time.Time { return f.now }, Roster: idx, Logger: quiet})
	fromMemory, err := indexed.FleetStatus(ctx, tools.FleetStatusArgs{})
	must(t, err)
	if fromMemory.States != all.States || fromMemory.Roster != all.Roster || fromMemory.ActiveTrips != all.ActiveTrips ||
		len(fromMemory.Trucks) != len(all.Trucks) {
		t.Errorf("from the index = %+v %+v; want what Postgres gives: %+v %+v", fromMemory.States, fromMemory.Roster, all.States, all.Roster)
	}

	_, err = f.reg.FleetStatus(ctx, tools.FleetStatusArgs{Filter: sp("flying")})
	wantCode(t, "unknown filter", err, fleet.EINVALID)
	_, err = f.reg.FleetStatus(ctx, tools.FleetStatusArgs{Site: sp("Lekki Free Zone")})
	wantCode(t, "unknown site", err, fleet.ENOTFOUND)
}

func TestFleetStatusTruncates(t *testing.T) {
	f := newFixture(t)
	reg := tools.NewRegistry(f.st, f.notes, tools.Options{Now: func() time.Time { return f.now }, MaxListed: 1})
	got, err := reg.FleetStatus(context.Background(), tools.FleetStatusArgs{Filter: sp("offline")})
	must(t, err)
	if len(got.Trucks) != 1 || got.Matching != 2 || !got.Truncated || !strings.Contains(got.Text(), "1 more") {
		t.Errorf("listed %d of %d truncated=%v; want 1 of 2, truncated\n%s", len(got.Trucks), got.Matching, got.Truncated, got.Text())
	}
}
