package store_test

import (
	"context"
	"math"
	"slices"
	"testing"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/store"
)

// sumDay is the summarised day: Wednesday 26 November 2025 in Lagos.
var sumDay = time.Date(2025, 11, 26, 0, 0, 0, 0, fleet.Lagos())

// sumAt is hh:mm on sumDay plus days.
func sumAt(days, h, m int) time.Time {
	return sumDay.AddDate(0, 0, days).Add(time.Duration(h)*time.Hour + time.Duration(m)*time.Minute)
}

// sumTrip creates a trip of plate created at created, departing at dep, then applies steps.
func sumTrip(t *testing.T, s *store.Store, plate string, created, dep time.Time, steps ...func(fleet.Trip) (fleet.Trip, error)) fleet.Trip {
	t.Helper()
	ctx := context.Background()
	tr, err := s.CreateTrip(ctx, fleet.Trip{Plate: plate, Origin: "APAPA", Destination: "ECLAT", ScheduledDeparture: dep,
		PlannedArrival: dep.Add(3 * time.Hour), CreatedAt: created, RequestedBy: "U1", RequestedVia: "slack"}, fleet.Actor{ID: "U1"})
	must(t, err)
	for _, step := range steps {
		tr, err = s.TransitionTrip(ctx, tr.Code, fleet.Actor{ID: "system"}, "trip.step", step)
		must(t, err)
	}
	return tr
}

func approve(at time.Time) func(fleet.Trip) (fleet.Trip, error) {
	return func(t fleet.Trip) (fleet.Trip, error) { return t.Approve("U9", at) }
}
func depart(at time.Time) func(fleet.Trip) (fleet.Trip, error) {
	return func(t fleet.Trip) (fleet.Trip, error) { return t.Depart(at) }
}
func arrive(at time.Time) func(fleet.Trip) (fleet.Trip, error) {
	return func(t fleet.Trip) (fleet.Trip, error) { return t.Arrive(at) }
}
func complete(at time.Time) func(fleet.Trip) (fleet.Trip, error) {
	return func(t fleet.Trip) (fleet.Trip, error) { return t.Complete(at) }
}

