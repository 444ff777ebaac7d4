package fleet

import (
	"testing"
	"time"
)

// TestTripNotificationIDsSurviveCodeReuse: a trip code used again after a database reset is a
// new notification, so Redis delivery marks of the old trip never swallow it.
func TestTripNotificationIDsSurviveCodeReuse(t *testing.T) {
	old := Trip{Code: "TRP-0001", CreatedAt: time.Date(2025, 11, 1, 9, 0, 0, 0, time.UTC)}
	reused := Trip{Code: "TRP-0001", CreatedAt: time.Date(2025, 11, 26, 9, 0, 0, 0, time.UTC)}
	if a, b := TripNotificationID("trip.approval", old), TripNotificationID("trip.approval", reused); a == b {
		t.Errorf("TripNotificationID = %q for both trips; want different IDs", a)
	}
	if a, b := TripNotificationID("trip.approval", old), TripNotificationID("trip.approval", old); a != b {
		t.Errorf("TripNotificationID not stable: %q, %q", a, b)
	}
}
