package api_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/watchtower-ops/watchtower/fleet"
)

// truckView is the part of a truck answer (GET, POST, PATCH, DELETE) the tests read.
type truckView struct {
	Plate            string  `json:"plate"`
	Status           string  `json:"status"`
	TruckStatus      string  `json:"truck_status"`
	DriverName       string  `json:"driver_name"`
	DriverPhone      string  `json:"driver_phone"`
	HomeSite         string  `json:"home_site"`
	Notes            string  `json:"notes"`
	MaintenanceUntil *string `json:"maintenance_until"`
	RetiredAt        *string `json:"retired_at"`
	Lat              float64 `json:"lat"`
	Lng              float64 `json:"lng"`
}

type siteView struct {
	Code      string  `json:"code"`
	Name      string  `json:"name"`
	Kind      string  `json:"kind"`
	Lat       float64 `json:"lat"`
	Lng       float64 `json:"lng"`
	RadiusM   float64 `json:"radius_m"`
	RetiredAt *string `json:"retired_at"`
}

// wantField fails t unless the error names field (in field and in param).
func wantField(t testing.TB, what string, e apiError, field string) {
	t.Helper()
	if e.Error.Field != field || e.Error.Param != field {
		t.Errorf("%s: field, param = %q, %q; want %q (message %q)", what, e.Error.Field, e.Error.Param, field, e.Error.Message)
	}
}

// wantAudit fails t unless the audit log about subject has exactly actions, each by the
// fixture's write token via the API.
func wantAudit(t testing.TB, f *fixture, subject string, actions ...string) {
	t.Helper()
	entries, err := f.st.ListAudit(context.Background(), subject)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Action)
		if want := (fleet.Actor{ID: "erp-sync", Name: "erp-sync", Via: "api"}); e.Actor != want {
			t.Errorf("audit %s on %s by %+v; want %+v", e.Action, subject, e.Actor, want)
		}
	}
	slices.Sort(got)
	actions = slices.Sorted(slices.Values(actions))
	if !slices.Equal(got, actions) {
		t.Errorf("audit of %s = %v; want %v", subject, got, actions)
	}
}

func TestCreateTruck(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	r := f.do(t, "POST", "/api/v1/trucks", f.write,
		`{"plate":"t-20001 la","driver_name":" Musa Ibrahim ","driver_phone":"0803 123 4567","site":"apapa","notes":"new tyres"}`)
	wantStatus(t, "POST /api/v1/trucks", r, http.StatusCreated, "")
	var got truckView
	r.json(t, &got)
	want := truckView{Plate: "T20001LA", Status: "offline", TruckStatus: "operational", DriverName: "Musa Ibrahim",
		DriverPhone: "08031234567", HomeSite: "APAPA", Notes: "new tyres"}
	if got != want {
		t.Errorf("created truck = %+v; want %+v", got, want)
	}
	if loc := r.header.Get("Location"); loc != "/api/v1/trucks/T20001LA" {
		t.Errorf("Location = %q; want /api/v1/trucks/T20001LA", loc)
	}
	wantAudit(t, f, "T20001LA", "truck.create")
	var list struct {
		Data []truckView `json:"data"`
	}
	f.do(t, "GET", "/api/v1/trucks?q=T20001", f.read, "").json(t, &list)
	if len(list.Data) != 1 || list.Data[0].DriverName != "Musa Ibrahim" {
		t.Errorf("listed = %+v; want the new truck with its driver", list.Data)
	}

	r = f.do(t, "POST", "/api/v1/trucks", f.write, `{"plate":"T20002LA","state":"maintenance","maintenance_until":"2025-11-28T08:00:00+01:00"}`)
	wantStatus(t, "POST in maintenance (state)", r, http.StatusCreated, "")
	r.json(t, &got)
	if got.TruckStatus != "maintenance" || got.Status != "maintenance" || got.MaintenanceUntil == nil {
		t.Errorf("truck in maintenance = %+v; want truck_status and status maintenance with an end", got)
	}
	wantAudit(t, f, "T20002LA", "truck.create", "truck.status")
}