// sumFixture stores a day of trips, alerts, positions and truck states; it returns the
// expected distance of the day's positions.
func sumFixture(t *testing.T) (*store.Store, float64) {
	t.Helper()
	ctx := context.Background()
	s, _ := newStore(t)
	addSites(t, s)
	addTrucks(t, s, "T10001LA", "T20002LA", "T30003LA", "T40004LA", "T50005LA")
	// A: created, started, arrived on time and completed today (turnaround 2 h 30).
	sumTrip(t, s, "T10001LA", sumAt(0, 8, 0), sumAt(0, 9, 0), approve(sumAt(0, 8, 10)), depart(sumAt(0, 9, 0)), arrive(sumAt(0, 11, 0)), complete(sumAt(0, 11, 30)))
	// F: an old trip of T1, finished two days ago: nothing today.
	sumTrip(t, s, "T10001LA", sumAt(-3, 8, 0), sumAt(-3, 9, 0), approve(sumAt(-3, 8, 5)), depart(sumAt(-3, 9, 0)), arrive(sumAt(-2, 10, 0)), complete(sumAt(-2, 11, 0)))
	// B: created yesterday, started today at 07:00, arrived late at 13:00, still at the destination.
	sumTrip(t, s, "T20002LA", sumAt(-1, 18, 0), sumAt(0, 7, 0), approve(sumAt(-1, 18, 30)), depart(sumAt(0, 7, 0)), arrive(sumAt(0, 13, 0)))
	// C: created and rejected today.
	sumTrip(t, s, "T30003LA", sumAt(0, 9, 0), sumAt(0, 16, 0), func(tr fleet.Trip) (fleet.Trip, error) { return tr.Reject("U9", "no", sumAt(0, 9, 30)) })
	// D: created and cancelled today.
	sumTrip(t, s, "T30003LA", sumAt(0, 10, 0), sumAt(0, 17, 0), approve(sumAt(0, 10, 5)),
		func(tr fleet.Trip) (fleet.Trip, error) { return tr.Cancel("U9", "client", sumAt(0, 12, 0)) })
	// E: created two days ago, delayed today.
	sumTrip(t, s, "T40004LA", sumAt(-2, 9, 0), sumAt(0, 6, 0), approve(sumAt(-2, 9, 10)),
		func(tr fleet.Trip) (fleet.Trip, error) { return tr.MarkDelayed(sumAt(0, 8, 0)) })
	_, err := s.SetTruckStatus(ctx, "T50005LA", fleet.TruckMaintenance)
	must(t, err)

	for i, a := range []fleet.Alert{
		{Kind: fleet.AlertOverspeed, IncidentKey: "overspeed:T10001LA", Plate: "T10001LA", OpenedAt: sumAt(0, 9, 30)},
		{Kind: fleet.AlertOverspeed, IncidentKey: "overspeed:T20002LA", Plate: "T20002LA", OpenedAt: sumAt(0, 10, 0)},
		{Kind: fleet.AlertIdle, IncidentKey: "idle:T40004LA", Plate: "T40004LA", OpenedAt: sumAt(0, 11, 0)},
		{Kind: fleet.AlertIdle, IncidentKey: "idle:T30003LA", Plate: "T30003LA", OpenedAt: sumAt(-1, 11, 0)},
	} {
		if _, _, err := s.OpenAlert(ctx, a); err != nil {
			t.Fatalf("OpenAlert %d: %v", i, err)
		}
	}

	// T1 drives north for an hour (a fix every 10 min), then stands with the ignition on: idle
	// from its first stopped fix at 10:10 to the last at 10:30;
	// T2 has one GPS jump that must not count.
	var ps []fleet.Position
	want := 0.0
	p := fleet.Point{Lat: 6.45, Lng: 3.37}
	for i := 0; i <= 6; i++ {
		q := fleet.Point{Lat: 6.45 + 0.01*float64(i), Lng: 3.37}
		if i > 0 {
			want += fleet.DistanceKm(p, q)
		}
		p = q
		ps = append(ps, fleet.Position{Plate: "T10001LA", FixTime: sumAt(0, 9, 10*i), Point: q, SpeedKmh: 40, Ignition: true})
	}
	for i := 1; i <= 3; i++ {
		ps = append(ps, fleet.Position{Plate: "T10001LA", FixTime: sumAt(0, 10, 10*i), Point: p, Ignition: true})
	}
	ps = append(ps,
		fleet.Position{Plate: "T20002LA", FixTime: sumAt(0, 9, 0), Point: fleet.Point{Lat: 6.5, Lng: 3.4}, SpeedKmh: 30, Ignition: true},
		fleet.Position{Plate: "T20002LA", FixTime: sumAt(0, 9, 1), Point: fleet.Point{Lat: 9.0, Lng: 3.4}, SpeedKmh: 30, Ignition: true},
		fleet.Position{Plate: "T10001LA", FixTime: sumAt(-1, 23, 50), Point: fleet.Point{Lat: 6.0, Lng: 3.0}, Ignition: true}, // yesterday
	)
	for i := range ps {
		ps[i].ReceivedAt = ps[i].FixTime
	}
	_, err = s.InsertPositions(ctx, nil, ps)
	must(t, err)

	now := sumAt(0, 15, 0)
	for plate, age := range map[string]time.Duration{"T10001LA": 5 * time.Minute, "T20002LA": 2 * time.Hour, "T40004LA": time.Minute, "T50005LA": time.Minute} {
		_, err := s.UpsertTruckState(ctx, nil, fleet.TruckState{Plate: plate, FixTime: now.Add(-age), Point: fleet.Point{Lat: 6.5, Lng: 3.4}})
		must(t, err)
	}
	return s, want
}

