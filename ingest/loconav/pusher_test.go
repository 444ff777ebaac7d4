package loconav_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/ingest"
	"github.com/watchtower-ops/watchtower/ingest/loconav"
	"github.com/watchtower-ops/watchtower/ingest/loconav/loconavfake"
	"github.com/watchtower-ops/watchtower/store"
)

var dispatcher = fleet.Actor{ID: "U0DISPATCH", Name: "Bola", Via: "slack"}

// pushEnv is an env with two sites and a LocoNav vehicle whose number LocoNav spells
// "T-20001-LA" (trips must use that spelling), plus an approved trip for it.
func pushEnv(t *testing.T) (*env, *loconav.TripPusher, fleet.Trip) {
	t.Helper()
	ctx := context.Background()
	e := newEnv(t, loconavfake.Vehicle{Number: "T-20001-LA", UUID: "uuid-20001", Serial: "356020001"})
	for _, s := range []fleet.Site{
		{Code: "TINCAN", Name: "Tin Can Island Port", Kind: fleet.SiteTerminal, Point: fleet.Point{Lat: 6.4383, Lng: 3.3436}, RadiusM: 300},
		{Code: "ECLAT", Name: "Eclat Warehouse Ikeja", Kind: fleet.SiteClient, Point: fleet.Point{Lat: 6.605, Lng: 3.349}, RadiusM: 150},
	} {
		if _, err := e.store.UpsertSite(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	e.importRoster(t)
	dep := time.Now().UTC().Add(24 * time.Hour).Truncate(time.Hour)
	trip, err := e.store.CreateTrip(ctx, fleet.Trip{Plate: "T20001LA", Origin: "TINCAN", Destination: "ECLAT",
		ScheduledDeparture: dep, PlannedArrival: dep.Add(3 * time.Hour), RequestedBy: dispatcher.ID, RequestedVia: "slack"}, dispatcher)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.store.SetTripSlackMessage(ctx, trip.Code, "C0DISPATCH", "1700000000.000100"); err != nil {
		t.Fatal(err)
	}
	trip, err = e.store.TransitionTrip(ctx, trip.Code, dispatcher, "trip.approve", func(tr fleet.Trip) (fleet.Trip, error) {
		return tr.Approve(dispatcher.ID, time.Now().UTC())
	})
	if err != nil {
		t.Fatal(err)
	}
	p := loconav.NewTripPusher(e.client, e.store, ingest.NewNotifyStream(e.rdb, e.prefix), e.log)
	return e, p, trip
}

func TestPushApprovedTrip(t *testing.T) {
	ctx := context.Background()
	e, p, trip := pushEnv(t)
	if err := p.Retry(ctx, time.Now()); err != nil {
		t.Fatalf("Retry: %v", err)
	}
	lt := e.fake.Trips()
	if len(lt) != 1 || lt[0].UniqueID != trip.Code || lt[0].VehicleNumber != "T-20001-LA" || lt[0].ShouldStartAt != trip.ScheduledDeparture.Unix() {
		t.Fatalf("LocoNav trips = %+v; want %s for vehicle T-20001-LA starting at departure", lt, trip.Code)
	}
	var body loconav.NewTrip
	if err := json.Unmarshal(lt[0].Body, &body); err != nil {
		t.Fatal(err)
	}
	if body.Source.Coordinates != "6.4383,3.3436" || body.Destination == nil || body.Destination.ETA != trip.PlannedArrival.Unix() {
		t.Errorf("trip body = %s; want TINCAN's coordinates as source and the planned arrival as destination eta", lt[0].Body)
	}
	got, err := e.store.TripByCode(ctx, trip.Code)
	if err != nil {
		t.Fatal(err)
	}
	wantURL := "https://loconav.com/track-a-trip/" + loconavfake.TrackToken(lt[0].ID) + "?locale=en"
	if got.LoconavTripID == "" || got.TrackingURL != wantURL || got.Status != fleet.TripScheduled {
		t.Errorf("trip = id %q url %q status %s; want the LocoNav ID, %s, still scheduled", got.LoconavTripID, got.TrackingURL, got.Status, wantURL)
	}
	ns := e.notifications(t)
	if len(ns) != 1 || ns[0].ID != "loconav-pushed:"+trip.Code || ns[0].Kind != fleet.NotifyTripEvent ||
		ns[0].Channel != "C0DISPATCH" || ns[0].ThreadTS != "1700000000.000100" || ns[0].Trip == nil || ns[0].Trip.TrackingURL != wantURL {
		t.Errorf("notifications = %+v; want one trip.event with the link, threaded under the trip message", ns)
	}
	if err := p.Retry(ctx, time.Now()); err != nil || len(e.fake.RequestsTo(loconavfake.RouteCreate)) != 1 {
		t.Errorf("a second Retry created again (%d creates, %v); want nothing due", len(e.fake.RequestsTo(loconavfake.RouteCreate)), err)
	}
	if err := p.Push(ctx, trip.Code); err != nil || len(e.fake.RequestsTo(loconavfake.RouteCreate)) != 1 {
		t.Errorf("Push of a pushed trip = %v with %d creates; want nil and no new create", err, len(e.fake.RequestsTo(loconavfake.RouteCreate)))
	}
}

// TestPushFailsThenRetrySucceeds: LocoNav is down at approval, then loses a tracking-link
// answer; the trip stays approved, the push is announced as pending, and the retries finish it
// without creating it twice.
func TestPushFailsThenRetrySucceeds(t *testing.T) {
	ctx := context.Background()
	e, p, trip := pushEnv(t)
	e.fake.Fail(loconavfake.RouteCreate, 1, loconavfake.Fault{Status: http.StatusServiceUnavailable})
	now := time.Now()
	if err := p.Push(ctx, trip.Code); fleet.ErrorCode(err) != fleet.EUNAVAILABLE {
		t.Fatalf("Push with LocoNav down = %v; want EUNAVAILABLE", err)
	}
	got, _ := e.store.TripByCode(ctx, trip.Code)
	led, _ := e.store.LoconavPushOf(ctx, trip.Code)
	if got.Status != fleet.TripScheduled || got.LoconavTripID != "" || led.Attempts != 1 || !led.NextAt.After(now) {
		t.Fatalf("after the failure: trip %s id %q, ledger %+v; want still scheduled, no ID, one attempt, retry later", got.Status, got.LoconavTripID, led)
	}
	ns := e.notifications(t)
	if len(ns) != 1 || ns[0].ID != "loconav-push-pending:"+trip.Code || !strings.Contains(ns[0].Text, "pending") {
		t.Fatalf("notifications = %+v; want one saying the push is pending", ns)
	}

	if err := p.Retry(ctx, now); err != nil || len(e.fake.RequestsTo(loconavfake.RouteCreate)) != 1 {
		t.Fatalf("Retry before the backoff ran out: %v, %d creates; want no new attempt", err, len(e.fake.RequestsTo(loconavfake.RouteCreate)))
	}
	e.fake.Fail(loconavfake.RouteTrackURL, 1+loconav.DefaultMaxRetries, loconavfake.Fault{Status: http.StatusBadGateway})
	later := now.Add(2 * loconav.DefaultRetryMax)
	if err := p.Retry(ctx, later); err != nil {
		t.Fatalf("Retry: %v", err)
	}
	if led, _ := e.store.LoconavPushOf(ctx, trip.Code); led.State != store.PushCreated || led.Attempts != 2 {
		t.Fatalf("after the lost tracking link: ledger %+v; want created, two attempts", led)
	}
	if err := p.Retry(ctx, later.Add(2*loconav.DefaultRetryMax)); err != nil {
		t.Fatalf("Retry: %v", err)
	}
	got, _ = e.store.TripByCode(ctx, trip.Code)
	if got.TrackingURL == "" || got.LoconavTripID == "" {
		t.Fatalf("trip after the retries: id %q url %q; want both", got.LoconavTripID, got.TrackingURL)
	}
	if n := len(e.fake.RequestsTo(loconavfake.RouteCreate)); n != 2 || len(e.fake.Trips()) != 1 {
		t.Errorf("creates = %d, LocoNav trips = %d; want 2 calls (one failed) and one trip", n, len(e.fake.Trips()))
	}
	if ns := e.notifications(t); len(ns) != 2 || ns[1].ID != "loconav-pushed:"+trip.Code {
		t.Errorf("notifications = %+v; want pending, then pushed", ns)
	}
}

// TestPushRecoversLostCreate: LocoNav created the trip but its answer was lost; the retry's
// create is refused as a duplicate and the existing trip is found by its unique ID.
func TestPushRecoversLostCreate(t *testing.T) {
	ctx := context.Background()
	e, p, trip := pushEnv(t)
	ref, err := e.client.CreateTrip(ctx, loconav.NewTrip{Vehicle: loconav.TripVehicle{Number: "T-20001-LA"}, UniqueID: trip.Code,
		ShouldStartAt: trip.ScheduledDeparture.Unix(), Source: loconav.TripPlace{Coordinates: "6.4383,3.3436", Address: "Tin Can"}})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Push(ctx, trip.Code); err != nil {
		t.Fatalf("Push: %v", err)
	}
	got, _ := e.store.TripByCode(ctx, trip.Code)
	if got.LoconavTripID != ref.ID || len(e.fake.Trips()) != 1 {
		t.Errorf("trip LocoNav ID = %q with %d LocoNav trips; want the existing %s, not a second trip", got.LoconavTripID, len(e.fake.Trips()), ref.ID)
	}
}

func TestCancelDeletesInLoconav(t *testing.T) {
	ctx := context.Background()
	e, p, trip := pushEnv(t)
	if err := p.Push(ctx, trip.Code); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.TransitionTrip(ctx, trip.Code, dispatcher, "trip.cancel", func(tr fleet.Trip) (fleet.Trip, error) {
		return tr.Cancel(dispatcher.ID, "client postponed", time.Now().UTC())
	}); err != nil {
		t.Fatal(err)
	}
	if err := p.Retry(ctx, time.Now()); err != nil {
		t.Fatal(err)
	}
	if lt := e.fake.Trips(); len(lt) != 1 || !lt[0].Deleted {
		t.Errorf("LocoNav trips = %+v; want the trip deleted", lt)
	}
	if led, _ := e.store.LoconavPushOf(ctx, trip.Code); led.State != store.PushCancelled {
		t.Errorf("ledger = %+v; want cancelled", led)
	}
	if err := p.Cancel(ctx, trip.Code); err != nil {
		t.Errorf("Cancel of a trip LocoNav no longer has = %v; want nil", err)
	}
}

func TestPushAndCancelRefuseWrongStatus(t *testing.T) {
	ctx := context.Background()
	e, p, trip := pushEnv(t)
	pending, err := e.store.CreateTrip(ctx, fleet.Trip{Plate: "T20001LA", Origin: "TINCAN", Destination: "ECLAT",
		ScheduledDeparture: trip.ScheduledDeparture.Add(48 * time.Hour), RequestedBy: dispatcher.ID}, dispatcher)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Push(ctx, pending.Code); fleet.ErrorCode(err) != fleet.ECONFLICT {
		t.Errorf("Push(pending trip) = %v; want ECONFLICT", err)
	}
	if err := p.Cancel(ctx, trip.Code); fleet.ErrorCode(err) != fleet.ECONFLICT {
		t.Errorf("Cancel(approved trip) = %v; want ECONFLICT", err)
	}
	if err := p.Push(ctx, "TRP-9999"); fleet.ErrorCode(err) != fleet.ENOTFOUND {
		t.Errorf("Push(unknown trip) = %v; want ENOTFOUND", err)
	}
}