func TestCreateTruckRefused(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	tests := []struct {
		name, token, body string
		status            int
		code, field       string
	}{
		{"duplicate plate", f.write, `{"plate":"t 11985 la"}`, 409, "conflict", "plate"},
		{"no plate", f.write, `{"driver_name":"Musa"}`, 400, "invalid", "plate"},
		{"not a plate", f.write, `{"plate":"ECLAT"}`, 400, "invalid", "plate"},
		{"unknown site", f.write, `{"plate":"T20001LA","site":"APAPPA"}`, 400, "invalid", "site"},
		{"bad phone", f.write, `{"plate":"T20001LA","driver_name":"Musa","driver_phone":"call me"}`, 400, "invalid", "driver_phone"},
		{"phone without name", f.write, `{"plate":"T20001LA","driver_phone":"08031234567"}`, 400, "invalid", "driver_name"},
		{"unknown status", f.write, `{"plate":"T20001LA","status":"parked"}`, 400, "invalid", "status"},
		{"status and state", f.write, `{"plate":"T20001LA","status":"maintenance","state":"maintenance"}`, 400, "invalid", "state"},
		{"until without maintenance", f.write, `{"plate":"T20001LA","maintenance_until":"2025-11-28T08:00:00+01:00"}`, 400, "invalid", "maintenance_until"},
		{"until in the past", f.write, `{"plate":"T20001LA","status":"maintenance","maintenance_until":"2025-11-25T08:00:00+01:00"}`, 400, "invalid", "maintenance_until"},
		{"until not a time", f.write, `{"plate":"T20001LA","status":"maintenance","maintenance_until":"friday"}`, 400, "invalid", "maintenance_until"},
		{"unknown field", f.write, `{"plate":"T20001LA","colour":"red"}`, 400, "invalid", "colour"},
		{"wrong type", f.write, `{"plate":20001}`, 400, "invalid", "plate"},
		{"read token", f.read, `{"plate":"T20001LA"}`, 403, "forbidden", ""},
		{"no token", "", `{"plate":"T20001LA"}`, 401, "unauthorized", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := wantStatus(t, tc.name, f.do(t, "POST", "/api/v1/trucks", tc.token, tc.body), tc.status, tc.code)
			wantField(t, tc.name, e, tc.field)
		})
	}
	if e := wantStatus(t, "unknown site", f.do(t, "POST", "/api/v1/trucks", f.write, `{"plate":"T20001LA","site":"APAPPA"}`), 400, "invalid"); !slices.Contains(e.Error.Suggestions, "APAPA") {
		t.Errorf("unknown site suggestions = %v; want APAPA", e.Error.Suggestions)
	}
	if _, err := f.st.TruckByPlate(context.Background(), "T20001LA"); fleet.ErrorCode(err) != fleet.ENOTFOUND {
		t.Errorf("a refused truck was stored: TruckByPlate err = %v", err)
	}
}

