package ingest_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/ingest"
	"github.com/watchtower-ops/watchtower/store/storetest"
)

// TestEnqueueFailureLeavesNothingSeen makes the XADD fail (the stream key holds a string) and
// checks that the events are not marked seen: once the stream is writable again they are
// accepted, not counted as replays.
func TestEnqueueFailureLeavesNothingSeen(t *testing.T) {
	rdb, prefix := storetest.NewRedis(t)
	ctx := context.Background()
	key := fleet.Keys{Prefix: prefix}.Ingest()
	now := time.Now().Add(-time.Minute)
	alert := ingest.Event{Type: ingest.TypeAlert, Key: ingest.AlertKey("IgnitionAlert", "7", fleet.PhaseActive),
		Received: now, Alert: &fleet.TelematicsAlert{SourceKind: "IgnitionAlert", SourceID: "7", Plate: "T11985LA", At: now}}
	evs := []ingest.Event{pos("T11985LA", now, road, 30), alert}
	p := ingest.NewProducer(rdb, prefix)
	if err := rdb.Set(ctx, key, "not a stream", 0).Err(); err != nil {
		t.Fatal(err)
	}
	for _, e := range evs { // one at a time: a failure stops the script at its first item
		if _, _, err := p.Enqueue(ctx, []ingest.Event{e}); err == nil {
			t.Fatalf("Enqueue of a %s onto a string key succeeded; want an error", e.Type)
		}
	}
	rdb.Del(ctx, key)
	accepted, dups, err := p.Enqueue(ctx, evs)
	if err != nil || accepted != 2 || dups != 0 {
		t.Errorf("Enqueue after the failure = %d accepted, %d duplicates, %v; want 2, 0, nil", accepted, dups, err)
	}
	accepted, dups, err = p.Enqueue(ctx, evs)
	if err != nil || accepted != 0 || dups != 2 {
		t.Errorf("Enqueue again = %d accepted, %d duplicates, %v; want 0, 2, nil", accepted, dups, err)
	}
}

// TestEnqueueConcurrentRequestsShareCalls sends 400 small requests from 40 goroutines at once,
// each event sent twice in different requests, and checks that requests sharing a script call
// still get their own counts: every event accepted exactly once over all requests, the rest
// duplicates, and the stream holding each event once. A request of 150 events (not grouped)
// goes through alongside.
func TestEnqueueConcurrentRequestsShareCalls(t *testing.T) {
	rdb, prefix := storetest.NewRedis(t)
	ctx := context.Background()
	p := ingest.NewProducer(rdb, prefix)
	base := time.Now().Add(-time.Hour)
	ev := func(i int) ingest.Event {
		return pos(fmt.Sprintf("T%05dLA", i%50), base.Add(time.Duration(i)*time.Second), road, 30)
	}
	const unique = 1200
	var accepted, dups atomic.Int64
	var wg sync.WaitGroup
	for g := range 40 {
		wg.Go(func() {
			for r := range 10 {
				var evs []ingest.Event
				for k := range 3 { // requests 0..399 take events 3r'..3r'+2 of 0..1199, each event twice
					evs = append(evs, ev(((g*10+r)*3+k)%unique), ev(((g*10+r)*3+k+600)%unique))
				}
				a, d, err := p.Enqueue(ctx, evs)
				if err != nil || a+d != len(evs) {
					t.Errorf("Enqueue = %d, %d, %v; want counts adding up to %d", a, d, err, len(evs))
				}
				accepted.Add(int64(a))
				dups.Add(int64(d))
			}
		})
	}
	wg.Go(func() {
		big := make([]ingest.Event, 150)
		for i := range big {
			big[i] = ev(unique + i)
		}
		if a, d, err := p.Enqueue(ctx, big); err != nil || a != 150 || d != 0 {
			t.Errorf("Enqueue of 150 new events = %d, %d, %v; want 150, 0, nil", a, d, err)
		}
	})
	wg.Wait()
	if accepted.Load() != unique || dups.Load() != unique {
		t.Errorf("over all requests %d accepted, %d duplicates; want %d and %d", accepted.Load(), dups.Load(), unique, unique)
	}
	if n := rdb.XLen(ctx, fleet.Keys{Prefix: prefix}.Ingest()).Val(); n != unique+150 {
		t.Errorf("stream holds %d entries; want %d", n, unique+150)
	}
}
