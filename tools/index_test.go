package tools_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/tools"
)

// flakyLister wraps a RosterSource and fails while down is set.
type flakyLister struct {
	tools.RosterSource
	mu   sync.Mutex
	down bool
}

func (l *flakyLister) FleetRoster(ctx context.Context) ([]fleet.Truck, []fleet.TruckState, error) {
	l.mu.Lock()
	down := l.down
	l.mu.Unlock()
	if down {
		return nil, nil, fleet.Errorf(fleet.EUNAVAILABLE, "database unreachable")
	}
	return l.RosterSource.FleetRoster(ctx)
}

func (l *flakyLister) setDown(v bool) {
	l.mu.Lock()
	l.down = v
	l.mu.Unlock()
}

func visit(t *testing.T, idx *tools.StateIndex, p fleet.Point) []string {
	t.Helper()
	var plates []string
	err := idx.VisitCells(context.Background(), fleet.CoverCells(p, 0.5, fleet.CellResolution), false, func(tr *fleet.Truck, s *fleet.TruckState) {
		if tr.Plate != s.Plate {
			t.Errorf("visited truck %s with the fix of %s", tr.Plate, s.Plate)
		}
		plates = append(plates, s.Plate)
	})
	must(t, err)
	return plates
}

func TestStateIndex(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	src := &flakyLister{RosterSource: f.st}
	const interval = 20 * time.Millisecond
	idx := tools.NewStateIndex(src, interval, quiet)
	apapa := testSites[3].Point

	// The first lookup loads the index.
	if got := visit(t, idx, apapa); len(got) != 1 || got[0] != "T11985LA" || idx.Len() != 4 {
		t.Fatalf("first lookup = %v with %d states; want [T11985LA] of 4 reporting trucks", got, idx.Len())
	}
	trucks, states, err := idx.FleetRoster(ctx)
	must(t, err)
	if len(trucks) != 6 || len(states) != 4 {
		t.Errorf("roster = %d trucks, %d states; want 6 trucks (inactive included), 4 reporting", len(trucks), len(states))
	}
	// A truck arriving is seen once the snapshot is older than twice the interval.
	f.setState(t, "T28737LA", apapa, f.now, 0, false, "")
	time.Sleep(3 * interval)
	if got := visit(t, idx, apapa); len(got) != 2 {
		t.Errorf("after the move = %v; want both trucks at Apapa", got)
	}
	// With the database down, the last snapshot still answers.
	src.setDown(true)
	time.Sleep(3 * interval)
	if got := visit(t, idx, apapa); len(got) != 2 {
		t.Errorf("database down = %v; want the last snapshot", got)
	}
	if err := idx.Refresh(ctx); fleet.ErrorCode(err) != fleet.EUNAVAILABLE {
		t.Errorf("Refresh with the database down = %v; want EUNAVAILABLE", err)
	}
	// Without any snapshot, the failure is returned.
	empty := tools.NewStateIndex(src, interval, quiet)
	err = empty.VisitCells(ctx, []int64{1}, false, func(*fleet.Truck, *fleet.TruckState) {})
	if fleet.ErrorCode(err) != fleet.EUNAVAILABLE {
		t.Errorf("VisitCells with nothing loaded and the database down = %v; want EUNAVAILABLE", err)
	}
}

func TestStateIndexRun(t *testing.T) {
	f := newFixture(t)
	idx := tools.NewStateIndex(f.st, 10*time.Millisecond, quiet)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- idx.Run(ctx) }()
	deadline := time.Now().Add(5 * time.Second)
	for idx.Len() == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if idx.Len() != 4 {
		t.Errorf("running index holds %d states; want 4", idx.Len())
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run = %v; want nil when the context ends", err)
	}
}