func TestListTrucksFilters(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.do(t, "PATCH", "/api/v1/trucks/T28737LA", f.write, `{"driver_name":"Musa Ibrahim","driver_phone":"08031234567"}`)
	plates := func(path string) []string {
		t.Helper()
		r := f.do(t, "GET", path, f.read, "")
		wantStatus(t, path, r, http.StatusOK, "")
		var page struct {
			Data []truckView `json:"data"`
		}
		r.json(t, &page)
		var out []string
		for _, tr := range page.Data {
			out = append(out, tr.Plate)
		}
		return out
	}
	tests := []struct {
		path string
		want []string
	}{
		{"/api/v1/trucks?status=maintenance", []string{"KJA123AB"}},
		{"/api/v1/trucks?state=maintenance", []string{"KJA123AB"}},
		{"/api/v1/trucks?q=musa", []string{"T28737LA"}},
		{"/api/v1/trucks?q=t-11985", []string{"T11985LA"}},
		{"/api/v1/trucks?q=LA&status=offline", []string{"T55501LA", "T77702LA"}},
		{"/api/v1/trucks?site=APAPA", []string{"T11985LA"}},
		{"/api/v1/trucks?q=nobody", nil},
	}
	for _, tc := range tests {
		if got := plates(tc.path); !slices.Equal(got, tc.want) {
			t.Errorf("GET %s = %v; want %v", tc.path, got, tc.want)
		}
	}
	var page struct {
		Data       []truckView `json:"data"`
		NextCursor *string     `json:"next_cursor"`
		Matching   int         `json:"matching"`
	}
	f.do(t, "GET", "/api/v1/trucks?q=LA&limit=2", f.read, "").json(t, &page)
	if len(page.Data) != 2 || page.NextCursor == nil || page.Matching != 4 {
		t.Fatalf("first page = %d trucks, cursor %v, matching %d; want 2, a cursor, 4", len(page.Data), page.NextCursor, page.Matching)
	}
	if got := plates("/api/v1/trucks?q=LA&limit=2&cursor=" + *page.NextCursor); !slices.Equal(got, []string{"T55501LA", "T77702LA"}) {
		t.Errorf("second page = %v; want T55501LA T77702LA", got)
	}
	for _, tc := range []struct{ path, field string }{
		{"/api/v1/trucks?status=asleep", "status"},
		{"/api/v1/trucks?status=idle&state=idle", "state"},
		{"/api/v1/trucks?site=ATLANTIS", "site"},
		{"/api/v1/trucks?cursor=nonsense", "cursor"},
	} {
		wantField(t, tc.path, wantStatus(t, tc.path, f.do(t, "GET", tc.path, f.read, ""), http.StatusBadRequest, "invalid"), tc.field)
	}
}

func TestUpdateTruck(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	patch := func(body string) truckView {
		t.Helper()
		r := f.do(t, "PATCH", "/api/v1/trucks/t11985la", f.write, body)
		wantStatus(t, "PATCH "+body, r, http.StatusOK, "")
		var got truckView
		r.json(t, &got)
		return got
	}
	got := patch(`{"driver_name":"Musa Ibrahim","driver_phone":"+234 803 123 4567","site":"TINCAN","notes":"brakes checked"}`)
	if got.DriverName != "Musa Ibrahim" || got.DriverPhone != "+2348031234567" || got.HomeSite != "TINCAN" || got.Notes != "brakes checked" {
		t.Errorf("after PATCH = %+v; want driver, phone, home site and notes set", got)
	}
	if got = patch(`{"driver_phone":"08039999999"}`); got.DriverName != "Musa Ibrahim" || got.DriverPhone != "08039999999" {
		t.Errorf("phone alone = %s %s; want Musa Ibrahim's new number", got.DriverName, got.DriverPhone)
	}
	if got = patch(`{"driver_name":"Bola Ade"}`); got.DriverName != "Bola Ade" || got.DriverPhone != "" {
		t.Errorf("another name = %q %q; want Bola Ade without Musa's phone", got.DriverName, got.DriverPhone)
	}
	if got = patch(`{"status":"maintenance"}`); got.TruckStatus != "maintenance" || got.Status != "maintenance" {
		t.Errorf("maintenance = %s/%s; want maintenance/maintenance", got.TruckStatus, got.Status)
	}
	// The same maintenance as /truck <plate> maintenance: the truck cannot take a trip.
	r := f.do(t, "POST", "/api/v1/trips", f.write, `{"truck":"T11985LA","origin":"APAPA","destination":"ECLAT","departure":"2025-11-27T08:00:00+01:00"}`)
	if e := wantStatus(t, "trip for a truck in maintenance", r, http.StatusBadRequest, "invalid"); !strings.Contains(e.Error.Message, "maintenance") {
		t.Errorf("refusal = %q; want it to say maintenance", e.Error.Message)
	}
	if got = patch(`{"state":"active"}`); got.TruckStatus != "operational" {
		t.Errorf("active = %s; want operational", got.TruckStatus)
	}
	if got = patch(`{"driver_name":"","driver_phone":"","site":"","notes":""}`); got.DriverName != "" || got.HomeSite != "" || got.Notes != "" {
		t.Errorf("cleared = %+v; want no driver, site or notes", got)
	}
	tr, err := f.st.TruckByPlate(ctx, "T11985LA")
	if err != nil || tr.Status != fleet.TruckOperational || tr.DriverID != 0 {
		t.Errorf("stored truck = %+v, %v; want operational without driver", tr, err)
	}
	wantAudit(t, f, "T11985LA", "truck.update", "truck.update", "truck.update", "truck.update", "truck.status",
		"truck.update", "truck.status", "truck.update")
}

