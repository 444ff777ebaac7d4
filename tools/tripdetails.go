package tools

import (
	"context"
	"encoding/json"
	"math"
	"strings"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
)

// TripDetailsArgs are get_trip_details' arguments.
type TripDetailsArgs struct {
	TripIDOrTruck string `json:"trip_id_or_truck" desc:"A trip ID (TRP-0042, trp 42) or a truck plate; for a plate, the trip the truck is on or its next one, else its latest."`
}

func (r *Registry) tripDetailsTool() Tool {
	return Tool{
		Name: ToolTripDetails,
		Description: "A trip's details: status, truck, origin and destination, container and cargo, scheduled and " +
			"actual times (Lagos), who requested and approved it, progress, straight-line distance left, an ETA and " +
			"how it was estimated (eta_note: \"based on 12 past trips\" when the route's median is used, \"estimated from " +
			"distance\" otherwise; say which), the truck's position, and the customer tracking link when known.",
		Parameters: strictSchema(TripDetailsArgs{}),
		ReadOnly:   true,
		run: func(ctx context.Context, raw json.RawMessage, _ Caller) (any, error) {
			var a TripDetailsArgs
			if err := decodeArgs(raw, &a); err != nil {
				return nil, err
			}
			return r.TripDetails(ctx, a.TripIDOrTruck)
		},
	}
}

// TripDetails answers get_trip_details for a trip ID or a truck. It returns EINVALID for an
// empty reference and ENOTFOUND for an unknown trip, an unknown truck (with suggestions) or a
// truck that never had a trip.
func (r *Registry) TripDetails(ctx context.Context, ref string) (*TripDetails, error) {
	trip, err := r.findTrip(ctx, strings.TrimSpace(ref))
	if err != nil {
		return nil, err
	}
	sites, err := r.fleet.ListSites(ctx)
	if err != nil {
		return nil, err
	}
	st, hasFix, err := r.state(ctx, trip.Plate)
	if err != nil {
		return nil, err
	}
	d := r.tripDetails(trip, sites)
	d.Truck = r.locate(fleet.Truck{Plate: trip.Plate}, st, hasFix, sites)
	d.Truck.TruckStatus = ""
	if err := r.progress(ctx, d, trip, sites, st, hasFix); err != nil {
		return nil, err
	}
	return d, nil
}

// findTrip resolves a trip ID or a truck to a trip.
func (r *Registry) findTrip(ctx context.Context, ref string) (fleet.Trip, error) {
	if ref == "" {
		return fleet.Trip{}, fleet.Errorf(fleet.EINVALID, "which trip? give a trip ID (TRP-0042) or a truck plate")
	}
	if strings.HasPrefix(strings.ToUpper(ref), "TRP") {
		return r.fleet.TripByCode(ctx, ref)
	}
	truck, err := r.fleet.FindTruck(ctx, ref)
	if err != nil {
		if _, isCode := fleet.ParseTripCode(ref); isCode && fleet.ErrorCode(err) == fleet.ENOTFOUND {
			return r.fleet.TripByCode(ctx, ref) // "42" names no truck: try it as trip 42
		}
		return fleet.Trip{}, err
	}
	trip, err := r.fleet.ActiveTripForTruck(ctx, truck.Plate)
	if fleet.ErrorCode(err) == fleet.ENOTFOUND {
		trip, err = r.fleet.LatestTripForTruck(ctx, truck.Plate)
	}
	return trip, err
}

// tripDetails fills the fixed facts of trip.
func (r *Registry) tripDetails(t fleet.Trip, sites []fleet.Site) *TripDetails {
	d := &TripDetails{TripID: t.Code, Plate: t.Plate, DriverName: t.DriverName, DriverPhone: t.DriverPhone, Status: t.Status, ContainerNo: t.ContainerNo,
		CargoType: t.CargoType, Notes: t.Notes, ScheduledDeparture: t.ScheduledDeparture.UTC(),
		ScheduledDepartureLagos: r.lagos(t.ScheduledDeparture), TrackingURL: r.link(t), Trip: t,
		Origin: SiteRef{Code: t.Origin}, Destination: SiteRef{Code: t.Destination}}
	if s, ok := siteByCode(sites, t.Origin); ok {
		d.Origin.Name = s.Name
	}
	if s, ok := siteByCode(sites, t.Destination); ok {
		d.Destination.Name = s.Name
	}
	if !t.PlannedArrival.IsZero() {
		d.PlannedArrival, d.PlannedArrivalLagos = ptr(t.PlannedArrival.UTC()), r.lagos(t.PlannedArrival)
		d.PlannedArrivalBasis, d.PlannedArrivalTrips = ptr(orDistance(t.PlannedBasis)), t.PlannedTrips
	}
	d.Timeline = r.timeline(t)
	return d
}

