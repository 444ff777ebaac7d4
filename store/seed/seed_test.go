package seed_test

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/store"
	"github.com/watchtower-ops/watchtower/store/seed"
	"github.com/watchtower-ops/watchtower/store/storetest"
)

func TestRoster(t *testing.T) {
	roster, err := seed.Roster()
	if err != nil {
		t.Fatal(err)
	}
	sites, err := seed.Sites()
	if err != nil {
		t.Fatal(err)
	}
	codes := map[string]bool{}
	for _, s := range sites {
		if err := s.Validate(); err != nil {
			t.Errorf("site %s: %v", s.Code, err)
		}
		codes[s.Code] = true
	}
	if len(roster) < 48 {
		t.Fatalf("roster has %d trucks; want at least 48", len(roster))
	}
	plates, phones := map[string]bool{}, map[string]bool{}
	var maintenance int
	for _, e := range roster {
		tr, d := e.Truck, e.Driver
		if !fleet.ValidPlate(tr.Plate) || fleet.NormalizePlate(tr.Plate) != tr.Plate || plates[tr.Plate] {
			t.Errorf("plate %q is invalid, not normalised or repeated", tr.Plate)
		}
		plates[tr.Plate] = true
		if !tr.Status.Valid() || !codes[tr.HomeSite] || (tr.TrailerSize != "20ft" && tr.TrailerSize != "40ft") || tr.IMEI == "" {
			t.Errorf("truck %s: status %q, home %q, trailer %q, IMEI %q", tr.Plate, tr.Status, tr.HomeSite, tr.TrailerSize, tr.IMEI)
		}
		if tr.Status == fleet.TruckMaintenance {
			maintenance++
		}
		if !strings.HasPrefix(d.Phone, "0") || len(d.Phone) != 11 || phones[d.Phone] || d.Name == "" {
			t.Errorf("driver %q phone %q: want a unique 11-digit number starting with 0", d.Name, d.Phone)
		}
		phones[d.Phone] = true
	}
	for _, p := range []string{"T11985LA", "T28737LA"} {
		if !plates[p] {
			t.Errorf("roster lacks %s", p)
		}
	}
	if maintenance < 2 {
		t.Errorf("%d trucks in maintenance; want a couple", maintenance)
	}
}

func TestLoadTwice(t *testing.T) {
	ctx := context.Background()
	pool := storetest.NewDB(t)
	s := store.New(pool)
	first, err := seed.Load(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	want := seed.Counts{Sites: 13, Drivers: 60, Trucks: 60, SitesCreated: 13, DriversCreated: 60, TrucksCreated: 60}
	if first != want {
		t.Errorf("first Load = %+v; want %+v", first, want)
	}
	before, err := s.ListTrucks(ctx, store.TruckFilter{IncludeArchived: true})
	if err != nil {
		t.Fatal(err)
	}
	second, err := seed.Load(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	want.SitesCreated, want.DriversCreated, want.TrucksCreated = 0, 0, 0
	if second != want {
		t.Errorf("second Load = %+v; want %+v", second, want)
	}
	after, err := s.ListTrucks(ctx, store.TruckFilter{IncludeArchived: true})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(before, after); diff != "" {
		t.Errorf("second Load changed trucks (-before +after):\n%s", diff)
	}
	if len(after) != 60 {
		t.Errorf("%d trucks stored; want 60", len(after))
	}
	sites, err := s.ListSites(ctx)
	if err != nil || len(sites) != 13 {
		t.Errorf("ListSites = %d, %v; want 13", len(sites), err)
	}
	tr, err := s.TruckByPlate(ctx, "T11985LA")
	if err != nil {
		t.Fatal(err)
	}
	d, err := s.DriverByID(ctx, tr.DriverID)
	if err != nil || !strings.HasPrefix(d.Phone, "0") {
		t.Errorf("T11985LA driver = %+v, %v; want one with a 0… phone", d, err)
	}
	for table, want := range map[string]int{"sites": 13, "drivers": 60, "trucks": 60} {
		var n int
		if err := pool.QueryRow(ctx, "SELECT count(*) FROM "+table).Scan(&n); err != nil || n != want {
			t.Errorf("%d rows in %s (%v); want %d", n, table, err, want)
		}
	}
}