func TestDailySummary(t *testing.T) {
	ctx := context.Background()
	s, wantKm := sumFixture(t)
	th := fleet.DefaultThresholds()
	now := sumAt(0, 15, 0)
	got, err := s.DailySummary(ctx, sumDay, now, th)
	must(t, err)
	if got.TripsCreated != 3 || got.TripsStarted != 2 || got.TripsCompleted != 1 || got.TripsDelayed != 1 ||
		got.TripsCancelled != 1 || got.TripsRejected != 1 {
		t.Errorf("trips created/started/completed/delayed/cancelled/rejected = %d/%d/%d/%d/%d/%d; want 3/2/1/1/1/1",
			got.TripsCreated, got.TripsStarted, got.TripsCompleted, got.TripsDelayed, got.TripsCancelled, got.TripsRejected)
	}
	if got.OnTimePct == nil || *got.OnTimePct != 50 {
		t.Errorf("on time = %v; want 50%% (A on time, B late)", got.OnTimePct)
	}
	if got.AvgTurnaround == nil || *got.AvgTurnaround != 150*time.Minute {
		t.Errorf("turnaround = %v; want 2h30m", got.AvgTurnaround)
	}
	if got.UtilisationPct != 0 || got.Fleet.UtilisationPct() != 0 {
		t.Errorf("utilisation = %v%% (census %v%%); want 0%%: A completed and B arrived, none on the road at 15:00", got.UtilisationPct, got.Fleet.UtilisationPct())
	}
	if math.Abs(got.DistanceKm-wantKm) > 1e-6 || math.Abs(got.IdleHours-1.0/3) > 1e-9 {
		t.Errorf("distance %.3f km, idle %.3f h; want %.3f km (the jump left out), 0.333 h", got.DistanceKm, got.IdleHours, wantKm)
	}
	if got.AlertsByKind[fleet.AlertOverspeed] != 2 || got.AlertsByKind[fleet.AlertIdle] != 1 || len(got.AlertsByKind) != 2 {
		t.Errorf("alerts = %v; want 2 overspeed, 1 idle", got.AlertsByKind)
	}
	if got.TrucksTotal != 5 || !slices.Equal(got.TrucksOfflineNow, []string{"T20002LA", "T30003LA"}) || !got.Date.Equal(sumDay) {
		t.Errorf("trucks %d, offline now %v, date %v; want 5, [T2 T3], %v", got.TrucksTotal, got.TrucksOfflineNow, got.Date, sumDay)
	}
	_, err = s.DailySummary(ctx, sumDay.AddDate(0, 0, 1), now, th)
	wantCode(t, "tomorrow's summary", err, fleet.EINVALID)
}

// TestDailySummaryUtilisation checks the day's utilisation follows the one rule: trucks on an
// ongoing trip ÷ trucks not in maintenance, as of now for today (the census every surface
// shows) and at the day's end for a past day.
func TestDailySummaryUtilisation(t *testing.T) {
	ctx := context.Background()
	s, _ := sumFixture(t)
	th := fleet.DefaultThresholds()
	// G: T3 leaves at 14:00 and arrives the next morning.
	g := sumTrip(t, s, "T30003LA", sumAt(-1, 20, 0), sumAt(0, 14, 0), approve(sumAt(-1, 20, 5)), depart(sumAt(0, 14, 0)))
	today, err := s.DailySummary(ctx, sumDay, sumAt(0, 15, 0), th)
	must(t, err)
	if today.UtilisationPct != 25 || today.Fleet.UtilisationPct() != today.UtilisationPct {
		t.Errorf("today's utilisation = %v%% (census %v%%); want 25%%, the census: G on the road, of 4 not in maintenance",
			today.UtilisationPct, today.Fleet.UtilisationPct())
	}
	_, err = s.TransitionTrip(ctx, g.Code, fleet.Actor{ID: "system"}, "trip.step", arrive(sumAt(1, 8, 0)))
	must(t, err)
	past, err := s.DailySummary(ctx, sumDay, sumAt(2, 9, 0), th)
	must(t, err)
	if past.UtilisationPct != 25 || past.Fleet.UtilisationPct() != 0 {
		t.Errorf("past day's utilisation = %v%% (census now %v%%); want 25%% (G on the road at midnight), 0%% now",
			past.UtilisationPct, past.Fleet.UtilisationPct())
	}
}

