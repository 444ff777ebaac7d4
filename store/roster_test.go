package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
)

var (
	clerk    = fleet.Actor{ID: "erp-sync", Name: "erp-sync", Via: "api"}
	rosterAt = time.Date(2025, 11, 26, 10, 0, 0, 0, fleet.Lagos())
)

func str(s string) *string { return &s }

func TestAddUpdateRetireTruck(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	addSites(t, s)
	tr, err := s.AddTruck(ctx, "t-20001 la", fleet.TruckChange{DriverName: str("Musa"), DriverPhone: str("0803 123 4567"), HomeSite: str("apapa")}, clerk, rosterAt)
	must(t, err)
	d, err := s.DriverByID(ctx, tr.DriverID)
	must(t, err)
	if tr.Plate != "T20001LA" || tr.HomeSite != "APAPA" || tr.Status != fleet.TruckOperational || d.Name != "Musa" || d.Phone != "08031234567" {
		t.Errorf("AddTruck = %+v with driver %+v; want T20001LA at APAPA, Musa 08031234567", tr, d)
	}
	_, err = s.AddTruck(ctx, "T20001LA", fleet.TruckChange{}, clerk, rosterAt)
	wantCode(t, "AddTruck twice", err, fleet.ECONFLICT)

	// A change that fails stores none of it: the notes stay as they were.
	_, err = s.UpdateTruck(ctx, "T20001LA", fleet.TruckChange{Notes: str("tyres"), HomeSite: str("ATLANTIS")}, clerk, rosterAt)
	wantCode(t, "UpdateTruck to an unknown site", err, fleet.EINVALID)
	if fleet.ErrorField(err) != "site" {
		t.Errorf("unknown site field = %q; want site", fleet.ErrorField(err))
	}
	until := time.Now().Add(48 * time.Hour)
	tr, err = s.UpdateTruck(ctx, "T20001LA", fleet.TruckChange{Status: ptrStatus(fleet.TruckMaintenance), MaintenanceUntil: &until, Notes: str("gearbox")}, clerk, time.Now())
	must(t, err)
	if tr.Status != fleet.TruckMaintenance || tr.MaintenanceUntil == nil || !tr.MaintenanceUntil.Equal(until.Truncate(time.Microsecond)) || tr.Notes != "gearbox" {
		t.Errorf("UpdateTruck maintenance = %+v; want maintenance until %v with notes", tr, until)
	}
	tr, err = s.UpdateTruck(ctx, "T20001LA", fleet.TruckChange{Status: ptrStatus(fleet.TruckOperational)}, clerk, rosterAt)
	must(t, err)
	if tr.Status != fleet.TruckOperational || tr.MaintenanceUntil != nil {
		t.Errorf("UpdateTruck operational = %+v; want operational, no maintenance end", tr)
	}
	_, err = s.UpdateTruck(ctx, "T20001LA", fleet.TruckChange{}, clerk, rosterAt)
	wantCode(t, "UpdateTruck nothing", err, fleet.EINVALID)
	_, err = s.UpdateTruck(ctx, "T20009LA", fleet.TruckChange{Notes: str("x")}, clerk, rosterAt)
	wantCode(t, "UpdateTruck unknown", err, fleet.ENOTFOUND)

	tr, err = s.RetireTruck(ctx, "T20001LA", clerk)
	must(t, err)
	if tr.ArchivedAt == nil || tr.ShownStatus() != fleet.TruckRetired {
		t.Errorf("RetireTruck = %+v; want retired", tr)
	}
	_, err = s.RetireTruck(ctx, "T20001LA", clerk)
	wantCode(t, "RetireTruck twice", err, fleet.ECONFLICT)
	_, err = s.UpdateTruck(ctx, "T20001LA", fleet.TruckChange{Notes: str("x")}, clerk, rosterAt)
	wantCode(t, "UpdateTruck retired", err, fleet.ECONFLICT)
	plates, err := s.Plates(ctx)
	must(t, err)
	for _, p := range plates {
		if p == "T20001LA" {
			t.Errorf("Plates lists the retired truck")
		}
	}
	audit, err := s.ListAudit(ctx, "T20001LA")
	must(t, err)
	var actions []string
	for _, e := range audit {
		actions = append(actions, e.Action)
		if e.Actor != clerk {
			t.Errorf("audit %s by %+v; want %+v", e.Action, e.Actor, clerk)
		}
	}
	want := []string{"truck.create", "truck.status", "truck.update", "truck.status", "truck.update", "truck.retire"}
	if !slices.Equal(actions, want) {
		t.Errorf("audit = %v; want %v", actions, want)
	}
}

