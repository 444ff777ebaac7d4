package sheets_test

import (
	"strings"
	"testing"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/store/sheets"
)

// synced returns an env holding truck T11985LA (driver Musa Ibrahim) and one of its trips,
// already in step with the sheet.
func synced(t *testing.T) (*env, fleet.Truck, fleet.Trip) {
	e := newEnv(t)
	truck := e.truck("T11985LA", "Musa Ibrahim", "08031234567")
	trip := e.trip("T11985LA", 8)
	e.settle()
	return e, truck, trip
}

func TestSheetEditFlowsToDatabase(t *testing.T) {
	e, _, trip := synced(t)
	tr := e.rowNum(sheets.TrucksTab, "Plate", "T11985LA")
	e.set(sheets.TrucksTab, tr, "Company", "Lekki Logistics")
	e.set(sheets.TrucksTab, tr, "Driver", "Musa Ibrahim Bello")
	e.set(sheets.TripsTab, e.rowNum(sheets.TripsTab, "Trip ID", trip.Code), "Cargo", "Bagged rice")
	res := e.settle()
	if res.Updated != 2 || res.Conflicts != 0 {
		t.Errorf("Result = %+v; want 2 rows updated, no conflict", res)
	}
	truck, _ := e.st.TruckByPlate(e.ctx, "T11985LA")
	d, _ := e.st.DriverByID(e.ctx, truck.DriverID)
	if truck.Company != "Lekki Logistics" || d.Name != "Musa Ibrahim Bello" || d.Phone != "08031234567" {
		t.Errorf("truck %+v, driver %+v; want the sheet's company and driver name, phone kept", truck, d)
	}
	got, _ := e.st.TripByCode(e.ctx, trip.Code)
	if got.CargoType != "Bagged rice" || got.Status != fleet.TripPendingApproval {
		t.Errorf("trip = %+v; want cargo from the sheet, still pending", got)
	}
	audit, _ := e.st.ListAudit(e.ctx, "T11985LA")
	if len(audit) == 0 || audit[len(audit)-1].Actor.Via != "sheets" {
		t.Errorf("audit = %+v; want the change logged via sheets", audit)
	}
}

func TestDatabaseEditFlowsToSheet(t *testing.T) {
	e, _, trip := synced(t)
	if _, err := e.st.SetTruckStatus(e.ctx, "T11985LA", fleet.TruckMaintenance); err != nil {
		t.Fatal(err)
	}
	if _, err := e.st.TransitionTrip(e.ctx, trip.Code, fleet.Actor{ID: "U1"}, "trip.approve", func(t fleet.Trip) (fleet.Trip, error) {
		return t.Approve("U1", e.now)
	}); err != nil {
		t.Fatal(err)
	}
	res := e.settle()
	if res.Updated != 2 {
		t.Errorf("Updated = %d; want 2", res.Updated)
	}
	if r := e.row(sheets.TrucksTab, "Plate", "T11985LA"); r["Status"] != "maintenance" {
		t.Errorf("truck row Status = %q; want maintenance", r["Status"])
	}
	if r := e.row(sheets.TripsTab, "Trip ID", trip.Code); r["Status"] != "scheduled" {
		t.Errorf("trip row Status = %q; want scheduled", r["Status"])
	}
}