func TestUpdateTruckRefused(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	if _, err := f.st.CreateDriver(context.Background(), fleet.Driver{Name: "Ada Obi", Phone: "08030000001"}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, token, plate, body string
		status                   int
		code, field              string
	}{
		{"unknown truck", f.write, "T99999ZZ", `{"notes":"x"}`, 404, "not_found", ""},
		{"nothing to change", f.write, "T11985LA", `{}`, 400, "invalid", ""},
		{"plate cannot change", f.write, "T11985LA", `{"plate":"T11985LB"}`, 400, "invalid", "plate"},
		{"unknown site", f.write, "T11985LA", `{"site":"ATLANTIS"}`, 400, "invalid", "site"},
		{"retired by status", f.write, "T11985LA", `{"status":"retired"}`, 400, "invalid", "status"},
		{"notes too long", f.write, "T11985LA", `{"notes":"` + strings.Repeat("x", 2001) + `"}`, 400, "invalid", "notes"},
		{"phone of another driver", f.write, "T11985LA", `{"driver_name":"Musa","driver_phone":"0803 000 0001"}`, 200, "", ""},
		{"read token", f.read, "T11985LA", `{"notes":"x"}`, 403, "forbidden", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := wantStatus(t, tc.name, f.do(t, "PATCH", "/api/v1/trucks/"+tc.plate, tc.token, tc.body), tc.status, tc.code)
			wantField(t, tc.name, e, tc.field)
		})
	}
	// A known phone is that driver (renamed), as in the sheet sync: Ada Obi's phone makes her
	// the driver, renamed Musa. A second truck then taking a new driver with that phone
	// renames the same person rather than duplicating the phone.
	var got truckView
	f.do(t, "GET", "/api/v1/trucks/T11985LA", f.read, "").json(t, &got)
	if got.DriverName != "Musa" || got.DriverPhone != "08030000001" {
		t.Errorf("driver by known phone = %q %q; want Musa 08030000001", got.DriverName, got.DriverPhone)
	}
	wantStatus(t, "retire", f.retire(t, "T77702LA"), http.StatusOK, "")
	e := wantStatus(t, "PATCH retired", f.do(t, "PATCH", "/api/v1/trucks/T77702LA", f.write, `{"notes":"x"}`), http.StatusConflict, "conflict")
	if !strings.Contains(e.Error.Message, "retired") {
		t.Errorf("PATCH retired = %q; want it to say retired", e.Error.Message)
	}
}

// retire sends DELETE /api/v1/trucks/{plate} with the write token.
func (f *fixture) retire(t testing.TB, plate string) response {
	t.Helper()
	return f.do(t, "DELETE", "/api/v1/trucks/"+plate, f.write, "")
}

