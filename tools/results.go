package tools

import (
	"encoding/json"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
)

// Caller is who asked for a function: it becomes the trip's requester and the audit log's
// actor. Via is the front door ("slack", "console", "api").
type Caller struct {
	UserID string // Slack user ID, API token name, "console"
	Name   string // display name, when known
	Via    string // "slack", "console", "api"
	// Approver says the front door vouches the caller may decide, cancel and change any trip
	// (SLACK_APPROVERS, the console). Others may cancel and change only trips they requested.
	Approver bool
	// ReadOnly says the front door lets the caller only read (a JSON API token of scope read):
	// the functions that write refuse with a *ReadOnlyError.
	ReadOnly bool
	// AlertHandler says the front door vouches the caller may acknowledge, snooze and mute
	// alerts: SLACK_APPROVERS and on-call (SLACK_ONCALL) in Slack, the console, an API token
	// with scope write. Anyone else is refused (EFORBIDDEN) and the refusal audited.
	AlertHandler bool
}

// Result is the outcome of one fleet function call, in the order the calls were made.
type Result struct {
	Tool string          // the function's name, e.g. "get_truck_location"
	Args json.RawMessage // the arguments as called
	// Value is the typed result on success, nil on failure: *TruckLocation, *TripCreated,
	// *FleetStatus, *TripDetails, *DailySummary or *NearbyTrucks.
	Value any
	// Output is the JSON the model sees: Value, or {"error": <safe message>, "suggestions": […]}.
	Output json.RawMessage
	// Err is the failure (nil on success); fleet.ErrorMessage and fleet.ErrorSuggestions give
	// what may be shown.
	Err error
}

// SiteRef names a site, with the distance to it when the answer is about proximity.
type SiteRef struct {
	Code       string   `json:"code"`
	Name       string   `json:"name"`
	DistanceKm *float64 `json:"distance_km,omitempty"`
}

// TripBrief is the short form of a trip inside other answers.
type TripBrief struct {
	TripID                  string           `json:"trip_id"`
	Status                  fleet.TripStatus `json:"status"`
	Origin                  string           `json:"origin"`
	Destination             string           `json:"destination"`
	ScheduledDeparture      time.Time        `json:"departure"`
	ScheduledDepartureLagos string           `json:"departure_lagos"`
}

// TruckLocation answers get_truck_location.
type TruckLocation struct {
	Plate        string            `json:"plate"`
	Status       fleet.State       `json:"status"`       // moving, idle, parked, offline, maintenance (fleet.StateOf)
	TruckStatus  fleet.TruckStatus `json:"truck_status"` // operational, maintenance, …
	HasFix       bool              `json:"has_fix"`      // false: the truck never reported
	Lat          float64           `json:"lat"`
	Lng          float64           `json:"lng"`
	SpeedKmh     float64           `json:"speed_kmh"`
	Heading      float64           `json:"heading_deg"`
	Direction    string            `json:"direction"` // compass point of the heading, "NE"
	Ignition     bool              `json:"ignition_on"`
	FixTime      time.Time         `json:"fix_time"`
	FixTimeLagos string            `json:"fix_time_lagos"` // "Thu 26 Nov 14:05 WAT"
	FixAge       string            `json:"fix_age"`        // "4 min ago"
	FixAgeSec    int64             `json:"fix_age_seconds"`
	Place        string            `json:"place"` // "at ESSLIBRA (…)" or "2.3 km from ECLAT (…)"
	AtSite       bool              `json:"at_site"`
	NearestSite  *SiteRef          `json:"nearest_site"`
	MapURL       string            `json:"map_url"`
	ActiveTrip   *TripBrief        `json:"active_trip"`
	DriverName   string            `json:"driver_name"`  // the truck's driver, "" when none
	DriverPhone  string            `json:"driver_phone"` // "" when none or unknown
	HomeSite     string            `json:"home_site"`    // the site code the truck is based at, "" when none
	Notes        string            `json:"notes"`        // the operations team's notes
	// MaintenanceUntil is when a maintenance ends by itself; nil otherwise.
	MaintenanceUntil *time.Time `json:"maintenance_until"`
	// RetiredAt is when the truck was retired (truck_status "retired"); nil while in the fleet.
	RetiredAt *time.Time `json:"retired_at"`
}

