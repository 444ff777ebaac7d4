package ingest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/ingest"
	"github.com/watchtower-ops/watchtower/store"
	"github.com/watchtower-ops/watchtower/store/storetest"
)

var (
	siteOrigin = fleet.Site{Code: "APAPA", Name: "Apapa Port", Kind: fleet.SiteTerminal, Point: fleet.Point{Lat: 6.4500, Lng: 3.3600}, RadiusM: 200}
	siteDest   = fleet.Site{Code: "ECLAT", Name: "Eclat Warehouse", Kind: fleet.SiteClient, Point: fleet.Point{Lat: 6.5000, Lng: 3.4000}, RadiusM: 150}
	road       = fleet.Point{Lat: 6.4750, Lng: 3.3800}
)

// rig is a real Postgres database and Redis prefix with two sites and two trucks.
type rig struct {
	rdb    *redis.Client
	prefix string
	keys   fleet.Keys
	st     *store.Store
}

func newRig(t testing.TB) *rig {
	t.Helper()
	pool := storetest.NewDB(t)
	rdb, prefix := storetest.NewRedis(t)
	r := &rig{rdb: rdb, prefix: prefix, keys: fleet.Keys{Prefix: prefix}, st: store.New(pool)}
	ctx := context.Background()
	for _, s := range []fleet.Site{siteOrigin, siteDest} {
		if _, err := r.st.UpsertSite(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []string{"T11985LA", "T28737LA"} {
		if _, err := r.st.CreateTruck(ctx, fleet.Truck{Plate: p, IMEI: "IMEI-" + p}); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

// pos is a decoded position event of plate.
func pos(plate string, fix time.Time, p fleet.Point, kmh float64) ingest.Event {
	return ingest.Event{Type: ingest.TypePosition, Key: ingest.PositionKey("IMEI-"+plate, plate, fix), Received: time.Now().UTC(),
		Position: &fleet.Position{Plate: plate, IMEI: "IMEI-" + plate, FixTime: fix.UTC(), ReceivedAt: time.Now().UTC(),
			Point: p, SpeedKmh: kmh, Ignition: true, Source: "webhook"}}
}

func (r *rig) enqueue(t testing.TB, evs ...ingest.Event) {
	t.Helper()
	if _, _, err := ingest.NewProducer(r.rdb, r.prefix).Enqueue(context.Background(), evs); err != nil {
		t.Fatal(err)
	}
}

func (r *rig) config(name string) ingest.ConsumerConfig {
	return ingest.ConsumerConfig{Prefix: r.prefix, Name: name, Batch: 64, Block: 100 * time.Millisecond,
		ClaimIdle: 100 * time.Millisecond, Thresholds: fleet.DefaultThresholds()}
}

// run starts c and returns a stop function that cancels it and waits for Run to return nil.
func run(t testing.TB, runFn func(context.Context) error) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := runFn(ctx); err != nil {
			t.Errorf("Run returned %v; want nil on shutdown", err)
		}
	}()
	return func() { cancel(); wg.Wait() }
}

// eventually polls cond until it holds, failing t after 30 s. It waits for the system to
// settle; it asserts nothing about speed.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (r *rig) pending(t testing.TB) int64 {
	p, err := r.rdb.XPending(context.Background(), r.keys.Ingest(), ingest.Group).Result()
	if err != nil {
		t.Fatal(err)
	}
	return p.Count
}

func (r *rig) positions(t testing.TB, plate string) int {
	ps, err := r.st.PositionsBetween(context.Background(), plate, time.Now().Add(-48*time.Hour), time.Now().Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	return len(ps)
}

// notifications returns the notify stream decoded.
func (r *rig) notifications(t testing.TB) []fleet.Notification {
	msgs, err := r.rdb.XRange(context.Background(), r.keys.Notify(), "-", "+").Result()
	if err != nil {
		t.Fatal(err)
	}
	out := make([]fleet.Notification, len(msgs))
	for i, m := range msgs {
		if err := json.Unmarshal([]byte(m.Values[ingest.NotifyField].(string)), &out[i]); err != nil {
			t.Fatalf("notify entry %s: %v", m.ID, err)
		}
	}
	return out
}

// events returns the kinds on the events stream.
func (r *rig) events(t testing.TB) []fleet.EventKind {
	msgs, err := r.rdb.XRange(context.Background(), r.keys.Events(), "-", "+").Result()
	if err != nil {
		t.Fatal(err)
	}
	out := make([]fleet.EventKind, len(msgs))
	for i, m := range msgs {
		var e fleet.Event
		if err := json.Unmarshal([]byte(m.Values[ingest.EntryField].(string)), &e); err != nil {
			t.Fatalf("events entry %s: %v", m.ID, err)
		}
		out[i] = e.Kind
	}
	return out
}

func countKind(ns []fleet.Notification, kind fleet.NotificationKind) int {
	n := 0
	for _, x := range ns {
		if x.Kind == kind {
			n++
		}
	}
	return n
}

func fmtKinds(ns []fleet.Notification) string {
	s := ""
	for _, n := range ns {
		s += fmt.Sprintf("%s(%s) ", n.Kind, n.ID)
	}
	return s
}

func fmtFloat(f float64) string { return fmt.Sprintf("%.6f", f) }
