package tools_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"testing"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/fleet/fleettest"
	"github.com/watchtower-ops/watchtower/store"
	"github.com/watchtower-ops/watchtower/store/storetest"
	"github.com/watchtower-ops/watchtower/tools"
)

// baseNow is the fixtures' clock: Wednesday 26 November 2025, 10:00 in Lagos.
var baseNow = time.Date(2025, 11, 26, 10, 0, 0, 0, fleet.Lagos())

// testSites are real-looking Lagos sites.
var testSites = []fleet.Site{
	{Code: "ESSLIBRA", Name: "Esslibra Terminal Ibeshe", Kind: fleet.SiteTerminal, Point: fleet.Point{Lat: 6.556389, Lng: 3.475556}, RadiusM: 300},
	{Code: "ECLAT", Name: "Eclat Warehouse Ikeja", Kind: fleet.SiteClient, Point: fleet.Point{Lat: 6.6050, Lng: 3.3490}, RadiusM: 150},
	{Code: "TINCAN", Name: "Tin Can Island Port", Kind: fleet.SiteTerminal, Point: fleet.Point{Lat: 6.4383, Lng: 3.3436}, RadiusM: 300},
	{Code: "APAPA", Name: "Apapa Port Complex", Kind: fleet.SiteTerminal, Point: fleet.Point{Lat: 6.4478, Lng: 3.3680}, RadiusM: 300},
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

// testTrucks: T11985LA parked at APAPA, T28737LA moving on the Apapa road, KJA123AB in
// maintenance idling at TINCAN, T55501LA offline near ECLAT, T77702LA never reported, and an
// inactive truck.
var testTrucks = []fixtureTruck{
	{plate: "T11985LA", status: fleet.TruckOperational, at: &fleet.Point{Lat: 6.4480, Lng: 3.3682}, age: 2 * time.Minute, site: "APAPA"},
	{plate: "T28737LA", status: fleet.TruckOperational, at: &fleet.Point{Lat: 6.4700, Lng: 3.3600}, age: time.Minute, speed: 42, ign: true},
	{plate: "KJA123AB", status: fleet.TruckMaintenance, at: &fleet.Point{Lat: 6.4384, Lng: 3.3437}, age: 3 * time.Minute, ign: true, site: "TINCAN"},
	{plate: "T55501LA", status: fleet.TruckOperational, at: &fleet.Point{Lat: 6.6000, Lng: 3.3500}, age: 2 * time.Hour},
	{plate: "T77702LA", status: fleet.TruckOperational},
	{plate: "T99903LA", status: fleet.TruckInactive},
}

// fixture is a registry over a fresh database holding testSites and testTrucks, at baseNow.
type fixture struct {
	st    *store.Store
	reg   *tools.Registry
	notes *fleettest.Recorder
	now   time.Time
}

func newFixture(t testing.TB) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{st: store.New(storetest.NewDB(t)), notes: &fleettest.Recorder{}, now: baseNow}
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
	f.reg = tools.NewRegistry(f.st, f.notes, tools.Options{Now: func() time.Time { return f.now }, Logger: quiet})
	return f
}

// setState records a fix of plate.
func (f *fixture) setState(t testing.TB, plate string, p fleet.Point, at time.Time, speed float64, ign bool, site string) {
	t.Helper()
	st := fleet.TruckState{Plate: plate, FixTime: at.UTC(), ReceivedAt: at.UTC(), Point: p, SpeedKmh: speed, Ignition: ign, SiteCode: site}
	if _, err := f.st.UpsertTruckState(context.Background(), nil, st); err != nil {
		t.Fatalf("UpsertTruckState(%s): %v", plate, err)
	}
}

// call runs a function with args given as a Go value.
func (f *fixture) call(t testing.TB, name string, args any) (tools.Result, error) {
	t.Helper()
	b, err := json.Marshal(args)
	if err != nil {
		t.Fatal(err)
	}
	return f.reg.Call(context.Background(), name, b, tools.Caller{UserID: "U0DISPATCH", Name: "Bola", Via: "slack"})
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// wantCode fails t unless err carries code.
func wantCode(t testing.TB, what string, err error, code string) {
	t.Helper()
	if got := fleet.ErrorCode(err); got != code {
		t.Fatalf("%s code = %q (err %v); want %q", what, got, err, code)
	}
}

func sp(s string) *string { return &s }

// quiet discards the logs of failures tests provoke on purpose.
var quiet = slog.New(slog.DiscardHandler)
