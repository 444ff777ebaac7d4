package api_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"net/http"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/watchtower-ops/watchtower/bot/api"
	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/ingest"
)

// Load of the live map benchmark: the fleet, how often each truck reports, open maps.
const (
	benchTrucks  = 1000
	benchEvery   = 30 * time.Second
	benchViewers = 200
)

// BenchmarkMapStream200Viewers runs the live map at production settings with 1,000 trucks
// reporting every 30 s and 200 open map streams over loopback HTTP. Each iteration is one
// second of real time: the second's fixes (about 33) are appended to the positions stream as
// the consumers do, and the iteration ends when every viewer has received them and the second
// is over. It reports the process's CPU (server, fan-out, and the 200 clients reading, so an
// upper bound for the server) as a percentage of one core, and the heap with every viewer
// connected. Run it for longer with -benchtime=30x.
func BenchmarkMapStream200Viewers(b *testing.B) {
	f := newMapFixture(b, func(_ *api.Deps, c *api.Config) { c.Stream = api.StreamConfig{} })
	addBenchTrucks(b, f)
	url := f.ts.URL + "/api/v1/stream/positions?t=" + mapToken(b, f.now.Add(time.Hour))
	var received atomic.Int64
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for range benchViewers {
		wg.Add(1)
		go func() { defer wg.Done(); countFixes(ctx, url, &received) }()
	}
	defer func() { cancel(); wg.Wait() }()
	waitFor(b, func() string { return fmt.Sprintf("every viewer connected (%d)", f.srv.Hub().Viewers()) }, func() bool { return f.srv.Hub().Viewers() == benchViewers })

	ps := ingest.NewPositionStream(f.rdb, f.prefix)
	perSecond := float64(benchTrucks) / benchEvery.Seconds()
	published, owed := 0, 0.0
	runtime.GC()
	cpu0, wall0 := cpuTime(), time.Now()
	b.ResetTimer()
	for i := range b.N {
		second := time.Now()
		owed += perSecond
		n := int(owed)
		owed -= float64(n)
		obs := make([]fleet.Observation, n)
		for j := range obs {
			k := (published + j) % benchTrucks
			obs[j] = fleet.Observation{Position: &fleet.Position{Plate: benchPlate(k), FixTime: f.now.Add(time.Duration(i+1) * time.Second),
				Point: fleet.Point{Lat: 6.40 + float64(k%100)*0.003, Lng: 3.30 + float64(k/100)*0.01 + float64(i)*1e-4}, SpeedKmh: 40, Ignition: true}}
		}
		if err := ps.Publish(context.Background(), obs); err != nil {
			b.Fatal(err)
		}
		published += n
		want := int64(published * benchViewers)
		waitFor(b, func() string {
			return fmt.Sprintf("every viewer received the second's fixes (%d of %d; %d viewers, %d dropped)",
				received.Load(), want, f.srv.Hub().Viewers(), f.srv.Hub().Dropped())
		}, func() bool { return received.Load() >= want })
		time.Sleep(time.Until(second.Add(time.Second)))
	}
	b.StopTimer()
	cpu, wall := cpuTime()-cpu0, time.Since(wall0)
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	b.ReportMetric(100*cpu.Seconds()/wall.Seconds(), "%cpu")
	b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "heap-MiB")
	b.ReportMetric(float64(published)/wall.Seconds(), "fixes/s")
	b.ReportMetric(float64(f.srv.Hub().Dropped()), "dropped")
}

// addBenchTrucks fills the fleet up to benchTrucks trucks, each with a recent fix.
func addBenchTrucks(b *testing.B, f *fixture) {
	ctx := context.Background()
	for k := range benchTrucks - len(testTrucks) {
		plate := benchPlate(k)
		if _, err := f.st.CreateTruck(ctx, fleet.Truck{Plate: plate, Status: fleet.TruckOperational, Company: "Acme"}); err != nil {
			b.Fatal(err)
		}
		f.setState(b, plate, fleet.Point{Lat: 6.40 + float64(k%100)*0.003, Lng: 3.30 + float64(k/100)*0.01}, f.now.Add(-time.Minute), 40, true, "")
	}
}

// countFixes reads one map stream until ctx is done, counting its fix events.
func countFixes(ctx context.Context, url string, n *atomic.Int64) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return
	}
	defer resp.Body.Close()
	r := bufio.NewReaderSize(resp.Body, 64<<10)
	fix := []byte("event: fix")
	for {
		line, err := r.ReadSlice('\n')
		if err != nil && err != bufio.ErrBufferFull {
			return
		}
		if bytes.HasPrefix(line, fix) {
			n.Add(1)
		}
	}
}

// cpuTime is the CPU time this process used so far, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// waitFor polls cond for up to a minute, failing b when it never holds.
func waitFor(b *testing.B, what func() string, cond func() bool) {
	b.Helper()
	for end := time.Now().Add(time.Minute); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
		if cond() {
			return
		}
	}
	b.Fatalf("timed out waiting until %s", what())
}