// TripCreated answers create_trip: a trip request waiting for approval, never a scheduled trip.
type TripCreated struct {
	TripID              string           `json:"trip_id"` // "TRP-0042"
	Status              fleet.TripStatus `json:"status"`  // always pending_approval
	Plate               string           `json:"plate"`
	DriverName          string           `json:"driver_name"`  // "" when the truck has no driver
	DriverPhone         string           `json:"driver_phone"` // "" when none or unknown
	Origin              SiteRef          `json:"origin"`
	Destination         SiteRef          `json:"destination"`
	Departure           time.Time        `json:"departure"`
	DepartureLagos      string           `json:"departure_lagos"`
	PlannedArrival      time.Time        `json:"planned_arrival"`
	PlannedArrivalLagos string           `json:"planned_arrival_lagos"`
	PlannedArrivalBasis fleet.ETABasis   `json:"planned_arrival_basis"` // learned or distance
	PlannedArrivalTrips int              `json:"planned_arrival_trips"` // completed trips behind a learned one
	PlannedArrivalNote  string           `json:"planned_arrival_note"`  // "based on 12 past trips" / "estimated from distance"
	ContainerNo         string           `json:"container_no"`
	CargoType           string           `json:"cargo_type"`
	Notes               string           `json:"notes"`
	ApprovalRequested   bool             `json:"approval_requested"` // the approval message is queued
	Message             string           `json:"message"`
	Trip                fleet.Trip       `json:"-"`
}

// FleetTruck is one truck in a fleet status list.
type FleetTruck struct {
	Plate       string            `json:"plate"`
	Status      fleet.State       `json:"status"`
	TruckStatus fleet.TruckStatus `json:"truck_status"`
	SpeedKmh    float64           `json:"speed_kmh"`
	Site        string            `json:"site"`         // site code the truck is at, "" when none
	TripID      string            `json:"trip_id"`      // active trip, "" when none
	DriverName  string            `json:"driver_name"`  // the truck's driver, "" when none
	DriverPhone string            `json:"driver_phone"` // "" when none or unknown
	FixAge      string            `json:"fix_age"`
	FixTime     time.Time         `json:"fix_time"`
	Lat         float64           `json:"lat"`
	Lng         float64           `json:"lng"`
}

// StateCounts counts trucks by state (fleet.StateOf); the five add up to the fleet size.
// NoFix trucks never reported and are also counted as offline.
type StateCounts struct {
	Moving      int `json:"moving"`
	Idle        int `json:"idle"`
	Parked      int `json:"parked"`
	Offline     int `json:"offline"`
	Maintenance int `json:"maintenance"`
	NoFix       int `json:"never_reported"`
}

// RosterCounts counts trucks by operational status and activity.
type RosterCounts struct {
	Operational int `json:"operational"`
	Maintenance int `json:"maintenance"`
	Inactive    int `json:"inactive"`
	Unrostered  int `json:"unrostered"`
	OnTrip      int `json:"on_trip"`
	AtSite      int `json:"at_site"`
}

// FleetStatus answers get_fleet_status.
type FleetStatus struct {
	AsOf            time.Time        `json:"as_of"`
	AsOfLagos       string           `json:"as_of_lagos"`
	Filter          string           `json:"filter"`
	Site            *SiteRef         `json:"site"`
	TrucksTotal     int              `json:"trucks_total"` // the fleet size: not archived, not inactive (fleet.InFleet)
	States          StateCounts      `json:"states"`
	Roster          RosterCounts     `json:"roster"`
	ConnectivityPct float64          `json:"connectivity_pct"` // share reporting within the offline threshold
	UtilisationPct  float64          `json:"utilisation_pct"`  // trucks on an ongoing trip ÷ trucks not in maintenance
	ActiveTrips     int              `json:"active_trips"`     // ongoing trips
	ScheduledTrips  int              `json:"scheduled_trips"`  // approved, not departed (scheduled or delayed)
	PendingTrips    int              `json:"pending_trips"`    // awaiting approval
	TripsByStatus   map[string]int   `json:"trips_by_status"`
	Matching        int              `json:"matching"` // trucks matching filter and site
	Trucks          []FleetTruck     `json:"trucks"`   // at most MaxListed, by plate
	Truncated       bool             `json:"truncated"`
	Thresholds      StatusThresholds `json:"thresholds"`
}

// StatusThresholds tells the reader what the states mean.
type StatusThresholds struct {
	MovingAboveKmh    float64 `json:"moving_above_kmh"`
	OfflineAfterMin   float64 `json:"offline_after_min"`
	IdleWithIgnition  bool    `json:"idle_means_ignition_on_stopped"`
	ParkedIgnitionOff bool    `json:"parked_means_ignition_off"`
}

// Milestone is one dated step of a trip.
type Milestone struct {
	Event   string    `json:"event"` // "requested", "approved", "departed", …
	At      time.Time `json:"at"`
	AtLagos string    `json:"at_lagos"`
	By      string    `json:"by,omitempty"`
}

