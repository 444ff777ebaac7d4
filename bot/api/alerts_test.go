package api_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/watchtower-ops/watchtower/bot/api"
	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/tools"
)

// alertsAPI joins the store's history and the registry's acknowledgement, as main does.
type alertsAPI struct{ f *fixture }

func (x alertsAPI) QueryAlerts(ctx context.Context, q fleet.AlertQuery) ([]fleet.Alert, int64, error) {
	return x.f.st.QueryAlerts(ctx, q)
}

func (x alertsAPI) ActOnAlert(ctx context.Context, id int64, act fleet.AlertAction, c tools.Caller) (fleet.Alert, error) {
	return x.f.reg.ActOnAlert(ctx, id, act, c)
}

// TestAlertsAPI: the history filters and pages; acknowledging needs a write token, works once
// (a second one is 409), queues the Slack update and is audited with the token's name.
func TestAlertsAPI(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.serve(t, func(d *api.Deps, _ *api.Config) { d.Alerts = alertsAPI{f} })
	ctx := context.Background()
	var ids []int64
	for i, kind := range []fleet.AlertKind{fleet.AlertIdle, fleet.AlertOverspeed, fleet.AlertTripDelayed} {
		a, _, err := f.st.OpenAlert(ctx, fleet.Alert{Kind: kind, IncidentKey: fmt.Sprintf("%s:%d", kind, i),
			Plate: "T11985LA", Message: string(kind), OpenedAt: f.now.Add(-time.Duration(i) * time.Minute)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, a.ID)
	}
	var page struct {
		Data       []api.AlertItem `json:"data"`
		NextCursor *string         `json:"next_cursor"`
	}
	r := f.do(t, "GET", "/api/v1/alerts?severity=critical", f.read, "")
	wantStatus(t, "list critical", r, http.StatusOK, "")
	r.json(t, &page)
	if len(page.Data) != 1 || page.Data[0].Kind != "trip_delayed" {
		t.Errorf("critical alerts = %+v; want the trip delay", page.Data)
	}
	r = f.do(t, "GET", "/api/v1/alerts?status=open&limit=2", f.read, "")
	r.json(t, &page)
	if len(page.Data) != 2 || page.NextCursor == nil {
		t.Fatalf("first page = %+v; want 2 and a cursor", page)
	}
	r = f.do(t, "GET", "/api/v1/alerts?status=open&limit=2&cursor="+*page.NextCursor, f.read, "")
	r.json(t, &page)
	if len(page.Data) != 1 || page.NextCursor != nil || page.Data[0].ID != ids[0] {
		t.Errorf("second page = %+v; want the oldest alert and no cursor", page)
	}
	wantStatus(t, "bad kind", f.do(t, "GET", "/api/v1/alerts?kind=spaceship", f.read, ""), http.StatusBadRequest, fleet.EINVALID)

	path := fmt.Sprintf("/api/v1/alerts/%d/ack", ids[1])
	wantStatus(t, "ack with a read token", f.do(t, "POST", path, f.read, ""), http.StatusForbidden, fleet.EFORBIDDEN)
	r = f.do(t, "POST", path, f.write, "")
	wantStatus(t, "ack", r, http.StatusOK, "")
	var item api.AlertItem
	r.json(t, &item)
	if item.AcknowledgedBy == nil || *item.AcknowledgedBy != "erp-sync" {
		t.Errorf("acknowledged_by = %v; want erp-sync", item.AcknowledgedBy)
	}
	e := wantStatus(t, "second ack", f.do(t, "POST", path, f.write, ""), http.StatusConflict, fleet.ECONFLICT)
	if e.Error.Message == "" {
		t.Errorf("409 without a sentence")
	}
	wantStatus(t, "unknown alert", f.do(t, "POST", "/api/v1/alerts/999999/ack", f.write, ""), http.StatusNotFound, fleet.ENOTFOUND)
	acted := 0
	for _, n := range f.notes.All() {
		if n.Kind == fleet.NotifyAlertActed && n.Alert.ID == ids[1] {
			acted++
		}
	}
	if acted != 1 {
		t.Errorf("%d message updates queued; want 1", acted)
	}
}
