package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/store"
)

func overspeed(at time.Time) fleet.Alert {
	return fleet.Alert{Kind: fleet.AlertOverspeed, IncidentKey: fleet.IncidentKey(fleet.AlertOverspeed, "T11985LA"),
		Plate: "T11985LA", Severity: fleet.SeverityWarning, Message: "T11985LA at 82 km/h",
		Point: &fleet.Point{Lat: 6.5, Lng: 3.4}, Data: []byte(`{"speed_kmh":82}`), OpenedAt: at}
}

func TestAlertIncidents(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	t0 := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)

	first, created, err := s.OpenAlert(ctx, overspeed(t0))
	must(t, err)
	if !created || first.ID == 0 || first.Point == nil || string(first.Data) != `{"speed_kmh": 82}` {
		t.Fatalf("OpenAlert = %+v created=%v", first, created)
	}
	dup, created, err := s.OpenAlert(ctx, overspeed(t0.Add(time.Minute)))
	must(t, err)
	if created || dup.ID != first.ID {
		t.Errorf("second OpenAlert = id %d created=%v; want the open incident %d", dup.ID, created, first.ID)
	}
	open, err := s.ListAlerts(ctx, store.AlertFilter{OpenOnly: true})
	must(t, err)
	if len(open) != 1 {
		t.Errorf("%d open alerts; want 1", len(open))
	}

	must(t, s.SetAlertSlack(ctx, first.ID, "C0ALERTS", "1700000000.1"))
	resolved, err := s.ResolveAlert(ctx, first.IncidentKey, t0.Add(5*time.Minute))
	must(t, err)
	if resolved.Open() || resolved.SlackTS != "1700000000.1" {
		t.Errorf("ResolveAlert = %+v; want resolved with its Slack thread", resolved)
	}
	_, err = s.ResolveAlert(ctx, first.IncidentKey, t0)
	wantCode(t, "ResolveAlert twice", err, fleet.ENOTFOUND)
	_, err = s.OpenAlertByKey(ctx, first.IncidentKey)
	wantCode(t, "OpenAlertByKey after resolve", err, fleet.ENOTFOUND)

	next, created, err := s.OpenAlert(ctx, overspeed(t0.Add(10*time.Minute)))
	must(t, err)
	if !created || next.ID == first.ID {
		t.Errorf("OpenAlert after resolve = id %d created=%v; want a new incident", next.ID, created)
	}
	byKey, err := s.OpenAlertByKey(ctx, first.IncidentKey)
	must(t, err)
	byID, err := s.AlertByID(ctx, first.ID)
	must(t, err)
	if byKey.ID != next.ID || byID.ResolvedAt == nil {
		t.Errorf("OpenAlertByKey = %d, AlertByID(%d).ResolvedAt = %v", byKey.ID, first.ID, byID.ResolvedAt)
	}

	idle := fleet.Alert{Kind: fleet.AlertIdle, IncidentKey: "idle:T28737LA", Plate: "T28737LA", OpenedAt: t0.Add(time.Hour)}
	_, _, err = s.OpenAlert(ctx, idle)
	must(t, err)
	_, _, err = s.OpenAlert(ctx, fleet.Alert{Kind: fleet.AlertIdle})
	wantCode(t, "OpenAlert without key", err, fleet.EINVALID)

	for _, tc := range []struct {
		name   string
		filter store.AlertFilter
		want   int
	}{
		{"all", store.AlertFilter{}, 3},
		{"kind", store.AlertFilter{Kinds: []fleet.AlertKind{fleet.AlertIdle}}, 1},
		{"plate", store.AlertFilter{Plate: "t11985la"}, 2},
		{"window", store.AlertFilter{Since: t0.Add(time.Minute), Until: t0.Add(time.Hour)}, 1},
		{"open", store.AlertFilter{OpenOnly: true}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.ListAlerts(ctx, tc.filter)
			must(t, err)
			if len(got) != tc.want {
				t.Errorf("ListAlerts(%+v) = %d; want %d", tc.filter, len(got), tc.want)
			}
		})
	}
	counts, err := s.CountAlertsByKind(ctx, t0, t0.Add(24*time.Hour))
	must(t, err)
	if counts[fleet.AlertOverspeed] != 2 || counts[fleet.AlertIdle] != 1 {
		t.Errorf("CountAlertsByKind = %v", counts)
	}
	pruned, err := s.PruneAlerts(ctx, t0.Add(48*time.Hour))
	must(t, err)
	if pruned != 1 {
		t.Errorf("PruneAlerts = %d; want 1 (only the resolved one)", pruned)
	}
	wantCode(t, "SetAlertSlack unknown", s.SetAlertSlack(ctx, 9999, "C", "1"), fleet.ENOTFOUND)
}
