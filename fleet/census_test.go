package fleet_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/watchtower-ops/watchtower/fleet"
)

func TestStateOf(t *testing.T) {
	now := time.Date(2026, 12, 8, 12, 0, 0, 0, time.UTC)
	th := fleet.DefaultThresholds()
	fix := func(age time.Duration, kmh float64, ign bool) *fleet.TruckState {
		return &fleet.TruckState{Plate: "T1", FixTime: now.Add(-age), SpeedKmh: kmh, Ignition: ign}
	}
	op := fleet.Truck{Plate: "T1", Status: fleet.TruckOperational}
	maint := fleet.Truck{Plate: "T1", Status: fleet.TruckMaintenance}
	tests := []struct {
		name  string
		truck fleet.Truck
		st    *fleet.TruckState
		want  fleet.State
	}{
		{"moving", op, fix(time.Minute, 40, true), fleet.StateMoving},
		{"idle", op, fix(time.Minute, 0, true), fleet.StateIdle},
		{"parked", op, fix(time.Minute, 0, false), fleet.StateParked},
		{"stale fix", op, fix(th.OfflineAfter, 40, true), fleet.StateOffline},
		{"never reported", op, nil, fleet.StateOffline},
		{"maintenance wins over moving", maint, fix(time.Minute, 40, true), fleet.StateMaintenance},
		{"maintenance never reported", maint, nil, fleet.StateMaintenance},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := fleet.StateOf(tt.truck, tt.st, now, th); got != tt.want {
				t.Errorf("StateOf = %s; want %s", got, tt.want)
			}
		})
	}
}

func TestTakeCensus(t *testing.T) {
	now := time.Date(2026, 12, 8, 12, 0, 0, 0, time.UTC)
	th := fleet.DefaultThresholds()
	archived := now.Add(-time.Hour)
	trucks := []fleet.Truck{
		{Plate: "A", Status: fleet.TruckOperational},
		{Plate: "B", Status: fleet.TruckOperational},
		{Plate: "C", Status: fleet.TruckMaintenance},
		{Plate: "D", Status: fleet.TruckUnrostered},
		{Plate: "E", Status: fleet.TruckInactive},
		{Plate: "F", Status: fleet.TruckOperational, ArchivedAt: &archived},
		{Plate: "G", Status: fleet.TruckOperational},
	}
	states := []fleet.TruckState{
		{Plate: "A", FixTime: now.Add(-time.Minute), SpeedKmh: 50},
		{Plate: "B", FixTime: now.Add(-time.Minute), Ignition: true},
		{Plate: "C", FixTime: now.Add(-time.Minute), SpeedKmh: 50},
		{Plate: "D", FixTime: now.Add(-time.Minute)},
		{Plate: "E", FixTime: now.Add(-time.Minute), SpeedKmh: 50},
		{Plate: "ZZ", FixTime: now.Add(-time.Minute), SpeedKmh: 50}, // not a truck of the roster
	}
	trips := []fleet.Trip{
		{Plate: "A", Status: fleet.TripOngoing},
		{Plate: "B", Status: fleet.TripScheduled},
		{Plate: "G", Status: fleet.TripDelayed},
		{Plate: "D", Status: fleet.TripPendingApproval},
		{Plate: "B", Status: fleet.TripArrived},
		{Plate: "B", Status: fleet.TripCompleted},
	}
	got := fleet.TakeCensus(trucks, states, trips, now, th)
	want := fleet.Census{Size: 5, Moving: 1, Idle: 1, Parked: 1, Offline: 1, Maintenance: 1,
		OnTrip: 1, ActiveTrips: 1, ScheduledTrips: 2, PendingTrips: 1}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("TakeCensus (-want +got):\n%s", diff)
	}
	sum := 0
	for _, s := range fleet.States {
		sum += got.Count(s)
	}
	if sum != got.Size {
		t.Errorf("states add up to %d; want size %d", sum, got.Size)
	}
	if got, want := got.UtilisationPct(), 25.0; got != want {
		t.Errorf("UtilisationPct = %v; want %v (1 on trip of 4 not in maintenance)", got, want)
	}
	if got := (fleet.Census{Size: 2, Maintenance: 2}).Utilisation(); got != 0 {
		t.Errorf("Utilisation with every truck in maintenance = %v; want 0", got)
	}
}

func TestDayUtilisationPct(t *testing.T) {
	end := time.Date(2026, 12, 8, 0, 0, 0, 0, fleet.Lagos()) // the day before ends
	at := func(h int) *time.Time { v := end.Add(time.Duration(h) * time.Hour); return &v }
	trucks := []fleet.Truck{{Plate: "A"}, {Plate: "B"}, {Plate: "C"}, {Plate: "D"}, {Plate: "E"},
		{Plate: "R", Status: fleet.TruckInactive}}
	c := fleet.Census{Size: 5, Maintenance: 1, OnTrip: 3} // as of now: 3 of 4 on a trip
	trips := []fleet.Trip{
		{Plate: "A", DepartedAt: at(-5)},                     // on the road at the end
		{Plate: "A", DepartedAt: at(-9), ArrivedAt: at(-6)},  // A's earlier trip: counts once
		{Plate: "B", DepartedAt: at(-5), ArrivedAt: at(2)},   // arrived after the end: on the road
		{Plate: "C", DepartedAt: at(-5), ArrivedAt: at(-1)},  // arrived before the end
		{Plate: "D", DepartedAt: at(-3), CancelledAt: at(0)}, // cancelled at the end
		{Plate: "E", DepartedAt: at(1)},                      // departed the next day
		{Plate: "R", DepartedAt: at(-3)},                     // retired: outside the fleet
		{Plate: "C", CompletedAt: at(-2)},                    // never departed
	}
	for _, tc := range []struct {
		name string
		now  time.Time
		want float64
	}{
		{"today: the census as of now", end.Add(-time.Hour), 75},
		{"an ended day: on the road at its end", end.Add(30 * time.Hour), 50},
		{"the very end", end, 50},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := fleet.DayUtilisationPct(c, trucks, trips, end, tc.now); got != tc.want {
				t.Errorf("DayUtilisationPct = %v; want %v", got, tc.want)
			}
		})
	}
}

func TestLegKmAndIdleSpan(t *testing.T) {
	a, b := fleet.Point{Lat: 6.45, Lng: 3.39}, fleet.Point{Lat: 6.46, Lng: 3.39} // about 1.1 km
	if km, ok := fleet.LegKm(a, b, time.Minute); !ok || km < 1.0 || km > 1.2 {
		t.Errorf("LegKm over a minute = %.3f, %v; want about 1.1 km, true", km, ok)
	}
	if km, ok := fleet.LegKm(a, b, time.Second); ok || km != 0 {
		t.Errorf("LegKm over a second = %.3f, %v; want 0, false (a jump at ~4,000 km/h)", km, ok)
	}
	th := fleet.DefaultThresholds()
	tests := []struct {
		name  string
		speed float64
		ign   bool
		dt    time.Duration
		want  time.Duration
	}{
		{"idling", 0, true, 10 * time.Minute, 10 * time.Minute},
		{"capped at offline", 0, true, 3 * time.Hour, th.OfflineAfter},
		{"parked", 0, false, 10 * time.Minute, 0},
		{"moving", 40, true, 10 * time.Minute, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := th.IdleSpan(tt.speed, tt.ign, tt.dt); got != tt.want {
				t.Errorf("IdleSpan(%v, %v, %v) = %v; want %v", tt.speed, tt.ign, tt.dt, got, tt.want)
			}
		})
	}
}
