package schedule

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/fleet/fleettest"
	"github.com/watchtower-ops/watchtower/store"
)

// kinds lists the kinds of ns with the plate or trip of their alert.
func kinds(ns []fleet.Notification) []string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = string(n.Kind)
		if n.Alert != nil {
			out[i] += " " + n.Alert.IncidentKey
		}
	}
	return out
}

func openAlerts(t *testing.T, s *store.Store, kind fleet.AlertKind) []fleet.Alert {
	t.Helper()
	as, err := s.OpenAlerts(context.Background(), kind)
	must(t, err)
	return as
}

// TestConnectivity: a truck silent for 30 min gets one offline incident however often the job
// runs, and reporting again resolves it; a truck that never reported is not watched.
func TestConnectivity(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	seedTruck(t, s, "T1AAA", fleet.TruckOperational)
	seedTruck(t, s, "T2BBB", fleet.TruckOperational)
	seedTruck(t, s, "T9NEW", fleet.TruckOperational) // never reported
	now := at(2025, 11, 24, 10, 0)
	seedFixes(t, s, "T1AAA", now.Add(-45*time.Minute), time.Minute, 0, false, apapa)
	seedFixes(t, s, "T2BBB", now.Add(-5*time.Minute), time.Minute, 20, true, eclat)
	rec := &fleettest.Recorder{}
	job := &Connectivity{Sweeper: s, States: s, Alerts: s, Notifier: rec, Thresholds: fleet.DefaultThresholds()}

	for i := range 3 { // flapping runs: still one incident
		must(t, job.Run(ctx, now.Add(time.Duration(i)*5*time.Minute)))
	}
	if got := kinds(rec.All()); len(got) != 1 || got[0] != "alert.opened offline:T1AAA" {
		t.Fatalf("after three runs: notifications %v; want one offline incident for T1AAA", got)
	}
	if open := openAlerts(t, s, fleet.AlertOffline); len(open) != 1 || open[0].Plate != "T1AAA" {
		t.Fatalf("open offline alerts = %+v; want T1AAA's only", open)
	}

	// T1AAA reports again, through a path that does not run ingest's detection.
	back := now.Add(20 * time.Minute)
	for _, p := range []string{"T1AAA", "T2BBB"} {
		_, err := s.UpsertTruckState(ctx, nil, fleet.TruckState{Plate: p, FixTime: back.UTC(), Point: apapa, SpeedKmh: 12})
		must(t, err)
	}
	must(t, job.Run(ctx, back.Add(time.Minute)))
	must(t, job.Run(ctx, back.Add(6*time.Minute)))
	ns := rec.All()
	if got := kinds(ns); len(got) != 2 || got[1] != "alert.resolved offline:T1AAA" {
		t.Fatalf("after the truck returned: notifications %v; want the incident resolved once", got)
	}
	if open := openAlerts(t, s, fleet.AlertOffline); len(open) != 0 {
		t.Errorf("open offline alerts = %+v; want none", open)
	}
	st, err := s.TruckState(ctx, "T1AAA")
	must(t, err)
	if st.OfflineOpen {
		t.Error("T1AAA is still flagged offline")
	}
	if ns[0].ID == ns[1].ID || ns[1].Alert.ResolvedAt == nil {
		t.Errorf("resolved notification = %+v; want its own ID and the resolution time", ns[1])
	}
}

