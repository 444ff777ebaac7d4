package tools_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/tools"
)

func TestNearbyTrucks(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		args   tools.NearbyArgs
		kind   string
		plates []string
	}{
		{"site, default radius", tools.NearbyArgs{Near: "APAPA"}, "site", []string{"T11985LA", "T28737LA", "KJA123AB"}},
		{"site by name", tools.NearbyArgs{Near: "apapa port"}, "site", []string{"T11985LA", "T28737LA", "KJA123AB"}},
		{"small radius", tools.NearbyArgs{Near: "APAPA", RadiusKm: ptrF(1)}, "site", []string{"T11985LA"}},
		{"status", tools.NearbyArgs{Near: "APAPA", Status: sp("parked")}, "site", []string{"T11985LA"}},
		{"maintenance, whatever the GPS says", tools.NearbyArgs{Near: "APAPA", Status: sp("maintenance")}, "site", []string{"KJA123AB"}},
		{"in maintenance is not idle", tools.NearbyArgs{Near: "APAPA", Status: sp("idle")}, "site", nil},
		{"limit", tools.NearbyArgs{Near: "APAPA", Limit: ptrI(2)}, "site", []string{"T11985LA", "T28737LA"}},
		{"truck excludes itself", tools.NearbyArgs{Near: "t 11985 la"}, "truck", []string{"T28737LA", "KJA123AB"}},
		{"digits of a truck", tools.NearbyArgs{Near: "28737", RadiusKm: ptrF(3)}, "truck", []string{"T11985LA"}},
		{"coordinates", tools.NearbyArgs{Near: "6.6000, 3.3500", RadiusKm: ptrF(2)}, "point", []string{"T55501LA"}},
		{"wide, coarse cells", tools.NearbyArgs{Near: "ECLAT", RadiusKm: ptrF(30)}, "site", []string{"T55501LA", "T28737LA", "T11985LA", "KJA123AB"}},
		{"nothing near", tools.NearbyArgs{Near: "ESSLIBRA", RadiusKm: ptrF(2)}, "site", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := f.reg.NearbyTrucks(ctx, tc.args)
			must(t, err)
			var plates []string
			for i, tr := range got.Trucks {
				plates = append(plates, tr.Plate)
				if i > 0 && tr.DistanceKm < got.Trucks[i-1].DistanceKm {
					t.Errorf("not sorted by distance: %+v", got.Trucks)
				}
				if tr.DistanceKm > got.RadiusKm {
					t.Errorf("%s at %.2f km is outside %.1f km", tr.Plate, tr.DistanceKm, got.RadiusKm)
				}
			}
			if diff := cmp.Diff(tc.plates, plates, cmpopts.EquateEmpty()); diff != "" || got.NearKind != tc.kind {
				t.Errorf("NearbyTrucks(%+v) (%s; want %s), -want +got:\n%s", tc.args, got.NearKind, tc.kind, diff)
			}
		})
	}
	got, err := f.reg.NearbyTrucks(ctx, tools.NearbyArgs{Near: "APAPA", Limit: ptrI(1)})
	must(t, err)
	if got.Count != 3 || !got.Truncated || got.RadiusKm != tools.DefaultNearbyRadiusKm || got.Resolution != fleet.CoarseResolution ||
		!strings.Contains(got.Text(), "3 truck(s) within 5.0 km of APAPA (Apapa Port Complex)") {
		t.Errorf("limited = count %d truncated %v radius %v res %d\n%s", got.Count, got.Truncated, got.RadiusKm, got.Resolution, got.Text())
	}

	for _, tc := range []struct {
		args tools.NearbyArgs
		code string
	}{
		{tools.NearbyArgs{Near: "Lekki Free Zone"}, fleet.ENOTFOUND},
		{tools.NearbyArgs{Near: "T1198LA"}, fleet.ENOTFOUND},
		{tools.NearbyArgs{Near: "T77702LA"}, fleet.EINVALID}, // never reported
		{tools.NearbyArgs{Near: "APAPA", RadiusKm: ptrF(80)}, fleet.EINVALID},
		{tools.NearbyArgs{Near: "APAPA", RadiusKm: ptrF(0)}, fleet.EINVALID},
		{tools.NearbyArgs{Near: "APAPA", Status: sp("on_trip")}, fleet.EINVALID},
		{tools.NearbyArgs{Near: "APAPA", Limit: ptrI(0)}, fleet.EINVALID},
		{tools.NearbyArgs{Near: ""}, fleet.EINVALID},
	} {
		_, err := f.reg.NearbyTrucks(ctx, tc.args)
		wantCode(t, fmt.Sprintf("NearbyTrucks(%+v)", tc.args), err, tc.code)
	}
	_, err = f.reg.NearbyTrucks(ctx, tools.NearbyArgs{Near: "T1198LA"})
	if !slices.Contains(fleet.ErrorSuggestions(err), "T11985LA") {
		t.Errorf("suggestions = %v; want T11985LA", fleet.ErrorSuggestions(err))
	}
}

