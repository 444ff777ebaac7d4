package main

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/ingest"
	"github.com/watchtower-ops/watchtower/store"
	"github.com/watchtower-ops/watchtower/store/storetest"
)

// TestRunJobConnectivityFreshProcess: `run-job connectivity` builds everything afresh, as a
// cron run in a new process does. The start-up grace comes from when ingest started
// observing (stored in Redis), not from the process start, so the first run opens one
// incident per stale truck, the second none, and a run just after ingest came back none.
func TestRunJobConnectivityFreshProcess(t *testing.T) {
	ctx := context.Background()
	pool := storetest.NewDB(t)
	rdb, prefix := storetest.NewRedis(t)
	st := store.New(pool)
	now := time.Now().UTC()
	for plate, age := range map[string]time.Duration{"T10001LA": 2 * time.Hour, "T20002LA": 45 * time.Minute, "T30003LA": time.Minute} {
		if _, err := st.CreateTruck(ctx, fleet.Truck{Plate: plate, Status: fleet.TruckOperational}); err != nil {
			t.Fatal(err)
		}
		if _, err := st.UpsertTruckState(ctx, nil, fleet.TruckState{Plate: plate, FixTime: now.Add(-age), ReceivedAt: now.Add(-age)}); err != nil {
			t.Fatal(err)
		}
	}
	env := map[string]string{"DATABASE_URL": storetest.URL(pool), "REDIS_URL": testRedisURL(), "REDIS_PREFIX": prefix}
	openOffline := func() []string {
		t.Helper()
		rows, err := pool.Query(ctx, `SELECT plate FROM alerts WHERE kind = 'offline' AND resolved_at IS NULL ORDER BY plate`)
		if err != nil {
			t.Fatal(err)
		}
		var plates []string
		for rows.Next() {
			var p string
			if err := rows.Scan(&p); err != nil {
				t.Fatal(err)
			}
			plates = append(plates, p)
		}
		return plates
	}
	runJob := func(when string) {
		t.Helper()
		code, out, stderr := runCmd(t, env, "run-job", "connectivity")
		if code != 0 || !strings.HasPrefix(out, "connectivity: ok in ") {
			t.Fatalf("%s: run-job connectivity: exit %d, stdout %q, stderr %q; want ok", when, code, out, lastLine(stderr))
		}
	}

	// Ingest came back a minute ago: within the grace nothing opens.
	obs := ingest.NewObserver(rdb, prefix, time.Hour)
	if err := obs.Mark(ctx, now.Add(-time.Minute)); err != nil {
		t.Fatal(err)
	}
	runJob("within the grace")
	if got := openOffline(); len(got) != 0 {
		t.Errorf("open offline incidents within the grace = %v; want none", got)
	}

	// Ingest has been observing for an hour: both stale trucks get one incident, once.
	if err := rdb.Del(ctx, fleet.Keys{Prefix: prefix}.Observing()).Err(); err != nil {
		t.Fatal(err)
	}
	if err := obs.Mark(ctx, now.Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	runJob("first run")
	want := []string{"T10001LA", "T20002LA"}
	if got := openOffline(); !slices.Equal(got, want) {
		t.Errorf("open offline incidents after the first run = %v; want %v", got, want)
	}
	runJob("second run")
	if got := openOffline(); !slices.Equal(got, want) {
		t.Errorf("open offline incidents after the second run = %v; want still %v", got, want)
	}
	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM alerts WHERE kind = 'offline'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("offline incidents = %d; want 2 (one per stale truck)", n)
	}
}

// TestCLIFailureIsASentence: an internal failure prints a sentence with a reference ID that
// the detailed log line also carries, never internal error text.
func TestCLIFailureIsASentence(t *testing.T) {
	pool := storetest.NewDB(t)
	env := map[string]string{"DATABASE_URL": storetest.URL(pool), "REDIS_URL": "redis://127.0.0.1:1/0", "REDIS_PREFIX": "wt-test-none"}
	code, out, stderr := runCmd(t, env, "run-job", "connectivity")
	last := lastLine(stderr)
	if code != 1 || !strings.HasPrefix(last, "watchtower: that did not work (reference WT-") || strings.Contains(last, "code=") {
		t.Fatalf("run-job with Redis down: exit %d, stdout %q, last line %q; want exit 1 and a sentence with a reference", code, out, last)
	}
	ref := last[strings.Index(last, "WT-"):strings.Index(last, ")")]
	if !strings.Contains(stderr, "ref="+ref) {
		t.Errorf("stderr %q lacks the log line with ref=%s", stderr, ref)
	}
}
