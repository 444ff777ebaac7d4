package api

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/tools"
)

// truckStates are the values of GET /api/v1/trucks?status= (or its first-release name state):
// get_fleet_status's filters.
var truckStates = []string{tools.FilterAll, tools.FilterMoving, tools.FilterIdle, tools.FilterParked, tools.FilterOffline,
	tools.FilterOnTrip, tools.FilterMaintenance, tools.FilterAtSite, tools.FilterUnrostered}

// nearStates are the values of GET /api/v1/trucks/near?status=: the five fleet states.
var nearStates = []string{tools.FilterMoving, tools.FilterIdle, tools.FilterParked, tools.FilterOffline, tools.FilterMaintenance}

// truckPage is GET /api/v1/trucks.
type truckPage struct {
	Data       []tools.FleetTruck `json:"data"`
	NextCursor *string            `json:"next_cursor"`
	Matching   int                `json:"matching"` // trucks matching the filters, over all pages
	AsOf       time.Time          `json:"as_of"`
}

// listTrucks pages through get_fleet_status' list of trucks, by plate, keeping those whose
// plate or driver contains ?q=.
func (s *Server) listTrucks(_ http.ResponseWriter, r *http.Request, q *query) (int, any, error) {
	state := q.oneOf("status", truckStates...)
	if old := q.oneOf("state", truckStates...); old != "" {
		if state != "" {
			q.fail(badParam("state", "give status or state, not both (state is the older name)"))
		}
		state = old
	}
	site := q.str("site")
	search := q.str("q")
	limit := q.intIn("limit", defaultPageSize, 1, maxPageSize)
	if q.err != nil {
		return 0, nil, q.err
	}
	after, err := decodeCursor(q.str("cursor"), cursorTrucks)
	if err != nil {
		return 0, nil, err
	}
	fs, err := s.deps.Trucks.FleetStatus(r.Context(), tools.FleetStatusArgs{Filter: optional(state), Site: optional(site)})
	if err != nil {
		return 0, nil, badValue(fleet.WithField("site", err))
	}
	if fs.Truncated {
		return 0, nil, fleet.Errorf(fleet.EINTERNAL, "fleet status listed %d of %d trucks: raise tools.Options.MaxListed", len(fs.Trucks), fs.Matching)
	}
	trucks, matching := fs.Trucks, fs.Matching
	if search != "" {
		trucks = slices.DeleteFunc(slices.Clone(trucks), func(t tools.FleetTruck) bool { return !truckMatches(t, search) })
		matching = len(trucks)
	}
	byPlate := func(a, b tools.FleetTruck) int { return strings.Compare(a.Plate, b.Plate) }
	if !slices.IsSortedFunc(trucks, byPlate) {
		trucks = slices.SortedFunc(slices.Values(trucks), byPlate)
	}
	i, _ := slices.BinarySearchFunc(trucks, after, func(t tools.FleetTruck, plate string) int {
		if t.Plate <= plate {
			return -1
		}
		return 1
	})
	out := truckPage{Data: trucks[i:min(i+limit, len(trucks))], Matching: matching, AsOf: fs.AsOf}
	if i+limit < len(trucks) {
		out.NextCursor = optional(encodeCursor(cursorTrucks, out.Data[len(out.Data)-1].Plate))
	}
	if out.Data == nil {
		out.Data = []tools.FleetTruck{}
	}
	return http.StatusOK, out, nil
}

// truckMatches reports whether the truck's plate contains search (in any spelling) or its
// driver's name contains it (any case).
func truckMatches(t tools.FleetTruck, search string) bool {
	if p := fleet.NormalizePlate(search); p != "" && strings.Contains(t.Plate, p) {
		return true
	}
	return strings.Contains(strings.ToLower(t.DriverName), strings.ToLower(search))
}

// getTruck answers get_truck_location for the plate in the path.
func (s *Server) getTruck(_ http.ResponseWriter, r *http.Request, _ *query) (int, any, error) {
	loc, err := s.deps.Trucks.TruckLocation(r.Context(), r.PathValue("plate"))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, loc, nil
}

// nearTrucks answers find_nearby_trucks.
func (s *Server) nearTrucks(_ http.ResponseWriter, r *http.Request, q *query) (int, any, error) {
	near := q.required("near", "a site code or name, a truck plate, or lat,lng")
	radius := q.floatIn("radius_km", tools.DefaultNearbyRadiusKm, tools.MinNearbyRadiusKm, tools.MaxNearbyRadiusKm)
	limit := q.intIn("limit", tools.DefaultNearbyLimit, 1, tools.MaxNearbyLimit)
	status := q.oneOf("status", nearStates...)
	if q.err != nil {
		return 0, nil, q.err
	}
	res, err := s.deps.Trucks.NearbyTrucks(r.Context(), tools.NearbyArgs{Near: near, RadiusKm: &radius, Limit: &limit, Status: optional(status)})
	if err != nil {
		return 0, nil, badValue(fleet.WithField("near", err))
	}
	return http.StatusOK, res, nil
}

// optional returns nil for "", else a pointer to s.
func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// fleetCounts is GET /api/v1/fleet: the fleet in numbers (fleet.TakeCensus, through
// get_fleet_status, so it matches Slack and the summaries).
type fleetCounts struct {
	Size           int       `json:"size"`
	Moving         int       `json:"moving"`
	Idle           int       `json:"idle"`
	Parked         int       `json:"parked"`
	Offline        int       `json:"offline"`
	Maintenance    int       `json:"maintenance"`
	Utilisation    float64   `json:"utilisation"` // share 0–1: on an ongoing trip ÷ not in maintenance
	ActiveTrips    int       `json:"active_trips"`
	ScheduledTrips int       `json:"scheduled_trips"`
	PendingTrips   int       `json:"pending_trips"`
	AsOf           time.Time `json:"as_of"`
}

// getFleet answers GET /api/v1/fleet.
func (s *Server) getFleet(_ http.ResponseWriter, r *http.Request, _ *query) (int, any, error) {
	fs, err := s.deps.Trucks.FleetStatus(r.Context(), tools.FleetStatusArgs{})
	if err != nil {
		return 0, nil, err
	}
	st := fs.States
	return http.StatusOK, fleetCounts{Size: fs.TrucksTotal, Moving: st.Moving, Idle: st.Idle, Parked: st.Parked,
		Offline: st.Offline, Maintenance: st.Maintenance, Utilisation: fs.UtilisationPct / 100,
		ActiveTrips: fs.ActiveTrips, ScheduledTrips: fs.ScheduledTrips, PendingTrips: fs.PendingTrips, AsOf: fs.AsOf}, nil
}
