package ingest_test

import (
	"context"
	"testing"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/ingest"
)

// TestConsumerPublishesPositions checks that every fix a consumer applies reaches the positions
// stream the live maps of all replicas read, in order, and that Read resumes after an ID.
func TestConsumerPublishesPositions(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	ps := ingest.NewPositionStream(r.rdb, r.prefix)
	if first, last, err := ps.Bounds(ctx); err != nil || first != "" || last != "" {
		t.Fatalf("Bounds(empty) = %q, %q, %v; want empty", first, last, err)
	}
	t0 := time.Now().Add(-10 * time.Minute).Truncate(time.Second)
	r.enqueue(t, pos("T11985LA", t0, siteOrigin.Point, 0), pos("T28737LA", t0.Add(time.Second), road, 44))
	stop := run(t, ingest.NewConsumer(r.rdb, r.st, r.config("w1"), nil, quietLog()).Run)
	defer stop()

	var got []ingest.PositionFix
	eventually(t, "both fixes on the positions stream", func() bool {
		fixes, err := ps.Read(ctx, "0", 10, -1)
		got = fixes
		return err == nil && len(fixes) == 2
	})
	if got[0].Position.Plate != "T11985LA" || got[1].Position.Plate != "T28737LA" || got[1].Position.SpeedKmh != 44 ||
		!got[1].Position.FixTime.Equal(t0.Add(time.Second)) {
		t.Errorf("positions stream = %+v; want T11985LA then T28737LA at 44 km/h", got)
	}
	rest, err := ps.Read(ctx, got[0].ID, 10, -1)
	if err != nil || len(rest) != 1 || rest[0].ID != got[1].ID {
		t.Errorf("Read(after %s) = %+v, %v; want only %s", got[0].ID, rest, err, got[1].ID)
	}
	if first, last, err := ps.Bounds(ctx); err != nil || first != got[0].ID || last != got[1].ID {
		t.Errorf("Bounds = %q, %q, %v; want %s, %s", first, last, err, got[0].ID, got[1].ID)
	}
	if err := ps.Publish(ctx, []fleet.Observation{{Position: &fleet.Position{IMEI: "X"}}}); err != nil {
		t.Errorf("Publish(a fix without plate) = %v; want it skipped", err)
	}
}
