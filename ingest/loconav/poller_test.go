package loconav_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/ingest"
	"github.com/watchtower-ops/watchtower/ingest/loconav"
	"github.com/watchtower-ops/watchtower/ingest/loconav/loconavfake"
)

// TestPollSilentTruckReachesState: LocoNav's last known fix of a truck whose webhooks went
// silent goes through the ingest stream and the real consumer into truck_state.
func TestPollSilentTruckReachesState(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, testVehicle(1), testVehicle(2), testVehicle(3), testVehicle(4))
	e.importRoster(t)
	now := time.Now().UTC().Truncate(time.Second)
	lagos := fleet.Point{Lat: 6.4478, Lng: 3.3680}
	state := func(plate string, age time.Duration) {
		t.Helper()
		if _, err := e.store.UpsertTruckState(ctx, nil, fleet.TruckState{Plate: plate, FixTime: now.Add(-age), ReceivedAt: now.Add(-age), Point: lagos}); err != nil {
			t.Fatal(err)
		}
	}
	state("T10001LA", time.Minute)    // reporting: not polled
	state("T10002LA", time.Hour)      // silent: LocoNav has a newer fix
	state("T10004LA", 30*time.Minute) // silent: LocoNav's fix is older than ours
	fresh := now.Add(-2 * time.Minute)
	e.fake.SetLocation("uuid-1", loconavfake.Location{Lat: 6.5, Lng: 3.3, FixTime: now})
	e.fake.SetLocation("uuid-2", loconavfake.Location{Lat: 6.4383, Lng: 3.3436, SpeedKmh: 37, Heading: 90, Ignition: true, FixTime: fresh})
	e.fake.SetLocation("uuid-3", loconavfake.Location{Lat: 6.6050, Lng: 3.3490, FixTime: now.Add(-3 * time.Minute)}) // never reported
	e.fake.SetLocation("uuid-4", loconavfake.Location{Lat: 6.7, Lng: 3.5, FixTime: now.Add(-40 * time.Minute)})

	p := loconav.NewPoller(e.client, e.store, ingest.NewProducer(e.rdb, e.prefix), 0, e.log)
	rep, err := p.Check(ctx, now)
	if err != nil {
		t.Fatalf("Check: %v", err)
	}
	want := loconav.PollReport{Silent: 3, Answered: 3, Fresh: 2, Accepted: 2}
	if diff := cmp.Diff(want, rep); diff != "" {
		t.Errorf("Check, -want +got:\n%s", diff)
	}
	req := e.fake.RequestsTo(loconavfake.RouteLastKnown)
	if len(req) != 1 || req[0].Query.Get("perPage") != "3" {
		t.Fatalf("last_known requests = %+v; want one with perPage=3", req)
	}
	var body struct{ VehicleIDs, Sensors []string }
	if err := json.Unmarshal(req[0].Body, &body); err != nil || len(body.VehicleIDs) != 3 || body.Sensors[0] != "gps" {
		t.Errorf("last_known body = %s; want the three silent UUIDs and the gps sensor", req[0].Body)
	}
	checkIngestEntries(t, e, "T10002LA", fresh)

	runConsumer(t, e)
	st := waitForFix(t, e, "T10002LA", fresh)
	if st.SpeedKmh != 37 || st.Heading != 90 || !st.Ignition || st.Point != (fleet.Point{Lat: 6.4383, Lng: 3.3436}) {
		t.Errorf("T10002LA state = %+v; want LocoNav's speed, heading, ignition and point", st)
	}
	waitForFix(t, e, "T10003LA", now.Add(-3*time.Minute))
	if st, _ := e.store.TruckState(ctx, "T10004LA"); !st.FixTime.Equal(now.Add(-30 * time.Minute)) {
		t.Errorf("T10004LA fix = %s; want ours kept (LocoNav's is older)", st.FixTime)
	}

	rep, err = p.Check(ctx, now)
	if err != nil || rep.Silent != 1 || rep.Fresh != 0 {
		t.Errorf("second Check = %+v, %v; want only T10004LA silent and nothing new", rep, err)
	}
}

// checkIngestEntries asserts the stream holds webhook-shaped position events from the poll.
func checkIngestEntries(t *testing.T, e *env, plate string, fix time.Time) {
	t.Helper()
	msgs, err := e.rdb.XRange(context.Background(), fleet.Keys{Prefix: e.prefix}.Ingest(), "-", "+").Result()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range msgs {
		var ev ingest.Event
		if err := json.Unmarshal([]byte(m.Values[ingest.EntryField].(string)), &ev); err != nil {
			t.Fatalf("entry %s: %v", m.ID, err)
		}
		if ev.Position == nil || ev.Position.Plate != plate {
			continue
		}
		p := ev.Position
		if ev.Type != ingest.TypePosition || ev.Key != ingest.PositionKey(p.IMEI, plate, fix) || p.Source != loconav.PollSource ||
			!p.FixTime.Equal(fix) || p.IMEI == "" || p.Cell == 0 {
			t.Errorf("entry for %s = %+v / %+v; want a position event keyed like a webhook's, source poll", plate, ev, p)
		}
		return
	}
	t.Errorf("no ingest entry for %s among %d", plate, len(msgs))
}

// runConsumer runs one ingest consumer worker until the test ends.
func runConsumer(t *testing.T, e *env) {
	ctx, cancel := context.WithCancel(context.Background())
	c := ingest.NewConsumer(e.rdb, e.store, ingest.ConsumerConfig{Prefix: e.prefix, Name: "test",
		Block: 100 * time.Millisecond, Thresholds: fleet.DefaultThresholds()}, nil, e.log)
	done := make(chan struct{})
	go func() {
		defer close(done)
		c.Run(ctx)
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
}

// waitForFix waits until the state of plate has the fix time fix and returns it.
func waitForFix(t *testing.T, e *env, plate string, fix time.Time) fleet.TruckState {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		st, err := e.store.TruckState(context.Background(), plate)
		if err == nil && st.FixTime.Equal(fix) {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("state of %s = %+v (%v); want fix %s from the poll", plate, st, err, fix)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
