package ingest_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/ingest"
)

// BenchmarkConsumer measures positions applied per second into a real Postgres by two
// workers (INGEST_WORKERS' default) reading batches of 256, from a stream filled beforehand
// with b.N fixes of 1,000 trucks that have reported before (their first fixes, which register
// them, are applied before the timer starts).
func BenchmarkConsumer(b *testing.B) {
	r := newRig(b)
	ctx := context.Background()
	base := time.Now().Add(-time.Hour)
	fix := func(i int) ingest.Event {
		plate := fmt.Sprintf("T%05dLA", i%1000)
		pt := fleet.Point{Lat: 6.45 + float64(i%997)*1e-4, Lng: 3.35 + float64(i%991)*1e-4}
		return pos(plate, base.Add(time.Duration(i)*time.Millisecond), pt, float64(i%70))
	}
	warm := make([]fleet.Observation, 1000)
	for i := range warm {
		e := fix(i - 1000)
		warm[i] = fleet.Observation{EntryID: fmt.Sprintf("1-%d", i), Position: e.Position}
	}
	if _, err := r.st.ApplyIngest(ctx, "warm-up", warm, fleet.DefaultThresholds()); err != nil {
		b.Fatal(err)
	}
	p := ingest.NewProducer(r.rdb, r.prefix)
	for off := 0; off < b.N; off += 500 {
		evs := make([]ingest.Event, 0, 500)
		for i := off; i < min(off+500, b.N); i++ {
			evs = append(evs, fix(i))
		}
		if _, _, err := p.Enqueue(ctx, evs); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	start := time.Now()
	var stops []func()
	for w := range 2 {
		cfg := r.config(fmt.Sprintf("bench-%d", w))
		cfg.Batch = 256
		stops = append(stops, run(b, ingest.NewConsumer(r.rdb, r.st, cfg, nil, quietLog()).Run))
	}
	waitDrained(b, r)
	elapsed := time.Since(start)
	b.StopTimer()
	for _, s := range stops {
		s()
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "positions/s")
	b.Logf("consumers: %d positions applied at %.0f/s (load %s; target ≥ 20,000/s)", b.N, float64(b.N)/elapsed.Seconds(), loadAvg())
}
