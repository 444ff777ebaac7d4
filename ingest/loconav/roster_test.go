package loconav_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/ingest/loconav"
	"github.com/watchtower-ops/watchtower/ingest/loconav/loconavfake"
	"github.com/watchtower-ops/watchtower/store"
)

func TestRosterImportsPaginatedFleet(t *testing.T) {
	ctx := context.Background()
	vs := make([]loconavfake.Vehicle, 25)
	for i := range vs {
		vs[i] = testVehicle(i + 1)
	}
	e := newEnv(t, vs...)
	// Telematics saw vehicle 7's device before the roster: an unrostered placeholder.
	ghost, _, err := e.store.RegisterUnrostered(ctx, "", vs[6].Serial)
	if err != nil {
		t.Fatal(err)
	}

	r := loconav.NewRoster(e.client, e.store, 10, e.log)
	if err := r.Import(ctx, time.Now()); err != nil {
		t.Fatalf("Import: %v", err)
	}
	reqs := e.fake.RequestsTo(loconavfake.RouteVehicles)
	if len(reqs) != 3 {
		t.Fatalf("GET /vehicles called %d times; want 3 pages of 10", len(reqs))
	}
	for i, req := range reqs {
		if got := req.Query.Get("page") + "/" + req.Query.Get("perPage"); got != fmt.Sprintf("%d/10", i+1) {
			t.Errorf("page request %d = page/perPage %s; want %d/10", i, got, i+1)
		}
	}
	trucks, err := e.store.ListTrucks(ctx, store.TruckFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(trucks) != 25 {
		t.Fatalf("trucks after import = %d; want 25 (the placeholder adopted, not duplicated)", len(trucks))
	}
	adopted, err := e.store.TruckByVehicleUUID(ctx, "uuid-7")
	if err != nil {
		t.Fatal(err)
	}
	if adopted.ID != ghost.ID || adopted.Plate != "T10007LA" || adopted.Status != fleet.TruckOperational || adopted.IMEI != vs[6].Serial {
		t.Errorf("uuid-7 = %+v; want the placeholder %d adopted as T10007LA, operational, with its device", adopted, ghost.ID)
	}

	rep, err := r.Sync(ctx)
	if err != nil {
		t.Fatalf("second Sync: %v", err)
	}
	if rep.Vehicles != 25 || rep.Outcomes[store.LoconavUnchanged] != 25 {
		t.Errorf("second Sync = %+v; want 25 vehicles, all unchanged", rep)
	}
	if !strings.Contains(e.logs.String(), "25 vehicles, 24 created, 1 matched") {
		t.Errorf("logs = %s; want the import counts", e.logs.String())
	}
}

func TestRosterSkipsAndReportsBadVehicles(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, testVehicle(1), loconavfake.Vehicle{Number: "TRAILER", UUID: "uuid-x"}, testVehicle(2))
	// T10002LA is already linked to another LocoNav vehicle: the import must not steal it.
	if _, err := e.store.ImportLoconavVehicle(ctx, fleet.Truck{Plate: "T10002LA", VehicleUUID: "uuid-other"}, "T10002LA"); err != nil {
		t.Fatal(err)
	}
	rep, err := loconav.NewRoster(e.client, e.store, 0, e.log).Sync(ctx)
	if code := fleet.ErrorCode(err); code != fleet.ECONFLICT {
		t.Fatalf("Sync code = %s (%v); want %s for the conflicting vehicle", code, err, fleet.ECONFLICT)
	}
	if rep.Outcomes[store.LoconavCreated] != 1 || rep.Failed != 1 || len(rep.Skipped) != 1 || rep.Skipped[0] != "TRAILER" {
		t.Errorf("report = %+v; want 1 created, 1 failed, TRAILER skipped", rep)
	}
	if req := e.fake.RequestsTo(loconavfake.RouteVehicles)[0]; req.Query.Get("perPage") != fmt.Sprint(loconav.DefaultPerPage) {
		t.Errorf("perPage = %q; want the explicit default %d", req.Query.Get("perPage"), loconav.DefaultPerPage)
	}
}

func TestRosterWithInvalidToken(t *testing.T) {
	e := newEnv(t, testVehicle(1))
	bad := newClient(t, e.fake.URL(), "not-the-token")
	err := loconav.NewRoster(bad, e.store, 10, e.log).Import(context.Background(), time.Now())
	if code := fleet.ErrorCode(err); code != fleet.EUNAUTHORIZED {
		t.Fatalf("Import with a bad token: code = %s (%v); want %s", code, err, fleet.EUNAUTHORIZED)
	}
	if msg := fleet.ErrorMessage(err); !strings.Contains(msg, "LOCONAV_API_TOKEN") {
		t.Errorf("message %q: want it to say LOCONAV_API_TOKEN was rejected", msg)
	}
	if strings.Contains(err.Error(), "not-the-token") {
		t.Errorf("error %q leaks the token", err)
	}
}

func TestRosterTruck(t *testing.T) {
	for _, tc := range []struct {
		name  string
		v     loconav.Vehicle
		plate string
		ok    bool
	}{
		{"number", loconav.Vehicle{Number: "t-11985-la", VehicleUUID: "u"}, "T11985LA", true},
		{"display number when the number is not a plate", loconav.Vehicle{Number: "TRUCK", DisplayNumber: "KJA 123 AB", VehicleUUID: "u"}, "KJA123AB", true},
		{"no plate", loconav.Vehicle{Number: "TRUCK", DisplayNumber: "Big one", VehicleUUID: "u"}, "", false},
		{"no uuid", loconav.Vehicle{Number: "T11985LA"}, "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := loconav.RosterTruck(tc.v)
			if ok != tc.ok || got.Plate != tc.plate {
				t.Errorf("RosterTruck(%+v) = %q, %v; want %q, %v", tc.v, got.Plate, ok, tc.plate, tc.ok)
			}
		})
	}
}
