package ingest_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/ingest"
)

func TestConsumerAppliesAndAcknowledges(t *testing.T) {
	r := newRig(t)
	t0 := time.Now().Add(-time.Hour).Truncate(time.Second)
	var evs []ingest.Event
	for i := range 100 {
		plate := []string{"T11985LA", "T28737LA"}[i%2]
		evs = append(evs, pos(plate, t0.Add(time.Duration(i)*time.Second), road, 30))
	}
	r.enqueue(t, evs...)
	stop := run(t, ingest.NewConsumer(r.rdb, r.st, r.config("w1"), nil, quietLog()).Run)
	defer stop()
	eventually(t, "every entry applied and acknowledged", func() bool {
		return r.positions(t, "T11985LA")+r.positions(t, "T28737LA") == 100 && r.pending(t) == 0
	})
	st, err := r.st.TruckState(context.Background(), "T28737LA")
	if err != nil {
		t.Fatal(err)
	}
	if want := t0.Add(99 * time.Second); !st.FixTime.Equal(want) {
		t.Errorf("T28737LA state at %v; want the latest fix %v", st.FixTime, want)
	}
}

func TestConsumerReclaimsFromAKilledWorker(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	t0 := time.Now().Add(-time.Hour).Truncate(time.Second)
	var evs []ingest.Event
	for i := range 20 {
		evs = append(evs, pos("T11985LA", t0.Add(time.Duration(i)*10*time.Second), road, 75)) // one overspeed run
	}
	r.enqueue(t, evs...)
	if err := ingest.EnsureGroup(ctx, r.rdb, r.prefix); err != nil {
		t.Fatal(err)
	}
	// The killed worker read all 20, committed a first batch of 10, and died before XACK.
	res, err := r.rdb.XReadGroup(ctx, &redis.XReadGroupArgs{Group: ingest.Group, Consumer: "killed",
		Streams: []string{r.keys.Ingest(), ">"}, Count: 20}).Result()
	if err != nil || len(res[0].Messages) != 20 {
		t.Fatalf("killed worker read %v, %v; want 20 entries", res, err)
	}
	var half []fleet.Observation
	for _, m := range res[0].Messages[:10] {
		half = append(half, observation(t, m))
	}
	if _, err := r.st.ApplyIngest(ctx, r.keys.Ingest(), half, fleet.DefaultThresholds()); err != nil {
		t.Fatal(err)
	}

	stop := run(t, ingest.NewConsumer(r.rdb, r.st, r.config("alive"), nil, quietLog()).Run)
	defer stop()
	eventually(t, "the killed worker's entries reclaimed", func() bool { return r.pending(t) == 0 })
	if n := r.positions(t, "T11985LA"); n != 20 {
		t.Errorf("history has %d fixes; want 20, each once", n)
	}
	ns := r.notifications(t)
	if got := countKind(ns, fleet.NotifyAlertOpened); got != 1 {
		t.Errorf("overspeed opened notifications = %d (%s); want 1", got, fmtKinds(ns))
	}
	open, err := r.st.OpenAlertByKey(ctx, fleet.IncidentKey(fleet.AlertOverspeed, "T11985LA"))
	if err != nil || open.ID == 0 {
		t.Errorf("overspeed incident: %v; want one open", err)
	}
}

func observation(t testing.TB, m redis.XMessage) fleet.Observation {
	t.Helper()
	evs, err := ingest.DecodeStreamEntry(m)
	if err != nil {
		t.Fatal(err)
	}
	return evs
}

func TestConsumerOutOfOrderFixes(t *testing.T) {
	r := newRig(t)
	t0 := time.Now().Add(-time.Hour).Truncate(time.Second)
	r.enqueue(t, pos("T11985LA", t0.Add(10*time.Minute), siteDest.Point, 0))
	r.enqueue(t, pos("T11985LA", t0, road, 40), pos("T11985LA", t0.Add(5*time.Minute), road, 45))
	stop := run(t, ingest.NewConsumer(r.rdb, r.st, r.config("w1"), nil, quietLog()).Run)
	defer stop()
	eventually(t, "all fixes applied", func() bool { return r.positions(t, "T11985LA") == 3 && r.pending(t) == 0 })
	st, err := r.st.TruckState(context.Background(), "T11985LA")
	if err != nil {
		t.Fatal(err)
	}
	if !st.FixTime.Equal(t0.Add(10*time.Minute)) || st.Point != siteDest.Point {
		t.Errorf("state = %s at %v; want the newest fix, never moved backwards", st.Point, st.FixTime)
	}
}

