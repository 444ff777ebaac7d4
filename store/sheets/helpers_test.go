package sheets_test

import (
	"context"
	"io"
	"log/slog"
	"strconv"
	"testing"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/fleet/fleettest"
	"github.com/watchtower-ops/watchtower/store"
	"github.com/watchtower-ops/watchtower/store/sheets"
	"github.com/watchtower-ops/watchtower/store/sheets/sheetsfake"
	"github.com/watchtower-ops/watchtower/store/storetest"
)

const spreadsheetID = "1wtSheetTest"

var (
	truckHeader = []any{"ID", "Plate", "LocoNav ID", "Company", "Fleet Manager", "Status", "Brand", "Trailer Size",
		"Home Site", "Driver", "Driver Phone", "Sync Note"}
	tripHeader = []any{"Trip ID", "Truck", "Origin", "Destination", "Planned Departure", "Container", "Cargo", "Status", "Sync Note"}
)

// env is one test's database, fake spreadsheet and syncer. now is the cycle's clock: Thursday
// 26 November 2026, 09:00 in Lagos.
type env struct {
	t      *testing.T
	ctx    context.Context
	st     *store.Store
	fake   *sheetsfake.Server
	syncer *sheets.Syncer
	notes  *fleettest.Recorder
	now    time.Time
}

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{t: t, ctx: context.Background(), st: store.New(storetest.NewDB(t)), notes: &fleettest.Recorder{},
		fake: sheetsfake.New(t, spreadsheetID), now: time.Date(2026, 11, 26, 9, 0, 0, 0, fleet.Lagos())}
	for _, s := range []fleet.Site{
		{Code: "ESSLIBRA", Name: "ESSLIBRA terminal", Kind: fleet.SiteTerminal, Point: fleet.Point{Lat: 6.4474, Lng: 3.3640}, RadiusM: 200},
		{Code: "ECLAT", Name: "Eclat warehouse", Kind: fleet.SiteClient, Point: fleet.Point{Lat: 6.5244, Lng: 3.3792}, RadiusM: 150},
	} {
		if _, err := e.st.UpsertSite(e.ctx, s); err != nil {
			t.Fatalf("UpsertSite(%s): %v", s.Code, err)
		}
	}
	e.fake.AddTab(sheets.TrucksTab, truckHeader)
	e.fake.AddTab(sheets.TripsTab, tripHeader)
	e.syncer = e.newSyncer(sheets.Options{})
	return e
}

// newSyncer builds a syncer on the fake with fast retries; o's zero fields get the defaults.
func (e *env) newSyncer(o sheets.Options) *sheets.Syncer {
	e.t.Helper()
	o.SpreadsheetID, o.Endpoint = spreadsheetID, e.fake.URL()
	if o.RetryBase == 0 {
		o.RetryBase = time.Millisecond
	}
	o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	s, err := sheets.New(e.ctx, e.st, e.notes, o)
	if err != nil {
		e.t.Fatalf("sheets.New: %v", err)
	}
	return s
}

// sync runs one cycle and fails the test on error.
func (e *env) sync() sheets.Result {
	e.t.Helper()
	res, err := e.syncer.Sync(e.ctx, e.now)
	if err != nil {
		e.t.Fatalf("Sync: %v", err)
	}
	return res
}

// settle runs a cycle, then checks that a second one right after finds nothing to do and
// writes nothing to the sheet.
func (e *env) settle() sheets.Result {
	e.t.Helper()
	res := e.sync()
	e.fake.ResetCalls()
	again := e.sync()
	if again.Changed() {
		e.t.Errorf("second Sync = %+v; want nothing changed", again)
	}
	for _, c := range e.fake.Calls() {
		if c.Method == sheetsfake.MethodBatchUpdate || c.Method == sheetsfake.MethodAppend {
			e.t.Errorf("second Sync wrote to the sheet: %s %v", c.Method, c.Ranges)
		}
	}
	return res
}

