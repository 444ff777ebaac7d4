package store_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/store"
)

const ingestStream = "wt:ingest"

var (
	igT0     = time.Date(2026, 11, 26, 7, 0, 0, 0, time.UTC)
	igOrigin = fleet.Site{Code: "APAPA", Name: "Apapa Port", Kind: fleet.SiteTerminal, Point: fleet.Point{Lat: 6.4500, Lng: 3.3600}, RadiusM: 200}
	igDest   = fleet.Site{Code: "ECLAT", Name: "Eclat Warehouse", Kind: fleet.SiteClient, Point: fleet.Point{Lat: 6.5000, Lng: 3.4000}, RadiusM: 150}
	igRoad   = fleet.Point{Lat: 6.4750, Lng: 3.3800}
)

// igID is a stream entry ID of the realistic 13-digit millisecond era.
func igID(n int) string { return fmt.Sprintf("%d-0", 1764140000000+n) }

func igFix(entry string, plate string, at time.Duration, p fleet.Point, kmh float64) fleet.Observation {
	return fleet.Observation{EntryID: entry, Position: &fleet.Position{Plate: plate, IMEI: "IMEI-" + plate,
		FixTime: igT0.Add(at), ReceivedAt: igT0.Add(at), Point: p, SpeedKmh: kmh, Ignition: true, Source: "webhook"}}
}

// igSetup stores the two sites and truck T11985LA (IMEI IMEI-T11985LA).
func igSetup(t *testing.T) *store.Store {
	t.Helper()
	s, _ := newStore(t)
	ctx := context.Background()
	for _, site := range []fleet.Site{igOrigin, igDest} {
		_, err := s.UpsertSite(ctx, site)
		must(t, err)
	}
	_, err := s.CreateTruck(ctx, fleet.Truck{Plate: "T11985LA", IMEI: "IMEI-T11985LA"})
	must(t, err)
	return s
}

func TestApplyIngestIsIdempotent(t *testing.T) {
	s := igSetup(t)
	ctx := context.Background()
	th := fleet.DefaultThresholds()
	batch := []fleet.Observation{
		igFix(igID(1), "T11985LA", 0, igRoad, 75), igFix(igID(2), "T11985LA", 20*time.Second, igRoad, 75),
		igFix(igID(3), "T11985LA", 40*time.Second, igRoad, 76),
	}
	out, err := s.ApplyIngest(ctx, ingestStream, batch, th)
	must(t, err)
	if out.Positions != 3 || len(out.Applied) != 3 || len(out.Notifications) != 1 {
		t.Fatalf("first apply = %d positions, %d applied, %d notifications; want 3, 3, 1", out.Positions, len(out.Applied), len(out.Notifications))
	}
	again, err := s.ApplyIngest(ctx, ingestStream, batch, th)
	must(t, err)
	if again.Positions != 0 || len(again.Replayed) != 3 {
		t.Errorf("replay = %d positions, %d replayed; want 0, 3", again.Positions, len(again.Replayed))
	}
	if len(again.Notifications) != 1 || again.Notifications[0].ID != out.Notifications[0].ID {
		t.Errorf("replay notifications = %+v; want the first apply's again", again.Notifications)
	}
	open, err := s.ListAlerts(ctx, store.AlertFilter{OpenOnly: true})
	must(t, err)
	if len(open) != 1 || open[0].Kind != fleet.AlertOverspeed {
		t.Errorf("open alerts = %+v; want one overspeed", open)
	}
}

func TestApplyIngestOutOfOrder(t *testing.T) {
	s := igSetup(t)
	ctx := context.Background()
	th := fleet.DefaultThresholds()
	_, err := s.ApplyIngest(ctx, ingestStream, []fleet.Observation{igFix(igID(5), "T11985LA", time.Hour, igDest.Point, 0)}, th)
	must(t, err)
	out, err := s.ApplyIngest(ctx, ingestStream, []fleet.Observation{igFix(igID(4), "T11985LA", 0, igRoad, 40)}, th)
	must(t, err)
	if out.Positions != 1 || out.StatesMoved != 0 {
		t.Errorf("older fix: %d positions, %d states moved; want 1, 0", out.Positions, out.StatesMoved)
	}
	st, err := s.TruckState(ctx, "T11985LA")
	must(t, err)
	if !st.FixTime.Equal(igT0.Add(time.Hour)) || st.Point != igDest.Point {
		t.Errorf("state = %s at %v; want the newer fix %s at %v", st.Point, st.FixTime, igDest.Point, igT0.Add(time.Hour))
	}
	ps, err := s.PositionsBetween(ctx, "T11985LA", igT0.Add(-time.Hour), igT0.Add(2*time.Hour))
	must(t, err)
	if len(ps) != 2 {
		t.Errorf("history has %d fixes; want both", len(ps))
	}
}

