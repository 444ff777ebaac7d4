package fleet_test

import (
	"testing"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
)

func TestTruckStateMotion(t *testing.T) {
	th := fleet.DefaultThresholds()
	now := base
	state := func(age time.Duration, speed float64, ignition bool) fleet.TruckState {
		return fleet.TruckState{Plate: "T11985LA", FixTime: now.Add(-age), SpeedKmh: speed, Ignition: ignition}
	}
	tests := []struct {
		name string
		s    fleet.TruckState
		want fleet.Motion
	}{
		{"moving", state(10*time.Second, 40, true), fleet.MotionMoving},
		{"moving with ignition off reported", state(10*time.Second, 40, false), fleet.MotionMoving},
		{"just above moving threshold", state(time.Minute, 5.1, true), fleet.MotionMoving},
		{"at moving threshold is idle", state(time.Minute, 5, true), fleet.MotionIdle},
		{"idle", state(time.Minute, 0, true), fleet.MotionIdle},
		{"parked", state(time.Minute, 0, false), fleet.MotionParked},
		{"creeping with ignition off is parked", state(time.Minute, 3, false), fleet.MotionParked},
		{"just fresh", state(30*time.Minute-time.Second, 40, true), fleet.MotionMoving},
		{"offline at threshold", state(30*time.Minute, 40, true), fleet.MotionOffline},
		{"offline long ago", state(48*time.Hour, 0, false), fleet.MotionOffline},
		{"never reported", fleet.TruckState{Plate: "T11985LA"}, fleet.MotionOffline},
		{"fix from the future", state(-2*time.Minute, 0, false), fleet.MotionParked},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.s.Motion(now, th); got != tt.want {
				t.Errorf("Motion() = %s; want %s", got, tt.want)
			}
		})
	}
}

func TestTruckStateAge(t *testing.T) {
	tests := []struct {
		name string
		fix  time.Time
		want time.Duration
	}{
		{"90 seconds", base.Add(-90 * time.Second), 90 * time.Second},
		{"now", base, 0},
		{"future fix is never negative", base.Add(time.Minute), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := (fleet.TruckState{FixTime: tt.fix}).Age(base); got != tt.want {
				t.Errorf("Age() = %v; want %v", got, tt.want)
			}
		})
	}
	if got := (fleet.TruckState{}).Age(base); got <= 24*time.Hour {
		t.Errorf("Age() of a state without a fix = %v; want very old", got)
	}
}

func TestDefaultThresholds(t *testing.T) {
	th := fleet.DefaultThresholds()
	tests := []struct {
		name      string
		got, want any
	}{
		{"moving", th.MovingKmh, 5.0},
		{"offline", th.OfflineAfter, 30 * time.Minute},
		{"overspeed", th.OverspeedKmh, 60.0},
		{"idle", th.IdleAfter, 20 * time.Minute},
		{"dwell", th.GeofenceDwell, 5 * time.Minute},
		{"delayed", th.DelayedAfter, 2 * time.Hour},
		{"lead time", th.MinLeadTime, 30 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("DefaultThresholds().%s = %v; want %v", tt.name, tt.got, tt.want)
			}
		})
	}
}

func TestTruckOperational(t *testing.T) {
	tests := []struct {
		name string
		tr   fleet.Truck
		want bool
	}{
		{"operational", fleet.Truck{Status: fleet.TruckOperational}, true},
		{"archived", fleet.Truck{Status: fleet.TruckOperational, ArchivedAt: &base}, false},
		{"maintenance", fleet.Truck{Status: fleet.TruckMaintenance}, false},
		{"inactive", fleet.Truck{Status: fleet.TruckInactive}, false},
		{"unrostered", fleet.Truck{Status: fleet.TruckUnrostered}, false},
		{"no status", fleet.Truck{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.tr.Operational(); got != tt.want {
				t.Errorf("Operational() = %v; want %v", got, tt.want)
			}
			if valid := tt.tr.Status.Valid(); valid != (tt.tr.Status != "") {
				t.Errorf("TruckStatus(%q).Valid() = %v; want %v", tt.tr.Status, valid, tt.tr.Status != "")
			}
		})
	}
}
