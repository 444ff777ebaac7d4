package fleet

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// Straight-line ETA model. Lagos roads are neither straight nor fast, so the estimate states
// its assumption wherever it is shown (ETAAssumption).
const (
	// RoadFactor turns straight-line distance into road distance.
	RoadFactor = 1.4
	// AverageSpeedKmh is the assumed average container-truck speed on Lagos roads, traffic included.
	AverageSpeedKmh = 25.0
	// DefaultTripDuration is how long a trip holds its truck when no arrival is planned.
	DefaultTripDuration = 4 * time.Hour
)

// ETAAssumption explains how TravelTime estimates, for users and the model.
const ETAAssumption = "straight-line distance × 1.4 at an average 25 km/h; Lagos traffic can make it much longer"

// TravelTime estimates the driving time for a straight-line distance in km, rounded up to a
// whole minute. A distance that is not positive (or NaN) takes 0; an absurd one is capped at a
// week.
func TravelTime(straightKm float64) time.Duration {
	if !(straightKm > 0) {
		return 0
	}
	minutes := math.Min(math.Ceil(straightKm*RoadFactor/AverageSpeedKmh*60), 7*24*60)
	return time.Duration(minutes) * time.Minute
}

// How an arrival is estimated. A lane (origin → destination in one departure band) with at
// least MinLaneTrips completed trips is estimated from the median of their observed durations
// (Trip.ObservedDuration), which already hold loading, gate queues and traffic, so nothing is
// added on top. Any other lane is estimated from distance (TravelTime) plus an hour for loading
// and gates. PlanArrival and TripETA are the only places that choose.
const (
	// MinLaneTrips is how many completed trips a lane needs before its median is used.
	MinLaneTrips = 5
	// LaneWindow is how many of a lane's most recent completed trips its median is taken over:
	// enough for a steady median, recent enough to follow a changed road or port rule, and a
	// bounded read however busy the lane.
	LaneWindow = 100
	// BandHours is the width of a departure band in business time: 00–03, 03–06, …, 21–24.
	BandHours = 3
	// MaxObservedDuration bounds an observed duration; a longer one is a record error (a trip
	// closed weeks late), not a journey, and is left out of the median.
	MaxObservedDuration = 7 * 24 * time.Hour
	// loadingAllowance is what a distance estimate adds for loading and gate queues.
	loadingAllowance = time.Hour
)

// ETABasis says how an arrival time was estimated.
type ETABasis string

// ETA bases.
const (
	ETAFromDistance ETABasis = "distance" // straight-line distance at the default speed (TravelTime)
	ETALearned      ETABasis = "learned"  // the median of the lane's completed trips
)

// DepartureBand returns the three-hour band of t in loc (nil means Lagos): 0 for 00:00–02:59,
// 1 for 03:00–05:59, …, 7 for 21:00–23:59.
func DepartureBand(t time.Time, loc *time.Location) int {
	if loc == nil {
		loc = lagos
	}
	return t.In(loc).Hour() / BandHours
}

// BandLabel names band b as its hours ("06–09").
func BandLabel(b int) string {
	return fmt.Sprintf("%02d–%02d", b*BandHours, (b+1)*BandHours)
}

// Lane is the set of trips whose history predicts a trip: same origin, same destination, and a
// scheduled departure in the same band of business time (Zone, an IANA name).
type Lane struct {
	Origin, Destination string
	Band                int
	Zone                string
}

// LaneOf returns the lane of a trip from origin to destination leaving at departure, in loc
// (nil means Lagos).
func LaneOf(origin, destination string, departure time.Time, loc *time.Location) Lane {
	if loc == nil {
		loc = lagos
	}
	return Lane{Origin: origin, Destination: destination, Band: DepartureBand(departure, loc), Zone: loc.String()}
}

// LaneHistory is what the completed trips of a lane observed: how many, and the median of their
// observed durations.
type LaneHistory struct {
	Trips  int
	Median time.Duration
}

// Learned reports whether h holds enough trips to estimate from.
func (h LaneHistory) Learned() bool { return h.Trips >= MinLaneTrips && h.Median > 0 }

// Estimate is an estimated arrival and how it was reached.
type Estimate struct {
	At    time.Time
	Basis ETABasis
	Trips int // the completed trips behind a learned estimate; 0 for a distance estimate
}

// Explain says how e was reached, for users: "based on 12 past trips" or "estimated from distance".
func (e Estimate) Explain() string {
	if e.Basis == ETALearned {
		return fmt.Sprintf("based on %d past trips", e.Trips)
	}
	return "estimated from distance"
}

// LaneAssumption explains a learned estimate of lane for users and the model: "median of the 12
// completed APAPA → ECLAT trips leaving 03–06, 4 h 10 min from departure to arrival, loading and
// waiting included".
func LaneAssumption(lane Lane, h LaneHistory) string {
	return fmt.Sprintf("median of the %d completed %s → %s trips leaving %s, %s from departure to arrival, loading and waiting included",
		h.Trips, lane.Origin, lane.Destination, BandLabel(lane.Band), FormatDuration(h.Median))
}