func TestBothSidesEditDifferentFieldsAreMerged(t *testing.T) {
	e, _, trip := synced(t)
	e.set(sheets.TrucksTab, e.rowNum(sheets.TrucksTab, "Plate", "T11985LA"), "Brand", "Sinotruk")
	if _, err := e.st.SetTruckStatus(e.ctx, "T11985LA", fleet.TruckMaintenance); err != nil {
		t.Fatal(err)
	}
	e.set(sheets.TripsTab, e.rowNum(sheets.TripsTab, "Trip ID", trip.Code), "Container", "MSKU7654321")
	if _, err := e.st.TransitionTrip(e.ctx, trip.Code, fleet.Actor{ID: "U1"}, "trip.approve", func(t fleet.Trip) (fleet.Trip, error) {
		return t.Approve("U1", e.now)
	}); err != nil {
		t.Fatal(err)
	}
	res := e.settle()
	if res.Conflicts != 0 || res.Updated != 2 {
		t.Errorf("Result = %+v; want 2 rows merged without conflict", res)
	}
	truck, _ := e.st.TruckByPlate(e.ctx, "T11985LA")
	if truck.Brand != "Sinotruk" || truck.Status != fleet.TruckMaintenance {
		t.Errorf("truck = %+v; want brand from the sheet and status from Watch Tower", truck)
	}
	if r := e.row(sheets.TrucksTab, "Plate", "T11985LA"); r["Brand"] != "Sinotruk" || r["Status"] != "maintenance" {
		t.Errorf("truck row = %v; want both changes", r)
	}
	got, _ := e.st.TripByCode(e.ctx, trip.Code)
	if got.ContainerNo != "MSKU7654321" || got.Status != fleet.TripScheduled {
		t.Errorf("trip = %+v; want the sheet's container, still scheduled", got)
	}
	if r := e.row(sheets.TripsTab, "Trip ID", trip.Code); r["Status"] != "scheduled" || r["Container"] != "MSKU7654321" {
		t.Errorf("trip row = %v; want both changes", r)
	}
}

func TestBothSidesEditSameFieldIsAConflict(t *testing.T) {
	tests := []struct {
		name       string
		field      string // key in the conflicts log
		sheetValue string
		dbEdit     func(e *env) error
		wantDB     string // value both sides end with
		winner     string
	}{
		{"status is Watch Tower's", "status", "inactive", func(e *env) error {
			_, err := e.st.SetTruckStatus(e.ctx, "T11985LA", fleet.TruckMaintenance)
			return err
		}, "maintenance", "database"},
		{"company is the sheet's", "company", "Lekki Logistics", func(e *env) error {
			_, err := e.st.UpsertTruck(e.ctx, fleet.Truck{Plate: "T11985LA", Company: "Apapa Movers", Brand: "MAN", TrailerSize: "40ft"})
			return err
		}, "Lekki Logistics", "sheet"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, _, _ := synced(t)
			header := map[string]string{"status": "Status", "company": "Company"}[tt.field]
			e.set(sheets.TrucksTab, e.rowNum(sheets.TrucksTab, "Plate", "T11985LA"), header, tt.sheetValue)
			if err := tt.dbEdit(e); err != nil {
				t.Fatal(err)
			}
			since := e.now.Add(-time.Minute) // conflicts are stamped with the cycle's clock
			res := e.settle()
			if res.Conflicts != 1 {
				t.Errorf("Conflicts = %d; want 1", res.Conflicts)
			}
			r := e.row(sheets.TrucksTab, "Plate", "T11985LA")
			if r[header] != tt.wantDB || !strings.Contains(r["Sync Note"], "Conflict on "+header) {
				t.Errorf("row = %v; want %s = %q and a conflict note", r, header, tt.wantDB)
			}
			cs, err := e.syncer.Conflicts(e.ctx, since)
			if err != nil || len(cs) != 1 {
				t.Fatalf("Conflicts() = %+v, %v; want one", cs, err)
			}
			if c := cs[0]; c.Field != tt.field || c.Sheet != strings.ToLower(tt.sheetValue) && c.Sheet != tt.sheetValue || c.Winner != tt.winner || c.Base == nil {
				t.Errorf("conflict = %+v; want %s won by %s, with the base", c, tt.field, tt.winner)
			}
		})
	}
}

func TestDeletedRowIsArchivedNotDeleted(t *testing.T) {
	e, _, trip := synced(t)
	e.truck("T28737LA", "", "")
	e.settle()
	e.fake.DeleteRow(sheets.TrucksTab, e.rowNum(sheets.TrucksTab, "Plate", "T28737LA"))
	e.fake.DeleteRow(sheets.TripsTab, e.rowNum(sheets.TripsTab, "Trip ID", trip.Code))
	res := e.settle()
	if res.Archived != 2 {
		t.Errorf("Archived = %d; want 2", res.Archived)
	}
	truck, err := e.st.TruckByPlate(e.ctx, "T28737LA")
	if err != nil || truck.ArchivedAt == nil {
		t.Errorf("TruckByPlate = %+v, %v; want the truck kept, archived", truck, err)
	}
	if got, err := e.st.TripByCode(e.ctx, trip.Code); err != nil || got.Status != fleet.TripPendingApproval {
		t.Errorf("TripByCode = %+v, %v; want the trip kept as it was", got, err)
	}
	for _, r := range e.rows(sheets.TrucksTab) {
		if r["Plate"] == "T28737LA" {
			t.Errorf("the archived truck came back to the sheet: %v", r)
		}
	}
}

