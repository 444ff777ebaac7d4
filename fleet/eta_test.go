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
	if got, want := fleet.PlanArrival(apapa, eclat, dep), dep.Add(2*time.Hour); !got.Equal(want) {
		t.Errorf("PlanArrival(APAPA, ECLAT, %v) = %v; want %v", dep, got, want)
	}
}