func TestApplyIngestRegistersUnrostered(t *testing.T) {
	s := igSetup(t)
	ctx := context.Background()
	batch := []fleet.Observation{
		igFix(igID(1), "KJA123AB", 0, igRoad, 10),
		{EntryID: igID(2), Position: &fleet.Position{IMEI: "0999", FixTime: igT0, Point: igRoad}},
		{EntryID: igID(3), Position: &fleet.Position{Plate: "OTHER1", IMEI: "IMEI-T11985LA", FixTime: igT0, Point: igRoad}},
	}
	out, err := s.ApplyIngest(ctx, ingestStream, batch, fleet.DefaultThresholds())
	must(t, err)
	if len(out.Registered) != 2 {
		t.Errorf("registered %v; want KJA123AB and IMEI0999", out.Registered)
	}
	for _, plate := range []string{"KJA123AB", "IMEI0999", "T11985LA"} {
		if _, err := s.TruckState(ctx, plate); err != nil {
			t.Errorf("TruckState(%s): %v; want a state", plate, err)
		}
	}
	tr, err := s.TruckByPlate(ctx, "KJA123AB")
	must(t, err)
	if tr.Status != fleet.TruckUnrostered {
		t.Errorf("status = %s; want unrostered", tr.Status)
	}
}

func TestApplyIngestTripLifecycle(t *testing.T) {
	s := igSetup(t)
	ctx := context.Background()
	trip, err := s.CreateTrip(ctx, fleet.Trip{Plate: "T11985LA", Origin: "APAPA", Destination: "ECLAT",
		ScheduledDeparture: igT0.Add(30 * time.Minute), Status: fleet.TripScheduled}, fleet.Actor{})
	must(t, err)
	var obs []fleet.Observation
	path := []struct {
		at  time.Duration
		p   fleet.Point
		kmh float64
	}{{0, igOrigin.Point, 0}, {6 * time.Minute, igOrigin.Point, 0}, {20 * time.Minute, igRoad, 40},
		{50 * time.Minute, igDest.Point, 5}, {56 * time.Minute, igDest.Point, 0}, {90 * time.Minute, igRoad, 30}}
	for i, step := range path {
		obs = append(obs, igFix(igID(i+1), "T11985LA", step.at, step.p, step.kmh))
	}
	out, err := s.ApplyIngest(ctx, ingestStream, obs, fleet.DefaultThresholds())
	must(t, err)
	got, err := s.TripByCode(ctx, trip.Code)
	must(t, err)
	if got.Status != fleet.TripCompleted || got.DepartedAt == nil || got.ArrivedAt == nil {
		t.Errorf("trip = %s (departed %v, arrived %v); want completed with both times", got.Status, got.DepartedAt, got.ArrivedAt)
	}
	var kinds []fleet.NotificationKind
	for _, n := range out.Notifications {
		kinds = append(kinds, n.Kind)
	}
	want := []fleet.NotificationKind{ // a visit to each site is an incident on an active trip
		fleet.NotifyAlertOpened, fleet.NotifyAlertResolved, fleet.NotifyTripEvent, // origin, departed
		fleet.NotifyAlertOpened, fleet.NotifyTripEvent, fleet.NotifyAlertResolved, fleet.NotifyTripEvent, // arrived, completed
	}
	if !slices.Equal(kinds, want) {
		t.Errorf("notifications = %v; want %v", kinds, want)
	}
}

func TestApplyIngestConcurrentClaimAppliesOnce(t *testing.T) {
	s := igSetup(t)
	ctx := context.Background()
	batch := []fleet.Observation{igFix(igID(1), "T11985LA", 0, igRoad, 10), igFix(igID(2), "T11985LA", time.Minute, igRoad, 12)}
	var wg sync.WaitGroup
	results := make([]fleet.IngestOutcome, 4)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, err := s.ApplyIngest(ctx, ingestStream, batch, fleet.DefaultThresholds())
			if err != nil {
				t.Error(err)
			}
			results[i] = out
		}()
	}
	wg.Wait()
	applied := 0
	for _, r := range results {
		applied += len(r.Applied)
	}
	if applied != 2 {
		t.Errorf("entries applied %d times in total; want 2", applied)
	}
}

func TestSweepOffline(t *testing.T) {
	s := igSetup(t)
	ctx := context.Background()
	th := fleet.DefaultThresholds()
	_, err := s.ApplyIngest(ctx, ingestStream, []fleet.Observation{igFix(igID(1), "T11985LA", 0, igRoad, 0)}, th)
	must(t, err)
	out, err := s.SweepOffline(ctx, igT0.Add(time.Hour), th, 100)
	must(t, err)
	if len(out.Notifications) != 1 || out.Notifications[0].Alert.Kind != fleet.AlertOffline {
		t.Fatalf("sweep notifications = %+v; want one offline", out.Notifications)
	}
	out, err = s.SweepOffline(ctx, igT0.Add(2*time.Hour), th, 100)
	must(t, err)
	if len(out.Notifications) != 0 {
		t.Errorf("second sweep notified %d; want 0", len(out.Notifications))
	}
	back, err := s.ApplyIngest(ctx, ingestStream, []fleet.Observation{igFix(igID(2), "T11985LA", 3*time.Hour, igRoad, 0)}, th)
	must(t, err)
	if len(back.Notifications) != 1 || back.Notifications[0].Kind != fleet.NotifyAlertResolved {
		t.Errorf("back online notifications = %+v; want the offline incident resolved", back.Notifications)
	}
	n, err := s.PruneIngestApplied(ctx, ingestStream, time.Now())
	must(t, err)
	if n != 2 {
		t.Errorf("pruned %d; want 2", n)
	}
}