func TestArchivedInDatabaseShowsInSheet(t *testing.T) {
	e, _, _ := synced(t)
	if _, err := e.st.ArchiveTruck(e.ctx, "T11985LA"); err != nil {
		t.Fatal(err)
	}
	e.settle()
	if r := e.row(sheets.TrucksTab, "Plate", "T11985LA"); r["Status"] != "archived" {
		t.Errorf("Status = %q; want archived (the row stays)", r["Status"])
	}
}

func TestRefusedEditKeepsCellAndExplains(t *testing.T) {
	e, _, trip := synced(t)
	tr := e.rowNum(sheets.TrucksTab, "Plate", "T11985LA")
	e.set(sheets.TrucksTab, tr, "Status", "on holiday")
	e.set(sheets.TripsTab, e.rowNum(sheets.TripsTab, "Trip ID", trip.Code), "Status", "completed")
	res := e.settle()
	if res.Invalid != 2 || res.Updated != 0 {
		t.Errorf("Result = %+v; want 2 invalid rows, nothing updated", res)
	}
	r := e.row(sheets.TrucksTab, "Plate", "T11985LA")
	if r["Status"] != "on holiday" || !strings.Contains(r["Sync Note"], "not one of operational") {
		t.Errorf("truck row = %v; want the typed status kept and a note", r)
	}
	tripRow := e.row(sheets.TripsTab, "Trip ID", trip.Code)
	if !strings.Contains(tripRow["Sync Note"], "only \"cancelled\"") {
		t.Errorf("trip note = %q; want why the status was refused", tripRow["Sync Note"])
	}
	// Fixing the cell clears the note.
	e.set(sheets.TrucksTab, tr, "Status", "Maintenance")
	e.settle()
	if r := e.row(sheets.TrucksTab, "Plate", "T11985LA"); r["Sync Note"] != "" {
		t.Errorf("note after the fix = %q; want it cleared", r["Sync Note"])
	}
	if truck, _ := e.st.TruckByPlate(e.ctx, "T11985LA"); truck.Status != fleet.TruckMaintenance {
		t.Errorf("status = %s; want maintenance", truck.Status)
	}
}

func TestCancelFromSheet(t *testing.T) {
	e, _, trip := synced(t)
	e.set(sheets.TripsTab, e.rowNum(sheets.TripsTab, "Trip ID", trip.Code), "Status", "Cancelled")
	e.settle()
	if got, _ := e.st.TripByCode(e.ctx, trip.Code); got.Status != fleet.TripCancelled || got.CancelledBy != "sheets-sync" {
		t.Errorf("trip = %+v; want cancelled by the sheets sync", got)
	}
}

func TestReplanPendingTripFromSheet(t *testing.T) {
	e, _, trip := synced(t)
	num := e.rowNum(sheets.TripsTab, "Trip ID", trip.Code)
	e.set(sheets.TripsTab, num, "Planned Departure", "27/11/2026 14:30")
	e.settle()
	got, _ := e.st.TripByCode(e.ctx, trip.Code)
	if s := got.ScheduledDeparture.In(fleet.Lagos()).Format("2006-01-02 15:04"); s != "2026-11-27 14:30" {
		t.Errorf("departure = %s; want 2026-11-27 14:30", s)
	}
	if r := e.rows(sheets.TripsTab)[num-2]; r["Planned Departure"] != "27/11/2026 14:30" {
		t.Errorf("cell = %q; want the dispatcher's spelling left alone", r["Planned Departure"])
	}
	if kinds := e.notes.Kinds(); len(kinds) != 1 || kinds[0] != fleet.NotifyTripApproval {
		t.Errorf("notifications = %v; want the approval asked again", kinds)
	}
}