// TestTripMonitor: an overdue scheduled trip is marked delayed once and its incident resolves
// when it leaves; an ongoing trip that cannot make its planned arrival is flagged at risk once.
func TestTripMonitor(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	seedSite(t, s, "APAPA", apapa)
	seedSite(t, s, "ECLAT", eclat)
	for _, p := range []string{"T1AAA", "T2BBB", "T3CCC"} {
		seedTruck(t, s, p, fleet.TruckOperational)
	}
	now := at(2025, 11, 24, 12, 0)
	late := seedTrip(t, s, fleet.Trip{Plate: "T1AAA", Origin: "APAPA", Destination: "ECLAT", Status: fleet.TripScheduled,
		ScheduledDeparture: now.Add(-150 * time.Minute).UTC(), PlannedArrival: now.Add(-30 * time.Minute).UTC()})
	seedTrip(t, s, fleet.Trip{Plate: "T3CCC", Origin: "APAPA", Destination: "ECLAT", Status: fleet.TripScheduled,
		ScheduledDeparture: now.Add(-time.Hour).UTC(), PlannedArrival: now.Add(time.Hour).UTC()}) // late, not 2 h yet
	// T2BBB is still at APAPA (about 11 km, 37 min away) and due at ECLAT in 10 min.
	risky := seedTrip(t, s, fleet.Trip{Plate: "T2BBB", Origin: "APAPA", Destination: "ECLAT", Status: fleet.TripOngoing,
		ScheduledDeparture: now.Add(-time.Hour).UTC(), PlannedArrival: now.Add(10 * time.Minute).UTC(),
		DepartedAt: ptr(now.Add(-50 * time.Minute).UTC())})
	seedFixes(t, s, "T2BBB", now.Add(-time.Minute), time.Minute, 20, true, apapa)
	rec := &fleettest.Recorder{}
	job := &TripMonitor{Trips: s, States: s, Sites: s, Lanes: s, Incidents: s, Alerts: s, Notifier: rec, Thresholds: fleet.DefaultThresholds()}

	must(t, job.Run(ctx, now))
	must(t, job.Run(ctx, now.Add(5*time.Minute)))
	got := kinds(rec.All())
	want := []string{"alert.opened trip_delayed:" + late.Code, "alert.opened trip_at_risk:" + risky.Code}
	if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("notifications = %v; want %v, once each", got, want)
	}
	tr, err := s.TripByCode(ctx, late.Code)
	must(t, err)
	if tr.Status != fleet.TripDelayed || tr.DelayedAt == nil || !tr.DelayedAt.Equal(now) {
		t.Errorf("%s = %s delayed at %v; want delayed at %v", late.Code, tr.Status, tr.DelayedAt, now)
	}

	// The late trip leaves, the risky one arrives: both incidents resolve, once.
	_, err = s.TransitionTrip(ctx, late.Code, fleet.SystemActor(), "trip.depart", func(t fleet.Trip) (fleet.Trip, error) { return t.Depart(now.Add(7 * time.Minute)) })
	must(t, err)
	_, err = s.TransitionTrip(ctx, risky.Code, fleet.SystemActor(), "trip.arrive", func(t fleet.Trip) (fleet.Trip, error) { return t.Arrive(now.Add(8 * time.Minute)) })
	must(t, err)
	must(t, job.Run(ctx, now.Add(10*time.Minute)))
	must(t, job.Run(ctx, now.Add(15*time.Minute)))
	got = kinds(rec.All())
	if len(got) != 4 {
		t.Fatalf("notifications = %v; want the two incidents resolved once each", got)
	}
	for _, k := range []fleet.AlertKind{fleet.AlertTripDelayed, fleet.AlertTripAtRisk} {
		if open := openAlerts(t, s, k); len(open) != 0 {
			t.Errorf("open %s alerts = %+v; want none", k, open)
		}
	}
	audit, err := s.ListAudit(ctx, late.Code)
	must(t, err)
	if len(audit) < 2 || audit[1].Action != "trip.delay" || audit[1].Actor.ID != "system" {
		t.Errorf("audit of %s = %+v; want trip.delay by system", late.Code, audit)
	}
}