func TestConsumerDeadLettersPoison(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	t0 := time.Now().Add(-time.Hour).Truncate(time.Second)
	r.enqueue(t, pos("T11985LA", t0, road, 10))
	for _, v := range []map[string]any{{"e": "not json"}, {"x": "no e field"}, {"e": `{"t":"position"}`}} {
		if err := r.rdb.XAdd(ctx, &redis.XAddArgs{Stream: r.keys.Ingest(), Values: v}).Err(); err != nil {
			t.Fatal(err)
		}
	}
	r.enqueue(t, pos("T11985LA", t0.Add(time.Minute), road, 10))
	stop := run(t, ingest.NewConsumer(r.rdb, r.st, r.config("w1"), nil, quietLog()).Run)
	defer stop()
	eventually(t, "poison dead-lettered, the rest applied", func() bool {
		return xlen(t, r.rdb, r.keys.IngestDead()) == 3 && r.positions(t, "T11985LA") == 2 && r.pending(t) == 0
	})
	a, err := r.st.OpenAlertByKey(ctx, ingest.DeadIncident)
	if err != nil || a.Kind != fleet.AlertSystem {
		t.Fatalf("system alert = %+v, %v; want it open", a, err)
	}
	ns := r.notifications(t)
	if countKind(ns, fleet.NotifyAlertOpened) != 1 || countKind(ns, fleet.NotifyAlertUpdated) != 2 {
		t.Errorf("notifications = %s; want the incident opened once and updated twice", fmtKinds(ns))
	}
	dead, err := r.rdb.XRange(ctx, r.keys.IngestDead(), "-", "+").Result()
	if err != nil || dead[0].Values["error"] == "" || dead[0].Values["id"] == "" {
		t.Errorf("dead entry = %+v, %v; want its original id and error", dead, err)
	}
}

// flaky wraps the real store: it fails entries of one plate permanently, or the first calls
// transiently.
type flaky struct {
	ingest.Recorder
	poisonPlate string
	transient   atomic.Int32
}

func (f *flaky) ApplyIngest(ctx context.Context, stream string, obs []fleet.Observation, th fleet.Thresholds) (fleet.IngestOutcome, error) {
	if f.transient.Add(-1) >= 0 {
		return fleet.IngestOutcome{}, fleet.Errorf(fleet.EUNAVAILABLE, "database restarting")
	}
	for _, o := range obs {
		if o.Position != nil && o.Position.Plate == f.poisonPlate {
			return fleet.IngestOutcome{}, errors.New("check constraint violated")
		}
	}
	return f.Recorder.ApplyIngest(ctx, stream, obs, th)
}

func TestConsumerDeadLettersAfterMaxDeliveries(t *testing.T) {
	r := newRig(t)
	t0 := time.Now().Add(-time.Hour).Truncate(time.Second)
	r.enqueue(t, pos("T11985LA", t0, road, 10), pos("T28737LA", t0, road, 10), pos("T11985LA", t0.Add(time.Second), road, 10))
	rec := &flaky{Recorder: r.st, poisonPlate: "T28737LA"}
	stop := run(t, ingest.NewConsumer(r.rdb, rec, r.config("w1"), nil, quietLog()).Run)
	defer stop()
	eventually(t, "the good entries applied around the poison one", func() bool { return r.positions(t, "T11985LA") == 2 })
	eventually(t, "the poison entry dead after 5 deliveries", func() bool { return xlen(t, r.rdb, r.keys.IngestDead()) == 1 })
	dead, err := r.rdb.XRange(context.Background(), r.keys.IngestDead(), "-", "+").Result()
	if err != nil || dead[0].Values["deliveries"] != "5" {
		t.Errorf("dead entry = %+v, %v; want deliveries 5", dead, err)
	}
	eventually(t, "nothing pending", func() bool { return r.pending(t) == 0 })
}