func TestRetireTruck(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	r := f.retire(t, "t-55501-la")
	wantStatus(t, "DELETE", r, http.StatusOK, "")
	var got truckView
	r.json(t, &got)
	if got.Plate != "T55501LA" || got.TruckStatus != "retired" || got.RetiredAt == nil {
		t.Errorf("retired = %+v; want T55501LA retired with retired_at", got)
	}
	r = f.do(t, "GET", "/api/v1/trucks/T55501LA", f.read, "")
	wantStatus(t, "GET retired", r, http.StatusOK, "")
	r.json(t, &got)
	if got.TruckStatus != "retired" || got.RetiredAt == nil || got.Lat == 0 {
		t.Errorf("GET retired = %+v; want it shown retired, its history (last fix) kept", got)
	}
	var page struct {
		Data []truckView `json:"data"`
	}
	f.do(t, "GET", "/api/v1/trucks", f.read, "").json(t, &page)
	for _, tr := range page.Data {
		if tr.Plate == "T55501LA" {
			t.Errorf("GET /api/v1/trucks lists the retired truck")
		}
	}
	var counts struct {
		Size int `json:"size"`
	}
	f.do(t, "GET", "/api/v1/fleet", f.read, "").json(t, &counts)
	if counts.Size != len(testTrucks)-1 {
		t.Errorf("fleet size = %d; want %d without the retired truck", counts.Size, len(testTrucks)-1)
	}
	r = f.do(t, "POST", "/api/v1/trips", f.write, `{"truck":"T55501LA","origin":"ECLAT","destination":"APAPA","departure":"2025-11-27T08:00:00+01:00"}`)
	e := wantStatus(t, "trip for a retired truck", r, http.StatusBadRequest, "invalid")
	if !strings.Contains(e.Error.Message, "retired") || e.Error.Field != "truck" {
		t.Errorf("refusal = %q (field %q); want a sentence saying the truck is retired, field truck", e.Error.Message, e.Error.Field)
	}
	wantStatus(t, "DELETE again", f.retire(t, "T55501LA"), http.StatusConflict, "conflict")
	wantStatus(t, "DELETE unknown", f.retire(t, "T99999ZZ"), http.StatusNotFound, "not_found")
	wantStatus(t, "DELETE with a read token", f.do(t, "DELETE", "/api/v1/trucks/T11985LA", f.read, ""), http.StatusForbidden, "forbidden")
	wantAudit(t, f, "T55501LA", "truck.retire")

	wantStatus(t, "book", f.do(t, "POST", "/api/v1/trips", f.write, createTrip), http.StatusCreated, "")
	e = wantStatus(t, "DELETE a truck with an open trip", f.retire(t, "T11985LA"), http.StatusConflict, "conflict")
	if !strings.Contains(e.Error.Message, "TRP-0001") {
		t.Errorf("refusal = %q; want it to name TRP-0001", e.Error.Message)
	}
}

