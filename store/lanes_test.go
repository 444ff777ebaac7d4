package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/watchtower-ops/watchtower/fleet"
)

// laneTrip is one trip written straight into the trips table, as years of use would leave it.
type laneTrip struct {
	origin, dest      string
	status            fleet.TripStatus
	sched             time.Time
	departed, arrived *time.Duration // after sched; nil when not recorded
}

// insertLaneTrips writes trips of truck T11985LA (no overlap check: they are history).
func insertLaneTrips(t testing.TB, pool *pgxpool.Pool, trips []laneTrip) []fleet.Trip {
	t.Helper()
	var out []fleet.Trip
	for _, lt := range trips {
		ft := fleet.Trip{Plate: "T11985LA", Origin: lt.origin, Destination: lt.dest,
			Status: lt.status, ScheduledDeparture: lt.sched}
		if lt.departed != nil {
			v := lt.sched.Add(*lt.departed)
			ft.DepartedAt = &v
		}
		if lt.arrived != nil {
			v := lt.sched.Add(*lt.arrived)
			ft.ArrivedAt = &v
			if lt.status == fleet.TripCompleted {
				c := v.Add(time.Hour)
				ft.CompletedAt = &c
			}
		}
		err := pool.QueryRow(context.Background(), `INSERT INTO trips (code, plate, origin, destination, scheduled_departure,
			status, departed_at, arrived_at, completed_at) VALUES ('TRP-L' || nextval('trip_code_seq'), $1, $2, $3, $4, $5, $6, $7, $8)
			RETURNING code`, ft.Plate, ft.Origin, ft.Destination, ft.ScheduledDeparture, string(ft.Status), ft.DepartedAt, ft.ArrivedAt, ft.CompletedAt).Scan(&ft.Code)
		must(t, err)
		out = append(out, ft)
	}
	return out
}

func dur(d time.Duration) *time.Duration { return &d }

// goMedian is the median of the observed durations fleet.Trip.ObservedDuration accepts among
// trips of lane, computed in Go: what LaneHistory must agree with.
func goMedian(trips []fleet.Trip, lane fleet.Lane) fleet.LaneHistory {
	var ds []time.Duration
	for _, t := range trips {
		if t.Origin != lane.Origin || t.Destination != lane.Destination || fleet.DepartureBand(t.ScheduledDeparture, nil) != lane.Band {
			continue
		}
		if d, ok := t.ObservedDuration(); ok {
			ds = append(ds, d)
		}
	}
	if len(ds) == 0 {
		return fleet.LaneHistory{}
	}
	slices.Sort(ds)
	m := ds[len(ds)/2]
	if len(ds)%2 == 0 {
		m = (ds[len(ds)/2-1] + ds[len(ds)/2]) / 2
	}
	return fleet.LaneHistory{Trips: len(ds), Median: m}
}

