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

// testStore adapts *store.Store to the package's interfaces the way main's scheduleStore does.
type testStore struct{ *store.Store }

func newTestStore(t testing.TB) testStore {
	t.Helper()
	return testStore{store.New(storetest.NewDB(t))}
}

func (s testStore) LastJobRuns(ctx context.Context) (map[string]Run, error) {
	runs, err := s.Store.LastJobRuns(ctx)
	out := make(map[string]Run, len(runs))
	for k, r := range runs {
		run := Run{Job: r.Job, Slot: r.Slot, Replica: r.Replica, StartedAt: r.StartedAt, Outcome: Outcome(r.Outcome),
			Error: r.Error, Duration: r.Duration}
		if r.FinishedAt != nil {
			run.FinishedAt = *r.FinishedAt
		}
		out[k] = run
	}
	return out, err
}

func (s testStore) TruckSnapshots(ctx context.Context) ([]TruckSnapshot, error) {
	rows, err := s.ListTruckStates(ctx)
	out := make([]TruckSnapshot, len(rows))
	for i, r := range rows {
		out[i] = TruckSnapshot{Truck: r.Truck, State: r.State, HasState: r.HasState}
	}
	return out, err
}

func (s testStore) SaveDetectionMemory(ctx context.Context, st fleet.TruckState) (bool, error) {
	return s.Store.SaveDetectionMemory(ctx, nil, st)
}

func (s testStore) TripsByStatus(ctx context.Context, status fleet.TripStatus, before time.Time) ([]fleet.Trip, error) {
	return s.ListTrips(ctx, store.TripFilter{Statuses: []fleet.TripStatus{status}, To: before, Limit: 1000})
}

func (s testStore) TransitionTrip(ctx context.Context, code, action string, fn func(fleet.Trip) (fleet.Trip, error)) (fleet.Trip, error) {
	return s.Store.TransitionTrip(ctx, code, store.Actor{ID: "system", Via: "system"}, action, fn)
}

func (s testStore) OpenAlerts(ctx context.Context, kinds ...fleet.AlertKind) ([]fleet.Alert, error) {
	return s.ListAlerts(ctx, store.AlertFilter{Kinds: kinds, OpenOnly: true, Limit: 1000})
}

func (s testStore) TruckDays(ctx context.Context, from, to time.Time, th fleet.Thresholds) ([]TruckDay, error) {
	rows, err := s.TruckDayMetrics(ctx, from, to, th)
	out := make([]TruckDay, len(rows))
	for i, r := range rows {
		out[i] = TruckDay{Plate: r.Plate, Day: r.Day, TripsStarted: r.TripsStarted, TripsArrived: r.TripsArrived,
			TripsOnTime: r.TripsOnTime, TripsCompleted: r.TripsCompleted, TripsDelayed: r.TripsDelayed,
			TripsCancelled: r.TripsCancelled, TurnaroundTrips: r.TurnaroundTrips, TurnaroundHours: r.TurnaroundHours,
			DistanceKm: r.DistanceKm, MovingHours: r.MovingHours, IdleHours: r.IdleHours, Alerts: r.Alerts}
	}
	return out, err
}

// Fleet seeding. Sites sit along a line east of Apapa so distances are easy to reason about.

func seedSite(t testing.TB, s testStore, code string, p fleet.Point) fleet.Site {
	t.Helper()
	st, err := s.UpsertSite(context.Background(), fleet.Site{Code: code, Name: code + " site", Kind: fleet.SiteTerminal, Point: p, RadiusM: 200})
	must(t, err)
	return st
}

func seedTruck(t testing.TB, s testStore, plate string, status fleet.TruckStatus) {
	t.Helper()
	_, err := s.CreateTruck(context.Background(), fleet.Truck{Plate: plate, Status: status})
	must(t, err)
}

func seedTrip(t testing.TB, s testStore, tr fleet.Trip) fleet.Trip {
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
	out, err := s.CreateTrip(context.Background(), tr, store.Actor{ID: "test", Via: "console"})
	must(t, err)
	return out
}

// seedFixes stores fixes of plate, one per point, every step from start, and makes the last
// one the truck's state.
func seedFixes(t testing.TB, s testStore, plate string, start time.Time, step time.Duration, speed float64, ign bool, pts ...fleet.Point) {
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
