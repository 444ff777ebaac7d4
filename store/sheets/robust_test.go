package sheets_test

import (
	"encoding/json"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/store"
	"github.com/watchtower-ops/watchtower/store/sheets"
	"github.com/watchtower-ops/watchtower/store/sheets/sheetsfake"
)

func TestReorderedColumns(t *testing.T) {
	e := newEnv(t)
	e.fake.AddTab(sheets.TrucksTab, []any{"Sync Note", "driver phone", "Plate", "Remarks", "STATUS", "Driver", "Home Site",
		"Trailer Size", "Brand", "Fleet Manager", "Company", "LocoNav ID", "ID"})
	e.fake.AddTab(sheets.TripsTab, []any{"Planned Departure", "Truck", "Trip ID", "Destination", "Origin", "Status", "Cargo", "Container", "Sync Note"})
	e.addRow(sheets.TrucksTab, map[string]any{"Plate": "KJA-123-AB", "Driver": "Bola Tinubu", "driver phone": "+2348021234567",
		"Remarks": "new tyres in March", "Company": "Sovereign Haulage"})
	e.addRow(sheets.TripsTab, map[string]any{"Truck": "KJA123AB", "Origin": "ESSLIBRA", "Destination": "ECLAT", "Planned Departure": "2026-11-27 10:00"})
	e.truck("T28737LA", "", "")
	res := e.settle()
	if res.Created != 3 {
		t.Errorf("Created = %d; want 3 (a truck and a trip from rows, a truck row appended)", res.Created)
	}
	r := e.row(sheets.TrucksTab, "Plate", "KJA-123-AB")
	if r["ID"] == "" || r["STATUS"] != "operational" || r["Remarks"] != "new tyres in March" {
		t.Errorf("row = %v; want ID and status in their columns, the team's column untouched", r)
	}
	appended := e.row(sheets.TrucksTab, "Plate", "T28737LA")
	if appended["Company"] != "Sovereign Haulage" || appended["ID"] == "" || appended["Remarks"] != "" {
		t.Errorf("appended row = %v; want each value under its header", appended)
	}
	truck, err := e.st.TruckByPlate(e.ctx, "KJA123AB")
	if err != nil {
		t.Fatal(err)
	}
	if d, err := e.st.DriverByID(e.ctx, truck.DriverID); err != nil || d.Phone != "+2348021234567" {
		t.Errorf("driver = %+v, %v; want phone +2348021234567", d, err)
	}
	if trip := e.row(sheets.TripsTab, "Truck", "KJA123AB"); !strings.HasPrefix(trip["Trip ID"], "TRP-") {
		t.Errorf("trip row = %v; want its Trip ID", trip)
	}
}

func TestRetriesAfter429(t *testing.T) {
	e := newEnv(t)
	e.truck("T11985LA", "", "")
	e.fake.FailNext(sheetsfake.MethodBatchGet, 429, 1)
	e.fake.FailNext(sheetsfake.MethodAppend, 429, 1)
	e.fake.FailNext(sheetsfake.MethodGet, 503, 1)
	res := e.sync()
	if res.Created != 1 {
		t.Errorf("Created = %d; want 1 after the retries", res.Created)
	}
	var statuses []int
	for _, c := range e.fake.Calls() {
		if c.Method == sheetsfake.MethodAppend {
			statuses = append(statuses, c.Status)
		}
	}
	if len(statuses) != 2 || statuses[0] != 429 || statuses[1] != 200 {
		t.Errorf("append statuses = %v; want [429 200]", statuses)
	}
	if n := len(e.rows(sheets.TrucksTab)); n != 1 {
		t.Errorf("truck rows = %d; want 1 (no double append)", n)
	}
}

func TestQuotaExhaustedIsRateLimited(t *testing.T) {
	e := newEnv(t)
	e.syncer = e.newSyncer(sheets.Options{Tries: 3})
	e.fake.FailNext(sheetsfake.MethodBatchGet, 429, 3)
	_, err := e.syncer.Sync(e.ctx, e.now)
	if code(err) != fleet.ERATELIMITED {
		t.Errorf("Sync error code = %s (%v); want %s", code(err), err, fleet.ERATELIMITED)
	}
	if n := e.fake.CallCount(sheetsfake.MethodBatchGet); n != 3 {
		t.Errorf("batchGet calls = %d; want 3 tries", n)
	}
}

