package schedule

import (
	"context"
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/fleet/fleettest"
	"github.com/watchtower-ops/watchtower/store"
)

var (
	apapa = fleet.Point{Lat: 6.45, Lng: 3.36}
	eclat = fleet.Point{Lat: 6.45, Lng: 3.46}
)

// eastOf returns n+1 points from apapa eastwards in steps of 0.025° of longitude.
func eastOf(n int) []fleet.Point {
	out := make([]fleet.Point, n+1)
	for i := range out {
		out[i] = fleet.Point{Lat: apapa.Lat, Lng: apapa.Lng + 0.025*float64(i)}
	}
	return out
}

// legKm is the length of one 0.025° step of eastOf.
var legKm = fleet.DistanceKm(eastOf(1)[0], eastOf(1)[1])

// dayFixture is one seeded business day, Mon 17 Nov 2025, with what its figures must be.
type dayFixture struct {
	day time.Time
	th  fleet.Thresholds
}

// seedDay seeds the fleet of the analytics and digest tests:
//   - T1AAA: TRP on time (dep 08:10, planned 10:00, arrived 09:50, completed 10:30), drives
//     four legs east from 08:10 at 30 km/h, and has an overspeed alert.
//   - T2BBB: TRP delayed at 11:00, left 11:30, arrived late 13:00 (planned 11:00), completed
//     13:40; stands idle with the ignition on from 09:00 to 09:30; one offline alert.
//   - T3CCC: a trip created that day and cancelled at 12:00.
//   - T1AAA: a trip requested that day for the next (pending approval).
//   - T4DDD in maintenance, quiet.
func seedDay(t *testing.T, s *store.Store) dayFixture {
	t.Helper()
	ctx := context.Background()
	d := at(2025, 11, 17, 0, 0)
	h := func(hh, mm int) time.Time {
		return d.Add(time.Duration(hh)*time.Hour + time.Duration(mm)*time.Minute).UTC()
	}
	seedSite(t, s, "APAPA", apapa)
	seedSite(t, s, "ECLAT", eclat)
	for _, p := range []string{"T1AAA", "T2BBB", "T3CCC"} {
		seedTruck(t, s, p, fleet.TruckOperational)
	}
	seedTruck(t, s, "T4DDD", fleet.TruckMaintenance)
	base := fleet.Trip{Origin: "APAPA", Destination: "ECLAT"}
	trip := func(plate string, f func(*fleet.Trip)) {
		tr := base
		tr.Plate = plate
		f(&tr)
		seedTrip(t, s, tr)
	}
	trip("T1AAA", func(tr *fleet.Trip) {
		tr.Status, tr.ScheduledDeparture, tr.PlannedArrival = fleet.TripCompleted, h(8, 0), h(10, 0)
		tr.DepartedAt, tr.ArrivedAt, tr.CompletedAt = ptr(h(8, 10)), ptr(h(9, 50)), ptr(h(10, 30))
	})
	trip("T2BBB", func(tr *fleet.Trip) {
		tr.Status, tr.ScheduledDeparture, tr.PlannedArrival = fleet.TripCompleted, h(9, 0), h(11, 0)
		tr.DelayedAt, tr.DepartedAt = ptr(h(11, 0)), ptr(h(11, 30))
		tr.ArrivedAt, tr.CompletedAt = ptr(h(13, 0)), ptr(h(13, 40))
	})
	trip("T3CCC", func(tr *fleet.Trip) {
		tr.Status, tr.ScheduledDeparture, tr.CreatedAt = fleet.TripCancelled, h(15, 0), h(7, 0)
		tr.CancelledAt = ptr(h(12, 0))
	})
	trip("T1AAA", func(tr *fleet.Trip) {
		tr.Status, tr.ScheduledDeparture, tr.CreatedAt = fleet.TripPendingApproval, h(32, 0), h(12, 0)
	})
	seedFixes(t, s, "T1AAA", h(8, 10), 10*time.Minute, 30, true, eastOf(4)...)
	seedFixes(t, s, "T2BBB", h(9, 0), 10*time.Minute, 0, true, apapa, apapa, apapa, apapa)
	for _, a := range []fleet.Alert{
		{Kind: fleet.AlertOverspeed, IncidentKey: "overspeed:T1AAA", Plate: "T1AAA", OpenedAt: h(8, 30)},
		{Kind: fleet.AlertOffline, IncidentKey: "offline:T2BBB", Plate: "T2BBB", OpenedAt: h(14, 0)},
	} {
		_, _, err := s.OpenAlert(ctx, a)
		must(t, err)
	}
	return dayFixture{day: d, th: fleet.DefaultThresholds()}
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-6 }

