package schedule

import (
	"context"
	"testing"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/store"
	"github.com/watchtower-ops/watchtower/store/storetest"
)

var lagos = fleet.Lagos()

// at is a Lagos wall-clock time.
func at(y int, m time.Month, d, hh, mm int) time.Time { return time.Date(y, m, d, hh, mm, 0, 0, lagos) }

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func newTestStore(t testing.TB) *store.Store {
	t.Helper()
	return store.New(storetest.NewDB(t))
}

// Fleet seeding. Sites sit along a line east of Apapa so distances are easy to reason about.

func seedSite(t testing.TB, s *store.Store, code string, p fleet.Point) fleet.Site {
	t.Helper()
	st, err := s.UpsertSite(context.Background(), fleet.Site{Code: code, Name: code + " site", Kind: fleet.SiteTerminal, Point: p, RadiusM: 200})
	must(t, err)
	return st
}

func seedTruck(t testing.TB, s *store.Store, plate string, status fleet.TruckStatus) {
	t.Helper()
	_, err := s.CreateTruck(context.Background(), fleet.Truck{Plate: plate, Status: status})
	must(t, err)
}

func seedTrip(t testing.TB, s *store.Store, tr fleet.Trip) fleet.Trip {
	t.Helper()
	if tr.CreatedAt.IsZero() {
		tr.CreatedAt = tr.ScheduledDeparture.Add(-24 * time.Hour)
	}
	if tr.UpdatedAt.IsZero() {
		tr.UpdatedAt = tr.CreatedAt
		for _, p := range []*time.Time{tr.DecidedAt, tr.DelayedAt, tr.DepartedAt, tr.ArrivedAt, tr.CompletedAt, tr.CancelledAt} {
			if p != nil && p.After(tr.UpdatedAt) {
				tr.UpdatedAt = *p
			}
		}
	}
	out, err := s.CreateTrip(context.Background(), tr, fleet.Actor{ID: "test", Via: "console"})
	must(t, err)
	return out
}

// seedFixes stores fixes of plate, one per point, every step from start, and makes the last
// one the truck's state.
func seedFixes(t testing.TB, s *store.Store, plate string, start time.Time, step time.Duration, speed float64, ign bool, pts ...fleet.Point) {
	t.Helper()
	ctx := context.Background()
	ps := make([]fleet.Position, len(pts))
	for i, p := range pts {
		fix := start.Add(time.Duration(i) * step).UTC()
		ps[i] = fleet.Position{Plate: plate, FixTime: fix, ReceivedAt: fix, Point: p, SpeedKmh: speed, Ignition: ign, Source: "test"}
	}
	_, err := s.InsertPositions(ctx, nil, ps)
	must(t, err)
	last := ps[len(ps)-1]
	_, err = s.UpsertTruckState(ctx, nil, fleet.TruckState{Plate: plate, FixTime: last.FixTime, ReceivedAt: last.ReceivedAt,
		Point: last.Point, SpeedKmh: speed, Ignition: ign})
	must(t, err)
}

func ptr[T any](v T) *T { return &v }