func TestRowsMovedBetweenReadAndWriteAbort(t *testing.T) {
	e, _, trip := synced(t)
	e.truck("T28737LA", "", "")
	e.settle()
	e.set(sheets.TrucksTab, e.rowNum(sheets.TrucksTab, "Plate", "T11985LA"), "Brand", "Sinotruk")
	e.addRow(sheets.TripsTab, map[string]any{"Truck": "T28737LA", "Origin": "ESSLIBRA", "Destination": "ECLAT", "Planned Departure": "2026-11-27 12:00"})
	var gets atomic.Int32
	e.fake.BeforeCall(func(c sheetsfake.Call) {
		if c.Method == sheetsfake.MethodBatchGet && gets.Add(1) == 2 { // the re-read before writing
			e.fake.SwapRows(sheets.TrucksTab, 2, 3)
			e.fake.SwapRows(sheets.TripsTab, 2, 3)
		}
	})
	e.fake.ResetCalls()
	_, err := e.syncer.Sync(e.ctx, e.now)
	if code(err) != fleet.ECONFLICT {
		t.Fatalf("Sync error = %v; want %s (rows moved)", err, fleet.ECONFLICT)
	}
	for _, c := range e.fake.Calls() {
		if c.Method == sheetsfake.MethodBatchUpdate || c.Method == sheetsfake.MethodAppend {
			t.Errorf("aborted cycle wrote to the sheet: %s %v", c.Method, c.Ranges)
		}
	}
	e.fake.BeforeCall(nil)
	e.settle()
	trips, _ := e.st.ListTrips(e.ctx, store.TripFilter{Plate: "T28737LA"})
	if len(trips) != 1 {
		t.Fatalf("trips of T28737LA = %d; want 1 (the aborted cycle's trip adopted, not created twice)", len(trips))
	}
	if r := e.row(sheets.TripsTab, "Truck", "T28737LA"); r["Trip ID"] != trips[0].Code {
		t.Errorf("row Trip ID = %q; want %s", r["Trip ID"], trips[0].Code)
	}
	if n := len(e.rows(sheets.TripsTab)); n != 2 {
		t.Errorf("trip rows = %d; want 2 (%s and the new one)", n, trip.Code)
	}
	if r := e.row(sheets.TrucksTab, "Plate", "T11985LA"); r["Brand"] != "Sinotruk" {
		t.Errorf("brand = %q; want the edit kept", r["Brand"])
	}
	if truck, _ := e.st.TruckByPlate(e.ctx, "T11985LA"); truck.Brand != "Sinotruk" {
		t.Errorf("truck brand = %q; want Sinotruk", truck.Brand)
	}
}

func TestSecondRunChangesNothing(t *testing.T) {
	e, _, _ := synced(t)
	e.addRow(sheets.TrucksTab, map[string]any{"Plate": "T28737LA", "Driver": "Chinedu Okafor", "Driver Phone": "08051234567"})
	if res := e.sync(); !res.Changed() {
		t.Fatalf("first Sync = %+v; want changes", res)
	}
	e.fake.ResetCalls()
	res := e.sync()
	if res.Changed() || res.Invalid != 0 {
		t.Errorf("second Sync = %+v; want zero", res)
	}
	for _, c := range e.fake.Calls() {
		if c.Method != sheetsfake.MethodGet && c.Method != sheetsfake.MethodBatchGet {
			t.Errorf("second Sync called %s; want reads only", c.Method)
		}
	}
}

func TestMissingTabOrHeader(t *testing.T) {
	tests := []struct {
		name  string
		setup func(e *env)
		want  string
	}{
		{"no Trips tab", func(e *env) { e.fake.RemoveTab(sheets.TripsTab) }, `no tab named "Trips"`},
		{"no Driver Phone column", func(e *env) {
			e.fake.AddTab(sheets.TrucksTab, truckHeader[:10], nil, nil, []any{"", "T11985LA"})
			e.fake.SetCell(sheets.TrucksTab, "L1", "Sync Note")
		}, `"Driver Phone"`},
		{"two Plate columns", func(e *env) { e.fake.AddTab(sheets.TrucksTab, append(append([]any{}, truckHeader...), "plate")) }, "two"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			tt.setup(e)
			_, err := e.syncer.Sync(e.ctx, e.now)
			if code(err) != fleet.EINVALID || !strings.Contains(fleet.ErrorMessage(err), tt.want) {
				t.Errorf("Sync error = %v; want %s mentioning %s", err, fleet.EINVALID, tt.want)
			}
		})
	}
}