func TestConsumerWaitsOutTransientFailures(t *testing.T) {
	r := newRig(t)
	r.enqueue(t, pos("T11985LA", time.Now().Add(-time.Minute), road, 10))
	rec := &flaky{Recorder: r.st}
	rec.transient.Store(2)
	cfg := r.config("w1")
	cfg.MaxDeliveries = 1 // a transient failure must never count towards dead-lettering
	stop := run(t, ingest.NewConsumer(r.rdb, rec, cfg, nil, quietLog()).Run)
	defer stop()
	eventually(t, "applied once the database is back", func() bool { return r.positions(t, "T11985LA") == 1 && r.pending(t) == 0 })
	if n := xlen(t, r.rdb, r.keys.IngestDead()); n != 0 {
		t.Errorf("dead stream has %d entries; want 0", n)
	}
}

func TestUpkeepSweepsOfflineAndTrims(t *testing.T) {
	r := newRig(t)
	t0 := time.Now().Add(-2 * time.Hour)
	var evs []ingest.Event
	for i := range 300 {
		evs = append(evs, pos("T11985LA", t0.Add(time.Duration(i)*time.Second), road, 0))
	}
	r.enqueue(t, evs...)
	stop := run(t, ingest.NewConsumer(r.rdb, r.st, r.config("w1"), nil, quietLog()).Run)
	eventually(t, "applied", func() bool { return r.positions(t, "T11985LA") == 300 && r.pending(t) == 0 })
	stop()
	// Within the start-up grace the silent truck is not declared offline yet.
	grace := ingest.NewUpkeep(r.rdb, r.st, ingest.UpkeepConfig{Prefix: r.prefix, Thresholds: fleet.DefaultThresholds(),
		SweepFrom: time.Now().Add(time.Minute)}, nil, quietLog())
	grace.Once(context.Background(), time.Now())
	if ns := r.notifications(t); len(ns) != 0 {
		t.Errorf("notifications during the start-up grace = %s; want none", fmtKinds(ns))
	}
	u := ingest.NewUpkeep(r.rdb, r.st, ingest.UpkeepConfig{Prefix: r.prefix, Thresholds: fleet.DefaultThresholds()}, nil, quietLog())
	u.Once(context.Background(), time.Now())
	ns := r.notifications(t)
	if len(ns) != 1 || ns[0].Alert == nil || ns[0].Alert.Kind != fleet.AlertOffline {
		t.Errorf("notifications after upkeep = %s; want one offline incident", fmtKinds(ns))
	}
	if n := xlen(t, r.rdb, r.keys.Ingest()); n >= 300 {
		t.Errorf("ingest stream still holds %d entries; want the finished ones trimmed", n)
	}
}

func TestConsumerSurvivesRedisDownAndAStreamReset(t *testing.T) {
	down := redis.NewClient(&redis.Options{Addr: closedAddr(t), MaxRetries: -1, DialTimeout: 100 * time.Millisecond})
	defer down.Close()
	r := newRig(t)
	cfg := r.config("w1")
	stop := run(t, ingest.NewConsumer(down, r.st, cfg, nil, quietLog()).Run)
	time.Sleep(300 * time.Millisecond) // it keeps retrying; stop must still return nil
	stop()

	stop = run(t, ingest.NewConsumer(r.rdb, r.st, cfg, nil, quietLog()).Run)
	defer stop()
	r.enqueue(t, pos("T11985LA", time.Now().Add(-time.Hour), road, 10))
	eventually(t, "the first fix applied", func() bool { return r.positions(t, "T11985LA") == 1 })
	if err := r.rdb.Del(context.Background(), r.keys.Ingest()).Err(); err != nil { // an operator wipes the stream
		t.Fatal(err)
	}
	eventually(t, "the group recreated", func() bool {
		g, err := r.rdb.XInfoGroups(context.Background(), r.keys.Ingest()).Result()
		return err == nil && len(g) == 1
	})
	r.enqueue(t, pos("T11985LA", time.Now().Add(-time.Minute), road, 10))
	eventually(t, "fixes applied after the reset", func() bool { return r.positions(t, "T11985LA") == 2 })
}

