package api_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/redis/go-redis/v9"

	"github.com/watchtower-ops/watchtower/bot/api"
	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/fleet/fleettest"
	"github.com/watchtower-ops/watchtower/store"
	"github.com/watchtower-ops/watchtower/store/storetest"
	"github.com/watchtower-ops/watchtower/tools"
)

// baseNow is the fixtures' clock: Wednesday 26 November 2025, 10:00 in Lagos.
var baseNow = time.Date(2025, 11, 26, 10, 0, 0, 0, fleet.Lagos())

// trackingSecret signs the fixtures' tracking links.
var trackingSecret = []byte("test-tracking-secret-0123456789abcdef")

// testSites are real-looking Lagos sites.
var testSites = []fleet.Site{
	{Code: "APAPA", Name: "Apapa Port Complex", Kind: fleet.SiteTerminal, Point: fleet.Point{Lat: 6.4478, Lng: 3.3680}, RadiusM: 300},
	{Code: "ECLAT", Name: "Eclat Warehouse Ikeja", Kind: fleet.SiteClient, Point: fleet.Point{Lat: 6.6050, Lng: 3.3490}, RadiusM: 150},
	{Code: "ESSLIBRA", Name: "Esslibra Terminal Ibeshe", Kind: fleet.SiteTerminal, Point: fleet.Point{Lat: 6.556389, Lng: 3.475556}, RadiusM: 300},
	{Code: "TINCAN", Name: "Tin Can Island Port", Kind: fleet.SiteTerminal, Point: fleet.Point{Lat: 6.4383, Lng: 3.3436}, RadiusM: 300},
}

// fixtureTruck is a truck of the fixture and where it is.
type fixtureTruck struct {
	plate  string
	status fleet.TruckStatus
	at     *fleet.Point // nil: never reported
	age    time.Duration
	speed  float64
	ign    bool
	site   string
}

// testTrucks: T11985LA parked at APAPA, T28737LA moving near Apapa, KJA123AB in maintenance
// idling at TINCAN, T55501LA offline near ECLAT, T77702LA never reported.
var testTrucks = []fixtureTruck{
	{plate: "T11985LA", status: fleet.TruckOperational, at: &fleet.Point{Lat: 6.4480, Lng: 3.3682}, age: 2 * time.Minute, site: "APAPA"},
	{plate: "T28737LA", status: fleet.TruckOperational, at: &fleet.Point{Lat: 6.4700, Lng: 3.3600}, age: time.Minute, speed: 42, ign: true},
	{plate: "KJA123AB", status: fleet.TruckMaintenance, at: &fleet.Point{Lat: 6.4384, Lng: 3.3437}, age: 3 * time.Minute, ign: true, site: "TINCAN"},
	{plate: "T55501LA", status: fleet.TruckOperational, at: &fleet.Point{Lat: 6.6000, Lng: 3.3500}, age: 2 * time.Hour},
	{plate: "T77702LA", status: fleet.TruckOperational},
}

// fixture is the API over a fresh database holding testSites and testTrucks, at baseNow,
// served by httptest, with a read token and a write token.
type fixture struct {
	st          *store.Store
	reg         *tools.Registry
	notes       *fleettest.Recorder
	rdb         *redis.Client
	prefix      string
	srv         *api.Server
	ts          *httptest.Server
	doc         *openapi3.T
	read, write string
	now         time.Time
}

// option adjusts the API's dependencies or configuration before it is built.
type option func(*api.Deps, *api.Config)

func newFixture(t testing.TB, opts ...option) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{st: store.New(storetest.NewDB(t)), notes: &fleettest.Recorder{}, now: baseNow, doc: loadContract(t)}
	f.rdb, f.prefix = storetest.NewRedis(t)
	for _, s := range testSites {
		if _, err := f.st.UpsertSite(ctx, s); err != nil {
			t.Fatalf("UpsertSite(%s): %v", s.Code, err)
		}
	}
	for _, tr := range testTrucks {
		if _, err := f.st.CreateTruck(ctx, fleet.Truck{Plate: tr.plate, Status: tr.status, Company: "Acme"}); err != nil {
			t.Fatalf("CreateTruck(%s): %v", tr.plate, err)
		}
		if tr.at != nil {
			f.setState(t, tr.plate, *tr.at, f.now.Add(-tr.age), tr.speed, tr.ign, tr.site)
		}
	}
	clock := func() time.Time { return f.now }
	f.reg = tools.NewRegistry(f.st, f.notes, tools.Options{Now: clock, Logger: quiet, MaxListed: 1 << 30})
	f.read, f.write = f.token(t, "portal", fleet.ScopeRead), f.token(t, "erp-sync", fleet.ScopeWrite)
	f.serve(t, opts...)
	return f
}

