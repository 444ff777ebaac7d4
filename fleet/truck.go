package fleet

import "time"

// TruckStatus is a truck's operational status, set by the operations team (not by GPS).
type TruckStatus string

// Operational statuses. Only an operational truck may be given a trip.
const (
	TruckOperational TruckStatus = "operational"
	TruckMaintenance TruckStatus = "maintenance"
	TruckInactive    TruckStatus = "inactive"   // sold, written off or parked long-term
	TruckUnrostered  TruckStatus = "unrostered" // seen in telematics but not in the roster yet
)

// Valid reports whether s is a known operational status.
func (s TruckStatus) Valid() bool {
	switch s {
	case TruckOperational, TruckMaintenance, TruckInactive, TruckUnrostered:
		return true
	}
	return false
}

// Truck is one vehicle of the fleet. Plate is always normalised (see NormalizePlate).
type Truck struct {
	ID           int64
	Plate        string
	VehicleUUID  string // LocoNav vehicle UUID, "" when unknown
	IMEI         string // telematics device serial (kept as a string: leading zeros matter)
	Company      string
	FleetManager string
	Status       TruckStatus
	Brand        string
	TrailerSize  string // "20ft", "40ft", …
	HomeSite     string // site code, "" when none
	DriverID     int64  // current driver, 0 when none
	Notes        string // free text from the operations team
	// MaintenanceUntil is when a maintenance ends by itself; nil: until set operational.
	MaintenanceUntil *time.Time
	CreatedAt        time.Time
	UpdatedAt        time.Time
	ArchivedAt       *time.Time // retired: kept for history, outside the fleet
}

// Operational reports whether the truck may be given a trip.
func (t Truck) Operational() bool { return t.Status == TruckOperational && t.ArchivedAt == nil }

// Driver is a person who drives a truck.
type Driver struct {
	ID        int64
	Name      string
	Phone     string // as written, leading zeros kept ("08031234567" or "+2348031234567")
	License   string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// TruckSnapshot is a truck with its latest state. HasState is false (and State zero) for a
// truck that has never reported.
type TruckSnapshot struct {
	Truck    Truck
	State    TruckState
	HasState bool
}

// TruckDay is the activity of one truck on one business day, the per-truck row of
// daily_metrics (scope = plate). Its JSON is what is stored.
type TruckDay struct {
	Plate           string    `json:"plate"`
	Day             time.Time `json:"day"`              // midnight in the business zone
	TripsStarted    int       `json:"trips_started"`    // departed that day
	TripsArrived    int       `json:"trips_arrived"`    // arrived that day
	TripsOnTime     int       `json:"trips_on_time"`    // of those arrived, on time (Trip.OnTime)
	TripsCompleted  int       `json:"trips_completed"`  // completed that day
	TripsDelayed    int       `json:"trips_delayed"`    // marked delayed that day
	TripsCancelled  int       `json:"trips_cancelled"`  // cancelled that day
	TurnaroundTrips int       `json:"turnaround_trips"` // of those completed, the ones with a departure
	TurnaroundHours float64   `json:"turnaround_hours"` // summed departure → completion of TurnaroundTrips
	DistanceKm      float64   `json:"distance_km"`      // consecutive fixes, impossible jumps ignored
	MovingHours     float64   `json:"moving_hours"`     // time after fixes above Thresholds.MovingKmh
	IdleHours       float64   `json:"idle_hours"`       // time after fixes with ignition on at or below it
	Alerts          int       `json:"alerts"`           // alerts opened that day about the truck
}
