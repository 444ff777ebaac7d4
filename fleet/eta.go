package fleet

import (
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

// PlanArrival returns the planned arrival of a trip leaving from origin to destination at
// departure: the travel estimate plus an hour for loading and gate queues.
func PlanArrival(origin, destination Site, departure time.Time) time.Time {
	return departure.Add(TravelTime(DistanceKm(origin.Point, destination.Point)) + time.Hour)
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
	return Trip{
		Plate:              req.Truck.Plate,
		DriverID:           req.Truck.DriverID,
		Origin:             req.Origin.Code,
		Destination:        req.Destination.Code,
		ContainerNo:        req.ContainerNo,
		CargoType:          req.CargoType,
		Notes:              req.Notes,
		ScheduledDeparture: req.Departure.UTC(),
		PlannedArrival:     PlanArrival(req.Origin, req.Destination, req.Departure).UTC(),
		Status:             TripPendingApproval,
		RequestedBy:        req.RequestedBy,
		RequestedVia:       req.RequestedVia,
		CreatedAt:          now,
		UpdatedAt:          now,
	}, nil
}