// TripDetails answers get_trip_details.
type TripDetails struct {
	TripID                  string           `json:"trip_id"`
	Plate                   string           `json:"plate"`
	DriverName              string           `json:"driver_name"`  // "" when the trip has no driver
	DriverPhone             string           `json:"driver_phone"` // "" when none or unknown
	Status                  fleet.TripStatus `json:"status"`
	Origin                  SiteRef          `json:"origin"`
	Destination             SiteRef          `json:"destination"`
	ContainerNo             string           `json:"container_no"`
	CargoType               string           `json:"cargo_type"`
	Notes                   string           `json:"notes"`
	ScheduledDeparture      time.Time        `json:"departure"`
	ScheduledDepartureLagos string           `json:"departure_lagos"`
	PlannedArrival          *time.Time       `json:"planned_arrival"`
	PlannedArrivalLagos     string           `json:"planned_arrival_lagos"`
	PlannedArrivalBasis     *fleet.ETABasis  `json:"planned_arrival_basis"` // nil when there is no planned arrival
	PlannedArrivalTrips     int              `json:"planned_arrival_trips"`
	Timeline                []Milestone      `json:"timeline"`
	TripKm                  float64          `json:"trip_straight_km"` // origin → destination, straight line
	ProgressPct             *float64         `json:"progress_pct"`
	DistanceLeftKm          *float64         `json:"distance_left_km"` // straight line
	ETA                     *time.Time       `json:"eta"`
	ETALagos                string           `json:"eta_lagos"`
	ETAAssumption           string           `json:"eta_assumption"`
	ETABasis                *fleet.ETABasis  `json:"eta_basis"` // learned or distance; nil without an ETA
	ETATrips                int              `json:"eta_trips"` // completed trips behind a learned ETA
	ETANote                 string           `json:"eta_note"`  // "based on 12 past trips" / "estimated from distance"
	Truck                   *TruckLocation   `json:"truck"`
	TrackingURL             string           `json:"tracking_url"`
	Trip                    fleet.Trip       `json:"-"`
}

// DailySummary answers get_daily_summary for one Lagos calendar day.
type DailySummary struct {
	Date             string         `json:"date"`       // "2025-11-26"
	DateLagos        string         `json:"date_lagos"` // "Wed 26 Nov 2025"
	Partial          bool           `json:"partial"`    // the day is not over yet
	TripsCreated     int            `json:"trips_created"`
	TripsStarted     int            `json:"trips_started"`
	TripsCompleted   int            `json:"trips_completed"`
	TripsDelayed     int            `json:"trips_delayed"`
	TripsCancelled   int            `json:"trips_cancelled"`
	TripsRejected    int            `json:"trips_rejected"`
	OnTimePct        *float64       `json:"on_time_pct"` // null when no trip arrived
	AvgTurnaroundMin *float64       `json:"avg_turnaround_min"`
	AvgTurnaround    string         `json:"avg_turnaround"` // "3 h 20 min", "" when none
	DistanceKm       float64        `json:"distance_km"`
	UtilisationPct   float64        `json:"utilisation_pct"`
	IdleHours        float64        `json:"idle_hours"`
	AlertsByKind     map[string]int `json:"alerts_by_kind"`
	AlertsTotal      int            `json:"alerts_total"`
	TrucksTotal      int            `json:"trucks_total"`
	TrucksOfflineNow []string       `json:"trucks_offline_now"`
	FleetNow         *fleet.Census  `json:"fleet_now"`     // the fleet as of now, the counts of get_fleet_status
	LongestWaits     []Wait         `json:"longest_waits"` // the 5 trucks inside a site longest now, longest first
	WorstQueue       *Queue         `json:"worst_queue"`   // the site with the most trucks inside now; null: nobody is inside a site
	// Summary is the domain value the figures come from (for digests).
	Summary fleet.DailySummary `json:"-"`
}

// NearbyTruck is one truck in a nearby answer.
type NearbyTruck struct {
	Plate      string      `json:"plate"`
	DistanceKm float64     `json:"distance_km"`
	Status     fleet.State `json:"status"` // fleet.StateOf: maintenance wins over the GPS
	SpeedKmh   float64     `json:"speed_kmh"`
	Site       string      `json:"site"`
	FixAge     string      `json:"fix_age"`
	FixTime    time.Time   `json:"fix_time"`
	Lat        float64     `json:"lat"`
	Lng        float64     `json:"lng"`
}

// NearbyTrucks answers find_nearby_trucks.
type NearbyTrucks struct {
	Near       string        `json:"near"`      // the resolved reference, "ESSLIBRA (Esslibra Terminal)"
	NearKind   string        `json:"near_kind"` // "site", "truck" or "point"
	Center     fleet.Point   `json:"center"`    // the point distances are measured from
	RadiusKm   float64       `json:"radius_km"` // the search radius
	StatusOnly string        `json:"status"`    // the status filter, "" for any
	Count      int           `json:"count"`     // trucks within the radius matching the filter
	Trucks     []NearbyTruck `json:"trucks"`    // nearest first, at most the limit
	Truncated  bool          `json:"truncated"` // more trucks matched than are listed
	Excluded   string        `json:"excluded"`  // the reference truck itself, not listed
	Distances  string        `json:"distances"` // how distances are measured
	MapURL     string        `json:"map_url"`   // map of the center
	Resolution int           `json:"h3_resolution"`
}
