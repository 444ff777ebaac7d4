package store_test

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
)

// TestTruckDayMetrics seeds two Lagos days of one truck and checks each day's row, and that a
// quiet truck has none.
func TestTruckDayMetrics(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	lagos := fleet.Lagos()
	d1 := time.Date(2025, 11, 17, 0, 0, 0, 0, lagos)
	a, b := fleet.Point{Lat: 6.45, Lng: 3.36}, fleet.Point{Lat: 6.45, Lng: 3.40}
	for _, site := range []fleet.Site{{Code: "APAPA", Name: "Apapa", Kind: fleet.SiteTerminal, Point: a, RadiusM: 200},
		{Code: "ECLAT", Name: "Eclat", Kind: fleet.SiteClient, Point: b, RadiusM: 200}} {
		_, err := s.UpsertSite(ctx, site)
		must(t, err)
	}
	for _, p := range []string{"T1AAA", "T2QUIET"} {
		_, err := s.CreateTruck(ctx, fleet.Truck{Plate: p, Status: fleet.TruckOperational})
		must(t, err)
	}
	// Day 1, 23:30–23:50 Lagos: moving from a to b, then idle; day 2 00:10: one more fix.
	fix := func(lagosMin int, p fleet.Point, speed float64, ign bool) fleet.Position {
		at := d1.Add(time.Duration(lagosMin) * time.Minute).UTC()
		return fleet.Position{Plate: "T1AAA", FixTime: at, ReceivedAt: at, Point: p, SpeedKmh: speed, Ignition: ign}
	}
	_, err := s.InsertPositions(ctx, nil, []fleet.Position{
		fix(23*60+30, a, 40, true), fix(23*60+40, b, 0, true), fix(23*60+50, b, 0, true), fix(24*60+10, b, 0, false),
	})
	must(t, err)
	dep, arr := d1.Add(22*time.Hour).UTC(), d1.Add(23*time.Hour+40*time.Minute).UTC()
	_, err = s.CreateTrip(ctx, fleet.Trip{Plate: "T1AAA", Origin: "APAPA", Destination: "ECLAT", Status: fleet.TripCompleted,
		ScheduledDeparture: dep, PlannedArrival: dep.Add(time.Hour), DepartedAt: &dep, ArrivedAt: &arr,
		CompletedAt: ptrTime(d1.Add(24*time.Hour + 30*time.Minute).UTC()), CreatedAt: dep.Add(-time.Hour), UpdatedAt: dep},
		fleet.Actor{ID: "test"})
	must(t, err)

	rows, err := s.TruckDayMetrics(ctx, d1, d1.AddDate(0, 0, 3), fleet.DefaultThresholds())
	must(t, err)
	if len(rows) != 2 {
		t.Fatalf("rows = %+v; want T1AAA's two days (T2QUIET did nothing, day 3 is empty)", rows)
	}
	r, r2 := rows[0], rows[1]
	km := fleet.DistanceKm(a, b)
	if !r.Day.Equal(d1) || r.Plate != "T1AAA" || math.Abs(r.DistanceKm-km) > 1e-9 || math.Abs(r.MovingHours-10.0/60) > 1e-9 ||
		math.Abs(r.IdleHours-10.0/60) > 1e-9 || r.TripsStarted != 1 || r.TripsArrived != 1 || r.TripsOnTime != 0 {
		t.Errorf("day 1 = %+v; want %.3f km, 10 min moving, 10 min idle, 1 late arrival", r, km)
	}
	// Day 2 holds a single fix (no leg inside the day) and the trip's completion at 00:30.
	if !r2.Day.Equal(d1.AddDate(0, 0, 1)) || r2.DistanceKm != 0 || r2.TripsCompleted != 1 || r2.TurnaroundTrips != 1 ||
		math.Abs(r2.TurnaroundHours-2.5) > 1e-9 {
		t.Errorf("day 2 = %+v; want the completion with a 2.5 h turnaround and no distance", r2)
	}
}

func ptrTime(t time.Time) *time.Time { return &t }