// TestDailySummaryActivityIsIncremental checks that today's distance is reused within the
// refresh interval and then brought up to date with only the new fixes.
func TestDailySummaryActivityIsIncremental(t *testing.T) {
	ctx := context.Background()
	s, wantKm := sumFixture(t)
	th := fleet.DefaultThresholds()
	now := sumAt(0, 15, 0)
	first, err := s.DailySummary(ctx, sumDay, now, th)
	must(t, err)
	last := fleet.Point{Lat: 6.51, Lng: 3.37}
	next := fleet.Point{Lat: 6.52, Lng: 3.37}
	_, err = s.InsertPositions(ctx, nil, []fleet.Position{{Plate: "T10001LA", FixTime: sumAt(0, 14, 0), ReceivedAt: now, Point: next, SpeedKmh: 30}})
	must(t, err)

	cached, err := s.DailySummary(ctx, sumDay, now.Add(10*time.Second), th)
	must(t, err)
	if cached.DistanceKm != first.DistanceKm {
		t.Errorf("within the refresh interval distance = %.3f; want the cached %.3f", cached.DistanceKm, first.DistanceKm)
	}
	later, err := s.DailySummary(ctx, sumDay, now.Add(time.Minute), th)
	must(t, err)
	if want := wantKm + fleet.DistanceKm(last, next); math.Abs(later.DistanceKm-want) > 1e-6 {
		t.Errorf("a minute later distance = %.3f; want %.3f", later.DistanceKm, want)
	}
	// Idle from 10:30 (last idle fix, ignition on) to 14:00 is capped at the offline threshold.
	if want := 1.0/3 + th.OfflineAfter.Hours(); math.Abs(later.IdleHours-want) > 1e-9 {
		t.Errorf("idle = %.3f h; want %.3f", later.IdleHours, want)
	}
}

func TestDailySummaryPastDayIsStored(t *testing.T) {
	ctx := context.Background()
	s, wantKm := sumFixture(t)
	th := fleet.DefaultThresholds()
	now := sumAt(2, 9, 0)
	got, err := s.DailySummary(ctx, sumDay, now, th)
	must(t, err)
	if got.TripsCreated != 3 || math.Abs(got.DistanceKm-wantKm) > 1e-6 {
		t.Errorf("past day = %d created, %.3f km; want 3, %.3f", got.TripsCreated, got.DistanceKm, wantKm)
	}
	rows, err := s.DailyMetrics(ctx, sumDay, sumDay.AddDate(0, 0, 1), store.FleetScope)
	must(t, err)
	if len(rows) != 1 {
		t.Fatalf("stored fleet metrics = %d rows; want the computed summary", len(rows))
	}
	// A trip created on that day after the fact does not change the stored (final) summary,
	// but the offline list is as of now.
	sumTrip(t, s, "T40004LA", sumAt(0, 20, 0), sumAt(3, 8, 0))
	again, err := s.DailySummary(ctx, sumDay, now, th)
	must(t, err)
	// T50005LA is in maintenance: counted there, not offline (fleet.StateOf).
	if again.TripsCreated != 3 || !slices.Equal(again.TrucksOfflineNow, []string{"T10001LA", "T20002LA", "T30003LA", "T40004LA"}) {
		t.Errorf("stored summary = %d created, offline now %v; want 3 and every truck but the one in maintenance (no fix for two days)", again.TripsCreated, again.TrucksOfflineNow)
	}
	if again.Fleet == nil || *again.Fleet != (fleet.Census{Size: 5, Offline: 4, Maintenance: 1, PendingTrips: again.Fleet.PendingTrips, ScheduledTrips: again.Fleet.ScheduledTrips}) {
		t.Errorf("stored summary fleet now = %+v; want 5 trucks: 4 offline, 1 in maintenance", again.Fleet)
	}
}