// TestNearbyMatchesBruteForce compares both cell sources, Postgres and the in-memory index,
// with a brute-force haversine scan over random trucks and random searches.
func TestNearbyMatchesBruteForce(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(7, 11))
	for i := range 300 {
		plate := fmt.Sprintf("R%05dLA", i)
		_, err := f.st.CreateTruck(ctx, fleet.Truck{Plate: plate})
		must(t, err)
		f.setState(t, plate, lagosPoint(rng), f.now.Add(-time.Duration(rng.IntN(3600))*time.Second), float64(rng.IntN(3))*20, rng.IntN(2) == 0, "")
	}
	_, states, err := f.st.FleetRoster(ctx)
	must(t, err)
	idx := tools.NewStateIndex(f.st, time.Hour, quiet)
	must(t, idx.Refresh(ctx))
	memory := tools.NewRegistry(f.st, f.notes, tools.Options{Now: func() time.Time { return f.now }, Nearby: idx})
	for q := range 40 {
		center := lagosPoint(rng)
		radius := 0.3 + rng.Float64()*(tools.MaxNearbyRadiusKm-0.3)
		args := tools.NearbyArgs{Near: center.String(), RadiusKm: &radius, Limit: ptrI(tools.MaxNearbyLimit)}
		want := bruteForce(states, center, radius)
		for name, reg := range map[string]*tools.Registry{"postgres": f.reg, "memory": memory} {
			got, err := reg.NearbyTrucks(ctx, args)
			must(t, err)
			var plates []string
			for _, tr := range got.Trucks {
				plates = append(plates, tr.Plate)
			}
			if diff := cmp.Diff(want[:min(len(want), tools.MaxNearbyLimit)], plates, cmpopts.EquateEmpty()); got.Count != len(want) || diff != "" {
				t.Fatalf("query %d (%s, %.2f km) via %s: count %d, want %d; -want +got:\n%s", q, center, radius, name, got.Count, len(want), diff)
			}
		}
	}
}

// bruteForce is every state within radius of center, nearest first.
func bruteForce(states []fleet.TruckState, center fleet.Point, radius float64) []string {
	type hit struct {
		plate string
		km    float64
	}
	var hits []hit
	for _, s := range states {
		if km := fleet.DistanceKm(center, s.Point); km <= radius {
			hits = append(hits, hit{s.Plate, km})
		}
	}
	slices.SortFunc(hits, func(a, b hit) int {
		if a.km != b.km {
			if a.km < b.km {
				return -1
			}
			return 1
		}
		return strings.Compare(a.plate, b.plate)
	})
	out := make([]string, len(hits))
	for i, h := range hits {
		out[i] = h.plate
	}
	return out
}

// lagosPoint is a random point over greater Lagos.
func lagosPoint(rng *rand.Rand) fleet.Point {
	return fleet.Point{Lat: 6.40 + rng.Float64()*0.30, Lng: 3.10 + rng.Float64()*0.60}
}

func ptrF(v float64) *float64 { return &v }
func ptrI(v int) *int         { return &v }
