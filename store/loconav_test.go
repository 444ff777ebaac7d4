package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/store"
)

// loconavTruck is the roster entry LocoNav gives for plate.
func loconavTruck(plate, uuid, imei string) fleet.Truck {
	return fleet.Truck{Plate: plate, VehicleUUID: uuid, IMEI: imei, Brand: "MAN"}
}

func TestImportLoconavVehicle(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	addTrucks(t, s, "T28737LA") // rostered by hand, not linked to LocoNav yet

	for _, tc := range []struct {
		name, number string
		truck        fleet.Truck
		want         string
	}{
		{"new vehicle", "T11985LA", loconavTruck("T11985LA", "uuid-1", "356001"), store.LoconavCreated},
		{"same again", "T11985LA", loconavTruck("T11985LA", "uuid-1", "356001"), store.LoconavUnchanged},
		{"rostered plate learns its vehicle", "T-28737-LA", loconavTruck("T28737LA", "uuid-2", "356002"), store.LoconavUpdated},
		{"device swapped", "T11985LA", loconavTruck("T11985LA", "uuid-1", "356009"), store.LoconavUpdated},
		{"renamed in LocoNav keeps our plate", "T11985LB", loconavTruck("T11985LB", "uuid-1", "356009"), store.LoconavUpdated},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.ImportLoconavVehicle(ctx, tc.truck, tc.number)
			must(t, err)
			if got != tc.want {
				t.Errorf("ImportLoconavVehicle(%s) = %q; want %q", tc.truck.Plate, got, tc.want)
			}
		})
	}
	tr, err := s.TruckByVehicleUUID(ctx, "uuid-1")
	must(t, err)
	if tr.Plate != "T11985LA" || tr.IMEI != "356009" || tr.Status != fleet.TruckOperational || tr.Brand != "MAN" {
		t.Errorf("uuid-1 = %+v; want T11985LA, IMEI 356009, operational, MAN", tr)
	}
	n, err := s.LoconavVehicleNumber(ctx, "T28737LA")
	must(t, err)
	if n != "T-28737-LA" {
		t.Errorf("LoconavVehicleNumber(T28737LA) = %q; want LocoNav's spelling T-28737-LA", n)
	}
	tr, err = s.TruckByPlate(ctx, "T28737LA")
	must(t, err)
	if tr.Company != "Acme" || tr.VehicleUUID != "uuid-2" {
		t.Errorf("T28737LA = %+v; want its company kept and uuid-2 set", tr)
	}
	_, err = s.ImportLoconavVehicle(ctx, loconavTruck("T28737LA", "uuid-3", ""), "T28737LA")
	wantCode(t, "ImportLoconavVehicle(plate of another LocoNav vehicle)", err, fleet.ECONFLICT)
	_, err = s.ImportLoconavVehicle(ctx, loconavTruck("T28737LA", "", ""), "T28737LA")
	wantCode(t, "ImportLoconavVehicle(no uuid)", err, fleet.EINVALID)
}

// TestImportLoconavAdoptsUnrostered: a device that reported before the roster import becomes
// the rostered truck, keeping its latest state and position history under the new plate.
func TestImportLoconavAdoptsUnrostered(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	ghost, created, err := s.RegisterUnrostered(ctx, "", "356777")
	must(t, err)
	if !created || ghost.Plate != "IMEI356777" {
		t.Fatalf("RegisterUnrostered = %+v, %v; want a new IMEI356777", ghost, created)
	}
	fix := time.Now().UTC().Add(-time.Hour).Truncate(time.Second)
	pos := fleet.Position{Plate: ghost.Plate, IMEI: "356777", FixTime: fix, ReceivedAt: fix, Point: fleet.Point{Lat: 6.45, Lng: 3.39}}
	_, err = s.InsertPositions(ctx, nil, []fleet.Position{pos})
	must(t, err)
	_, err = s.UpsertTruckState(ctx, nil, fleet.TruckState{Plate: ghost.Plate, IMEI: "356777", FixTime: fix, ReceivedAt: fix, Point: pos.Point})
	must(t, err)

	got, err := s.ImportLoconavVehicle(ctx, loconavTruck("KJA123AB", "uuid-9", "356777"), "KJA-123-AB")
	must(t, err)
	if got != store.LoconavMatched {
		t.Errorf("ImportLoconavVehicle(unrostered device) = %q; want %q", got, store.LoconavMatched)
	}
	tr, err := s.TruckByIMEI(ctx, "356777")
	must(t, err)
	if tr.ID != ghost.ID || tr.Plate != "KJA123AB" || tr.Status != fleet.TruckOperational || tr.VehicleUUID != "uuid-9" {
		t.Errorf("adopted truck = %+v; want truck %d as KJA123AB, operational, uuid-9", tr, ghost.ID)
	}
	st, err := s.TruckState(ctx, "KJA123AB")
	must(t, err)
	if !st.FixTime.Equal(fix) {
		t.Errorf("state of KJA123AB fix = %s; want %s carried over", st.FixTime, fix)
	}
	ps, err := s.PositionsBetween(ctx, "KJA123AB", fix.Add(-time.Minute), fix.Add(time.Minute))
	must(t, err)
	if len(ps) != 1 {
		t.Errorf("positions of KJA123AB = %d; want the unrostered history (1)", len(ps))
	}
}