func TestRunReportsChangesAndFailures(t *testing.T) {
	e := newEnv(t)
	e.truck("T11985LA", "", "")
	if err := e.syncer.Run(e.ctx, e.now); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if err := e.syncer.Run(e.ctx, e.now); err != nil { // nothing changed: no report
		t.Fatalf("Run: %v", err)
	}
	e.fake.RemoveTab(sheets.TripsTab)
	for range 2 { // the same failure twice is reported once
		if err := e.syncer.Run(e.ctx, e.now); code(err) != fleet.EINVALID {
			t.Fatalf("Run error = %v; want %s", err, fleet.EINVALID)
		}
	}
	ns := e.notes.All()
	if len(ns) != 2 {
		t.Fatalf("notifications = %+v; want 2 (one report of changes, one of the failure)", ns)
	}
	var counts map[string]any
	if err := json.Unmarshal(ns[0].Data, &counts); err != nil || counts["created"] != 1.0 {
		t.Errorf("report data = %s (%v); want created 1", ns[0].Data, err)
	}
	if n := ns[1]; n.Kind != fleet.NotifySyncReport || !strings.Contains(n.Text, "failed") {
		t.Errorf("failure report = %+v; want a sync.report saying it failed", n)
	}
}

func TestDuplicateRowsAreNoted(t *testing.T) {
	e, truck, _ := synced(t)
	first := e.row(sheets.TrucksTab, "Plate", "T11985LA")
	copied := e.addRow(sheets.TrucksTab, map[string]any{"ID": first["ID"], "Plate": "T11985LA", "Company": "Copy Ltd"})
	twin := e.addRow(sheets.TrucksTab, map[string]any{"Plate": "t11985la", "Company": "Twin Ltd"})
	res := e.settle()
	if res.Invalid != 2 || res.Created != 0 {
		t.Errorf("Result = %+v; want 2 invalid rows, nothing created", res)
	}
	rows := e.rows(sheets.TrucksTab)
	if !strings.Contains(rows[copied-2]["Sync Note"], "also on row 2") || !strings.Contains(rows[twin-2]["Sync Note"], "already has this truck") {
		t.Errorf("notes = %q, %q; want both duplicates explained", rows[copied-2]["Sync Note"], rows[twin-2]["Sync Note"])
	}
	if got, _ := e.st.TruckByPlate(e.ctx, "T11985LA"); got.Company != truck.Company {
		t.Errorf("company = %q; want %q untouched by the duplicates", got.Company, truck.Company)
	}
}

// TestEmptyTabGetsHeader: exporting into a tab without a header row writes the header row and
// goes on; the next cycle finds nothing to do.
func TestEmptyTabGetsHeader(t *testing.T) {
	e := newEnv(t)
	e.fake.AddTab(sheets.TrucksTab) // replaces the tab with an empty one
	e.truck("T11985LA", "Musa Bello", "08031234567")
	res := e.settle()
	if res.Created != 1 {
		t.Errorf("Sync = %+v; want the truck appended", res)
	}
	rows := e.fake.Rows(sheets.TrucksTab)
	if len(rows) != 2 || text(rows[0][0]) != text(truckHeader[0]) || text(rows[0][len(rows[0])-1]) != "Sync Note" {
		t.Fatalf("Trucks tab = %v; want the header row, then the truck", rows)
	}
	if r := e.row(sheets.TrucksTab, "Plate", "T11985LA"); r["Driver Phone"] != "08031234567" {
		t.Errorf("appended row = %v; want the driver's phone", r)
	}
}