// TestAnalytics stores the fleet's and each truck's figures of the previous Lagos day, and
// the truck rows add up to the fleet's.
func TestAnalytics(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	f := seedDay(t, s)
	job := &Analytics{Summaries: s, Trucks: s, Metrics: s, Thresholds: f.th, Location: lagos}
	must(t, job.Run(ctx, at(2025, 11, 18, 6, 0)))

	rows, err := s.DailyMetrics(ctx, f.day, f.day.AddDate(0, 0, 1), "")
	must(t, err)
	var sum fleet.DailySummary
	trucks := map[string]fleet.TruckDay{}
	for _, r := range rows {
		switch {
		case r.Scope == FleetScope:
			must(t, json.Unmarshal(r.Data, &sum))
		case !strings.Contains(r.Scope, ":"):
			var td fleet.TruckDay
			must(t, json.Unmarshal(r.Data, &td))
			trucks[r.Scope] = td
		}
	}
	checkSummary(t, sum)
	if len(trucks) != 3 {
		t.Fatalf("truck rows = %v; want T1AAA, T2BBB, T3CCC (T4DDD was quiet)", trucks)
	}
	t1, t2, t3 := trucks["T1AAA"], trucks["T2BBB"], trucks["T3CCC"]
	if t1.TripsStarted != 1 || t1.TripsArrived != 1 || t1.TripsOnTime != 1 || t1.TripsCompleted != 1 ||
		!near(t1.TurnaroundHours, 140.0/60) || !near(t1.DistanceKm, 4*legKm) || !near(t1.MovingHours, 40.0/60) ||
		t1.IdleHours != 0 || t1.Alerts != 1 {
		t.Errorf("T1AAA = %+v; want 1 trip on time, 2h20 turnaround, %.3f km, 40 min moving, 1 alert", t1, 4*legKm)
	}
	if t2.TripsArrived != 1 || t2.TripsOnTime != 0 || t2.TripsDelayed != 1 || !near(t2.IdleHours, 0.5) ||
		t2.DistanceKm != 0 || t2.Alerts != 1 {
		t.Errorf("T2BBB = %+v; want 1 late arrival, 1 delay, 0.5 h idle, 1 alert", t2)
	}
	if t3.TripsCancelled != 1 || t3.TripsStarted != 0 {
		t.Errorf("T3CCC = %+v; want 1 cancellation", t3)
	}
	if !near(t1.DistanceKm+t2.DistanceKm, sum.DistanceKm) || !near(t1.IdleHours+t2.IdleHours, sum.IdleHours) {
		t.Errorf("truck rows add up to %.3f km, %.3f h idle; fleet summary says %.3f km, %.3f h",
			t1.DistanceKm+t2.DistanceKm, t1.IdleHours+t2.IdleHours, sum.DistanceKm, sum.IdleHours)
	}
}

// checkSummary checks the fleet figures of seedDay's day.
func checkSummary(t *testing.T, s fleet.DailySummary) {
	t.Helper()
	if s.TripsCreated != 2 || s.TripsStarted != 2 || s.TripsCompleted != 2 || s.TripsDelayed != 1 || s.TripsCancelled != 1 {
		t.Errorf("trips created/started/completed/delayed/cancelled = %d/%d/%d/%d/%d; want 2/2/2/1/1",
			s.TripsCreated, s.TripsStarted, s.TripsCompleted, s.TripsDelayed, s.TripsCancelled)
	}
	if s.OnTimePct == nil || *s.OnTimePct != 50 {
		t.Errorf("on time = %v; want 50%%", s.OnTimePct)
	}
	if s.AvgTurnaround == nil || *s.AvgTurnaround != 135*time.Minute {
		t.Errorf("avg turnaround = %v; want 2h15m", s.AvgTurnaround)
	}
	if !near(s.DistanceKm, 4*legKm) || !near(s.IdleHours, 0.5) {
		t.Errorf("distance %.4f km, idle %.4f h; want %.4f km, 0.5 h", s.DistanceKm, s.IdleHours, 4*legKm)
	}
	if s.AlertsByKind[fleet.AlertOverspeed] != 1 || s.AlertsByKind[fleet.AlertOffline] != 1 {
		t.Errorf("alerts = %v; want 1 overspeed, 1 offline", s.AlertsByKind)
	}
}

// TestDailyDigest posts yesterday's summary: the figures of the data, the same as
// get_daily_summary's (the store's DailySummary), to the summary audience.
func TestDailyDigest(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	f := seedDay(t, s)
	rec := &fleettest.Recorder{}
	job := &DailyDigest{Summaries: s, Notifier: rec, Thresholds: f.th, Location: lagos}
	slot := at(2025, 11, 18, 7, 0)
	must(t, job.Run(ctx, slot))
	must(t, job.Run(ctx, slot)) // a retried slot
	must(t, job.Run(ctx, slot.Add(3*time.Hour+17*time.Minute)))

	ns := rec.All()
	if len(ns) != 3 {
		t.Fatalf("notifications = %d; want 3", len(ns))
	}
	n := ns[0]
	if n.Kind != fleet.NotifyDailySummary || n.Audience != fleet.AudienceSummary || n.Summary == nil {
		t.Fatalf("notification = %+v; want a digest.daily for the summary channel with its Summary", n)
	}
	checkSummary(t, *n.Summary)
	if !n.Summary.Date.Equal(f.day) {
		t.Errorf("summary date = %v; want %v", n.Summary.Date, f.day)
	}
	direct, err := s.DailySummary(ctx, f.day, slot, f.th)
	must(t, err)
	a, _ := json.Marshal(direct)
	b, _ := json.Marshal(*n.Summary)
	if string(a) != string(b) {
		t.Errorf("digest summary differs from get_daily_summary's:\n%s\n%s", b, a)
	}
	if ns[1].ID != n.ID || ns[2].ID == n.ID {
		t.Errorf("IDs %q, %q, %q; want a retried slot to repeat its ID and a later run to get a new one", n.ID, ns[1].ID, ns[2].ID)
	}
	if !strings.Contains(n.Text, "Mon 17 Nov 2025") || !strings.Contains(n.Text, "2 completed") || !strings.Contains(n.Text, "On time 50%") {
		t.Errorf("text = %q; want the day and its figures", n.Text)
	}
}
