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
// workers (INGEST_WORKERS' default) configured as serve configures them (batches of up to
// INGEST_BATCH's default 1,024), from a stream filled beforehand with b.N fixes of 1,000 trucks
// that have reported before (their first fixes, which register them, are applied before the
// timer starts).
func BenchmarkConsumer(b *testing.B) {
	r := newRig(b)
	ctx := context.Background()
	base := time.Now().Add(-24 * time.Hour)
	fix := func(i int) ingest.Event { // fix k of truck t, a second after the last, as the webhook benchmark's
		t, k := int64(i+1000)%1000, int64(i+1000)/1000
		lat, lng := track(t, k)
		pt := fleet.Point{Lat: float64(lat) / 1e6, Lng: float64(lng) / 1e6}
		return pos(fmt.Sprintf("T%05dLA", t), base.Add(time.Duration(k)*time.Second), pt, float64(i%70))
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
		cfg := serveConsumer(r.prefix, fmt.Sprintf("bench-%d", w))
		stops = append(stops, run(b, ingest.NewConsumer(r.rdb, r.st, cfg, nil, quietLog()).Run))
	}
	waitDrained(b, r)
	elapsed := time.Since(start)
	b.StopTimer()
	for _, s := range stops {
		s()
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "positions/s")
	if b.N < 1000 {
		return // the framework's first, one-fix run
	}
	b.Logf("consumers: %d positions applied at %.0f/s (load %s; target ≥ 20,000/s)", b.N, float64(b.N)/elapsed.Seconds(), loadAvg())
}

// serveConsumer is a consumer's configuration as serve makes it with the default environment.
func serveConsumer(prefix, name string) ingest.ConsumerConfig {
	return ingest.ConsumerConfig{Prefix: prefix, Name: name, Thresholds: fleet.DefaultThresholds()}
}