func TestSites(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	r := f.do(t, "POST", "/api/v1/sites", f.write, `{"code":"ojodu-depot","name":"Ojodu truck park","kind":"depot","lat":6.6018,"lng":3.3515,"radius_m":200}`)
	wantStatus(t, "POST /api/v1/sites", r, http.StatusCreated, "")
	var got siteView
	r.json(t, &got)
	if want := (siteView{Code: "OJODU-DEPOT", Name: "Ojodu truck park", Kind: "depot", Lat: 6.6018, Lng: 3.3515, RadiusM: 200}); got != want {
		t.Errorf("created = %+v; want %+v", got, want)
	}
	if loc := r.header.Get("Location"); loc != "/api/v1/sites/OJODU-DEPOT" {
		t.Errorf("Location = %q", loc)
	}
	r = f.do(t, "POST", "/api/v1/sites", f.write, `{"code":"LEKKI","name":"Lekki port","kind":"terminal","latitude":6.42,"longitude":3.99,"radius_m":300}`)
	wantStatus(t, "POST with latitude/longitude", r, http.StatusCreated, "")
	r.json(t, &got)
	if got.Lat != 6.42 || got.Lng != 3.99 {
		t.Errorf("latitude/longitude = %v,%v; want 6.42,3.99 answered as lat/lng", got.Lat, got.Lng)
	}
	r = f.do(t, "GET", "/api/v1/sites/ojodu-depot", f.read, "")
	wantStatus(t, "GET site", r, http.StatusOK, "")
	r = f.do(t, "PATCH", "/api/v1/sites/OJODU-DEPOT", f.write, `{"name":"Ojodu park","radius_m":150,"lat":6.6020}`)
	wantStatus(t, "PATCH site", r, http.StatusOK, "")
	r.json(t, &got)
	if got.Name != "Ojodu park" || got.RadiusM != 150 || got.Lat != 6.6020 || got.Lng != 3.3515 || got.Kind != "depot" {
		t.Errorf("patched = %+v; want name, radius and lat changed, the rest kept", got)
	}
	st, err := f.st.SiteByCode(context.Background(), "OJODU-DEPOT")
	if err != nil || st.Cell != fleet.CellOf(st.Point, fleet.CellResolution) {
		t.Errorf("stored site = %+v, %v; want its H3 cell moved with it", st, err)
	}
	wantAudit(t, f, "OJODU-DEPOT", "site.create", "site.update")

	r = f.do(t, "DELETE", "/api/v1/sites/OJODU-DEPOT", f.write, "")
	wantStatus(t, "DELETE site", r, http.StatusOK, "")
	r.json(t, &got)
	if got.RetiredAt == nil {
		t.Errorf("retired site = %+v; want retired_at", got)
	}
	f.do(t, "GET", "/api/v1/sites/OJODU-DEPOT", f.read, "").json(t, &got)
	if got.RetiredAt == nil {
		t.Errorf("GET of a retired site = %+v; want retired_at", got)
	}
	var page struct {
		Data []siteView `json:"data"`
	}
	f.do(t, "GET", "/api/v1/sites", f.read, "").json(t, &page)
	for _, s := range page.Data {
		if s.Code == "OJODU-DEPOT" {
			t.Errorf("GET /api/v1/sites lists the retired site")
		}
	}
	r = f.do(t, "POST", "/api/v1/trips", f.write, `{"truck":"T11985LA","origin":"APAPA","destination":"OJODU-DEPOT","departure":"2025-11-27T08:00:00+01:00"}`)
	wantField(t, "trip to a retired site", wantStatus(t, "trip to a retired site", r, http.StatusBadRequest, "invalid"), "destination")
	wantStatus(t, "DELETE again", f.do(t, "DELETE", "/api/v1/sites/OJODU-DEPOT", f.write, ""), http.StatusConflict, "conflict")
	wantStatus(t, "PATCH retired", f.do(t, "PATCH", "/api/v1/sites/OJODU-DEPOT", f.write, `{"name":"x"}`), http.StatusConflict, "conflict")
	wantAudit(t, f, "OJODU-DEPOT", "site.create", "site.update", "site.retire")

	wantStatus(t, "book", f.do(t, "POST", "/api/v1/trips", f.write, createTrip), http.StatusCreated, "")
	e := wantStatus(t, "DELETE a site with an open trip", f.do(t, "DELETE", "/api/v1/sites/ECLAT", f.write, ""), http.StatusConflict, "conflict")
	if !strings.Contains(e.Error.Message, "TRP-0001") {
		t.Errorf("refusal = %q; want it to name TRP-0001", e.Error.Message)
	}
}

func TestListSitesFilters(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	codes := func(path string) []string {
		t.Helper()
		r := f.do(t, "GET", path, f.read, "")
		wantStatus(t, path, r, http.StatusOK, "")
		var page struct {
			Data []siteView `json:"data"`
		}
		r.json(t, &page)
		var out []string
		for _, s := range page.Data {
			out = append(out, s.Code)
		}
		return out
	}
	for _, tc := range []struct {
		path string
		want []string
	}{
		{"/api/v1/sites?kind=client", []string{"ECLAT"}},
		{"/api/v1/sites?q=port", []string{"APAPA", "TINCAN"}},
		{"/api/v1/sites?q=esslibra&kind=terminal", []string{"ESSLIBRA"}},
		{"/api/v1/sites?q=port&kind=client", nil},
	} {
		if got := codes(tc.path); !slices.Equal(got, tc.want) {
			t.Errorf("GET %s = %v; want %v", tc.path, got, tc.want)
		}
	}
	wantField(t, "kind=mall", wantStatus(t, "kind=mall", f.do(t, "GET", "/api/v1/sites?kind=mall", f.read, ""), http.StatusBadRequest, "invalid"), "kind")
}

