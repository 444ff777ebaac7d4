package tools

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
)

// DefaultIndexInterval is how often a running StateIndex reloads truck states.
const DefaultIndexInterval = 2 * time.Second

// StateIndex keeps the roster and the latest fix of every truck in memory, bucketed by H3
// cell at both indexed resolutions: find_nearby_trucks never waits on Postgres (at 100,000
// trucks a 10 km search reads its candidates from memory instead of shipping tens of
// thousands of rows), and get_fleet_status does not reload the whole fleet per question. Run
// reloads it every interval; a lookup that finds it older than twice the interval (or empty)
// reloads it first, so answers are never staler than that. Snapshots are immutable and
// swapped atomically: lookups never block a reload. It is safe for concurrent use.
type StateIndex struct {
	src      RosterSource
	interval time.Duration
	log      *slog.Logger
	now      func() time.Time

	mu   sync.Mutex // serialises reloads
	snap atomic.Pointer[stateSnapshot]
}

// stateSnapshot is one immutable load of the fleet's states.
type stateSnapshot struct {
	trucks []fleet.Truck
	states []fleet.TruckState
	status []fleet.TruckStatus // status[i] is the status of states[i]'s truck; "" when none is loaded
	fine   map[int64][]int32   // res-9 cell → indexes into states
	coarse map[int64][]int32   // res-7 cell → indexes into states
	loaded time.Time
}

// NewStateIndex returns an empty index over src, reloaded every interval by Run (0:
// DefaultIndexInterval).
func NewStateIndex(src RosterSource, interval time.Duration, log *slog.Logger) *StateIndex {
	if interval <= 0 {
		interval = DefaultIndexInterval
	}
	if log == nil {
		log = slog.Default()
	}
	return &StateIndex{src: src, interval: interval, log: log, now: time.Now}
}

// Run reloads the index every interval until ctx is done, then returns nil. A failed reload
// is logged and retried at the next tick; lookups keep the last good snapshot meanwhile.
func (x *StateIndex) Run(ctx context.Context) error {
	tick := time.NewTicker(x.interval)
	defer tick.Stop()
	for {
		if err := x.Refresh(ctx); err != nil && ctx.Err() == nil {
			x.log.WarnContext(ctx, "reload truck state index", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}

// Refresh reloads every truck state now. It returns the loader's error (EUNAVAILABLE when the
// database is down) and keeps the previous snapshot then.
func (x *StateIndex) Refresh(ctx context.Context) error {
	return x.reload(ctx, time.Time{})
}

// reload loads a new snapshot unless one loaded after since is already in place (another
// caller reloaded while this one waited for the lock).
func (x *StateIndex) reload(ctx context.Context, since time.Time) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	if cur := x.snap.Load(); cur != nil && !since.IsZero() && cur.loaded.After(since) {
		return nil
	}
	start := x.now()
	trucks, states, err := x.src.FleetRoster(ctx)
	if err != nil {
		return fmt.Errorf("load truck states: %w", err)
	}
	snap := buildSnapshot(trucks, slices.Clone(states), start) // cloned: cells may be filled in
	x.snap.Store(snap)
	return nil
}

// buildSnapshot buckets states by cell and links each to its truck; states without cells get
// them computed.
func buildSnapshot(trucks []fleet.Truck, states []fleet.TruckState, loaded time.Time) *stateSnapshot {
	s := &stateSnapshot{trucks: trucks, states: states, status: make([]fleet.TruckStatus, len(states)), loaded: loaded,
		fine: make(map[int64][]int32, len(states)/4+1), coarse: make(map[int64][]int32, len(states)/64+1)}
	byPlate := make(map[string]fleet.TruckStatus, len(trucks))
	for i := range trucks {
		byPlate[trucks[i].Plate] = trucks[i].Status
	}
	for i := range states {
		st := &states[i]
		s.status[i] = byPlate[st.Plate]
		if st.Cell == 0 {
			st.Cell = fleet.CellOf(st.Point, fleet.CellResolution)
		}
		if st.CellCoarse == 0 {
			st.CellCoarse = fleet.CellOf(st.Point, fleet.CoarseResolution)
		}
		s.fine[st.Cell] = append(s.fine[st.Cell], int32(i))
		s.coarse[st.CellCoarse] = append(s.coarse[st.CellCoarse], int32(i))
	}
	return s
}

// VisitCells calls visit with every indexed truck whose fix lies in cells (res 9, or res 7
// when coarse), and that fix; a fix whose truck was not loaded is skipped. The truck carries
// its plate and status only. It reloads first when the snapshot is missing or older than twice the interval; if that reload
// fails it answers from the stale snapshot when there is one (logged), and returns the error
// otherwise.
func (x *StateIndex) VisitCells(ctx context.Context, cells []int64, coarse bool, visit func(*fleet.Truck, *fleet.TruckState)) error {
	snap, err := x.fresh(ctx)
	if err != nil {
		return err
	}
	buckets := snap.fine
	if coarse {
		buckets = snap.coarse
	}
	// The truck is rebuilt from the status kept beside each state: reading it there, not from
	// the roster, keeps a wide search on the states' memory.
	var t fleet.Truck
	for _, c := range cells {
		for _, i := range buckets[c] {
			if snap.status[i] == "" {
				continue
			}
			t.Plate, t.Status = snap.states[i].Plate, snap.status[i]
			visit(&t, &snap.states[i])
		}
	}
	return nil
}

// fresh returns a snapshot no older than twice the interval, reloading when needed.
func (x *StateIndex) fresh(ctx context.Context) (*stateSnapshot, error) {
	snap := x.snap.Load()
	if snap != nil && x.now().Sub(snap.loaded) <= 2*x.interval {
		return snap, nil
	}
	asked := x.now()
	err := x.reload(ctx, asked.Add(-2*x.interval))
	if cur := x.snap.Load(); cur != nil {
		if err != nil {
			x.log.WarnContext(ctx, "truck state index is stale; answering from the last load", "err", err,
				"age", x.now().Sub(cur.loaded).String())
		}
		return cur, nil
	}
	return nil, err
}

// FleetRoster returns the trucks and latest fixes of the current snapshot, reloading first as
// VisitCells does. The slices are shared: callers must not modify them.
func (x *StateIndex) FleetRoster(ctx context.Context) ([]fleet.Truck, []fleet.TruckState, error) {
	snap, err := x.fresh(ctx)
	if err != nil {
		return nil, nil, err
	}
	return snap.trucks, snap.states, nil
}

// Len returns how many truck states the current snapshot holds.
func (x *StateIndex) Len() int {
	if s := x.snap.Load(); s != nil {
		return len(s.states)
	}
	return 0
}
