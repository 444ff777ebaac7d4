package tools_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/tools"
)

func TestDailySummary(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	startTrip(t, f, "T28737LA", "APAPA", "ECLAT")
	_, _, err := f.st.OpenAlert(ctx, fleet.Alert{Kind: fleet.AlertOverspeed, IncidentKey: "overspeed:T28737LA", Plate: "T28737LA", OpenedAt: f.now.Add(-time.Hour)})
	must(t, err)

	res, err := f.call(t, tools.ToolDailySummary, map[string]any{"date": nil})
	must(t, err)
	s := res.Value.(*tools.DailySummary)
	if s.Date != "2025-11-26" || s.DateLagos != "Wed 26 Nov 2025" || !s.Partial || s.TripsCreated != 1 || s.TripsStarted != 1 {
		t.Errorf("today = %s %q partial=%v created %d started %d; want 2025-11-26, partial, 1 created, 1 started", s.Date, s.DateLagos, s.Partial, s.TripsCreated, s.TripsStarted)
	}
	if s.AlertsByKind["overspeed"] != 1 || s.AlertsTotal != 1 || s.TrucksTotal != 5 || len(s.TrucksOfflineNow) != 2 {
		t.Errorf("alerts %v (%d), trucks %d, offline %v; want 1 overspeed, 5 trucks, 2 offline", s.AlertsByKind, s.AlertsTotal, s.TrucksTotal, s.TrucksOfflineNow)
	}
	if s.UtilisationPct != 25 || s.OnTimePct != nil || !strings.Contains(s.Text(), "so far") {
		t.Errorf("utilisation %v, on time %v; want 25%% (1 of 4 operational), none arrived\n%s", s.UtilisationPct, s.OnTimePct, s.Text())
	}

	for _, tc := range []struct{ date, want string }{
		{"today", "2025-11-26"}, {"yesterday", "2025-11-25"}, {"2025-11-20", "2025-11-20"}, {"Monday", "2025-11-24"}, {"20/11", "2025-11-20"},
	} {
		got, err := f.reg.DailySummary(ctx, tc.date)
		must(t, err)
		if got.Date != tc.want || got.Partial != (tc.want == "2025-11-26") {
			t.Errorf("DailySummary(%q) = %s partial=%v; want %s", tc.date, got.Date, got.Partial, tc.want)
		}
	}
	for _, date := range []string{"tomorrow", "2025-12-01", "someday"} {
		_, err := f.reg.DailySummary(ctx, date)
		wantCode(t, "DailySummary("+date+")", err, fleet.EINVALID)
	}
}