// overlapping records how many ApplyIngest calls run at once, at most.
type overlapping struct {
	ingest.Recorder
	now, most atomic.Int32
}

func (o *overlapping) ApplyIngest(ctx context.Context, stream string, obs []fleet.Observation, th fleet.Thresholds) (fleet.IngestOutcome, error) {
	n := o.now.Add(1)
	defer o.now.Add(-1)
	for m := o.most.Load(); n > m && !o.most.CompareAndSwap(m, n); m = o.most.Load() {
	}
	time.Sleep(20 * time.Millisecond) // long enough for two workers to meet
	return o.Recorder.ApplyIngest(ctx, stream, obs, th)
}

// TestConsumersTakeTurnsAtATrickle runs two workers: fed a few fixes at a time (short reads)
// they apply one batch at a time, and given a backlog of full batches both apply at once.
func TestConsumersTakeTurnsAtATrickle(t *testing.T) {
	r := newRig(t)
	rec := &overlapping{Recorder: r.st}
	for w := range 2 {
		cfg := r.config(fmt.Sprintf("w%d", w))
		// Batches of 100: the whole trickle below is 80 fixes, so no read of it can come back
		// full (a full batch means a backlog, and is applied beside the other worker's).
		cfg.Batch, cfg.Linger, cfg.Block = 100, -1, 20*time.Millisecond
		defer run(t, ingest.NewConsumer(r.rdb, rec, cfg, nil, quietLog()).Run)()
	}
	base := time.Now().Add(-time.Hour)
	for i := range 40 { // a trickle: two fixes every 5 ms, far below a batch
		r.enqueue(t, pos("T11985LA", base.Add(time.Duration(2*i)*time.Second), road, 10),
			pos("T28737LA", base.Add(time.Duration(2*i)*time.Second), road, 10))
		time.Sleep(5 * time.Millisecond)
	}
	eventually(t, "the trickle applied", func() bool { return r.positions(t, "T11985LA") == 40 && r.pending(t) == 0 })
	if m := rec.most.Load(); m != 1 {
		t.Errorf("at a trickle up to %d batches were applied at once; want 1", m)
	}
	var backlog []ingest.Event
	for i := range 400 {
		backlog = append(backlog, pos("T11985LA", base.Add(time.Duration(100+i)*time.Second), road, 10))
	}
	r.enqueue(t, backlog...)
	eventually(t, "the backlog applied", func() bool { return r.positions(t, "T11985LA") == 440 && r.pending(t) == 0 })
	if m := rec.most.Load(); m != 2 {
		t.Errorf("with a backlog up to %d batches were applied at once; want 2", m)
	}
}

// TestTurnsArePerStream: a worker waiting for entries on an idle stream holds its turn, and
// must not hold up the workers of another stream (another prefix) in the same process.
func TestTurnsArePerStream(t *testing.T) {
	idle, busy := newRig(t), newRig(t)
	cfg := idle.config("idle")
	cfg.Block = time.Minute // far beyond eventually's 30 s: a shared turn would fail the test
	stopIdle := run(t, ingest.NewConsumer(idle.rdb, idle.st, cfg, nil, quietLog()).Run)
	time.Sleep(200 * time.Millisecond) // the idle worker is now blocked in its read, holding its turn
	defer run(t, ingest.NewConsumer(busy.rdb, busy.st, busy.config("busy"), nil, quietLog()).Run)()
	base := time.Now().Add(-time.Hour)
	busy.enqueue(t, pos("T11985LA", base, road, 10), pos("T11985LA", base.Add(time.Second), road, 10))
	eventually(t, "the other stream's fixes applied", func() bool { return busy.positions(t, "T11985LA") == 2 })
	stopped := make(chan struct{})
	go func() { stopIdle(); close(stopped) }()
	idle.enqueue(t, pos("T28737LA", base, road, 10)) // a blocked read ends only when an entry comes
	<-stopped
}
