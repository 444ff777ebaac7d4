package tools_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/tools"
)

// addHistory stores completed trips of T77702LA from origin to dest, one a day going back from
// the day before first, each scheduled at first's time of day and arriving after its duration.
func addHistory(t testing.TB, f *fixture, origin, dest string, first time.Time, durations ...time.Duration) {
	t.Helper()
	for i, d := range durations {
		sched := first.AddDate(0, 0, -1-i)
		dep, arr, done := sched.Add(10*time.Minute), sched.Add(d), sched.Add(d+time.Hour)
		_, err := f.st.CreateTrip(context.Background(), fleet.Trip{Plate: "T77702LA", Origin: origin, Destination: dest,
			ScheduledDeparture: sched, Status: fleet.TripCompleted, DepartedAt: &dep, ArrivedAt: &arr, CompletedAt: &done,
			RequestedBy: "U0DISPATCH", RequestedVia: "slack"}, fleet.Actor{ID: "U0DISPATCH"})
		must(t, err)
	}
}

// TestLearnedETA: a lane's fifth completed trip switches the planned arrival and the ETA from
// distance to the lane's median, in the departure's band only, and every answer says which.
func TestLearnedETA(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	lagos := fleet.Lagos()
	tomorrow := func(h, m int) time.Time { return time.Date(2025, 11, 27, h, m, 0, 0, lagos) }
	create := func(plate, at string) *tools.TripCreated {
		t.Helper()
		c, err := f.reg.CreateTrip(ctx, tools.CreateTripArgs{Truck: plate, Origin: sp("APAPA"), Destination: "ECLAT", DepartureTime: at}, dispatcher)
		must(t, err)
		return c
	}
	// Band 06–09: four trips of 4 h, 5 h, 6 h and 5 h 30 min.
	addHistory(t, f, "APAPA", "ECLAT", tomorrow(7, 0), 4*time.Hour, 5*time.Hour, 6*time.Hour, 5*time.Hour+30*time.Minute)
	four := create("T11985LA", "tomorrow 8am")
	distance := fleet.PlanArrival(testSites[3], testSites[1], tomorrow(8, 0), fleet.LaneHistory{})
	if four.PlannedArrivalBasis != fleet.ETAFromDistance || !four.PlannedArrival.Equal(distance.At) || four.PlannedArrivalNote != "estimated from distance" {
		t.Errorf("four trips: planned %v (%s, %q); want %v from distance", four.PlannedArrival, four.PlannedArrivalBasis, four.PlannedArrivalNote, distance.At)
	}

	addHistory(t, f, "APAPA", "ECLAT", tomorrow(6, 0).AddDate(0, 0, -10), 3*time.Hour)
	five := create("T11985LA", "tomorrow 2:30pm") // band 12–15: still nothing learned there
	if five.PlannedArrivalBasis != fleet.ETAFromDistance {
		t.Errorf("another band: planned basis %s; want distance", five.PlannedArrivalBasis)
	}
	learned := create("T55501LA", "tomorrow 8:59am")
	want := tomorrow(8, 59).Add(5 * time.Hour) // median of 3, 4, 5, 5½, 6 h; nothing added
	if learned.PlannedArrivalBasis != fleet.ETALearned || learned.PlannedArrivalTrips != 5 || !learned.PlannedArrival.Equal(want) ||
		learned.PlannedArrivalNote != "based on 5 past trips" {
		t.Errorf("five trips: planned %v (%s, %d, %q); want %v, learned from 5", learned.PlannedArrival, learned.PlannedArrivalBasis,
			learned.PlannedArrivalTrips, learned.PlannedArrivalNote, want)
	}
	all := f.notes.All()
	if n := all[len(all)-1]; n.Trip == nil || n.Trip.PlannedBasis != fleet.ETALearned || n.Trip.PlannedTrips != 5 {
		t.Errorf("approval notification trip = %+v; want the planned basis learned from 5", n.Trip)
	}

	d, err := f.reg.TripDetails(ctx, learned.TripID)
	must(t, err)
	if d.ETA == nil || !d.ETA.Equal(want) || basis(d.ETABasis) != fleet.ETALearned || d.ETATrips != 5 || d.ETANote != "based on 5 past trips" ||
		!strings.Contains(d.ETAAssumption, "median of the 5 completed APAPA → ECLAT trips leaving 06–09") ||
		basis(d.PlannedArrivalBasis) != fleet.ETALearned || !strings.Contains(d.Text(), "based on 5 past trips") {
		t.Errorf("details: ETA %v %s %d %q %q, planned %s; want %v learned from 5\n%s", d.ETA, basis(d.ETABasis), d.ETATrips, d.ETANote,
			d.ETAAssumption, basis(d.PlannedArrivalBasis), want, d.Text())
	}

	// Moving the trip to 09:00 puts it in the next band, where nothing is learned.
	moved, err := f.reg.UpdateTrip(ctx, tools.UpdateTripArgs{TripID: learned.TripID, Departure: sp("tomorrow 9am")}, dispatcher)
	must(t, err)
	d, err = f.reg.TripDetails(ctx, moved.TripID)
	must(t, err)
	if basis(d.ETABasis) != fleet.ETAFromDistance || basis(d.PlannedArrivalBasis) != fleet.ETAFromDistance || d.ETANote != "estimated from distance" {
		t.Errorf("moved to 09:00: ETA basis %s, planned basis %s; want distance for both", basis(d.ETABasis), basis(d.PlannedArrivalBasis))
	}
}

// TestLearnedETAOngoing: an ongoing trip on a learned lane arrives at its start plus the median.
func TestLearnedETAOngoing(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	// startTrip departs "in 1 hour" (11:00, band 09–12) and leaves at 09:30.
	addHistory(t, f, "APAPA", "ECLAT", time.Date(2025, 11, 26, 11, 0, 0, 0, fleet.Lagos()), 2*time.Hour, 3*time.Hour, 4*time.Hour, 5*time.Hour, 6*time.Hour)
	trip := startTrip(t, f, "T28737LA", "APAPA", "ECLAT")
	d, err := f.reg.TripDetails(ctx, trip.Code)
	must(t, err)
	want := f.now.Add(-30 * time.Minute).Add(4 * time.Hour)
	if d.ETA == nil || !d.ETA.Equal(want) || basis(d.ETABasis) != fleet.ETALearned || d.ETATrips != 5 {
		t.Errorf("ongoing: ETA %v (%s, %d); want %v learned from 5", d.ETA, basis(d.ETABasis), d.ETATrips, want)
	}
}

// basis is *b, or "none".
func basis(b *fleet.ETABasis) fleet.ETABasis {
	if b == nil {
		return "none"
	}
	return *b
}
