package ingest_test

import (
	"context"
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
