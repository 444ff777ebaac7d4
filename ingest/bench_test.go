package ingest_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/ingest"
	"github.com/watchtower-ops/watchtower/store/storetest"
)

// benchBodies returns n distinct signed location pushes of `size` positions each, spread over
// 1,000 trucks, so no request is a replay.
func benchBody(seq int64, size int) []byte {
	var buf bytes.Buffer
	if size > 1 {
		buf.WriteByte('[')
	}
	base := time.Now().Add(-time.Hour)
	for i := range size {
		n := seq*int64(size) + int64(i)
		if i > 0 {
			buf.WriteByte(',')
		}
		fix := base.Add(time.Duration(n/1000) * time.Millisecond)
		fmt.Fprintf(&buf, `{"imei":"86%013d","vehiclenumber":"T%05dLA","gpstime":%q,"latitude":6.%06d,"longitude":3.%06d,"speed":42.5,"orientation":90,"ignition":"1"}`,
			n%1000, n%1000, fix.UTC().Format("2006-01-02T15:04:05.000Z"), 450000+n%90000, 350000+n%90000)
	}
	if size > 1 {
		buf.WriteByte(']')
	}
	return buf.Bytes()
}

// benchListener posts bodies of size positions from 2×parallelism concurrent clients (on this
// 2-core machine) and reports the request and position rates and the latency percentiles.
func benchListener(b *testing.B, size, parallelism int) {
	rdb, prefix := storetest.NewRedis(b)
	srv := newServer(b, rdb, prefix)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 128, MaxIdleConns: 128}}
	var seq atomic.Int64
	var mu sync.Mutex
	var lat []time.Duration
	b.SetParallelism(parallelism)
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		var mine []time.Duration
		for pb.Next() {
			body := benchBody(seq.Add(1), size)
			req, _ := http.NewRequest(http.MethodPost, srv.URL+"/webhooks/loconav", bytes.NewReader(body))
			req.Header.Set(ingest.SignatureHeader, ingest.Sign(testSecret, body))
			t0 := time.Now()
			res, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, res.Body) // read to the end so the connection is reused
			res.Body.Close()
			mine = append(mine, time.Since(t0))
			if res.StatusCode != http.StatusAccepted {
				b.Errorf("status %d; want 202", res.StatusCode)
				return
			}
		}
		mu.Lock()
		lat = append(lat, mine...)
		mu.Unlock()
	})
	elapsed := time.Since(start)
	b.StopTimer()
	slices.Sort(lat)
	if len(lat) == 0 {
		return
	}
	q := func(p float64) float64 { return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))]) / 1e6 }
	b.ReportMetric(float64(len(lat))/elapsed.Seconds(), "req/s")
	b.ReportMetric(float64(len(lat)*size)/elapsed.Seconds(), "positions/s")
	b.ReportMetric(q(0.50), "p50_ms")
	b.ReportMetric(q(0.99), "p99_ms")
}

// BenchmarkListenerSingle: one position per request from 64 clients (the simulator's
// default), through HMAC, decoding, the replay check and XADD into a real Redis.
func BenchmarkListenerSingle(b *testing.B) { benchListener(b, 1, 32) }

// BenchmarkListenerBatched: 100 positions per request from 8 clients.
func BenchmarkListenerBatched(b *testing.B) { benchListener(b, 100, 4) }

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
	for {
		info, err := r.rdb.XInfoGroups(ctx, r.keys.Ingest()).Result()
		if err == nil && len(info) == 1 && info[0].Lag == 0 && info[0].Pending == 0 {
			break
		}
		time.Sleep(2 * time.Millisecond)
	}
	elapsed := time.Since(start)
	b.StopTimer()
	for _, s := range stops {
		s()
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "positions/s")
}
