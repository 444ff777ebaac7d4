package ingest_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/ingest"
)

// BenchmarkGrowth shows how ingest's cost grows with the fleet: for 1,000, 10,000 and 100,000
// trucks, the webhook's single-fix rate (64 clients, 5 s; one replay set per truck and
// 500-second bucket in Redis) and two consumers draining a backlog of fixes spread over the
// fleet into Postgres (positions/s, the heap in use above the start while they drain, bytes
// allocated per position). Run it once: -bench Growth -benchtime 1x.
func BenchmarkGrowth(b *testing.B) {
	for _, trucks := range []int{1_000, 10_000, 100_000} {
		b.Run(fmt.Sprintf("trucks=%d", trucks), func(b *testing.B) {
			r := newRig(b)
			srv := httptest.NewServer(productHandler(r.rdb, r.prefix))
			defer srv.Close()
			web := closedLoop(srv.URL+"/webhooks/loconav", newGenerator(1, trucks), 64, 5*time.Second)
			r.rdb.Del(context.Background(), r.keys.Ingest())
			rate, heap, perPos := drainFleet(b, r, trucks, max(60_000, 2*trucks))
			b.ReportMetric(web.rate(), "webhook_req/s")
			b.ReportMetric(rate, "applied_positions/s")
			b.ReportMetric(heap/(1<<20), "consumer_heap_MiB")
			b.ReportMetric(perPos, "alloc_B/position")
			b.Logf("trucks %d (load %s): webhook %.0f req/s p99 %.1f ms; consumers %.0f positions/s, heap +%.1f MiB, %.0f B allocated per position",
				trucks, loadAvg(), web.rate(), ms(web.pct(.99)), rate, heap/(1<<20), perPos)
		})
	}
}

// drainFleet registers trucks trucks, fills the stream with n fixes over them, and times two
// consumers (configured as serve configures them) applying all of it, sampling the heap
// meanwhile.
func drainFleet(b *testing.B, r *rig, trucks, n int) (rate, heapPeak, allocPerPos float64) {
	ctx := context.Background()
	base := time.Now().Add(-2 * time.Hour)
	fix := func(i int) ingest.Event { // fix k of truck t, a second after the last, on the webhook benchmark's tracks
		t, k := int64(i+trucks)%int64(trucks), int64(i+trucks)/int64(trucks)
		lat, lng := track(t, k)
		pt := fleet.Point{Lat: float64(lat) / 1e6, Lng: float64(lng) / 1e6}
		return pos(fmt.Sprintf("G%06dLA", t), base.Add(time.Duration(k)*time.Second), pt, float64(i%70))
	}
	for off := 0; off < trucks; off += 1000 { // the first fixes register the trucks
		warm := make([]fleet.Observation, 0, 1000)
		for i := off; i < min(off+1000, trucks); i++ {
			warm = append(warm, fleet.Observation{EntryID: fmt.Sprintf("1-%d", i), Position: fix(i - trucks).Position})
		}
		if _, err := r.st.ApplyIngest(ctx, "warm-up", warm, fleet.DefaultThresholds()); err != nil {
			b.Fatal(err)
		}
	}
	p := ingest.NewProducer(r.rdb, r.prefix)
	for off := 0; off < n; off += 500 {
		evs := make([]ingest.Event, 0, 500)
		for i := off; i < min(off+500, n); i++ {
			evs = append(evs, fix(i))
		}
		if _, _, err := p.Enqueue(ctx, evs); err != nil {
			b.Fatal(err)
		}
	}
	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	var peak atomic.Uint64
	done := make(chan struct{})
	go func() { // sample the heap every 20 ms while the consumers work
		var m runtime.MemStats
		for {
			select {
			case <-done:
				return
			case <-time.After(20 * time.Millisecond):
				runtime.ReadMemStats(&m)
				if m.HeapInuse > peak.Load() {
					peak.Store(m.HeapInuse)
				}
			}
		}
	}()
	start := time.Now()
	for w := range 2 {
		defer run(b, ingest.NewConsumer(r.rdb, r.st, serveConsumer(r.prefix, fmt.Sprintf("growth-%d", w)), nil, quietLog()).Run)()
	}
	waitDrained(b, r)
	elapsed := time.Since(start)
	close(done)
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	return float64(n) / elapsed.Seconds(), float64(peak.Load()) - float64(before.HeapInuse),
		float64(after.TotalAlloc-before.TotalAlloc) / float64(n)
}

// waitDrained waits until the group has read and acknowledged every entry.
func waitDrained(b *testing.B, r *rig) {
	for {
		info, err := r.rdb.XInfoGroups(context.Background(), r.keys.Ingest()).Result()
		if err == nil && len(info) == 1 && info[0].Lag == 0 && info[0].Pending == 0 {
			return
		}
		time.Sleep(2 * time.Millisecond)
	}
}
