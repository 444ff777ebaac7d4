package fleet_test

import (
	"math"
	"testing"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
)

func TestTravelTime(t *testing.T) {
	tests := []struct {
		name string
		km   float64
		want time.Duration
	}{
		{"10 km", 10, 34 * time.Minute}, // 10 × 1.4 / 25 h = 33.6 min, rounded up
		{"Apapa to Eclat", fleet.DistanceKm(apapaPt, eclatPt), 60 * time.Minute},
		{"a few metres", 0.001, time.Minute},
		{"zero", 0, 0},
		{"negative", -3, 0},
		{"NaN", math.NaN(), 0},
		{"absurd is capped", 1e12, 7 * 24 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := fleet.TravelTime(tt.km); got != tt.want {
				t.Errorf("TravelTime(%g) = %v; want %v", tt.km, got, tt.want)
			}
		})
	}
}

func TestPlanArrival(t *testing.T) {
	apapa := fleet.Site{Code: "APAPA", Point: apapaPt}
	eclat := fleet.Site{Code: "ECLAT", Point: eclatPt}
	dep := base.Add(3 * time.Hour)
	tests := []struct {
		name string
		h    fleet.LaneHistory
		want fleet.Estimate
		text string
	}{
		{"no history: distance plus an hour", fleet.LaneHistory{}, fleet.Estimate{At: dep.Add(2 * time.Hour), Basis: fleet.ETAFromDistance}, "estimated from distance"},
		{"4 trips are not enough", fleet.LaneHistory{Trips: 4, Median: 9 * time.Hour}, fleet.Estimate{At: dep.Add(2 * time.Hour), Basis: fleet.ETAFromDistance}, "estimated from distance"},
		{"5 trips: the median, nothing added", fleet.LaneHistory{Trips: 5, Median: 9 * time.Hour}, fleet.Estimate{At: dep.Add(9 * time.Hour), Basis: fleet.ETALearned, Trips: 5}, "based on 5 past trips"},
		{"12 trips", fleet.LaneHistory{Trips: 12, Median: 50 * time.Minute}, fleet.Estimate{At: dep.Add(50 * time.Minute), Basis: fleet.ETALearned, Trips: 12}, "based on 12 past trips"},
		{"a zero median is no history", fleet.LaneHistory{Trips: 7}, fleet.Estimate{At: dep.Add(2 * time.Hour), Basis: fleet.ETAFromDistance}, "estimated from distance"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := fleet.PlanArrival(apapa, eclat, dep, tt.h)
			if !got.At.Equal(tt.want.At) || got.Basis != tt.want.Basis || got.Trips != tt.want.Trips {
				t.Errorf("PlanArrival(%+v) = %+v; want %+v", tt.h, got, tt.want)
			}
			if got.Explain() != tt.text {
				t.Errorf("Explain() = %q; want %q", got.Explain(), tt.text)
			}
		})
	}
}

func TestDepartureBand(t *testing.T) {
	lagos := fleet.Lagos()
	tests := []struct {
		at   time.Time
		want int
	}{
		{time.Date(2026, 12, 7, 0, 0, 0, 0, lagos), 0},
		{time.Date(2026, 12, 7, 2, 59, 59, 0, lagos), 0},
		{time.Date(2026, 12, 7, 3, 0, 0, 0, lagos), 1},
		{time.Date(2026, 12, 7, 2, 0, 0, 0, time.UTC), 1},  // 03:00 in Lagos
		{time.Date(2026, 12, 7, 1, 59, 0, 0, time.UTC), 0}, // 02:59 in Lagos
		{time.Date(2026, 12, 7, 20, 59, 0, 0, lagos), 6},
		{time.Date(2026, 12, 7, 21, 0, 0, 0, lagos), 7},
		{time.Date(2026, 12, 7, 23, 59, 0, 0, lagos), 7},
	}
	for _, tt := range tests {
		if got := fleet.DepartureBand(tt.at, nil); got != tt.want {
			t.Errorf("DepartureBand(%s) = %d; want %d", tt.at.Format(time.RFC3339), got, tt.want)
		}
	}
	if got, want := fleet.BandLabel(1), "03–06"; got != want {
		t.Errorf("BandLabel(1) = %q; want %q", got, want)
	}
	if got := fleet.LaneOf("APAPA", "ECLAT", time.Date(2026, 12, 7, 2, 0, 0, 0, time.UTC), nil); got != (fleet.Lane{Origin: "APAPA", Destination: "ECLAT", Band: 1, Zone: "Africa/Lagos"}) {
		t.Errorf("LaneOf = %+v", got)
	}
}

