package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/watchtower-ops/watchtower/fleet"
)

func TestUpsertTruckStateNeverMovesBackwards(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	addTrucks(t, s, "T11985LA", "T28737LA")
	t0 := time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)
	apapa := fleet.Point{Lat: 6.4478, Lng: 3.3680}
	eclat := fleet.Point{Lat: 6.6050, Lng: 3.3490}
	since := t0.Add(-time.Hour)

	for _, tc := range []struct {
		name    string
		fix     time.Time
		point   fleet.Point
		applied bool
	}{
		{"first fix", t0, apapa, true},
		{"newer fix", t0.Add(time.Minute), eclat, true},
		{"older fix arriving late", t0.Add(30 * time.Second), apapa, false},
		{"same fix replayed", t0.Add(time.Minute), apapa, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := fleet.TruckState{Plate: "t11985la", IMEI: "086", FixTime: tc.fix, Point: tc.point, SpeedKmh: 30,
				Ignition: true, SiteCode: "APAPA", SiteSince: &since}
			var applied bool
			must(t, s.InTx(ctx, func(tx pgx.Tx) (err error) {
				applied, err = s.UpsertTruckState(ctx, tx, st)
				return err
			}))
			if applied != tc.applied {
				t.Errorf("UpsertTruckState(%v) applied = %v; want %v", tc.fix, applied, tc.applied)
			}
		})
	}
	got, err := s.TruckState(ctx, "T11985LA")
	must(t, err)
	if !got.FixTime.Equal(t0.Add(time.Minute)) || got.Point != eclat || got.CellCoarse != fleet.CellOf(eclat, fleet.CoarseResolution) {
		t.Errorf("TruckState = %v at %v; want the newest fix at ECLAT with its cells", got.FixTime, got.Point)
	}
	if got.SiteCode != "APAPA" || got.SiteSince == nil || !got.SiteSince.Equal(since) {
		t.Errorf("memory from the first fix = %q since %v; want APAPA since %v", got.SiteCode, got.SiteSince, since)
	}

	// Detection memory: guarded by the fix it was computed from.
	got.SiteCode, got.SiteSince, got.OfflineOpen = "", nil, true
	applied, err := s.SaveDetectionMemory(ctx, got)
	must(t, err)
	stale := got
	stale.FixTime = t0
	staleApplied, err := s.SaveDetectionMemory(ctx, stale)
	must(t, err)
	if !applied || staleApplied {
		t.Errorf("SaveDetectionMemory applied = %v, stale = %v; want true, false", applied, staleApplied)
	}
	after, err := s.TruckState(ctx, "T11985LA")
	must(t, err)
	if after.SiteCode != "" || !after.OfflineOpen || !after.FixTime.Equal(got.FixTime) {
		t.Errorf("after SaveDetectionMemory: %+v", after)
	}

	_, err = s.TruckState(ctx, "T28737LA")
	wantCode(t, "TruckState without fixes", err, fleet.ENOTFOUND)
	_, err = s.UpsertTruckState(ctx, nil, fleet.TruckState{Plate: "ZZZ999ZZ", FixTime: t0, Point: apapa})
	wantCode(t, "UpsertTruckState unknown truck", err, fleet.ENOTFOUND)

	all, err := s.ListTruckStates(ctx)
	must(t, err)
	if len(all) != 2 || !all[0].HasState || all[0].Truck.Plate != "T11985LA" || all[1].HasState || all[1].Truck.Status != fleet.TruckOperational {
		t.Errorf("ListTruckStates = %+v; want T11985LA with state, T28737LA without", all)
	}
	if !all[1].State.FixTime.IsZero() {
		t.Errorf("truck without state has FixTime %v; want zero", all[1].State.FixTime)
	}

	for _, tc := range []struct {
		name   string
		cells  []int64
		coarse bool
		want   int
	}{
		{"res 9 hit", []int64{fleet.CellOf(eclat, fleet.CellResolution)}, false, 1},
		{"res 9 miss", []int64{fleet.CellOf(apapa, fleet.CellResolution)}, false, 0},
		{"res 7 hit", []int64{1, fleet.CellOf(eclat, fleet.CoarseResolution)}, true, 1},
		{"res 7 with a res 9 cell", []int64{fleet.CellOf(eclat, fleet.CellResolution)}, true, 0},
		{"no cells", nil, false, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.TruckStatesInCells(ctx, tc.cells, tc.coarse)
			must(t, err)
			if len(got) != tc.want {
				t.Errorf("TruckStatesInCells = %d trucks; want %d", len(got), tc.want)
			}
		})
	}
}
