package ingest_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/ingest"
)

// TestWebhookToNotification drives one trip through the real listener, stream, consumer and
// database: signed webhooks in, truck state, trip status, domain events and notifications out.
func TestWebhookToNotification(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	t0 := time.Now().Add(-2 * time.Hour).Truncate(time.Second)
	trip, err := r.st.CreateTrip(ctx, fleet.Trip{Plate: "T11985LA", Origin: "APAPA", Destination: "ECLAT",
		ScheduledDeparture: t0.Add(20 * time.Minute), Status: fleet.TripScheduled}, fleet.Actor{})
	if err != nil {
		t.Fatal(err)
	}
	srv := newServer(t, r.rdb, r.prefix)
	stop := run(t, ingest.NewConsumer(r.rdb, r.st, r.config("w1"), nil, quietLog()).Run)
	defer stop()

	steps := []struct {
		at  time.Duration
		p   fleet.Point
		kmh float64
	}{
		{0, siteOrigin.Point, 0}, {6 * time.Minute, siteOrigin.Point, 0}, // dwell: entered the origin
		{25 * time.Minute, road, 70}, {25*time.Minute + 40*time.Second, road, 72}, {26 * time.Minute, road, 50}, // left; a short overspeed
		{60 * time.Minute, siteDest.Point, 4}, {66 * time.Minute, siteDest.Point, 0}, // arrived
		{100 * time.Minute, road, 30}, // left the destination: completed
	}
	for _, s := range steps {
		body := strings.Replace(fixBody("T11985LA", t0.Add(s.at), 0), `"latitude":0.000000,"longitude":3.38`,
			`"latitude":`+ftoa(s.p.Lat)+`,"longitude":`+ftoa(s.p.Lng), 1)
		body = strings.Replace(body, `"speed":30`, `"speed":`+ftoa(s.kmh), 1)
		if rep := post(t, srv.URL+"/webhooks/loconav", body, signed(body)); rep.code != 202 {
			t.Fatalf("webhook at +%v = %d %v; want 202", s.at, rep.code, rep.body)
		}
	}
	eventually(t, "the trip completed", func() bool {
		got, err := r.st.TripByCode(ctx, trip.Code)
		return err == nil && got.Status == fleet.TripCompleted && r.pending(t) == 0
	})

	st, err := r.st.TruckState(ctx, "T11985LA")
	if err != nil || !st.FixTime.Equal(t0.Add(100*time.Minute)) || st.SiteCode != "" {
		t.Errorf("truck state = %+v, %v; want the last fix, outside every site", st, err)
	}
	events := r.events(t)
	for _, k := range []fleet.EventKind{fleet.EventGeofenceEnter, fleet.EventGeofenceExit, fleet.EventTripDeparted,
		fleet.EventTripArrived, fleet.EventTripCompleted, fleet.EventOverspeedStart, fleet.EventOverspeedEnd} {
		if !slices.Contains(events, k) {
			t.Errorf("events stream lacks %s: %v", k, events)
		}
	}
	ns := r.notifications(t)
	var trips []string
	for _, n := range ns {
		if n.Kind == fleet.NotifyTripEvent {
			trips = append(trips, string(n.Event.Kind))
			if n.Trip == nil || n.Trip.Code != trip.Code || n.Audience != fleet.AudienceDispatch {
				t.Errorf("trip notification %+v; want trip %s for dispatch", n, trip.Code)
			}
		}
	}
	if diff := cmp.Diff([]string{"trip.departed", "trip.arrived", "trip.completed"}, trips); diff != "" {
		t.Errorf("trip notifications, -want +got:\n%s", diff)
	}
	if countKind(ns, fleet.NotifyAlertOpened) < 3 || countKind(ns, fleet.NotifyAlertResolved) < 3 {
		t.Errorf("notifications = %s; want overspeed and both site visits opened and resolved", fmtKinds(ns))
	}
}

func ftoa(f float64) string { return strings.TrimRight(strings.TrimRight(fmtFloat(f), "0"), ".") }