func TestLaneHistory(t *testing.T) {
	ctx := context.Background()
	s, pool := newStore(t)
	addSites(t, s)
	addTrucks(t, s, "T11985LA")
	lagos := fleet.Lagos()
	day := func(d, h, m int) time.Time { return time.Date(2026, 11, d, h, m, 0, 0, lagos) }
	done := func(sched time.Time, departed, arrived time.Duration) laneTrip {
		return laneTrip{origin: "APAPA", dest: "ECLAT", status: fleet.TripCompleted, sched: sched, departed: dur(departed), arrived: dur(arrived)}
	}
	// Band 1 (03:00–05:59 Lagos) of APAPA → ECLAT: four completed trips first.
	history := []laneTrip{
		done(day(1, 3, 0), 30*time.Minute, 4*time.Hour),  // 4 h, waiting at the gate included
		done(day(2, 5, 59), 0, 5*time.Hour),              // 5 h
		done(day(3, 4, 0), -20*time.Minute, 3*time.Hour), // departed early: 3 h 20 min from then
		done(day(4, 4, 30), 3*time.Hour, 3*time.Hour),    // departure missed: 3 h from the schedule
		done(day(1, 2, 59), 0, 30*time.Minute),           // 02:59 is band 0
		done(day(2, 6, 0), 0, 30*time.Minute),            // 06:00 is band 2
		{origin: "ECLAT", dest: "APAPA", status: fleet.TripCompleted, sched: day(5, 4, 0), departed: dur(0), arrived: dur(time.Hour)}, // the other way
		{origin: "APAPA", dest: "ECLAT", status: fleet.TripCancelled, sched: day(5, 4, 0), departed: dur(0)},
		{origin: "APAPA", dest: "ECLAT", status: fleet.TripArrived, sched: day(6, 4, 0), departed: dur(0), arrived: dur(time.Hour)},
		{origin: "APAPA", dest: "ECLAT", status: fleet.TripOngoing, sched: day(7, 4, 0), departed: dur(0)},
		done(day(8, 4, 0), 0, -time.Hour),     // arrival before the start: a record error
		done(day(9, 4, 0), 0, 8*24*time.Hour), // over a week: a record error
	}
	trips := insertLaneTrips(t, pool, history)
	lane := fleet.LaneOf("apapa", "eclat", day(10, 3, 0), nil)
	check := func(name string, lane fleet.Lane, want fleet.LaneHistory, learned bool) {
		t.Helper()
		got, err := s.LaneHistory(ctx, lane)
		must(t, err)
		if got != want {
			t.Errorf("%s: LaneHistory(%+v) = %+v; want %+v", name, lane, got, want)
		}
		if got.Learned() != learned {
			t.Errorf("%s: Learned() = %v; want %v", name, got.Learned(), learned)
		}
		lane.Origin, lane.Destination = fleet.NormalizePlate(lane.Origin), fleet.NormalizePlate(lane.Destination)
		if g := goMedian(trips, lane); g != got {
			t.Errorf("%s: SQL says %+v, fleet.Trip.ObservedDuration says %+v", name, got, g)
		}
	}
	check("four trips", lane, fleet.LaneHistory{Trips: 4, Median: 3*time.Hour + 40*time.Minute}, false)

	trips = append(trips, insertLaneTrips(t, pool, []laneTrip{done(day(11, 5, 0), 0, 6*time.Hour)})...)
	check("the fifth trip", lane, fleet.LaneHistory{Trips: 5, Median: 4 * time.Hour}, true)

	check("02:59 is the band before", fleet.LaneOf("APAPA", "ECLAT", day(12, 2, 59), nil), fleet.LaneHistory{Trips: 1, Median: 30 * time.Minute}, false)
	check("06:00 is the band after", fleet.LaneOf("APAPA", "ECLAT", day(12, 6, 0), nil), fleet.LaneHistory{Trips: 1, Median: 30 * time.Minute}, false)
	check("an empty band", fleet.LaneOf("APAPA", "ECLAT", day(12, 12, 0), nil), fleet.LaneHistory{}, false)
	check("the other direction", fleet.LaneOf("ECLAT", "APAPA", day(12, 3, 0), nil), fleet.LaneHistory{Trips: 1, Median: time.Hour}, false)

	// An outlier (a truck stuck three days) moves the median one step, not by days.
	trips = append(trips, insertLaneTrips(t, pool, []laneTrip{done(day(13, 4, 0), 0, 72*time.Hour)})...)
	check("an outlier", lane, fleet.LaneHistory{Trips: 6, Median: 4*time.Hour + 30*time.Minute}, true)

	// Another business zone draws the bands in its own hours: 02:59 and 03:00 in Lagos are
	// 01:59 and 02:00 UTC, both in the UTC band 00–03.
	utc := fleet.LaneOf("APAPA", "ECLAT", time.Date(2026, 11, 12, 1, 0, 0, 0, time.UTC), time.UTC)
	if got, err := s.LaneHistory(ctx, utc); err != nil || got != (fleet.LaneHistory{Trips: 2, Median: 2*time.Hour + 15*time.Minute}) {
		t.Errorf("LaneHistory(%+v) = %+v, %v; want 2 trips, median 2 h 15 min", utc, got, err)
	}

	for _, bad := range []fleet.Lane{{Origin: "APAPA", Zone: "Africa/Lagos"}, {Origin: "APAPA", Destination: "ECLAT", Zone: "x'; DROP TABLE trips; --"}} {
		_, err := s.LaneHistory(ctx, bad)
		wantCode(t, "LaneHistory(bad lane)", err, fleet.EINVALID)
	}
}