// TestHeaderBelowBlankRows: a header row under a blank row 1 and a title is found; the rows
// above it are left alone, rows below it sync, and records are appended after them.
func TestHeaderBelowBlankRows(t *testing.T) {
	e := newEnv(t)
	e.fake.AddTab(sheets.TrucksTab, nil, []any{"Sovereign Haulage trucks"}, truckHeader, []any{"", "T11985LA", "", "Sovereign Haulage"})
	e.truck("T28737LA", "", "")
	res := e.settle()
	if res.Created != 2 || len(res.HeadersWritten) != 0 {
		t.Errorf("Sync = %+v; want the row's truck created and T28737LA appended", res)
	}
	rows := e.fake.Rows(sheets.TrucksTab)
	if len(rows) != 5 || len(rows[0]) != 0 || text(rows[1][0]) != "Sovereign Haulage trucks" || text(rows[2][0]) != "ID" {
		t.Fatalf("Trucks tab = %v; want the blank row, the title and the header untouched, then 2 trucks", rows)
	}
	if text(rows[3][1]) != "T11985LA" || text(rows[3][0]) == "" || text(rows[4][1]) != "T28737LA" {
		t.Errorf("data rows = %v, %v; want T11985LA with its ID, then T28737LA appended", rows[3], rows[4])
	}
	if _, err := e.st.TruckByPlate(e.ctx, "T11985LA"); err != nil {
		t.Errorf("truck of the row: %v", err)
	}
}

// TestBlankRowOneWithRowsBelow: a tab without a header whose row 1 is blank gets the header
// written into row 1, erasing nothing; the rows below are read from the next cycle on, and
// nothing is created, appended or archived before then. The report says so.
func TestBlankRowOneWithRowsBelow(t *testing.T) {
	e := newEnv(t)
	data := []any{"", "T11985LA", "", "Sovereign Haulage", "", "", "MAN", "40ft", "", "Musa Bello", "08031234567"}
	e.fake.AddTab(sheets.TrucksTab, nil, data)
	e.truck("T28737LA", "", "")
	if err := e.syncer.Run(e.ctx, e.now); err != nil {
		t.Fatalf("first Run: %v", err)
	}
	rows := e.fake.Rows(sheets.TrucksTab)
	if len(rows) != 2 || text(rows[0][0]) != "ID" || text(rows[0][len(rows[0])-1]) != "Sync Note" || text(rows[1][1]) != "T11985LA" || text(rows[1][0]) != "" {
		t.Fatalf("Trucks tab after the first cycle = %v; want the header in row 1 and row 2 as typed", rows)
	}
	if _, err := e.st.TruckByPlate(e.ctx, "T11985LA"); code(err) != fleet.ENOTFOUND {
		t.Errorf("T11985LA after the first cycle: %v; want not created yet", err)
	}
	ns := e.notes.All()
	if len(ns) != 1 || !strings.Contains(ns[0].Text, `Tab "Trucks" had no header row`) {
		t.Errorf("reports = %+v; want one saying the Trucks header was written", ns)
	}
	res := e.settle()
	if res.Created != 2 || len(res.HeadersWritten) != 0 {
		t.Errorf("second Sync = %+v; want T11985LA created from row 2 and T28737LA appended", res)
	}
	if r := e.row(sheets.TrucksTab, "Plate", "T11985LA"); r["ID"] == "" || r["Driver Phone"] != "08031234567" {
		t.Errorf("row 2 = %v; want its ID written back and its phone kept", r)
	}
	if tr, err := e.st.TruckByPlate(e.ctx, "T11985LA"); err != nil || tr.Brand != "MAN" {
		t.Errorf("truck of row 2 = %+v, %v; want brand MAN", tr, err)
	}
	e.row(sheets.TrucksTab, "Plate", "T28737LA")
}

// TestNoHeaderUnderATitle: a tab whose row 1 holds something else and which has no header
// row stops with a sentence naming the headers; nothing is written.
func TestNoHeaderUnderATitle(t *testing.T) {
	e := newEnv(t)
	e.fake.AddTab(sheets.TrucksTab, []any{"Sovereign Haulage trucks"}, []any{"", "T11985LA"})
	_, err := e.syncer.Sync(e.ctx, e.now)
	if code(err) != fleet.EINVALID || !strings.Contains(fleet.ErrorMessage(err), `"Plate"`) {
		t.Errorf("Sync error = %v; want %s naming the headers", err, fleet.EINVALID)
	}
	if n := e.fake.CallCount(sheetsfake.MethodBatchUpdate) + e.fake.CallCount(sheetsfake.MethodAppend); n != 0 {
		t.Errorf("%d writes to the sheet; want none", n)
	}
}