// PlanArrival estimates the arrival of a trip leaving origin for destination at departure, with
// h the history of its lane: departure plus the lane's median when it has enough trips, else
// departure plus the distance estimate and an hour for loading and gates.
func PlanArrival(origin, destination Site, departure time.Time, h LaneHistory) Estimate {
	if h.Learned() {
		return Estimate{At: departure.Add(h.Median), Basis: ETALearned, Trips: h.Trips}
	}
	return Estimate{At: departure.Add(TravelTime(DistanceKm(origin.Point, destination.Point)) + loadingAllowance), Basis: ETAFromDistance}
}

// TripETA estimates when trip t arrives at destination, as of now, with h the history of its
// lane. A trip that has not left is planned from its scheduled departure (now, when that has
// passed) by PlanArrival. An ongoing trip from distance arrives after the drive from pos (its
// truck's latest fix; the origin when nil) to the destination; learned, at its start
// (Trip.Start) plus the lane's median, but never before that drive could be done. ok is false
// for a trip that has arrived or is over.
func TripETA(t Trip, origin, destination Site, h LaneHistory, pos *Point, now time.Time) (e Estimate, ok bool) {
	switch t.Status {
	case TripPendingApproval, TripScheduled, TripDelayed:
		leave := t.ScheduledDeparture
		if now.After(leave) {
			leave = now
		}
		return PlanArrival(origin, destination, leave, h), true
	case TripOngoing:
		from := origin.Point
		if pos != nil {
			from = *pos
		}
		drive := now.Add(TravelTime(DistanceKm(from, destination.Point)))
		if !h.Learned() {
			return Estimate{At: drive, Basis: ETAFromDistance}, true
		}
		at := t.Start().Add(h.Median)
		if drive.After(at) {
			at = drive
		}
		return Estimate{At: at, Basis: ETALearned, Trips: h.Trips}, true
	}
	return Estimate{}, false
}

// Start is when a trip's observed duration begins: its scheduled departure, or its actual
// departure when that was earlier. Time spent at the origin after the scheduled departure
// (loading, gate queues) is part of the trip.
func (t Trip) Start() time.Time {
	if t.DepartedAt != nil && t.DepartedAt.Before(t.ScheduledDeparture) {
		return *t.DepartedAt
	}
	return t.ScheduledDeparture
}

// ObservedDuration is how long a completed trip took: from its Start to its arrival at the
// destination. ok is false for a trip that is not completed, and for a duration that is not
// positive or longer than MaxObservedDuration (record errors). The lane medians in store apply
// the same rule in SQL.
func (t Trip) ObservedDuration() (d time.Duration, ok bool) {
	if t.Status != TripCompleted || t.ArrivedAt == nil {
		return 0, false
	}
	d = t.ArrivedAt.Sub(t.Start())
	return d, d > 0 && d <= MaxObservedDuration
}

// TripRequest is what a dispatcher asks for when creating a trip, already resolved to a
// truck and sites.
type TripRequest struct {
	Truck        Truck
	Origin       Site
	Destination  Site
	Departure    time.Time
	ContainerNo  string
	CargoType    string
	Notes        string
	RequestedBy  string
	RequestedVia string
	// History is the history of the trip's lane (LaneOf), which plans its arrival.
	History LaneHistory
}

// NewTrip validates req against the trip rules at now and returns the pending_approval trip to
// store (without ID or Code). It returns EINVALID when the departure is less than
// th.MinLeadTime ahead, the origin or destination is missing, they are the same site, the truck
// is not operational, or the container number is longer than 32 characters. Overlap with the
// truck's other trips is checked by the caller with Overlaps.
func NewTrip(req TripRequest, now time.Time, th Thresholds) (Trip, error) {
	switch {
	case req.Departure.Before(now.Add(th.MinLeadTime).Truncate(time.Minute)): // "in 30 minutes" is whole minutes
		return Trip{}, FieldErrorf("departure", EINVALID, "departure %s is less than %d minutes from now; pick a later time",
			FormatTime(req.Departure, nil), int(th.MinLeadTime.Minutes()))
	case req.Origin.Code == "" || req.Destination.Code == "":
		return Trip{}, Errorf(EINVALID, "a trip needs both an origin and a destination site")
	case strings.EqualFold(req.Origin.Code, req.Destination.Code):
		return Trip{}, FieldErrorf("destination", EINVALID, "origin and destination are both %s", req.Origin.Code)
	case req.Truck.Bookable() != nil:
		return Trip{}, WithField("truck", req.Truck.Bookable())
	case len(req.ContainerNo) > 32:
		return Trip{}, FieldErrorf("container_no", EINVALID, "container number is too long")
	}
	plan := PlanArrival(req.Origin, req.Destination, req.Departure, req.History)
	return Trip{
		Plate:              req.Truck.Plate,
		DriverID:           req.Truck.DriverID,
		Origin:             req.Origin.Code,
		Destination:        req.Destination.Code,
		ContainerNo:        req.ContainerNo,
		CargoType:          req.CargoType,
		Notes:              req.Notes,
		ScheduledDeparture: req.Departure.UTC(),
		PlannedArrival:     plan.At.UTC(),
		PlannedBasis:       plan.Basis,
		PlannedTrips:       plan.Trips,
		Status:             TripPendingApproval,
		RequestedBy:        req.RequestedBy,
		RequestedVia:       req.RequestedVia,
		CreatedAt:          now,
		UpdatedAt:          now,
	}, nil
}
