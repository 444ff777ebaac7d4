package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/tools/intent"
)

// CreateTripArgs are create_trip's arguments.
type CreateTripArgs struct {
	Truck         string  `json:"truck" desc:"The truck's plate in any spelling (T28737LA, t 28737 la) or the digits of its plate."`
	Origin        *string `json:"origin" desc:"Where the trip starts: a site code (ESSLIBRA) or name (\"Esslibra terminal\"), as the user said it; null when the user did not say, and the function then asks (offering the site the truck is at now). Never fill it in yourself."`
	Destination   string  `json:"destination" desc:"Where the trip ends: a site code (ECLAT) or name (\"Eclat warehouse\")."`
	DepartureTime string  `json:"departure_time" desc:"When the truck leaves, in Lagos time: RFC 3339 with offset (2025-11-27T08:00:00+01:00) or as the user said it (\"tomorrow 8am\", \"today 14:30\", \"in 3 hours\", \"Monday 7:30\"). At least 30 minutes ahead. Ask the user when they gave no time."`
	ContainerNo   *string `json:"container_no" desc:"Container number (MSCU1234567), null when not given."`
	CargoType     *string `json:"cargo_type" desc:"What is carried (\"empty 40ft\", \"cement\"), null when not given."`
	Notes         *string `json:"notes" desc:"Anything else the dispatcher said, null when nothing."`
}

func (r *Registry) createTripTool() Tool {
	return Tool{
		Name: ToolCreateTrip,
		Description: "Request a new trip for a truck from one site to another. It creates the trip in pending_approval " +
			"and posts an approval request to the dispatch channel; it never schedules the trip itself (an approver " +
			"does, with the buttons). Sites and plates are matched fuzzily. The departure must be at least 30 minutes " +
			"ahead, the truck operational and free at that time. Returns the trip ID (TRP-0042). Only call it when the " +
			"user asked for a trip and gave truck, destination and time.",
		Parameters: strictSchema(CreateTripArgs{}),
		run: func(ctx context.Context, raw json.RawMessage, c Caller) (any, error) {
			var a CreateTripArgs
			if err := decodeArgs(raw, &a); err != nil {
				return nil, err
			}
			return r.CreateTrip(ctx, a, c)
		},
	}
}

// CreateTrip creates a trip request for caller: it resolves the truck and sites fuzzily,
// reads the departure time in Lagos, applies the trip rules (fleet.NewTrip), stores the
// pending_approval trip with its audit entry, and queues the approval notification for the
// dispatch channel. It never schedules a trip. It returns EINVALID for missing or bad
// arguments (a departure less than 30 minutes ahead, a truck that is not operational, no
// origin when the truck is not at a site), ENOTFOUND with suggestions for an unknown truck
// or site, and ECONFLICT when the truck already has a trip at that time. A notification that
// cannot be queued is logged and reported in ApprovalRequested; the trip stands.
func (r *Registry) CreateTrip(ctx context.Context, a CreateTripArgs, c Caller) (*TripCreated, error) {
	req, err := r.tripRequest(ctx, a, c)
	if err != nil {
		return nil, err
	}
	now := r.now()
	trip, err := fleet.NewTrip(req, now, r.th)
	if err != nil {
		return nil, err
	}
	trip, err = r.fleet.CreateTrip(ctx, trip, fleet.Actor{ID: trip.RequestedBy, Name: c.Name, Via: trip.RequestedVia})
	if err != nil {
		return nil, err
	}
	queued := r.notify(ctx, fleet.Notification{ID: fleet.TripNotificationID("trip.approval", trip), Kind: fleet.NotifyTripApproval,
		Audience: fleet.AudienceDispatch, Trip: &trip, CreatedAt: now.UTC(),
		Text: fmt.Sprintf("Trip %s requested: %s from %s to %s, departing %s", trip.Code, trip.Plate, trip.Origin,
			trip.Destination, r.lagos(trip.ScheduledDeparture))})
	out := &TripCreated{TripID: trip.Code, Status: trip.Status, Plate: trip.Plate, DriverName: trip.DriverName, DriverPhone: trip.DriverPhone,
		Origin: siteRef(req.Origin, -1), Destination: siteRef(req.Destination, -1),
		Departure: trip.ScheduledDeparture, DepartureLagos: r.lagos(trip.ScheduledDeparture),
		PlannedArrival: trip.PlannedArrival, PlannedArrivalLagos: r.lagos(trip.PlannedArrival),
		PlannedArrivalBasis: trip.PlannedBasis, PlannedArrivalTrips: trip.PlannedTrips,
		PlannedArrivalNote: fleet.Estimate{Basis: trip.PlannedBasis, Trips: trip.PlannedTrips}.Explain(),
		ContainerNo:        trip.ContainerNo, CargoType: trip.CargoType, Notes: trip.Notes, ApprovalRequested: queued, Trip: trip}
	out.Message = fmt.Sprintf("Trip %s created and waiting for approval in the dispatch channel; it is not scheduled until approved.", trip.Code)
	if !queued {
		out.Message = fmt.Sprintf("Trip %s created and waiting for approval, but the approval message could not be posted yet; ask dispatch to check.", trip.Code)
	}
	return out, nil
}

