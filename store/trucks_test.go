package store_test

import (
	"context"
	"slices"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/store"
)

// addTrucks creates trucks with the given plates (operational, company "Acme").
func addTrucks(t testing.TB, s *store.Store, plates ...string) {
	t.Helper()
	for _, p := range plates {
		if _, err := s.CreateTruck(context.Background(), fleet.Truck{Plate: p, Company: "Acme"}); err != nil {
			t.Fatalf("CreateTruck(%q): %v", p, err)
		}
	}
}

func TestCreateTruck(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	got, err := s.CreateTruck(ctx, fleet.Truck{Plate: "t11985-la", IMEI: "0861234567890", Company: "Acme", Brand: "MAN"})
	must(t, err)
	want := fleet.Truck{Plate: "T11985LA", IMEI: "0861234567890", Company: "Acme", Brand: "MAN", Status: fleet.TruckOperational}
	if diff := cmp.Diff(want, got, cmpopts.IgnoreFields(fleet.Truck{}, "ID", "CreatedAt", "UpdatedAt")); got.ID == 0 || diff != "" {
		t.Errorf("CreateTruck (ID %d): want normalised, operational, IMEI kept (-want +got):\n%s", got.ID, diff)
	}
	for _, tc := range []struct {
		name  string
		truck fleet.Truck
		code  string
		msg   string
	}{
		{"same plate", fleet.Truck{Plate: "T11985LA"}, fleet.ECONFLICT, "truck T11985LA already exists"},
		{"same plate spelled differently", fleet.Truck{Plate: "t 11985 la"}, fleet.ECONFLICT, "truck T11985LA already exists"},
		{"same IMEI", fleet.Truck{Plate: "KJA123XY", IMEI: "0861234567890"}, fleet.ECONFLICT, "IMEI 0861234567890 is already on another truck"},
		{"no plate", fleet.Truck{}, fleet.EINVALID, "truck plate is required"},
		{"site code as plate", fleet.Truck{Plate: "ECLAT"}, fleet.EINVALID, "ECLAT is not a valid plate"},
		{"bad status", fleet.Truck{Plate: "KJA123XY", Status: "flying"}, fleet.EINVALID, `truck KJA123XY: unknown status "flying"`},
		{"unknown driver", fleet.Truck{Plate: "KJA123XY", DriverID: 999}, fleet.ENOTFOUND, "driver 999 not found"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.CreateTruck(ctx, tc.truck)
			wantCode(t, "CreateTruck", err, tc.code)
			if msg := fleet.ErrorMessage(err); msg != tc.msg {
				t.Errorf("CreateTruck message = %q; want %q", msg, tc.msg)
			}
		})
	}
}

func TestUpsertTruck(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	first, err := s.UpsertTruck(ctx, fleet.Truck{Plate: "APP456AA", Company: "Acme", IMEI: "111", Status: fleet.TruckMaintenance})
	must(t, err)
	again, err := s.UpsertTruck(ctx, fleet.Truck{Plate: "APP456AA", Company: "Acme", Status: fleet.TruckMaintenance})
	must(t, err)
	if !again.UpdatedAt.Equal(first.UpdatedAt) || again.IMEI != "111" {
		t.Errorf("unchanged upsert: updated_at %v → %v, IMEI %q; want unchanged, IMEI kept", first.UpdatedAt, again.UpdatedAt, again.IMEI)
	}
	changed, err := s.UpsertTruck(ctx, fleet.Truck{Plate: "app-456-aa", Company: "Beta"})
	must(t, err)
	if changed.ID != first.ID || changed.Company != "Beta" || changed.Status != fleet.TruckMaintenance {
		t.Errorf("changed upsert = %+v; want same ID, company Beta, status kept", changed)
	}
}

func TestTruckByPlateNotFound(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	addTrucks(t, s, "T11985LA", "T28737LA", "KJA123XY", "LND789BX")
	got, err := s.TruckByPlate(ctx, " t11985-la ")
	must(t, err)
	if got.Plate != "T11985LA" {
		t.Errorf("TruckByPlate = %q; want T11985LA", got.Plate)
	}
	_, err = s.TruckByPlate(ctx, "T1198LA")
	wantCode(t, "TruckByPlate(T1198LA)", err, fleet.ENOTFOUND)
	if msg := fleet.ErrorMessage(err); msg != "truck T1198LA not found" {
		t.Errorf("message = %q; want %q", msg, "truck T1198LA not found")
	}
	if sug := fleet.ErrorSuggestions(err); len(sug) == 0 || sug[0] != "T11985LA" {
		t.Errorf("suggestions = %q; want T11985LA first", sug)
	}
}

