package schedule

import (
	"context"
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/store"
	"github.com/watchtower-ops/watchtower/store/storetest"
)

const day = 24 * time.Hour

// TestCleanup seeds one record just past and one within each retention, runs cleanup, and
// checks only the old ones are gone, in Postgres and in Redis.
func TestCleanup(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	rdb, prefix := storetest.NewRedis(t)
	now := at(2025, 11, 24, 2, 0)
	seedCleanupDB(t, s, now)
	seedCleanupRedis(t, rdb, prefix, now)

	job := &Cleanup{Partitions: s, Pruner: s, Runs: s, Location: lagos,
		Trimmer: RedisTrimmer{RDB: rdb, Prefix: prefix, SeenTTL: time.Hour}}
	must(t, job.Run(ctx, now))
	must(t, job.Run(ctx, now)) // idempotent

	if ps, err := s.PositionsBetween(ctx, "T1AAA", now.Add(-60*day), now); err != nil || len(ps) != 1 {
		t.Errorf("positions left = %d (%v); want the one of 5 days ago", len(ps), err)
	}
	alerts, err := s.ListAlerts(ctx, store.AlertFilter{})
	must(t, err)
	if len(alerts) != 2 {
		t.Errorf("alerts left = %d; want the old open one and the recent resolved one", len(alerts))
	}
	trips, err := s.ListTrips(ctx, store.TripFilter{})
	must(t, err)
	if len(trips) != 1 {
		t.Errorf("trips left = %d; want the recent one", len(trips))
	}
	metrics, err := s.DailyMetrics(ctx, now.Add(-500*day), now, "")
	must(t, err)
	if len(metrics) != 1 {
		t.Errorf("daily metrics left = %d; want the recent one", len(metrics))
	}
	runs, err := s.LastJobRuns(ctx)
	must(t, err)
	if _, ok := runs["old-job"]; ok || len(runs) != 1 {
		t.Errorf("job runs left = %v; want only the recent one", runs)
	}
	checkCleanupRedis(t, rdb, prefix)
}

func seedCleanupDB(t *testing.T, s *store.Store, now time.Time) {
	t.Helper()
	ctx := context.Background()
	seedSite(t, s, "APAPA", apapa)
	seedSite(t, s, "ECLAT", eclat)
	seedTruck(t, s, "T1AAA", fleet.TruckOperational)
	seedFixes(t, s, "T1AAA", now.Add(-40*day), time.Minute, 0, false, apapa)
	seedFixes(t, s, "T1AAA", now.Add(-5*day), time.Minute, 0, false, apapa)
	for _, a := range []struct {
		key      string
		opened   time.Duration
		resolved time.Duration
	}{{"idle:old", 100 * day, 99 * day}, {"idle:old-open", 100 * day, 0}, {"idle:recent", 10 * day, 9 * day}} {
		_, _, err := s.OpenAlert(ctx, fleet.Alert{Kind: fleet.AlertIdle, IncidentKey: a.key, OpenedAt: now.Add(-a.opened)})
		must(t, err)
		if a.resolved > 0 {
			_, err := s.ResolveAlert(ctx, a.key, now.Add(-a.resolved))
			must(t, err)
		}
	}
	for _, age := range []time.Duration{200 * day, 10 * day} {
		dep := now.Add(-age).UTC()
		seedTrip(t, s, fleet.Trip{Plate: "T1AAA", Origin: "APAPA", Destination: "ECLAT", Status: fleet.TripCompleted,
			ScheduledDeparture: dep, DepartedAt: ptr(dep), ArrivedAt: ptr(dep.Add(time.Hour)), CompletedAt: ptr(dep.Add(2 * time.Hour))})
	}
	data, _ := json.Marshal(map[string]int{"x": 1})
	must(t, s.SaveDailyMetrics(ctx, fleet.Day(now.Add(-400*day), lagos), "T1AAA", data))
	must(t, s.SaveDailyMetrics(ctx, fleet.Day(now.Add(-10*day), lagos), "T1AAA", data))
	for job, age := range map[string]time.Duration{"old-job": 100 * day, "recent-job": day} {
		_, err := s.ClaimJobRun(ctx, job, now.Add(-age), "r")
		must(t, err)
	}
}

func streamID(t time.Time) string { return strconv.FormatInt(t.UnixMilli(), 10) + "-0" }

func seedCleanupRedis(t *testing.T, rdb *redis.Client, prefix string, now time.Time) {
	t.Helper()
	ctx := context.Background()
	for _, key := range []string{fleet.Keys{Prefix: prefix}.Ingest(), fleet.Keys{Prefix: prefix}.Notify(), fleet.Keys{Prefix: prefix}.NotifyDead()} {
		for _, age := range []time.Duration{40 * day, 10 * day, day} {
			must(t, rdb.XAdd(ctx, &redis.XAddArgs{Stream: key, ID: streamID(now.Add(-age)), Values: []any{"e", "{}"}}).Err())
		}
	}
	must(t, rdb.Set(ctx, fleet.Keys{Prefix: prefix}.SeenAlert("orphan"), "1", 0).Err())
	must(t, rdb.Set(ctx, fleet.Keys{Prefix: prefix}.NotifySeen("x"), "1", 0).Err())
	must(t, rdb.Set(ctx, fleet.Keys{Prefix: prefix}.SeenAlert("kept"), "1", 5*time.Minute).Err())
}

func checkCleanupRedis(t *testing.T, rdb *redis.Client, prefix string) {
	t.Helper()
	ctx := context.Background()
	for key, want := range map[string]int64{fleet.Keys{Prefix: prefix}.Ingest(): 1, fleet.Keys{Prefix: prefix}.Notify(): 1, fleet.Keys{Prefix: prefix}.NotifyDead(): 2} {
		if n, err := rdb.XLen(ctx, key).Result(); err != nil || n != want {
			t.Errorf("XLEN %s = %d (%v); want %d", key, n, err, want)
		}
	}
	for key, want := range map[string]time.Duration{fleet.Keys{Prefix: prefix}.SeenAlert("orphan"): time.Hour,
		fleet.Keys{Prefix: prefix}.NotifySeen("x"): time.Hour, fleet.Keys{Prefix: prefix}.SeenAlert("kept"): 5 * time.Minute} {
		ttl, err := rdb.TTL(ctx, key).Result()
		if err != nil || ttl <= 0 || ttl > want {
			t.Errorf("TTL %s = %v (%v); want at most %v", key, ttl, err, want)
		}
	}
}