// tripRequest resolves create_trip's arguments to a fleet.TripRequest.
func (r *Registry) tripRequest(ctx context.Context, a CreateTripArgs, c Caller) (fleet.TripRequest, error) {
	switch {
	case strings.TrimSpace(a.Truck) == "":
		return fleet.TripRequest{}, fleet.Errorf(fleet.EINVALID, "which truck? give its plate")
	case strings.TrimSpace(a.Destination) == "":
		return fleet.TripRequest{}, fleet.Errorf(fleet.EINVALID, "where to? give the destination site")
	case strings.TrimSpace(a.DepartureTime) == "":
		return fleet.TripRequest{}, fleet.Errorf(fleet.EINVALID, "when should it leave? give a departure time such as \"tomorrow 8am\"")
	}
	truck, err := r.fleet.FindTruck(ctx, a.Truck)
	if err != nil {
		return fleet.TripRequest{}, fleet.WithField("truck", err)
	}
	dest, err := r.fleet.FindSite(ctx, a.Destination)
	if err != nil {
		return fleet.TripRequest{}, fleet.WithField("destination", err)
	}
	origin, err := r.origin(ctx, truck, str(a.Origin))
	if err != nil {
		return fleet.TripRequest{}, fleet.WithField("origin", err)
	}
	dep, err := intent.ParseTime(a.DepartureTime, r.now(), r.loc)
	if err != nil {
		return fleet.TripRequest{}, fleet.WithField("departure", err)
	}
	hist, err := r.fleet.LaneHistory(ctx, fleet.LaneOf(origin.Code, dest.Code, dep, r.loc))
	if err != nil {
		return fleet.TripRequest{}, err
	}
	return fleet.TripRequest{Truck: truck, Origin: origin, Destination: dest, Departure: dep, History: hist,
		ContainerNo: strings.ToUpper(strings.ReplaceAll(str(a.ContainerNo), " ", "")), CargoType: str(a.CargoType),
		Notes: str(a.Notes), RequestedBy: callerID(c), RequestedVia: c.Via}, nil
}

// origin resolves the trip's origin: the site named. Without one it never takes the truck's
// current site on its own: it returns EINVALID whose message is the question to ask,
// offering that site as a one-word answer.
func (r *Registry) origin(ctx context.Context, truck fleet.Truck, name string) (fleet.Site, error) {
	if name != "" {
		return r.fleet.FindSite(ctx, name)
	}
	q, err := r.OriginQuestion(ctx, truck.Plate)
	if err != nil {
		return fleet.Site{}, err
	}
	return fleet.Site{}, fleet.Errorf(fleet.EINVALID, "%s", q)
}

