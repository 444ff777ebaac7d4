package sheets_test

import (
	"strconv"
	"strings"
	"testing"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/store"
	"github.com/watchtower-ops/watchtower/store/sheets"
	"github.com/watchtower-ops/watchtower/store/sheets/sheetsfake"
)

func TestNewSheetRowCreatesTruck(t *testing.T) {
	e := newEnv(t)
	e.addRow(sheets.TrucksTab, map[string]any{"Plate": "t 11985 la", "Company": "Sovereign Haulage", "Fleet Manager": "Ade",
		"Brand": "MAN", "Trailer Size": "40ft", "Home Site": "esslibra", "Driver": "Musa Ibrahim", "Driver Phone": "0803 123 4567"})
	res := e.settle()
	if res.Created != 1 {
		t.Errorf("Created = %d; want 1", res.Created)
	}
	truck, err := e.st.TruckByPlate(e.ctx, "T11985LA")
	if err != nil {
		t.Fatalf("TruckByPlate: %v", err)
	}
	if truck.Company != "Sovereign Haulage" || truck.HomeSite != "ESSLIBRA" || truck.Status != fleet.TruckOperational {
		t.Errorf("truck = %+v; want the row's roster, operational", truck)
	}
	d, err := e.st.DriverByID(e.ctx, truck.DriverID)
	if err != nil || d.Name != "Musa Ibrahim" || d.Phone != "08031234567" {
		t.Errorf("driver = %+v, %v; want Musa Ibrahim 08031234567", d, err)
	}
	r := e.row(sheets.TrucksTab, "Plate", "t 11985 la")
	if want := strconv.FormatInt(truck.ID, 10); r["ID"] != want || r["Status"] != "operational" || r["Sync Note"] != "" {
		t.Errorf("sheet row = %v; want ID %s written back, status operational, no note", r, want)
	}
}

func TestNewSheetRowCreatesPendingTrip(t *testing.T) {
	e := newEnv(t)
	e.truck("T11985LA", "", "")
	e.sync()
	e.addRow(sheets.TripsTab, map[string]any{"Truck": "T11985LA", "Origin": "esslibra", "Destination": "ECLAT",
		"Planned Departure": "2026-11-27 08:00", "Container": "mscu1234567", "Cargo": "Cement"})
	res := e.settle()
	if res.Created != 1 {
		t.Errorf("Created = %d; want 1", res.Created)
	}
	r := e.row(sheets.TripsTab, "Truck", "T11985LA")
	trip, err := e.st.TripByCode(e.ctx, r["Trip ID"])
	if err != nil {
		t.Fatalf("TripByCode(%q) from the written-back ID: %v", r["Trip ID"], err)
	}
	if trip.Status != fleet.TripPendingApproval || trip.RequestedVia != "sheets" || trip.ContainerNo != "MSCU1234567" {
		t.Errorf("trip = %+v; want pending_approval via sheets with the row's container", trip)
	}
	if got := trip.ScheduledDeparture.In(fleet.Lagos()).Format("2006-01-02 15:04"); got != "2026-11-27 08:00" {
		t.Errorf("departure = %s; want 2026-11-27 08:00 Lagos", got)
	}
	if r["Status"] != "pending_approval" {
		t.Errorf("sheet Status = %q; want pending_approval", r["Status"])
	}
	if kinds := e.notes.Kinds(); len(kinds) != 1 || kinds[0] != fleet.NotifyTripApproval {
		t.Errorf("notifications = %v; want one %s", kinds, fleet.NotifyTripApproval)
	}
}

func TestInvalidTripRowIsNotedAndKept(t *testing.T) {
	tests := []struct {
		name     string
		row      map[string]any
		wantNote string
	}{
		{"unknown site", map[string]any{"Truck": "T11985LA", "Origin": "NOWHERE", "Destination": "ECLAT", "Planned Departure": "2026-11-27 08:00"}, "Site NOWHERE not found"},
		{"departure too soon", map[string]any{"Truck": "T11985LA", "Origin": "ESSLIBRA", "Destination": "ECLAT", "Planned Departure": "2026-11-26 09:10"}, "less than 30 minutes"},
		{"not a date", map[string]any{"Truck": "T11985LA", "Origin": "ESSLIBRA", "Destination": "ECLAT", "Planned Departure": "tomorrow-ish"}, "is not a date"},
		{"missing truck", map[string]any{"Origin": "ESSLIBRA", "Destination": "ECLAT", "Planned Departure": "2026-11-27 08:00"}, "needs Truck"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			e.truck("T11985LA", "", "")
			e.sync()
			num := e.addRow(sheets.TripsTab, tt.row)
			res := e.settle()
			if res.Created != 0 || res.Invalid != 1 {
				t.Errorf("Result = %+v; want nothing created, 1 invalid", res)
			}
			r := e.rows(sheets.TripsTab)[num-2]
			if r["Trip ID"] != "" || !strings.Contains(r["Sync Note"], tt.wantNote) {
				t.Errorf("row = %v; want no Trip ID and a note containing %q", r, tt.wantNote)
			}
			trips, err := e.st.ListTrips(e.ctx, store.TripFilter{})
			if err != nil || len(trips) != 0 {
				t.Errorf("trips = %v, %v; want none", trips, err)
			}
		})
	}
}

