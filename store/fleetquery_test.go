package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
)

func TestFleetRosterAndActiveTrips(t *testing.T) {
	ctx := context.Background()
	s, dep := tripFixture(t) // T11985LA and T28737LA
	addTrucks(t, s, "KJA123AB")
	_, err := s.ArchiveTruck(ctx, "KJA123AB")
	must(t, err)
	_, err = s.UpsertTruckState(ctx, nil, fleet.TruckState{Plate: "T11985LA", FixTime: time.Now().UTC(), Point: fleet.Point{Lat: 6.45, Lng: 3.37}})
	must(t, err)
	pending, err := s.CreateTrip(ctx, tripAt("T11985LA", dep), dispatcher)
	must(t, err)
	done, err := s.CreateTrip(ctx, tripAt("T28737LA", dep), dispatcher)
	must(t, err)
	_, err = s.TransitionTrip(ctx, done.Code, dispatcher, "trip.reject", func(t fleet.Trip) (fleet.Trip, error) { return t.Reject("U9", "", time.Now()) })
	must(t, err)

	trucks, states, err := s.FleetRoster(ctx)
	must(t, err)
	trips, err := s.ActiveTrips(ctx)
	must(t, err)
	var plates []string
	for _, tr := range trucks {
		plates = append(plates, tr.Plate)
	}
	if !slices.Equal(plates, []string{"T11985LA", "T28737LA"}) {
		t.Errorf("trucks = %v; want the two not archived", plates)
	}
	if len(states) != 1 || states[0].Plate != "T11985LA" || states[0].Cell == 0 {
		t.Errorf("states = %+v; want T11985LA's with its cell", states)
	}
	if len(trips) != 1 || trips[0].Code != pending.Code {
		t.Errorf("active trips = %v; want only %s (the other is rejected)", codes(trips), pending.Code)
	}
}

func TestLatestTripForTruck(t *testing.T) {
	ctx := context.Background()
	s, dep := tripFixture(t)
	_, err := s.LatestTripForTruck(ctx, "T11985LA")
	wantCode(t, "no trips yet", err, fleet.ENOTFOUND)
	_, err = s.CreateTrip(ctx, tripAt("T11985LA", dep), dispatcher)
	must(t, err)
	second, err := s.CreateTrip(ctx, tripAt("T11985LA", dep.Add(6*time.Hour)), fleet.Actor{ID: dispatcher.ID, Name: "Bola", Via: "slack"})
	must(t, err)
	got, err := s.LatestTripForTruck(ctx, "t 11985 la")
	must(t, err)
	if got.Code != second.Code {
		t.Errorf("latest = %s; want %s", got.Code, second.Code)
	}
	audit, err := s.ListAudit(ctx, second.Code)
	must(t, err)
	if len(audit) != 1 || audit[0].Actor != (fleet.Actor{ID: dispatcher.ID, Name: "Bola", Via: "slack"}) {
		t.Errorf("CreateTrip audit = %+v; want the requester, named Bola", audit)
	}
	approved, err := s.TransitionTrip(ctx, second.Code, fleet.Actor{ID: "U0MANAGER", Name: "Ngozi", Via: "console"}, "trip.approve",
		func(t fleet.Trip) (fleet.Trip, error) { return t.Approve("U0MANAGER", time.Now()) })
	must(t, err)
	audit, err = s.ListAudit(ctx, second.Code)
	must(t, err)
	if approved.Status != fleet.TripScheduled || len(audit) != 2 || audit[1].Actor != (fleet.Actor{ID: "U0MANAGER", Name: "Ngozi", Via: "console"}) {
		t.Errorf("TransitionTrip = %s, audit %+v; want scheduled, audited as U0MANAGER via console", approved.Status, audit)
	}
}

func TestVisitCellsAndRoster(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	addTrucks(t, s, "T11985LA", "T28737LA", "KJA123AB")
	near := fleet.Point{Lat: 6.4478, Lng: 3.3680} // Apapa
	far := fleet.Point{Lat: 6.6050, Lng: 3.3490}  // Ikeja
	for plate, p := range map[string]fleet.Point{"T11985LA": near, "T28737LA": far, "KJA123AB": near} {
		_, err := s.UpsertTruckState(ctx, nil, fleet.TruckState{Plate: plate, FixTime: time.Now().UTC(), Point: p, SpeedKmh: 12, SiteCode: "APAPA"})
		must(t, err)
	}
	_, err := s.ArchiveTruck(ctx, "KJA123AB")
	must(t, err)
	_, err = s.SetTruckStatus(ctx, "T11985LA", fleet.TruckMaintenance)
	must(t, err)

	for _, coarse := range []bool{false, true} {
		res := fleet.CellResolution
		if coarse {
			res = fleet.CoarseResolution
		}
		var got []string
		err := s.VisitCells(ctx, fleet.CoverCells(near, 1, res), coarse, func(tr *fleet.Truck, st *fleet.TruckState) {
			got = append(got, st.Plate)
			if tr.Plate != st.Plate || tr.Status != fleet.TruckMaintenance {
				t.Errorf("visited truck = %s %s; want %s in maintenance", tr.Plate, tr.Status, st.Plate)
			}
			if st.SpeedKmh != 12 || st.SiteCode != "APAPA" || st.FixTime.IsZero() || st.Point != near {
				t.Errorf("visited state = %+v; want the fix, speed and site", *st)
			}
		})
		must(t, err)
		if !slices.Equal(got, []string{"T11985LA"}) {
			t.Errorf("VisitCells(coarse=%v) = %v; want only T11985LA (T28737LA is far, KJA123AB archived)", coarse, got)
		}
	}
	must(t, s.VisitCells(ctx, nil, false, func(*fleet.Truck, *fleet.TruckState) { t.Error("visited with no cells") }))

	trucks, all, err := s.FleetRoster(ctx)
	must(t, err)
	if len(trucks) != 2 {
		t.Errorf("roster = %d trucks; want the two not archived", len(trucks))
	}
	var plates []string
	for _, st := range all {
		plates = append(plates, st.Plate)
		if st.Cell != fleet.CellOf(st.Point, fleet.CellResolution) || st.CellCoarse != fleet.CellOf(st.Point, fleet.CoarseResolution) {
			t.Errorf("%s cells = %d/%d; want those of its point", st.Plate, st.Cell, st.CellCoarse)
		}
	}
	slices.Sort(plates)
	if !slices.Equal(plates, []string{"T11985LA", "T28737LA"}) {
		t.Errorf("FleetRoster states = %v; want the two trucks not archived", plates)
	}
}