// OriginQuestion is the question to ask when a trip request for plate names no origin:
// "Where does T11985LA start from? It is at APAPA now: answer APAPA, or name the site." (the
// offer only when the truck is at a known site). It returns the Tracker's errors.
func (r *Registry) OriginQuestion(ctx context.Context, plate string) (string, error) {
	q := fmt.Sprintf("Where does %s start from?", plate)
	st, hasFix, err := r.state(ctx, plate)
	if err != nil || !hasFix {
		return q + " Name the site, e.g. \"from APAPA\".", err
	}
	sites, err := r.fleet.ListSites(ctx)
	if err != nil {
		return "", err
	}
	if s, ok := siteAt(sites, st.SiteCode, st.Point); ok {
		return fmt.Sprintf("%s It is at %s now: answer %s, or name the site.", q, s.Code, s.Code), nil
	}
	return q + " Name the site, e.g. \"from APAPA\".", nil
}

// ApproveTrip approves the pending trip code for caller, with its audit entry
// ("trip.approve"), and queues the trip.decided notification. Who may approve is the front
// door's decision (SLACK_APPROVERS). It returns ENOTFOUND for an unknown trip and ECONFLICT
// when the trip is not pending approval (already decided).
func (r *Registry) ApproveTrip(ctx context.Context, code string, c Caller) (fleet.Trip, error) {
	at := r.now().UTC()
	return r.decide(ctx, code, c, "trip.approve", func(t fleet.Trip) (fleet.Trip, error) {
		return t.Approve(callerID(c), at)
	})
}

// RejectTrip rejects the pending trip code for caller with reason, with its audit entry
// ("trip.reject"), and queues the trip.decided notification. It returns ENOTFOUND for an
// unknown trip and ECONFLICT when the trip is not pending approval.
func (r *Registry) RejectTrip(ctx context.Context, code, reason string, c Caller) (fleet.Trip, error) {
	at := r.now().UTC()
	return r.decide(ctx, code, c, "trip.reject", func(t fleet.Trip) (fleet.Trip, error) {
		return t.Reject(callerID(c), strings.TrimSpace(reason), at)
	})
}

// decide runs an approval transition and announces it.
func (r *Registry) decide(ctx context.Context, code string, c Caller, action string, fn func(fleet.Trip) (fleet.Trip, error)) (fleet.Trip, error) {
	trip, err := r.fleet.TransitionTrip(ctx, code, fleet.Actor{ID: callerID(c), Name: c.Name, Via: c.Via}, action, fn)
	if err != nil {
		return fleet.Trip{}, err
	}
	verb := "approved"
	if trip.Status == fleet.TripRejected {
		verb = "rejected"
	}
	r.notify(ctx, fleet.Notification{ID: fleet.TripNotificationID("trip.decided", trip), Kind: fleet.NotifyTripDecided,
		Audience: fleet.AudienceDispatch, Channel: trip.SlackChannel, ThreadTS: trip.SlackTS, Trip: &trip,
		Text: fmt.Sprintf("Trip %s %s by %s", trip.Code, verb, displayName(c)), CreatedAt: r.now().UTC()})
	return trip, nil
}

// notify queues n and reports whether it was queued; a failure is logged here, where it is
// handled (the trip stands either way).
func (r *Registry) notify(ctx context.Context, n fleet.Notification) bool {
	if r.notifier == nil {
		r.log.ErrorContext(ctx, "no notifier: notification dropped", "trip_id", n.Trip.Code, "kind", n.Kind)
		return false
	}
	// The trip is committed: its notification must be queued even when the question's own
	// deadline is nearly spent, or the trip would wait for an approval message that never comes.
	nctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	if err := r.notifier.Notify(nctx, n); err != nil {
		r.log.ErrorContext(ctx, "queue trip notification", "err", err, "trip_id", n.Trip.Code, "kind", n.Kind)
		return false
	}
	return true
}

// displayName is how a caller is named in messages.
func displayName(c Caller) string {
	if c.Name != "" {
		return c.Name
	}
	return callerID(c)
}