func TestSitesRefused(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	good := `"name":"Ojodu truck park","kind":"depot","lat":6.6018,"lng":3.3515,"radius_m":200`
	tests := []struct {
		name, method, path, token, body string
		status                          int
		code, field                     string
	}{
		{"duplicate code", "POST", "/api/v1/sites", f.write, `{"code":"apapa",` + good + `}`, 409, "conflict", "code"},
		{"lat outside ±90", "POST", "/api/v1/sites", f.write, `{"code":"X1","name":"n","kind":"depot","lat":95,"lng":3.3,"radius_m":200}`, 400, "invalid", "lat"},
		{"lng outside ±180", "POST", "/api/v1/sites", f.write, `{"code":"X1","name":"n","kind":"depot","lat":6.5,"lng":-181,"radius_m":200}`, 400, "invalid", "lng"},
		{"radius too small", "POST", "/api/v1/sites", f.write, `{"code":"X1","name":"n","kind":"depot","lat":6.5,"lng":3.3,"radius_m":10}`, 400, "invalid", "radius_m"},
		{"unknown kind", "POST", "/api/v1/sites", f.write, `{"code":"X1","name":"n","kind":"mall","lat":6.5,"lng":3.3,"radius_m":100}`, 400, "invalid", "kind"},
		{"bad code", "POST", "/api/v1/sites", f.write, `{"code":"two words",` + good + `}`, 400, "invalid", "code"},
		{"no lat", "POST", "/api/v1/sites", f.write, `{"code":"X1","name":"n","kind":"depot","lng":3.3,"radius_m":100}`, 400, "invalid", "lat"},
		{"lat twice", "POST", "/api/v1/sites", f.write, `{"code":"X1",` + good + `,"latitude":6.6}`, 400, "invalid", "latitude"},
		{"blank name", "POST", "/api/v1/sites", f.write, `{"code":"X1","name":"  ","kind":"depot","lat":6.5,"lng":3.3,"radius_m":100}`, 400, "invalid", "name"},
		{"read token", "POST", "/api/v1/sites", f.read, `{"code":"X1",` + good + `}`, 403, "forbidden", ""},
		{"unknown site", "GET", "/api/v1/sites/ATLANTIS", f.read, "", 404, "not_found", ""},
		{"PATCH unknown", "PATCH", "/api/v1/sites/ATLANTIS", f.write, `{"name":"x"}`, 404, "not_found", ""},
		{"PATCH lat", "PATCH", "/api/v1/sites/APAPA", f.write, `{"latitude":-91}`, 400, "invalid", "lat"},
		{"PATCH code", "PATCH", "/api/v1/sites/APAPA", f.write, `{"code":"APAPA2"}`, 400, "invalid", "code"},
		{"PATCH nothing", "PATCH", "/api/v1/sites/APAPA", f.write, `{}`, 400, "invalid", ""},
		{"PATCH read token", "PATCH", "/api/v1/sites/APAPA", f.read, `{"name":"x"}`, 403, "forbidden", ""},
		{"DELETE unknown", "DELETE", "/api/v1/sites/ATLANTIS", f.write, "", 404, "not_found", ""},
		{"DELETE read token", "DELETE", "/api/v1/sites/APAPA", f.read, "", 403, "forbidden", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := wantStatus(t, tc.name, f.do(t, tc.method, tc.path, tc.token, tc.body), tc.status, tc.code)
			wantField(t, tc.name, e, tc.field)
		})
	}
	st, err := f.st.SiteByCode(context.Background(), "APAPA")
	if err != nil || st.Point.Lat != testSites[0].Point.Lat || st.ArchivedAt != nil {
		t.Errorf("APAPA after refused changes = %+v, %v; want unchanged", st, err)
	}
	if _, err := f.st.SiteByCode(context.Background(), "X1"); fleet.ErrorCode(err) != fleet.ENOTFOUND {
		t.Errorf("a refused site was stored: %v", err)
	}
}