// TestImportLoconavArchivesPlaceholder: when the roster already has the plate, the placeholder
// telematics created for its device is archived and the device moves to the rostered truck.
func TestImportLoconavArchivesPlaceholder(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	addTrucks(t, s, "T11985LA")
	ghost, _, err := s.RegisterUnrostered(ctx, "", "356001")
	must(t, err)
	got, err := s.ImportLoconavVehicle(ctx, loconavTruck("T11985LA", "uuid-1", "356001"), "T11985LA")
	must(t, err)
	if got != store.LoconavUpdated {
		t.Errorf("outcome = %q; want %q", got, store.LoconavUpdated)
	}
	tr, err := s.TruckByIMEI(ctx, "356001")
	must(t, err)
	if tr.Plate != "T11985LA" {
		t.Errorf("device 356001 is on %s; want T11985LA", tr.Plate)
	}
	old, err := s.TruckByPlate(ctx, ghost.Plate)
	must(t, err)
	if old.ArchivedAt == nil || old.IMEI != "" {
		t.Errorf("placeholder %s = %+v; want archived without a device", ghost.Plate, old)
	}
}

func TestSilentVehicles(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	now := time.Now().UTC().Truncate(time.Second)
	for i, p := range []string{"T10001LA", "T10002LA", "T10003LA"} {
		_, err := s.ImportLoconavVehicle(ctx, loconavTruck(p, "uuid-"+p, "35600"+string(rune('1'+i))), p)
		must(t, err)
	}
	addTrucks(t, s, "T99999LA") // not in LocoNav: never polled
	for plate, age := range map[string]time.Duration{"T10001LA": time.Minute, "T10002LA": time.Hour} {
		_, err := s.UpsertTruckState(ctx, nil, fleet.TruckState{Plate: plate, FixTime: now.Add(-age), ReceivedAt: now,
			Point: fleet.Point{Lat: 6.5, Lng: 3.4}})
		must(t, err)
	}
	got, err := s.SilentVehicles(ctx, now.Add(-10*time.Minute))
	must(t, err)
	if len(got) != 2 {
		t.Fatalf("SilentVehicles = %v; want T10002LA (an hour old) and T10003LA (never reported)", got)
	}
	if st := got["uuid-T10002LA"]; st.Plate != "T10002LA" || !st.FixTime.Equal(now.Add(-time.Hour)) || st.IMEI != "356002" {
		t.Errorf("SilentVehicles[uuid-T10002LA] = %+v; want its plate, IMEI and last fix", st)
	}
	if st := got["uuid-T10003LA"]; st.Plate != "T10003LA" || !st.FixTime.IsZero() {
		t.Errorf("SilentVehicles[uuid-T10003LA] = %+v; want a zero fix time", st)
	}
}