func TestNewDatabaseRowsAreAppended(t *testing.T) {
	e := newEnv(t)
	truck := e.truck("T28737LA", "Chinedu Okafor", "08051234567")
	trip := e.trip("T28737LA", 8)
	res := e.settle()
	if res.Created != 2 {
		t.Errorf("Created = %d; want 2 (one truck row, one trip row)", res.Created)
	}
	r := e.row(sheets.TrucksTab, "Plate", "T28737LA")
	if r["ID"] != strconv.FormatInt(truck.ID, 10) || r["Driver"] != "Chinedu Okafor" || r["Driver Phone"] != "08051234567" {
		t.Errorf("truck row = %v; want ID %d, the driver and phone 08051234567", r, truck.ID)
	}
	tr := e.row(sheets.TripsTab, "Trip ID", trip.Code)
	if tr["Planned Departure"] != "2026-11-27 08:00" || tr["Status"] != "pending_approval" || tr["Origin"] != "ESSLIBRA" {
		t.Errorf("trip row = %v; want departure 2026-11-27 08:00, pending_approval, from ESSLIBRA", tr)
	}
}

func TestPhoneLeadingZeroIsKept(t *testing.T) {
	e := newEnv(t)
	e.truck("T11985LA", "Musa Ibrahim", "08031234567")
	e.settle()
	num := e.rowNum(sheets.TrucksTab, "Plate", "T11985LA")
	if v := e.fake.Cell(sheets.TrucksTab, "K"+strconv.Itoa(num)); v != "08031234567" {
		t.Errorf("Driver Phone cell = %#v; want the string \"08031234567\" (written RAW)", v)
	}
	for _, c := range e.fake.Calls() {
		if (c.Method == sheetsfake.MethodAppend || c.Method == sheetsfake.MethodBatchUpdate) && c.ValueInputOption != "RAW" {
			t.Errorf("%s used valueInputOption %q; want RAW", c.Method, c.ValueInputOption)
		}
	}
	// A dispatcher types a new number into a cell Sheets treats as a number: the zero is lost
	// in the sheet but restored on the way in.
	e.set(sheets.TrucksTab, num, "Driver Phone", 8039876543.0)
	e.sync()
	truck, _ := e.st.TruckByPlate(e.ctx, "T11985LA")
	if d, err := e.st.DriverByID(e.ctx, truck.DriverID); err != nil || d.Phone != "08039876543" {
		t.Errorf("driver = %+v, %v; want phone 08039876543", d, err)
	}
}

// TestEmptyDriverCellDoesNotErase: a row adopted by its plate with a Driver Phone but an empty
// Driver name keeps the stored driver and shows a conflict instead of erasing the name.
func TestEmptyDriverCellDoesNotErase(t *testing.T) {
	e := newEnv(t)
	e.truck("T11985LA", "Musa Ibrahim", "08031234567")
	e.addRow(sheets.TrucksTab, map[string]any{"Plate": "T11985LA", "Company": "Sovereign Haulage", "Brand": "MAN",
		"Trailer Size": "40ft", "Driver": "", "Driver Phone": "08031234567"})
	res := e.settle()
	if res.Conflicts < 1 {
		t.Errorf("Sync = %+v; want the empty Driver cell reported as a conflict", res)
	}
	truck, err := e.st.TruckByPlate(e.ctx, "T11985LA")
	if err != nil {
		t.Fatal(err)
	}
	d, err := e.st.DriverByID(e.ctx, truck.DriverID)
	if err != nil || d.Name != "Musa Ibrahim" || d.Phone != "08031234567" {
		t.Errorf("driver = %+v, %v; want Musa Ibrahim 08031234567 kept", d, err)
	}
	r := e.row(sheets.TrucksTab, "Plate", "T11985LA")
	if r["Driver"] != "Musa Ibrahim" || !strings.Contains(r["Sync Note"], "empty cell never erases") {
		t.Errorf("sheet row = %v; want the name written back and a conflict note", r)
	}
}