func TestFindTruck(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	addTrucks(t, s, "T11985LA", "T28737LA", "KJA123XY", "KJA124XY")
	for _, tc := range []struct {
		query, want, code string
	}{
		{"T11985LA", "T11985LA", ""},
		{"t-28737 la", "T28737LA", ""},
		{"11985", "T11985LA", ""},
		{"28737", "T28737LA", ""},
		{"12", "", fleet.ENOTFOUND},       // too short and ambiguous
		{"T1985LA", "", fleet.ENOTFOUND},  // typo: suggestions only
		{"ZZZ999ZZ", "", fleet.ENOTFOUND}, // nothing close
	} {
		t.Run(tc.query, func(t *testing.T) {
			got, err := s.FindTruck(ctx, tc.query)
			wantCode(t, "FindTruck", err, tc.code)
			if got.Plate != tc.want {
				t.Errorf("FindTruck(%q) = %q; want %q", tc.query, got.Plate, tc.want)
			}
		})
	}
	_, err := s.FindTruck(ctx, "T1985LA")
	if sug := fleet.ErrorSuggestions(err); !slices.Contains(sug, "T11985LA") {
		t.Errorf("FindTruck(T1985LA) suggestions = %q; want T11985LA among them", sug)
	}
}

func TestListTrucksAndArchive(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	addTrucks(t, s, "T11985LA", "T28737LA", "KJA123XY")
	_, err := s.SetTruckStatus(ctx, "KJA123XY", fleet.TruckMaintenance)
	must(t, err)
	_, err = s.SetTruckStatus(ctx, "KJA123XY", "broken")
	wantCode(t, "SetTruckStatus(broken)", err, fleet.EINVALID)
	_, err = s.SetTruckStatus(ctx, "NOPE1", fleet.TruckMaintenance)
	wantCode(t, "SetTruckStatus(unknown)", err, fleet.ENOTFOUND)
	archived, err := s.ArchiveTruck(ctx, "T28737LA")
	must(t, err)
	if archived.ArchivedAt == nil || archived.Operational() {
		t.Errorf("ArchiveTruck = %+v; want archived", archived)
	}

	plates := func(ts []fleet.Truck) (out []string) {
		for _, t := range ts {
			out = append(out, t.Plate)
		}
		return out
	}
	for _, tc := range []struct {
		name   string
		filter store.TruckFilter
		want   []string
	}{
		{"all live", store.TruckFilter{}, []string{"KJA123XY", "T11985LA"}},
		{"with archived", store.TruckFilter{IncludeArchived: true}, []string{"KJA123XY", "T11985LA", "T28737LA"}},
		{"maintenance", store.TruckFilter{Status: fleet.TruckMaintenance}, []string{"KJA123XY"}},
		{"company any case", store.TruckFilter{Company: "acme"}, []string{"KJA123XY", "T11985LA"}},
		{"other company", store.TruckFilter{Company: "Beta"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.ListTrucks(ctx, tc.filter)
			must(t, err)
			if !slices.Equal(plates(got), tc.want) {
				t.Errorf("ListTrucks(%+v) = %q; want %q", tc.filter, plates(got), tc.want)
			}
		})
	}
	got, err := s.Plates(ctx)
	must(t, err)
	if !slices.Equal(got, []string{"KJA123XY", "T11985LA"}) {
		t.Errorf("Plates = %q; want the two live trucks", got)
	}
}

func TestRegisterUnrostered(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	addTrucks(t, s, "T11985LA")

	known, created, err := s.RegisterUnrostered(ctx, "T11985LA", "0865550001")
	must(t, err)
	if created || known.Status != fleet.TruckOperational || known.IMEI != "0865550001" {
		t.Errorf("known plate: %+v created=%v; want existing truck, IMEI learned", known, created)
	}
	byIMEI, created, err := s.RegisterUnrostered(ctx, "", "0865550001")
	must(t, err)
	if created || byIMEI.ID != known.ID {
		t.Errorf("known IMEI: %+v created=%v; want the existing truck", byIMEI, created)
	}

	// Ten ingest workers see the same new truck at once: one creates it.
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		creates int
		ids     = map[int64]bool{}
	)
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			tr, created, err := s.RegisterUnrostered(ctx, "KJA777AA", "0865550002")
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			defer mu.Unlock()
			ids[tr.ID] = true
			if created {
				creates++
			}
		}()
	}
	wg.Wait()
	if creates != 1 || len(ids) != 1 {
		t.Errorf("concurrent RegisterUnrostered: %d creates, %d trucks; want 1 and 1", creates, len(ids))
	}
	tr, err := s.TruckByIMEI(ctx, "0865550002")
	must(t, err)
	if tr.Status != fleet.TruckUnrostered || tr.Plate != "KJA777AA" {
		t.Errorf("TruckByIMEI = %+v; want unrostered KJA777AA", tr)
	}

	dev, created, err := s.RegisterUnrostered(ctx, "", "0865550003")
	must(t, err)
	if !created || dev.Plate != "IMEI0865550003" {
		t.Errorf("device only: %+v created=%v; want placeholder plate", dev, created)
	}
	_, _, err = s.RegisterUnrostered(ctx, "", "")
	wantCode(t, "RegisterUnrostered empty", err, fleet.EINVALID)
	_, err = s.TruckByIMEI(ctx, "404")
	wantCode(t, "TruckByIMEI unknown", err, fleet.ENOTFOUND)
	_, err = s.TruckByVehicleUUID(ctx, "nope")
	wantCode(t, "TruckByVehicleUUID unknown", err, fleet.ENOTFOUND)
}