// timeline lists the dated steps of t in order.
func (r *Registry) timeline(t fleet.Trip) []Milestone {
	ms := []Milestone{{Event: "requested", At: t.CreatedAt.UTC(), AtLagos: r.lagos(t.CreatedAt), By: t.RequestedBy}}
	add := func(event string, at *time.Time, by string) {
		if at != nil {
			ms = append(ms, Milestone{Event: event, At: at.UTC(), AtLagos: r.lagos(*at), By: by})
		}
	}
	decided := "approved"
	if t.Status == fleet.TripRejected {
		decided = "rejected"
	}
	add(decided, t.DecidedAt, t.DecidedBy)
	add("delayed", t.DelayedAt, "")
	add("departed", t.DepartedAt, "")
	add("arrived", t.ArrivedAt, "")
	add("completed", t.CompletedAt, "")
	add("cancelled", t.CancelledAt, t.CancelledBy)
	return ms
}

// progress fills progress, distance left and ETA from the truck's position. The ETA is
// fleet.TripETA's, with the history of the trip's lane.
func (r *Registry) progress(ctx context.Context, d *TripDetails, t fleet.Trip, sites []fleet.Site, st fleet.TruckState, hasFix bool) error {
	origin, okO := siteByCode(sites, t.Origin)
	dest, okD := siteByCode(sites, t.Destination)
	if !okO || !okD {
		return nil
	}
	total := fleet.DistanceKm(origin.Point, dest.Point)
	d.TripKm = round(total, 1)
	var pos *fleet.Point
	switch t.Status {
	case fleet.TripArrived, fleet.TripCompleted:
		d.ProgressPct, d.DistanceLeftKm = ptr(100.0), ptr(0.0)
		return nil
	case fleet.TripOngoing:
		left := total
		if hasFix {
			left, pos = fleet.DistanceKm(st.Point, dest.Point), &st.Point
		}
		pct := 0.0
		if total > 0 {
			pct = math.Max(0, math.Min(100, 100*(1-left/total)))
		}
		d.ProgressPct, d.DistanceLeftKm = ptr(round(pct, 0)), ptr(round(left, 1))
	case fleet.TripPendingApproval, fleet.TripScheduled, fleet.TripDelayed:
		d.ProgressPct, d.DistanceLeftKm = ptr(0.0), ptr(round(total, 1))
	default:
		return nil
	}
	lane := fleet.LaneOf(t.Origin, t.Destination, t.ScheduledDeparture, r.loc)
	h, err := r.fleet.LaneHistory(ctx, lane)
	if err != nil {
		return err
	}
	now := r.nowIn()
	e, ok := fleet.TripETA(t, origin, dest, h, pos, now)
	if !ok {
		return nil
	}
	d.ETA, d.ETALagos = ptr(e.At.UTC()), r.lagos(e.At)
	d.ETABasis, d.ETATrips, d.ETANote = ptr(e.Basis), e.Trips, e.Explain()
	switch {
	case e.Basis == fleet.ETALearned:
		d.ETAAssumption = e.Explain() + ": " + fleet.LaneAssumption(lane, h)
	case t.Status == fleet.TripOngoing:
		d.ETAAssumption = e.Explain() + ": " + fleet.ETAAssumption + ", from the truck's last fix (" + d.Truck.FixAge + ")"
	default:
		leave := t.ScheduledDeparture
		if now.After(leave) {
			leave = now
		}
		d.ETAAssumption = e.Explain() + ": " + fleet.ETAAssumption + ", plus 1 h for loading and gates, leaving " + r.lagos(leave)
	}
	return nil
}

// orDistance is the basis of a stored planned arrival: distance unless it says learned.
func orDistance(b fleet.ETABasis) fleet.ETABasis {
	if b == fleet.ETALearned {
		return b
	}
	return fleet.ETAFromDistance
}