// serve builds the API with opts and serves it.
func (f *fixture) serve(t testing.TB, opts ...option) {
	t.Helper()
	deps := api.Deps{Trucks: f.reg, Trips: f.reg, Reports: f.reg, Catalog: f.st, Roster: f.st, Tokens: f.st,
		Limiter: api.NewLimiter(f.rdb, f.prefix, 1_000_000, 100_000), Log: quiet}
	cfg := api.Config{TrackingSecret: trackingSecret, PublicBaseURL: "https://track.example.com",
		Now: func() time.Time { return f.now }, TokenCacheTTL: -1}
	for _, o := range opts {
		o(&deps, &cfg)
	}
	srv, err := api.New(deps, cfg)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	srv.Mount(mux)
	f.srv, f.ts = srv, httptest.NewServer(mux)
	t.Cleanup(f.ts.Close)
}

// token creates an API token and returns it.
func (f *fixture) token(t testing.TB, name, scope string) string {
	t.Helper()
	tok, hash, prefix := api.NewToken()
	if _, err := f.st.CreateAPIToken(context.Background(), name, scope, hash, prefix, fleet.Actor{ID: "test", Via: "cli"}); err != nil {
		t.Fatalf("CreateAPIToken(%s): %v", name, err)
	}
	return tok
}

// setState records a fix of plate.
func (f *fixture) setState(t testing.TB, plate string, p fleet.Point, at time.Time, speed float64, ign bool, site string) {
	t.Helper()
	st := fleet.TruckState{Plate: plate, FixTime: at.UTC(), ReceivedAt: at.UTC(), Point: p, SpeedKmh: speed, Ignition: ign, SiteCode: site}
	if _, err := f.st.UpsertTruckState(context.Background(), nil, st); err != nil {
		t.Fatalf("UpsertTruckState(%s): %v", plate, err)
	}
}

// response is an answer of the API.
type response struct {
	status int
	header http.Header
	body   []byte
}

// json decodes the body into v.
func (r response) json(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

// apiError is the one error shape.
type apiError struct {
	Error struct {
		Code        string   `json:"code"`
		Message     string   `json:"message"`
		Field       string   `json:"field"`
		Param       string   `json:"param"`
		Suggestions []string `json:"suggestions"`
	} `json:"error"`
}

func (r response) err(t testing.TB) apiError {
	t.Helper()
	var e apiError
	r.json(t, &e)
	return e
}

// do sends a request with token (none when "") and body (none when ""), and checks that a JSON
// answer matches the schema the OpenAPI document gives for its route and status.
func (f *fixture) do(t testing.TB, method, path, token, body string) response {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, f.ts.URL+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := f.ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	r := response{status: resp.StatusCode, header: resp.Header, body: b}
	f.checkDocumented(t, req, r)
	return r
}

// checkDocumented validates the answer against the OpenAPI document (validateResponse), so
// every API test checks the contract as a side effect.
func (f *fixture) checkDocumented(t testing.TB, req *http.Request, r response) {
	t.Helper()
	if !strings.HasPrefix(r.header.Get("Content-Type"), "application/json") {
		return
	}
	_, pattern := f.srv.Handler().(*http.ServeMux).Handler(req)
	validateResponse(t, f.doc, pattern, req, r)
}

// wantStatus fails t unless r has status; errors also need code.
func wantStatus(t testing.TB, what string, r response, status int, code string) apiError {
	t.Helper()
	if r.status != status {
		t.Fatalf("%s status = %d; want %d\n%s", what, r.status, status, r.body)
	}
	if code == "" {
		return apiError{}
	}
	e := r.err(t)
	if e.Error.Code != code || e.Error.Message == "" {
		t.Fatalf("%s error = %+v; want code %s with a message", what, e.Error, code)
	}
	return e
}

// quiet discards the logs of failures tests provoke on purpose.
var quiet = slog.New(slog.DiscardHandler)

// closedRedis returns a client of a Redis server that is not there.
func closedRedis(t testing.TB) *redis.Client {
	rdb := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", MaxRetries: -1, DialTimeout: 100 * time.Millisecond})
	t.Cleanup(func() { rdb.Close() })
	return rdb
}