// TestConnectivityJudgesFreshnessByTheClock: the slot time lags the wall clock; a truck just
// past the offline threshold by the clock must not be called fresh because the slot is early.
func TestConnectivityJudgesFreshnessByTheClock(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	seedTruck(t, s, "T1AAA", fleet.TruckOperational)
	wall := at(2025, 11, 24, 10, 0)
	slot := wall.Add(-3 * time.Minute)
	seedFixes(t, s, "T1AAA", wall.Add(-31*time.Minute), time.Minute, 0, false, apapa)
	rec := &fleettest.Recorder{}
	job := &Connectivity{Sweeper: s, States: s, Alerts: s, Notifier: rec, Thresholds: fleet.DefaultThresholds(),
		Clock: func() time.Time { return wall }}
	must(t, job.Run(ctx, slot))
	must(t, job.Run(ctx, slot))
	if got := kinds(rec.All()); len(got) != 1 || got[0] != "alert.opened offline:T1AAA" {
		t.Errorf("notifications = %v; want one offline incident, never resolved by the earlier slot time", got)
	}
}

// TestTripMonitorAtRiskLearned: the at-risk check follows the lane's median once the lane has
// five completed trips in the trip's departure band. The truck is 1 km from ECLAT: from
// distance it arrives in minutes, well before its planned arrival; the lane's trips take 5 h.
func TestTripMonitorAtRiskLearned(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	seedSite(t, s, "APAPA", apapa)
	seedSite(t, s, "ECLAT", eclat)
	seedTruck(t, s, "T1AAA", fleet.TruckOperational)
	seedTruck(t, s, "T9OLD", fleet.TruckOperational)
	now := at(2025, 11, 24, 12, 0)
	sched := at(2025, 11, 24, 10, 0) // band 09–12
	trip := seedTrip(t, s, fleet.Trip{Plate: "T1AAA", Origin: "APAPA", Destination: "ECLAT", Status: fleet.TripOngoing,
		ScheduledDeparture: sched.UTC(), PlannedArrival: sched.Add(2 * time.Hour).UTC(), DepartedAt: ptr(sched.UTC())})
	near := fleet.Point{Lat: eclat.Lat - 0.009, Lng: eclat.Lng}
	seedFixes(t, s, "T1AAA", now.Add(-time.Minute), time.Minute, 30, true, near)
	history := func(day int, hour int, d time.Duration) {
		dep := at(2025, 11, day, hour, 0)
		seedTrip(t, s, fleet.Trip{Plate: "T9OLD", Origin: "APAPA", Destination: "ECLAT", Status: fleet.TripCompleted,
			ScheduledDeparture: dep.UTC(), DepartedAt: ptr(dep.UTC()), ArrivedAt: ptr(dep.Add(d).UTC()), CompletedAt: ptr(dep.Add(d + time.Hour).UTC())})
	}
	for day := 10; day < 14; day++ {
		history(day, 11, 5*time.Hour)
	}
	history(14, 12, 5*time.Hour) // 12:00 is the next band: it does not count
	rec := &fleettest.Recorder{}
	job := &TripMonitor{Trips: s, States: s, Sites: s, Lanes: s, Incidents: s, Alerts: s, Notifier: rec, Thresholds: fleet.DefaultThresholds()}

	must(t, job.Run(ctx, now))
	if got := kinds(rec.All()); len(got) != 0 {
		t.Fatalf("four trips in the band: notifications %v; want none (distance says it is nearly there)", got)
	}
	history(15, 9, 5*time.Hour) // the fifth in the band
	must(t, job.Run(ctx, now.Add(5*time.Minute)))
	ns := rec.All()
	if got := kinds(ns); len(got) != 1 || got[0] != "alert.opened trip_at_risk:"+trip.Code {
		t.Fatalf("five trips in the band: notifications %v; want %s at risk", got, trip.Code)
	}
	msg := ns[0].Alert.Message
	for _, want := range []string{"ETA Mon 24 Nov 15:00", "planned Mon 24 Nov 12:00", "based on 5 past trips", "APAPA → ECLAT trips leaving 09–12"} {
		if !strings.Contains(msg, want) {
			t.Errorf("at-risk message %q lacks %q", msg, want)
		}
	}
}