func TestLoconavPushLedger(t *testing.T) {
	ctx := context.Background()
	s, dep := tripFixture(t)
	pending, err := s.CreateTrip(ctx, tripAt("T11985LA", dep), dispatcher)
	must(t, err)
	approved, err := s.CreateTrip(ctx, tripAt("T28737LA", dep), dispatcher)
	must(t, err)
	_, err = s.TransitionTrip(ctx, approved.Code, dispatcher, "trip.approve", func(tr fleet.Trip) (fleet.Trip, error) {
		return tr.Approve(dispatcher.ID, time.Now().UTC())
	})
	must(t, err)

	now := time.Now().UTC()
	claimed, err := s.ClaimLoconavPushes(ctx, now, time.Minute, 10)
	must(t, err)
	if len(claimed) != 1 || claimed[0].Code != approved.Code {
		t.Fatalf("ClaimLoconavPushes = %v; want only the approved %s (not the pending %s)", codes(claimed), approved.Code, pending.Code)
	}
	if again, err := s.ClaimLoconavPushes(ctx, now, time.Minute, 10); err != nil || len(again) != 0 {
		t.Fatalf("second claim within the lease = %v, %v; want nothing", codes(again), err)
	}

	attempts, err := s.FailLoconavPush(ctx, approved.Code, "LocoNav is unreachable", func(n int) time.Time { return now.Add(time.Duration(n) * time.Hour) })
	must(t, err)
	p, err := s.LoconavPushOf(ctx, approved.Code)
	must(t, err)
	if attempts != 1 || p.Attempts != 1 || p.State != store.PushNotYet || !p.NextAt.Equal(now.Add(time.Hour).Truncate(time.Microsecond)) || p.LastError == "" {
		t.Errorf("after a failure: attempts %d, push %+v; want 1 attempt, due in an hour, with the error", attempts, p)
	}
	if got, _ := s.ClaimLoconavPushes(ctx, now.Add(30*time.Minute), time.Minute, 10); len(got) != 0 {
		t.Errorf("claim before the retry time = %v; want nothing", codes(got))
	}
	if got, _ := s.ClaimLoconavPushes(ctx, now.Add(2*time.Hour), time.Minute, 10); len(got) != 1 {
		t.Errorf("claim after the retry time = %v; want %s", codes(got), approved.Code)
	}

	must(t, s.MarkLoconavCreated(ctx, approved.Code, "4982601"))
	must(t, s.MarkLoconavPushed(ctx, approved.Code, "https://loconav.com/track-a-trip/x"))
	tr, err := s.TripByCode(ctx, approved.Code)
	must(t, err)
	if tr.LoconavTripID != "4982601" || tr.TrackingURL != "https://loconav.com/track-a-trip/x" {
		t.Errorf("trip after push = id %q url %q; want both stored", tr.LoconavTripID, tr.TrackingURL)
	}
	if got, _ := s.ClaimLoconavPushes(ctx, now.Add(3*time.Hour), time.Minute, 10); len(got) != 0 {
		t.Errorf("claim after the push = %v; want nothing", codes(got))
	}

	_, err = s.TransitionTrip(ctx, approved.Code, dispatcher, "trip.cancel", func(tr fleet.Trip) (fleet.Trip, error) {
		return tr.Cancel(dispatcher.ID, "client postponed", time.Now().UTC())
	})
	must(t, err)
	if got, _ := s.ClaimLoconavPushes(ctx, now, time.Minute, 10); len(got) != 1 || got[0].Status != fleet.TripCancelled {
		t.Fatalf("claim after cancelling = %v; want the cancelled trip, to delete in LocoNav", codes(got))
	}
	must(t, s.MarkLoconavCancelled(ctx, approved.Code))
	if got, _ := s.ClaimLoconavPushes(ctx, now.Add(4*time.Hour), time.Minute, 10); len(got) != 0 {
		t.Errorf("claim after the LocoNav delete = %v; want nothing", codes(got))
	}
	wantCode(t, "MarkLoconavPushed(unknown)", s.MarkLoconavPushed(ctx, "TRP-9999", "x"), fleet.ENOTFOUND)
	_, err = s.FailLoconavPush(ctx, "TRP-9999", "x", func(int) time.Time { return now })
	wantCode(t, "FailLoconavPush(unknown)", err, fleet.ENOTFOUND)
}

func codes(ts []fleet.Trip) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Code
	}
	return out
}
