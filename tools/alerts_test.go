package tools_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/tools"
)

// TestListAlerts: list_alerts filters by status, truck, kind and severity, and refuses an
// unknown kind with a sentence.
func TestListAlerts(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for i, kind := range []fleet.AlertKind{fleet.AlertIdle, fleet.AlertOverspeed, fleet.AlertTripDelayed} {
		_, _, err := f.st.OpenAlert(ctx, fleet.Alert{Kind: kind, IncidentKey: fmt.Sprintf("%s:%d", kind, i),
			Plate: "T11985LA", Message: string(kind), OpenedAt: f.now.Add(-time.Duration(i) * time.Minute)})
		must(t, err)
	}
	must(t, func() error { _, err := f.st.ResolveAlert(ctx, "idle:0", f.now); return err }())
	open, critical := "open", "critical"
	tests := []struct {
		name string
		args tools.ListAlertsArgs
		want []string
	}{
		{"all", tools.ListAlertsArgs{}, []string{"trip_delayed", "overspeed", "idle"}},
		{"open", tools.ListAlertsArgs{Status: &open}, []string{"trip_delayed", "overspeed"}},
		{"critical", tools.ListAlertsArgs{Severity: &critical}, []string{"trip_delayed"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := f.reg.ListAlerts(ctx, tt.args)
			must(t, err)
			var kinds []string
			for _, a := range got.Alerts {
				kinds = append(kinds, a.Kind)
			}
			if fmt.Sprint(kinds) != fmt.Sprint(tt.want) {
				t.Errorf("ListAlerts kinds = %v; want %v", kinds, tt.want)
			}
		})
	}
	bad := "spaceship"
	if _, err := f.reg.ListAlerts(ctx, tools.ListAlertsArgs{Kind: &bad}); fleet.ErrorCode(err) != fleet.EINVALID {
		t.Errorf("ListAlerts(kind spaceship) code = %q; want EINVALID", fleet.ErrorCode(err))
	}
}
