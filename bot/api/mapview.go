package api

import (
	"context"
	"fmt"
	"time"

	"github.com/watchtower-ops/watchtower/tools"
)

// driverNamesTTL is how long the hub trusts the driver names it loaded.
const driverNamesTTL = time.Minute

// mapTruck is one truck as the map shows it.
type mapTruck struct {
	Plate    string     `json:"plate"`
	Driver   string     `json:"driver,omitempty"`
	State    string     `json:"status"` // moving, idle, parked, offline, maintenance
	SpeedKmh float64    `json:"speed_kmh"`
	HasFix   bool       `json:"has_fix"`
	Lat      float64    `json:"lat"`
	Lng      float64    `json:"lng"`
	FixTime  *time.Time `json:"fix_time,omitempty"`
	Site     string     `json:"site,omitempty"`
	TripID   string     `json:"trip_id,omitempty"`
}

// mapCounts is the legend: trucks per state, and the fleet size they add up to.
type mapCounts struct {
	Size   int            `json:"size"`
	States map[string]int `json:"states"`
}

// mapSnapshot is the "snapshot" event: the whole fleet.
type mapSnapshot struct {
	AsOf   time.Time  `json:"as_of"`
	Counts mapCounts  `json:"counts"`
	Trucks []mapTruck `json:"trucks"`
}

// mapChange is the "state" event: the trucks whose state changed, and the new legend.
type mapChange struct {
	AsOf   time.Time  `json:"as_of"`
	Counts mapCounts  `json:"counts"`
	Trucks []mapTruck `json:"trucks"`
}

// mapView is one computed fleet view, immutable once built.
type mapView struct {
	asOf     time.Time // as of the fleet functions' clock
	built    time.Time // wall clock, for freshness
	byPlate  map[string]mapTruck
	counts   mapCounts
	snapshot sseEvent // encoded without an ID
}

// buildView turns get_fleet_status' answer for every truck into the map's view. Each truck's
// state is the one /fleet counts it under, so the legend adds up to /fleet's numbers.
func buildView(fs *tools.FleetStatus, names map[string]string) *mapView {
	v := &mapView{asOf: fs.AsOf, built: time.Now(), byPlate: make(map[string]mapTruck, len(fs.Trucks)),
		counts: mapCounts{Size: fs.TrucksTotal, States: map[string]int{}}}
	snap := mapSnapshot{AsOf: fs.AsOf, Trucks: make([]mapTruck, 0, len(fs.Trucks))}
	for _, t := range fs.Trucks {
		mt := mapTruck{Plate: t.Plate, Driver: names[t.Plate], State: string(t.Status), SpeedKmh: t.SpeedKmh,
			HasFix: !t.FixTime.IsZero(), Site: t.Site, TripID: t.TripID}
		if mt.HasFix {
			ft := t.FixTime
			mt.Lat, mt.Lng, mt.FixTime = t.Lat, t.Lng, &ft
		}
		v.byPlate[t.Plate] = mt
		v.counts.States[mt.State]++
		snap.Trucks = append(snap.Trucks, mt)
	}
	snap.Counts = v.counts
	v.snapshot = encodeEvent("", "snapshot", snap)
	return v
}

// changes returns the trucks of next that are new or whose state, driver, trip or site
// differs from prev (positions travel as "fix" events).
func changes(prev, next *mapView) []mapTruck {
	var out []mapTruck
	for plate, t := range next.byPlate {
		p, ok := prev.byPlate[plate]
		if !ok || p.State != t.State || p.Driver != t.Driver || p.TripID != t.TripID || p.Site != t.Site {
			out = append(out, t)
		}
	}
	return out
}

// recompute loads the fleet's states, stores the new view and sends the changes to every
// viewer; unless force, a view younger than Refresh is kept instead (viewers connecting at
// once share one load). It returns the fleet functions' error (EUNAVAILABLE) and keeps the old
// view then.
func (h *Hub) recompute(ctx context.Context, force bool) error {
	h.computeMu.Lock()
	defer h.computeMu.Unlock()
	if v := h.view.Load(); !force && v != nil && time.Since(v.built) < h.cfg.Refresh {
		return nil
	}
	fs, err := h.trucks.FleetStatus(ctx, statusArgs())
	if err != nil {
		return fmt.Errorf("fleet status for the map: %w", err)
	}
	next := buildView(fs, h.driverNames(ctx))
	prev := h.view.Swap(next)
	if prev == nil {
		return nil
	}
	changed := changes(prev, next)
	if len(changed) > 0 || !sameCounts(prev.counts, next.counts) {
		h.broadcast(&frame{events: []sseEvent{encodeEvent("", "state", mapChange{AsOf: next.asOf, Counts: next.counts, Trucks: changed})}})
	}
	return nil
}

// driverNames returns the cached driver names, reloading them after driverNamesTTL. A failed
// load keeps the old names (logged): the map shows without them rather than not at all.
func (h *Hub) driverNames(ctx context.Context) map[string]string {
	if h.drivers == nil || time.Since(h.namesAt) < driverNamesTTL && h.names != nil {
		return h.names
	}
	names, err := h.drivers.DriverNames(ctx)
	if err != nil {
		h.fail(ctx, err)
		return h.names
	}
	h.names, h.namesAt = names, time.Now()
	return names
}

func sameCounts(a, b mapCounts) bool {
	if a.Size != b.Size || len(a.States) != len(b.States) {
		return false
	}
	for k, n := range a.States {
		if b.States[k] != n {
			return false
		}
	}
	return true
}

// current returns a view no older than Refresh, computing one when needed.
func (h *Hub) current(ctx context.Context) (*mapView, error) {
	if v := h.view.Load(); v != nil && time.Since(v.built) < h.cfg.Refresh {
		return v, nil
	}
	if err := h.recompute(ctx, false); err != nil {
		if v := h.view.Load(); v != nil {
			return v, nil
		}
		return nil, err
	}
	return h.view.Load(), nil
}
