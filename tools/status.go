package tools

import (
	"context"
	"encoding/json"
	"math"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/watchtower-ops/watchtower/fleet"
)

// Fleet status filters.
const (
	FilterAll         = "all"
	FilterMoving      = "moving"
	FilterIdle        = "idle"
	FilterParked      = "parked"
	FilterOffline     = "offline"
	FilterOnTrip      = "on_trip"
	FilterMaintenance = "maintenance"
	FilterAtSite      = "at_site"
	FilterUnrostered  = "unrostered"
)

// FleetStatusArgs are get_fleet_status' arguments.
type FleetStatusArgs struct {
	Filter *string `json:"filter" enum:"all,moving,idle,parked,offline,on_trip,maintenance,at_site,unrostered" desc:"Which trucks to list: by state (moving, idle = ignition on and stopped, parked = ignition off, offline = no fix for 30 min), on_trip (out on an ongoing trip), maintenance, at_site (inside a site's geofence), unrostered (seen by GPS but not in the roster); null or all = every truck."`
	Site   *string `json:"site" desc:"Only trucks at this site (code or name, e.g. ESSLIBRA or \"Apapa port\"); null = anywhere."`
}

func (r *Registry) fleetStatusTool() Tool {
	return Tool{
		Name: ToolFleetStatus,
		Description: "The fleet at a glance: how many trucks are moving, idle, parked and offline, connectivity %, " +
			"operational/maintenance counts, trucks on trips and at sites, active trips by status, and the list of " +
			"trucks matching a filter and/or a site.",
		Parameters: strictSchema(FleetStatusArgs{}),
		ReadOnly:   true,
		run: func(ctx context.Context, raw json.RawMessage, _ Caller) (any, error) {
			var a FleetStatusArgs
			if err := decodeArgs(raw, &a); err != nil {
				return nil, err
			}
			return r.FleetStatus(ctx, a)
		},
	}
}

// FleetStatus answers get_fleet_status. It returns EINVALID for an unknown filter and
// ENOTFOUND with suggestions for an unknown site.
func (r *Registry) FleetStatus(ctx context.Context, a FleetStatusArgs) (*FleetStatus, error) {
	filter := strings.ToLower(str(a.Filter))
	if filter == "" {
		filter = FilterAll
	}
	if !validFilter(filter) {
		return nil, fleet.Errorf(fleet.EINVALID, "unknown filter %q; use moving, idle, parked, offline, on_trip, maintenance, at_site or unrostered", filter)
	}
	out := &FleetStatus{Filter: filter, TripsByStatus: map[string]int{}}
	var only *fleet.Site
	if name := str(a.Site); name != "" {
		s, err := r.fleet.FindSite(ctx, name)
		if err != nil {
			return nil, err
		}
		only, out.Site = &s, ptr(siteRef(s, -1))
	}
	var (
		trucks []fleet.Truck
		states []fleet.TruckState
		trips  []fleet.Trip
		sites  []fleet.Site
	)
	g, gctx := errgroup.WithContext(ctx) // the round trips at once
	g.Go(func() (err error) { trucks, states, err = r.roster.FleetRoster(gctx); return err })
	g.Go(func() (err error) { trips, err = r.fleet.ActiveTrips(gctx); return err })
	g.Go(func() (err error) { sites, err = r.fleet.ListSites(gctx); return err })
	if err := g.Wait(); err != nil {
		return nil, err
	}
	r.tally(out, trucks, states, trips, sites, only)
	if err := r.nameDrivers(ctx, out.Trucks, trucks); err != nil {
		return nil, err
	}
	return out, nil
}

