package fleet

import (
	"testing"
	"time"
)

// TestBufferedFixesDoNotFlapOffline replays a reconnecting device uploading its buffer (each
// fix older than the offline threshold when it arrives) with the offline sweep running between
// fixes: the incident must stay open, never re-open, and resolve once on the first live fix.
func TestBufferedFixesDoNotFlapOffline(t *testing.T) {
	th := DefaultThresholds()
	now := time.Date(2025, 11, 26, 12, 0, 0, 0, time.UTC)
	pt := Point{Lat: 6.5, Lng: 3.4}
	st := TruckState{Plate: "T11985LA", FixTime: now.Add(-3 * time.Hour), OfflineOpen: true, Point: pt}
	opened, resolved := 0, 0
	for i := range 5 {
		recv := now.Add(time.Duration(i) * 30 * time.Second)
		p := Position{Plate: "T11985LA", FixTime: now.Add(-2*time.Hour + time.Duration(i)*5*time.Minute), ReceivedAt: recv, Point: pt}
		d := DetectPosition(st, p, nil, nil, th)
		resolved += len(d.Resolve)
		st = d.State
		if off, ok := DetectOffline(st, recv.Add(15*time.Second), th); ok {
			opened++
			st = off.State
		}
	}
	if opened != 0 || resolved != 0 {
		t.Fatalf("buffered upload: offline re-opened %d times, resolved %d times; want 0 and 0", opened, resolved)
	}
	live := now.Add(3 * time.Minute)
	d := DetectPosition(st, Position{Plate: "T11985LA", FixTime: live, ReceivedAt: live.Add(2 * time.Second), Point: pt}, nil, nil, th)
	if len(d.Resolve) != 1 || d.State.OfflineOpen {
		t.Errorf("live fix after the buffer: resolve = %v, offline open = %v; want one resolution", d.Resolve, d.State.OfflineOpen)
	}
}
