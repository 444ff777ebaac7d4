package ingest_test

import (
	"context"
	"testing"
	"time"

	"github.com/watchtower-ops/watchtower/ingest"
)

// TestConsumerVisitAcrossRestartAndReplicas: a truck's visit to APAPA goes through the real
// streams. The consumer is stopped in the middle of the visit (a restart), then two consumers
// take the rest at once, with one fix outside arriving after the later ones. The visit is
// stored once, from the first fix inside to the first fix outside.
func TestConsumerVisitAcrossRestartAndReplicas(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	t0 := time.Now().Add(-3 * time.Hour).Truncate(time.Second)
	at := func(m int) time.Time { return t0.Add(time.Duration(m) * time.Minute) }

	r.enqueue(t, pos("T11985LA", at(0), road, 40))
	for m := 10; m <= 60; m += 10 {
		r.enqueue(t, pos("T11985LA", at(m), siteOrigin.Point, 0))
	}
	stop := run(t, ingest.NewConsumer(r.rdb, r.st, r.config("before-restart"), nil, quietLog()).Run)
	eventually(t, "the entry applied", func() bool { return r.positions(t, "T11985LA") == 7 && r.pending(t) == 0 })
	stop()
	open, err := r.st.OpenVisits(ctx, time.Now())
	if err != nil || len(open) != 1 || !open[0].EnteredAt.Equal(at(10)) {
		t.Fatalf("open visits after the restart = %+v, %v; want one from the first fix inside", open, err)
	}

	// After the restart: still inside, then out at 100 min; the fix outside at 95 min comes last.
	for m := 70; m <= 90; m += 10 {
		r.enqueue(t, pos("T11985LA", at(m), siteOrigin.Point, 0))
	}
	r.enqueue(t, pos("T11985LA", at(100), road, 40), pos("T11985LA", at(110), road, 40))
	r.enqueue(t, pos("T11985LA", at(95), road, 30))
	stopA := run(t, ingest.NewConsumer(r.rdb, r.st, r.config("replica-a"), nil, quietLog()).Run)
	stopB := run(t, ingest.NewConsumer(r.rdb, r.st, r.config("replica-b"), nil, quietLog()).Run)
	defer stopA()
	defer stopB()
	eventually(t, "every fix applied", func() bool { return r.positions(t, "T11985LA") == 13 && r.pending(t) == 0 })

	if open, err := r.st.OpenVisits(ctx, time.Now()); err != nil || len(open) != 0 {
		t.Errorf("open visits = %+v, %v; want none", open, err)
	}
	stats, err := r.st.DwellStats(ctx, []string{"APAPA"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if st := stats["APAPA"]; st.Visits != 1 || st.Median != 85*time.Minute {
		t.Errorf("APAPA visits = %+v; want one of 85 min (10 → 95 min)", st)
	}
}
