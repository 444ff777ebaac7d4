package schedule

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/fleet/fleettest"
	"github.com/watchtower-ops/watchtower/store"
)

var (
	dwellSite = fleet.Site{Code: "APAPA", Name: "Apapa Port", Kind: fleet.SiteTerminal, Point: fleet.Point{Lat: 6.45, Lng: 3.36}, RadiusM: 200}
	dwellRoad = fleet.Point{Lat: 6.475, Lng: 3.38}
)

// visit drives plate into dwellSite at in (a fix on the road 10 min before, then one inside
// every 10 min) and out at out (zero: still inside at the last fix, last), through ingest.
func visit(t *testing.T, s *store.Store, plate string, in, out, last time.Time) {
	t.Helper()
	var obs []fleet.Observation
	add := func(at time.Time, p fleet.Point) {
		obs = append(obs, fleet.Observation{EntryID: fmt.Sprintf("%d-%d", at.UnixMilli(), len(plate)),
			Position: &fleet.Position{Plate: plate, FixTime: at, ReceivedAt: at, Point: p, Ignition: true, Source: "test"}})
	}
	add(in.Add(-10*time.Minute), dwellRoad)
	end := last
	if !out.IsZero() {
		end = out.Add(-time.Minute)
	}
	for at := in; !at.After(end); at = at.Add(10 * time.Minute) {
		add(at, dwellSite.Point)
	}
	if !out.IsZero() {
		add(out, dwellRoad)
	}
	_, err := s.ApplyIngest(context.Background(), "", obs, fleet.DefaultThresholds())
	must(t, err)
}

func dwellJob(s *store.Store, rec *fleettest.Recorder) *DwellWatch {
	th := fleet.DefaultThresholds()
	return &DwellWatch{Visits: s, Sites: s, Incidents: s, Alerts: s, Notifier: rec, Thresholds: th}
}

// TestDwellAlertWithoutHistory: a site without history alerts at DWELL_ALERT_MIN (3 h), once
// per visit, naming truck, site and how long; the exit resolves it.
func TestDwellAlertWithoutHistory(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	seedSite(t, s, "X", fleet.Point{Lat: 6.3, Lng: 3.2}) // another site, never visited
	_, err := s.UpsertSite(ctx, dwellSite)
	must(t, err)
	now := time.Now().UTC().Truncate(time.Minute)
	in := now.Add(-3 * time.Hour).Add(90 * time.Second) // 2 h 58 min 30 s inside at now
	visit(t, s, "T28737LA", in, time.Time{}, now.Add(-time.Minute))
	rec := &fleettest.Recorder{}
	job := dwellJob(s, rec)
	must(t, job.Run(ctx, now))
	if got := rec.All(); len(got) != 0 {
		t.Fatalf("at 2 h 58 min: %v; want nothing", kinds(got))
	}
	for _, later := range []time.Duration{2 * time.Minute, 3 * time.Minute, 10 * time.Minute} {
		must(t, job.Run(ctx, now.Add(later)))
	}
	got := rec.All()
	if len(got) != 1 || got[0].Kind != fleet.NotifyAlertOpened || got[0].Alert.Kind != fleet.AlertDwell {
		t.Fatalf("after 3 h: %v; want one dwell alert", kinds(got))
	}
	a := got[0].Alert
	if a.Severity != fleet.SeverityWarning || !strings.Contains(a.Message, "T28737LA") ||
		!strings.Contains(a.Message, "Apapa Port (APAPA)") || !strings.Contains(a.Message, "for 3 h") {
		t.Errorf("alert = %s %q; want a warning naming T28737LA, Apapa Port (APAPA) and 3 h", a.Severity, a.Message)
	}
	if !a.OpenedAt.Before(in.Add(3*time.Hour + 2*time.Minute)) {
		t.Errorf("opened at %v; want within 2 min of crossing 3 h at %v", a.OpenedAt, in.Add(3*time.Hour))
	}
	// The truck leaves: ingest resolves the incident, and the job raises nothing more.
	out := now.Add(20 * time.Minute)
	visit(t, s, "T28737LA", now, out, time.Time{})
	if _, err := s.OpenAlertByKey(ctx, fleet.DwellKey("T28737LA", "APAPA")); fleet.ErrorCode(err) != fleet.ENOTFOUND {
		t.Errorf("dwell alert open after the exit (err %v)", err)
	}
	must(t, job.Run(ctx, out.Add(time.Minute)))
	if got := rec.All(); len(got) != 1 {
		t.Errorf("after the exit: %v; want no more", kinds(got))
	}
}

// TestDwellAlertUsesSiteP90: where visits usually take 5 h, 4 h is normal and 5 h 10 min is
// not.
func TestDwellAlertUsesSiteP90(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	_, err := s.UpsertSite(ctx, dwellSite)
	must(t, err)
	now := time.Now().UTC().Truncate(time.Minute)
	for i := range 5 {
		in := now.Add(-time.Duration(i+1) * 24 * time.Hour)
		visit(t, s, fmt.Sprintf("T%d0000LA", i+1), in, in.Add(5*time.Hour), time.Time{})
	}
	stats, err := s.DwellStats(ctx, []string{"APAPA"}, now)
	must(t, err)
	if st := stats["APAPA"]; st.Visits != 5 || st.P90 != 5*time.Hour {
		t.Fatalf("stats = %+v; want 5 visits, p90 5 h", st)
	}
	in := now.Add(-4 * time.Hour)
	visit(t, s, "T28737LA", in, time.Time{}, now.Add(-time.Minute))
	rec := &fleettest.Recorder{}
	job := dwellJob(s, rec)
	must(t, job.Run(ctx, now))
	if got := rec.All(); len(got) != 0 {
		t.Fatalf("at 4 h (p90 5 h): %v; want nothing", kinds(got))
	}
	must(t, job.Run(ctx, in.Add(5*time.Hour+time.Minute)))
	if got := rec.All(); len(got) != 1 || !strings.Contains(got[0].Alert.Message, "90% of the 5 visits") {
		t.Fatalf("at 5 h 1 min: %v; want one dwell alert comparing with the 5 visits", kinds(got))
	}
}

// TestDwellAlertResolvedWhenNotInside: a dwell incident whose truck is not inside that site
// any more (its visit was closed another way) is resolved by the next run.
func TestDwellAlertResolvedWhenNotInside(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	now := time.Now().UTC()
	_, _, err := s.OpenAlert(ctx, fleet.Alert{Kind: fleet.AlertDwell, IncidentKey: fleet.DwellKey("T1AAA", "APAPA"),
		Plate: "T1AAA", SiteCode: "APAPA", Message: "waiting", OpenedAt: now.Add(-time.Hour)})
	must(t, err)
	rec := &fleettest.Recorder{}
	must(t, dwellJob(s, rec).Run(ctx, now))
	if got := rec.All(); len(got) != 1 || got[0].Kind != fleet.NotifyAlertResolved {
		t.Fatalf("notifications = %v; want the dwell alert resolved", kinds(got))
	}
	if _, err := s.OpenAlertByKey(ctx, fleet.DwellKey("T1AAA", "APAPA")); fleet.ErrorCode(err) != fleet.ENOTFOUND {
		t.Errorf("still open (err %v)", err)
	}
}