// TestLaneHistoryWindow: the median is taken over the lane's most recent fleet.LaneWindow
// completed trips; older ones no longer count.
func TestLaneHistoryWindow(t *testing.T) {
	ctx := context.Background()
	s, pool := newStore(t)
	addSites(t, s)
	addTrucks(t, s, "T11985LA")
	_, err := pool.Exec(ctx, `INSERT INTO trips (code, plate, origin, destination, scheduled_departure, status, departed_at, arrived_at, completed_at)
		SELECT 'TRP-W' || i, 'T11985LA', 'TINCAN', 'ECLAT', d, 'completed', d, d + hours * interval '1 hour', d + interval '12 hours'
		FROM (SELECT i, timestamptz '2026-11-30 10:00+01' - i * interval '1 day' AS d,
			CASE WHEN i <= $1 THEN 2 ELSE 10 END AS hours FROM generate_series(1, 2 * $1 + 30) i) g`, fleet.LaneWindow)
	must(t, err)
	got, err := s.LaneHistory(ctx, fleet.LaneOf("TINCAN", "ECLAT", time.Date(2026, 12, 1, 10, 0, 0, 0, fleet.Lagos()), nil))
	must(t, err)
	if want := (fleet.LaneHistory{Trips: fleet.LaneWindow, Median: 2 * time.Hour}); got != want {
		t.Errorf("LaneHistory = %+v; want %+v (the 130 older 10-hour trips, a majority, left out)", got, want)
	}
}

// TestTripPlannedBasisStored: the basis of a planned arrival is stored with the trip and read back.
func TestTripPlannedBasisStored(t *testing.T) {
	ctx := context.Background()
	s, dep := tripFixture(t)
	tr := tripAt("T11985LA", dep)
	tr.PlannedBasis, tr.PlannedTrips = fleet.ETALearned, 12
	got, err := s.CreateTrip(ctx, tr, dispatcher)
	must(t, err)
	if got.PlannedBasis != fleet.ETALearned || got.PlannedTrips != 12 {
		t.Errorf("CreateTrip planned basis = %q, %d; want learned, 12", got.PlannedBasis, got.PlannedTrips)
	}
	plain, err := s.CreateTrip(ctx, tripAt("T28737LA", dep), dispatcher)
	must(t, err)
	if plain.PlannedBasis != fleet.ETAFromDistance || plain.PlannedTrips != 0 {
		t.Errorf("CreateTrip without a basis = %q, %d; want distance, 0", plain.PlannedBasis, plain.PlannedTrips)
	}
	moved, err := s.TransitionTrip(ctx, got.Code, dispatcher, "trip.amend", func(cur fleet.Trip) (fleet.Trip, error) {
		cur.PlannedBasis, cur.PlannedTrips = fleet.ETAFromDistance, 0
		cur.PlannedArrival = cur.PlannedArrival.Add(time.Hour)
		return cur, nil
	})
	must(t, err)
	if moved.PlannedBasis != fleet.ETAFromDistance || moved.PlannedTrips != 0 {
		t.Errorf("TransitionTrip planned basis = %q, %d; want distance, 0", moved.PlannedBasis, moved.PlannedTrips)
	}
}