// rows returns a tab's data rows as header → cell text.
func (e *env) rows(tab string) []map[string]string {
	all := e.fake.Rows(tab)
	if len(all) == 0 {
		return nil
	}
	var out []map[string]string
	for _, r := range all[1:] {
		m := map[string]string{}
		for j, h := range all[0] {
			if j < len(r) {
				m[text(h)] = text(r[j])
			}
		}
		out = append(out, m)
	}
	return out
}

// row returns the data row of tab whose column header holds value.
func (e *env) row(tab, header, value string) map[string]string {
	e.t.Helper()
	for _, r := range e.rows(tab) {
		if r[header] == value {
			return r
		}
	}
	e.t.Fatalf("tab %s has no row with %s = %q; rows: %v", tab, header, value, e.rows(tab))
	return nil
}

// addRow appends a row to tab, placing each value under its header.
func (e *env) addRow(tab string, values map[string]any) int {
	e.t.Helper()
	all := e.fake.Rows(tab)
	rowNum := len(all) + 1
	for header, v := range values {
		e.set(tab, rowNum, header, v)
	}
	return rowNum
}

// set writes v into the cell of rowNum under header, as a person typing would.
func (e *env) set(tab string, rowNum int, header string, v any) {
	e.t.Helper()
	for j, h := range e.fake.Rows(tab)[0] {
		if text(h) == header {
			e.fake.SetCell(tab, colName(j)+strconv.Itoa(rowNum), v)
			return
		}
	}
	e.t.Fatalf("tab %s has no column %q", tab, header)
}

// rowNum returns the sheet row number of the data row whose header column holds value.
func (e *env) rowNum(tab, header, value string) int {
	e.t.Helper()
	for i, r := range e.rows(tab) {
		if r[header] == value {
			return i + 2
		}
	}
	e.t.Fatalf("tab %s has no row with %s = %q", tab, header, value)
	return 0
}

func text(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case nil:
		return ""
	}
	return "?"
}

func colName(c int) string {
	name := ""
	for c >= 0 {
		name = string(rune('A'+c%26)) + name
		c = c/26 - 1
	}
	return name
}

// truck creates a truck (and its driver when phone is set) directly in the store.
func (e *env) truck(plate, driver, phone string) fleet.Truck {
	e.t.Helper()
	t, err := e.st.UpsertTruck(e.ctx, fleet.Truck{Plate: plate, Company: "Sovereign Haulage", Brand: "MAN", TrailerSize: "40ft"})
	if err != nil {
		e.t.Fatalf("UpsertTruck(%s): %v", plate, err)
	}
	if driver != "" {
		d, err := e.st.CreateDriver(e.ctx, fleet.Driver{Name: driver, Phone: phone})
		if err != nil {
			e.t.Fatalf("CreateDriver(%s): %v", driver, err)
		}
		if t, err = e.st.AssignDriver(e.ctx, plate, d.ID); err != nil {
			e.t.Fatalf("AssignDriver(%s): %v", plate, err)
		}
	}
	return t
}

// trip creates a pending trip directly in the store, departing tomorrow at hour, Lagos time.
func (e *env) trip(plate string, hour int) fleet.Trip {
	e.t.Helper()
	dep := time.Date(2026, 11, 27, hour, 0, 0, 0, fleet.Lagos())
	t, err := e.st.CreateTrip(e.ctx, fleet.Trip{Plate: plate, Origin: "ESSLIBRA", Destination: "ECLAT",
		ScheduledDeparture: dep, PlannedArrival: dep.Add(2 * time.Hour), CreatedAt: e.now, RequestedVia: "slack"},
		fleet.Actor{ID: "U123", Via: "slack"})
	if err != nil {
		e.t.Fatalf("CreateTrip(%s): %v", plate, err)
	}
	return t
}

func code(err error) string { return fleet.ErrorCode(err) }