func ptrStatus(s fleet.TruckStatus) *fleet.TruckStatus { return &s }

func TestSetTruckDriver(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	addTrucks(t, s, "T11985LA", "T28737LA")
	must(t, s.SetTruckDriver(ctx, "T11985LA", "Musa", "0803 123 4567"))
	// The same phone on another truck is the same driver, renamed.
	must(t, s.SetTruckDriver(ctx, "T28737LA", "Musa Ibrahim", "+2348031234567"))
	a, err := s.TruckByPlate(ctx, "T11985LA")
	must(t, err)
	b, err := s.TruckByPlate(ctx, "T28737LA")
	must(t, err)
	d, err := s.DriverByID(ctx, b.DriverID)
	must(t, err)
	if a.DriverID != b.DriverID || d.Name != "Musa Ibrahim" || d.Phone != "+2348031234567" {
		t.Errorf("drivers = %d, %d (%+v); want one driver, renamed, phone respelled", a.DriverID, b.DriverID, d)
	}
	wantCode(t, "phone without name for a new driver", s.SetTruckDriver(ctx, "T99999LA", "", "0809"), fleet.ENOTFOUND)
	must(t, s.SetTruckDriver(ctx, "T11985LA", "", ""))
	if a, _ = s.TruckByPlate(ctx, "T11985LA"); a.DriverID != 0 {
		t.Errorf("both empty left driver %d; want none", a.DriverID)
	}
	err = s.SetTruckDriver(ctx, "T11985LA", "", "08099999999")
	wantCode(t, "a phone nobody has, without a name", err, fleet.EINVALID)
}

func TestAddUpdateRetireSite(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	addSites(t, s)
	st, err := s.AddSite(ctx, fleet.Site{Code: "ojodu", Name: "Ojodu park", Kind: fleet.SiteDepot, Point: fleet.Point{Lat: 6.64, Lng: 3.37}, RadiusM: 200}, clerk)
	must(t, err)
	if st.Code != "OJODU" || st.Cell != fleet.CellOf(st.Point, fleet.CellResolution) {
		t.Errorf("AddSite = %+v; want OJODU with its cell", st)
	}
	_, err = s.AddSite(ctx, fleet.Site{Code: "APAPA", Name: "x", Kind: fleet.SiteDepot, Point: fleet.Point{Lat: 6.4, Lng: 3.3}, RadiusM: 100}, clerk)
	wantCode(t, "AddSite existing", err, fleet.ECONFLICT)
	_, err = s.UpdateSite(ctx, "OJODU", fleet.SiteChange{Lat: floatp(-95)}, clerk)
	wantCode(t, "UpdateSite lat -95", err, fleet.EINVALID)
	st, err = s.UpdateSite(ctx, "ojodu", fleet.SiteChange{RadiusM: floatp(120)}, clerk)
	must(t, err)
	if st.RadiusM != 120 || st.Point.Lat != 6.64 {
		t.Errorf("UpdateSite = %+v; want radius 120, lat kept", st)
	}
	st, err = s.RetireSite(ctx, "OJODU", clerk)
	must(t, err)
	if st.ArchivedAt == nil {
		t.Errorf("RetireSite = %+v; want archived_at", st)
	}
	_, err = s.FindSite(ctx, "OJODU")
	wantCode(t, "FindSite of a retired site", err, fleet.ENOTFOUND)
	_, err = s.RetireSite(ctx, "OJODU", clerk)
	wantCode(t, "RetireSite twice", err, fleet.ECONFLICT)
	_, err = s.UpdateSite(ctx, "ATLANTIS", fleet.SiteChange{Name: str("x")}, clerk)
	wantCode(t, "UpdateSite unknown", err, fleet.ENOTFOUND)
}

func floatp(f float64) *float64 { return &f }
