package bot

import (
	"context"
	"sync/atomic"
	"testing"
	"time"
)

// TestPoolBoundsAndDrains: a full queue refuses work instead of growing; stop runs what was
// queued.
func TestPoolBoundsAndDrains(t *testing.T) {
	p := newPool(context.Background(), 1, 2)
	release := make(chan struct{})
	var ran atomic.Int32
	job := func(context.Context) { <-release; ran.Add(1) }
	accepted := 0
	for range 10 {
		if p.try(job) {
			accepted++
		}
	}
	if accepted < 2 || accepted > 3 { // one running, two queued
		t.Errorf("accepted %d jobs; want the worker's one plus a queue of 2", accepted)
	}
	close(release)
	p.stop(5 * time.Second)
	if int(ran.Load()) != accepted {
		t.Errorf("ran %d of %d accepted jobs", ran.Load(), accepted)
	}
}

// TestPoolStopCancelsAfterGrace: jobs still running when the grace ends see their context
// cancelled.
func TestPoolStopCancelsAfterGrace(t *testing.T) {
	p := newPool(context.Background(), 1, 1)
	cancelled := make(chan struct{})
	p.try(func(ctx context.Context) { <-ctx.Done(); close(cancelled) })
	p.stop(10 * time.Millisecond)
	select {
	case <-cancelled:
	default:
		t.Error("the running job's context was not cancelled")
	}
}
