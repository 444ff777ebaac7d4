package store_test

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/store"
)

// track returns n fixes of plate one minute apart from start, heading north from Apapa.
func track(plate string, start time.Time, n int) []fleet.Position {
	ps := make([]fleet.Position, n)
	for i := range ps {
		ps[i] = fleet.Position{Plate: plate, IMEI: "0860000000001", FixTime: start.Add(time.Duration(i) * time.Minute),
			Point: fleet.Point{Lat: 6.4478 + float64(i)*0.001, Lng: 3.3680}, SpeedKmh: 6, Ignition: true, Source: "test"}
	}
	return ps
}

// partitions lists the position partitions of the database.
func partitions(t testing.TB, pool *pgxpool.Pool) []string {
	t.Helper()
	rows, err := pool.Query(context.Background(),
		`SELECT c.relname::text FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = 'positions'::regclass ORDER BY 1`)
	must(t, err)
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	must(t, err)
	return names
}

func TestInsertPositionsReplay(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	start := time.Date(2026, 3, 1, 23, 30, 0, 0, time.UTC) // crosses midnight UTC
	ps := track("T11985LA", start, 60)

	var n int64
	must(t, s.InTx(ctx, func(tx pgx.Tx) (err error) {
		n, err = s.InsertPositions(ctx, tx, ps)
		return err
	}))
	if n != 60 {
		t.Fatalf("InsertPositions = %d; want 60", n)
	}
	again, err := s.InsertPositions(ctx, nil, append(ps[10:20:20], ps[10])) // replay, with an in-batch duplicate
	must(t, err)
	if again != 0 {
		t.Errorf("replayed InsertPositions = %d; want 0", again)
	}
	got, err := s.PositionsBetween(ctx, "t11985la", start, start.Add(time.Hour))
	must(t, err)
	if len(got) != 60 || !got[0].FixTime.Equal(start) || got[0].Cell != fleet.CellOf(ps[0].Point, fleet.CellResolution) {
		t.Errorf("PositionsBetween = %d fixes, first %+v; want 60 from %v with its cell", len(got), got[0], start)
	}
	_, err = s.InsertPositions(ctx, nil, []fleet.Position{{IMEI: "1", FixTime: start}})
	wantCode(t, "InsertPositions without plate", err, fleet.EINVALID)

	km, err := s.DistanceKm(ctx, "T11985LA", start, start.Add(time.Hour))
	must(t, err)
	want := fleet.DistanceKm(ps[0].Point, ps[59].Point)
	if math.Abs(km-want) > 0.01 {
		t.Errorf("DistanceKm = %.3f; want %.3f", km, want)
	}
	fleetKm, err := s.DistanceKm(ctx, "", start, start.Add(time.Hour))
	must(t, err)
	if math.Abs(fleetKm-km) > 1e-9 {
		t.Errorf("fleet DistanceKm = %.3f; want %.3f", fleetKm, km)
	}
}

func TestPositionPartitions(t *testing.T) {
	ctx := context.Background()
	s, pool := newStore(t)
	if got := partitions(t, pool); len(got) != 0 {
		t.Fatalf("fresh database has partitions %q; want none", got)
	}
	day := time.Date(2026, 2, 10, 12, 0, 0, 0, time.UTC)

	// Many writers racing to create the same days, from separate Stores (as replicas would),
	// on a pool that counts the statements Postgres failed: creators take turns per day, so
	// none fails (and Postgres logs no "already exists").
	cfg := pool.Config().Copy()
	failed := &failedStatements{}
	cfg.ConnConfig.Tracer = failed
	racing, err := pgxpool.NewWithConfig(ctx, cfg)
	must(t, err)
	defer racing.Close()
	var wg sync.WaitGroup
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			other := store.New(racing)
			if err := other.EnsurePositionPartitions(ctx, day, day.AddDate(0, 0, i%3)); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if failed.n > 0 {
		t.Errorf("%d statements failed while creators raced, the first: %v", failed.n, failed.first)
	}
	for d := range 5 {
		_, err := s.InsertPositions(ctx, nil, track("KJA123XY", day.AddDate(0, 0, d), 3))
		must(t, err)
	}
	want := []string{"positions_20260210", "positions_20260211", "positions_20260212", "positions_20260213", "positions_20260214"}
	if got := partitions(t, pool); !slices.Equal(got, want) {
		t.Fatalf("partitions = %q; want %q", got, want)
	}

	dropped, err := s.DropPositionPartitionsBefore(ctx, time.Date(2026, 2, 12, 18, 0, 0, 0, time.UTC))
	must(t, err)
	if !slices.Equal(dropped, want[:2]) {
		t.Errorf("DropPositionPartitionsBefore = %q; want %q", dropped, want[:2])
	}
	if got := partitions(t, pool); !slices.Equal(got, want[2:]) {
		t.Errorf("partitions after retention = %q; want %q", got, want[2:])
	}
	left, err := s.PositionsBetween(ctx, "KJA123XY", day.AddDate(0, 0, -1), day.AddDate(0, 0, 10))
	must(t, err)
	if len(left) != 9 {
		t.Errorf("%d fixes left after retention; want 9", len(left))
	}
	// A late fix for a dropped day recreates its partition instead of failing.
	n, err := s.InsertPositions(ctx, nil, track("KJA123XY", day, 1))
	must(t, err)
	if n != 1 {
		t.Errorf("late fix for a dropped day inserted %d; want 1", n)
	}
}

// BenchmarkInsertPositions applies batches of 500 fixes of 100 trucks, one transaction per
// batch, as an ingest consumer does.
func BenchmarkInsertPositions(b *testing.B) {
	ctx := context.Background()
	s, _ := newStore(b)
	const batch, trucks = 500, 100
	start := time.Now().UTC().Truncate(time.Hour)
	must(b, s.EnsurePositionPartitions(ctx, start, start.Add(24*time.Hour)))
	ps := make([]fleet.Position, batch)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for j := range ps {
			n := i*batch + j
			ps[j] = fleet.Position{Plate: fmt.Sprintf("T%05dLA", n%trucks), IMEI: "086", FixTime: start.Add(time.Duration(n/trucks) * time.Second),
				Point: fleet.Point{Lat: 6.45 + float64(n%trucks)*1e-3, Lng: 3.36}, SpeedKmh: 40, Ignition: true, Source: "bench"}
		}
		err := s.InTx(ctx, func(tx pgx.Tx) error {
			n, err := s.InsertPositions(ctx, tx, ps)
			if err == nil && n != batch {
				err = fmt.Errorf("inserted %d; want %d", n, batch)
			}
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*batch)/b.Elapsed().Seconds(), "positions/s")
}

// failedStatements is a pgx tracer that counts the statements that failed, keeping the first
// error.
type failedStatements struct {
	mu    sync.Mutex
	n     int
	first error
}

func (f *failedStatements) TraceQueryStart(ctx context.Context, _ *pgx.Conn, _ pgx.TraceQueryStartData) context.Context {
	return ctx
}

func (f *failedStatements) TraceQueryEnd(_ context.Context, _ *pgx.Conn, data pgx.TraceQueryEndData) {
	if data.Err == nil {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.n++; f.first == nil {
		f.first = data.Err
	}
}