// nameDrivers fills the driver of each listed truck from the roster trucks, with one lookup.
func (r *Registry) nameDrivers(ctx context.Context, listed []FleetTruck, trucks []fleet.Truck) error {
	driverOf := make(map[string]int64, len(listed))
	for _, t := range trucks {
		if t.DriverID != 0 {
			driverOf[t.Plate] = t.DriverID
		}
	}
	ids := make([]int64, 0, len(listed))
	for _, ft := range listed {
		if id, ok := driverOf[ft.Plate]; ok {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	drivers, err := r.fleet.DriversByID(ctx, ids)
	if err != nil {
		return err
	}
	for i := range listed {
		if d, ok := drivers[driverOf[listed[i].Plate]]; ok {
			listed[i].DriverName, listed[i].DriverPhone = d.Name, d.Phone
		}
	}
	return nil
}

// fleetRow is one truck with everything the status needs.
type fleetRow struct {
	truck  fleet.Truck
	fix    fleet.TruckState
	hasFix bool
	state  fleet.State
	site   string
	trip   *fleet.Trip
}

// tally fills out from the snapshot: the counts are fleet.TakeCensus', the list fleet.StateOf's.
func (r *Registry) tally(out *FleetStatus, trucks []fleet.Truck, states []fleet.TruckState, trips []fleet.Trip, sites []fleet.Site, only *fleet.Site) {
	now := r.nowIn()
	out.AsOf, out.AsOfLagos = now.UTC(), r.lagos(now)
	out.Thresholds = StatusThresholds{MovingAboveKmh: r.th.MovingKmh, OfflineAfterMin: r.th.OfflineAfter.Minutes(),
		IdleWithIgnition: true, ParkedIgnitionOff: true}
	c := fleet.TakeCensus(trucks, states, trips, now, r.th)
	out.TrucksTotal, out.UtilisationPct = c.Size, c.UtilisationPct()
	out.States = StateCounts{Moving: c.Moving, Idle: c.Idle, Parked: c.Parked, Offline: c.Offline, Maintenance: c.Maintenance}
	out.ActiveTrips, out.ScheduledTrips, out.PendingTrips, out.Roster.OnTrip = c.ActiveTrips, c.ScheduledTrips, c.PendingTrips, c.OnTrip
	byPlate := make(map[string]int, len(states))
	for i, s := range states {
		byPlate[s.Plate] = i
	}
	tripOf := make(map[string]*fleet.Trip, len(trips))
	for i := range trips {
		t := &trips[i]
		out.TripsByStatus[string(t.Status)]++
		if cur, ok := tripOf[t.Plate]; !ok || onTrip(t) && !onTrip(cur) {
			tripOf[t.Plate] = t
		}
	}
	fences := r.fences(sites)
	reporting := 0
	for _, t := range trucks {
		if !fleet.InFleet(t) {
			out.Roster.Inactive++
			continue
		}
		row := fleetRow{truck: t, trip: tripOf[t.Plate], state: fleet.StateOf(t, nil, now, r.th)}
		if i, ok := byPlate[t.Plate]; ok {
			row.state, row.hasFix = fleet.StateOf(t, &states[i], now, r.th), true
			row.fix = states[i]
			if s, ok := fences.at(row.fix.SiteCode, row.fix.Point, row.fix.Cell); ok {
				row.site = s.Code
			}
			if row.fix.Motion(now, r.th) != fleet.MotionOffline {
				reporting++
			}
		}
		r.count(out, row)
		if (only == nil || row.site == only.Code) && matches(out.Filter, row) {
			out.Matching++
			if len(out.Trucks) < r.max {
				out.Trucks = append(out.Trucks, r.fleetTruck(row, now))
			}
		}
	}
	out.Truncated = out.Matching > len(out.Trucks)
	if out.TrucksTotal > 0 {
		out.ConnectivityPct = math.Round(1000*float64(reporting)/float64(out.TrucksTotal)) / 10
	}
}

// count adds row to the roster totals (the state counts are the census').
func (r *Registry) count(out *FleetStatus, row fleetRow) {
	if !row.hasFix {
		out.States.NoFix++
	}
	switch row.truck.Status {
	case fleet.TruckOperational:
		out.Roster.Operational++
	case fleet.TruckMaintenance:
		out.Roster.Maintenance++
	case fleet.TruckUnrostered:
		out.Roster.Unrostered++
	}
	if row.site != "" {
		out.Roster.AtSite++
	}
}

// matches reports whether row passes filter.
func matches(filter string, row fleetRow) bool {
	switch filter {
	case FilterMoving, FilterIdle, FilterParked, FilterOffline, FilterMaintenance:
		return string(row.state) == filter
	case FilterOnTrip:
		return row.trip != nil && row.trip.Status == fleet.TripOngoing
	case FilterUnrostered:
		return row.truck.Status == fleet.TruckUnrostered
	case FilterAtSite:
		return row.site != ""
	}
	return true
}

// fleetTruck is row as listed.
func (r *Registry) fleetTruck(row fleetRow, now time.Time) FleetTruck {
	ft := FleetTruck{Plate: row.truck.Plate, Status: row.state, TruckStatus: row.truck.Status, Site: row.site, FixAge: "never"}
	if row.trip != nil {
		ft.TripID = row.trip.Code
	}
	if row.hasFix {
		ft.SpeedKmh, ft.FixTime = round(row.fix.SpeedKmh, 1), row.fix.FixTime.UTC()
		ft.Lat, ft.Lng, ft.FixAge = row.fix.Point.Lat, row.fix.Point.Lng, fleet.FormatAge(row.fix.Age(now))
	}
	return ft
}

// onTrip reports whether the truck of t is out on it (left the origin, not yet done).
func onTrip(t *fleet.Trip) bool {
	return t.Status == fleet.TripOngoing || t.Status == fleet.TripArrived
}

func validFilter(f string) bool {
	switch f {
	case FilterAll, FilterMoving, FilterIdle, FilterParked, FilterOffline, FilterOnTrip, FilterMaintenance, FilterAtSite, FilterUnrostered:
		return true
	}
	return false
}