func TestTripETA(t *testing.T) {
	apapa := fleet.Site{Code: "APAPA", Point: apapaPt}
	eclat := fleet.Site{Code: "ECLAT", Point: eclatPt}
	now := base
	learned := fleet.LaneHistory{Trips: 12, Median: 5 * time.Hour}
	sched := now.Add(-2 * time.Hour)
	early := sched.Add(-20 * time.Minute)
	late := sched.Add(time.Hour)
	halfway := fleet.Point{Lat: (apapaPt.Lat + eclatPt.Lat) / 2, Lng: (apapaPt.Lng + eclatPt.Lng) / 2}
	drive := func(from fleet.Point) time.Time { return now.Add(fleet.TravelTime(fleet.DistanceKm(from, eclatPt))) }
	tests := []struct {
		name  string
		trip  fleet.Trip
		h     fleet.LaneHistory
		pos   *fleet.Point
		want  fleet.Estimate
		noETA bool
	}{
		{"pending in the future: departure plus median", fleet.Trip{Status: fleet.TripPendingApproval, ScheduledDeparture: now.Add(time.Hour)}, learned, nil,
			fleet.Estimate{At: now.Add(6 * time.Hour), Basis: fleet.ETALearned, Trips: 12}, false},
		{"delayed leaves now", fleet.Trip{Status: fleet.TripDelayed, ScheduledDeparture: sched}, learned, nil,
			fleet.Estimate{At: now.Add(5 * time.Hour), Basis: fleet.ETALearned, Trips: 12}, false},
		{"scheduled from distance adds an hour", fleet.Trip{Status: fleet.TripScheduled, ScheduledDeparture: now.Add(time.Hour)}, fleet.LaneHistory{Trips: 4, Median: time.Hour}, nil,
			fleet.Estimate{At: now.Add(3 * time.Hour), Basis: fleet.ETAFromDistance}, false},
		{"ongoing learned from the scheduled departure", fleet.Trip{Status: fleet.TripOngoing, ScheduledDeparture: sched, DepartedAt: &late}, learned, &halfway,
			fleet.Estimate{At: sched.Add(5 * time.Hour), Basis: fleet.ETALearned, Trips: 12}, false},
		{"ongoing learned from an early departure", fleet.Trip{Status: fleet.TripOngoing, ScheduledDeparture: sched, DepartedAt: &early}, learned, &halfway,
			fleet.Estimate{At: early.Add(5 * time.Hour), Basis: fleet.ETALearned, Trips: 12}, false},
		{"ongoing learned but the road left takes longer", fleet.Trip{Status: fleet.TripOngoing, ScheduledDeparture: now.Add(-5 * time.Hour), DepartedAt: &late}, learned, &apapaPt,
			fleet.Estimate{At: drive(apapaPt), Basis: fleet.ETALearned, Trips: 12}, false},
		{"ongoing from distance", fleet.Trip{Status: fleet.TripOngoing, ScheduledDeparture: sched, DepartedAt: &late}, fleet.LaneHistory{}, &halfway,
			fleet.Estimate{At: drive(halfway), Basis: fleet.ETAFromDistance}, false},
		{"ongoing without a fix drives from the origin", fleet.Trip{Status: fleet.TripOngoing, ScheduledDeparture: sched, DepartedAt: &late}, fleet.LaneHistory{}, nil,
			fleet.Estimate{At: drive(apapaPt), Basis: fleet.ETAFromDistance}, false},
		{"arrived has none", fleet.Trip{Status: fleet.TripArrived, ScheduledDeparture: sched}, learned, nil, fleet.Estimate{}, true},
		{"cancelled has none", fleet.Trip{Status: fleet.TripCancelled, ScheduledDeparture: sched}, learned, nil, fleet.Estimate{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := fleet.TripETA(tt.trip, apapa, eclat, tt.h, tt.pos, now)
			if ok == tt.noETA {
				t.Fatalf("TripETA ok = %v; want %v", ok, !tt.noETA)
			}
			if !got.At.Equal(tt.want.At) || got.Basis != tt.want.Basis || got.Trips != tt.want.Trips {
				t.Errorf("TripETA = %+v; want %+v", got, tt.want)
			}
		})
	}
}

func TestObservedDuration(t *testing.T) {
	sched := base
	at := func(d time.Duration) *time.Time { v := sched.Add(d); return &v }
	tests := []struct {
		name   string
		trip   fleet.Trip
		want   time.Duration
		wantOK bool
	}{
		{"from the scheduled departure, waiting included", fleet.Trip{Status: fleet.TripCompleted, ScheduledDeparture: sched, DepartedAt: at(2 * time.Hour), ArrivedAt: at(5 * time.Hour)}, 5 * time.Hour, true},
		{"from an earlier departure", fleet.Trip{Status: fleet.TripCompleted, ScheduledDeparture: sched, DepartedAt: at(-30 * time.Minute), ArrivedAt: at(time.Hour)}, 90 * time.Minute, true},
		{"a missed departure counts from the schedule", fleet.Trip{Status: fleet.TripCompleted, ScheduledDeparture: sched, DepartedAt: at(3 * time.Hour), ArrivedAt: at(3 * time.Hour)}, 3 * time.Hour, true},
		{"arrived but not completed", fleet.Trip{Status: fleet.TripArrived, ScheduledDeparture: sched, DepartedAt: at(0), ArrivedAt: at(time.Hour)}, 0, false},
		{"cancelled after leaving", fleet.Trip{Status: fleet.TripCancelled, ScheduledDeparture: sched, DepartedAt: at(0)}, 0, false},
		{"arrival before the start is a record error", fleet.Trip{Status: fleet.TripCompleted, ScheduledDeparture: sched, ArrivedAt: at(-time.Hour)}, -time.Hour, false},
		{"over a week is a record error", fleet.Trip{Status: fleet.TripCompleted, ScheduledDeparture: sched, ArrivedAt: at(8 * 24 * time.Hour)}, 8 * 24 * time.Hour, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := tt.trip.ObservedDuration()
			if ok != tt.wantOK || (ok && got != tt.want) {
				t.Errorf("ObservedDuration() = %v, %v; want %v, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}
