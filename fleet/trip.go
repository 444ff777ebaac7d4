package fleet

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// TripStatus is where a trip is in its life.
//
//	pending_approval ─approve─► scheduled ─depart─► ongoing ─arrive─► arrived ─complete─► completed
//	       │                       │  ▲
//	       └─reject─► rejected     │  └─depart── delayed ◄─(2 h late)
//	pending_approval, scheduled, delayed, ongoing ─cancel─► cancelled
type TripStatus string

// Trip statuses.
const (
	TripPendingApproval TripStatus = "pending_approval"
	TripScheduled       TripStatus = "scheduled"
	TripDelayed         TripStatus = "delayed"
	TripOngoing         TripStatus = "ongoing"
	TripArrived         TripStatus = "arrived"
	TripCompleted       TripStatus = "completed"
	TripRejected        TripStatus = "rejected"
	TripCancelled       TripStatus = "cancelled"
)

// TripStatuses lists every status in life order.
var TripStatuses = []TripStatus{TripPendingApproval, TripScheduled, TripDelayed, TripOngoing, TripArrived, TripCompleted, TripRejected, TripCancelled}

// Valid reports whether s is a known trip status.
func (s TripStatus) Valid() bool {
	for _, v := range TripStatuses {
		if v == s {
			return true
		}
	}
	return false
}

// Final reports whether no further transition is possible.
func (s TripStatus) Final() bool {
	return s == TripCompleted || s == TripRejected || s == TripCancelled
}

// Active reports whether a trip in this status holds its truck (for overlap checks and "on
// trip" state): every status that is not final.
func (s TripStatus) Active() bool { return !s.Final() }

// Trip is one planned movement of a container from an origin site to a destination site.
type Trip struct {
	ID                 int64
	Code               string // human-friendly unique ID, "TRP-0042"
	Plate              string
	DriverID           int64  // 0 when not assigned
	DriverName         string // the driver's name, read with the trip; "" when none
	DriverPhone        string // the driver's phone, read with the trip; "" when none
	Origin             string // site code
	Destination        string // site code
	ContainerNo        string
	CargoType          string
	Notes              string
	ScheduledDeparture time.Time
	PlannedArrival     time.Time // estimated when created; zero when unknown
	PlannedBasis       ETABasis  // how PlannedArrival was estimated; "" when unknown
	PlannedTrips       int       // the completed trips behind a learned PlannedArrival
	Status             TripStatus
	RequestedBy        string // who asked (Slack user ID, API token name, "console")
	RequestedVia       string // front door: "slack", "api", "console", "sheets"
	DecidedBy          string // approver or rejecter
	DecidedAt          *time.Time
	RejectReason       string
	DelayedAt          *time.Time
	DepartedAt         *time.Time
	ArrivedAt          *time.Time
	CompletedAt        *time.Time
	CancelledAt        *time.Time
	CancelledBy        string
	CancelReason       string
	LoconavTripID      string
	TrackingURL        string
	SlackChannel       string // approval message, so it can be updated in place
	SlackTS            string
	CreatedAt          time.Time
	UpdatedAt          time.Time
}

// TripCode formats a trip sequence number as its human-friendly ID.
func TripCode(n int64) string { return fmt.Sprintf("TRP-%04d", n) }

// ParseTripCode accepts "TRP-0042", "trp-42", "TRP42", "#42" or "42" and returns the canonical
// code. ok is false when s is not a trip code (no digits, other characters, zero, or too large).
func ParseTripCode(s string) (code string, ok bool) {
	s = strings.ToUpper(strings.TrimSpace(s))
	s = strings.TrimPrefix(s, "TRP")
	s = strings.TrimLeft(s, "-_ #")
	if !isDigits(s) {
		return "", false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n <= 0 {
		return "", false
	}
	return TripCode(n), true
}

func (t Trip) illegal(action string) error {
	return Errorf(ECONFLICT, "trip %s is %s; it cannot be %s", t.Code, strings.ReplaceAll(string(t.Status), "_", " "), action)
}

// Approve moves a pending trip to scheduled. It returns ECONFLICT unless the trip is
// pending_approval.
func (t Trip) Approve(by string, at time.Time) (Trip, error) {
	if t.Status != TripPendingApproval {
		return t, t.illegal("approved")
	}
	t.Status, t.DecidedBy, t.DecidedAt, t.UpdatedAt = TripScheduled, by, &at, at
	return t, nil
}

// Reject moves a pending trip to rejected. It returns ECONFLICT unless the trip is
// pending_approval.
func (t Trip) Reject(by, reason string, at time.Time) (Trip, error) {
	if t.Status != TripPendingApproval {
		return t, t.illegal("rejected")
	}
	t.Status, t.DecidedBy, t.DecidedAt, t.RejectReason, t.UpdatedAt = TripRejected, by, &at, reason, at
	return t, nil
}

// MarkDelayed flags a scheduled trip whose truck has not left in time. It returns ECONFLICT
// unless the trip is scheduled.
func (t Trip) MarkDelayed(at time.Time) (Trip, error) {
	if t.Status != TripScheduled {
		return t, t.illegal("marked delayed")
	}
	t.Status, t.DelayedAt, t.UpdatedAt = TripDelayed, &at, at
	return t, nil
}

// Depart starts a scheduled or delayed trip when its truck leaves the origin. It returns
// ECONFLICT otherwise.
func (t Trip) Depart(at time.Time) (Trip, error) {
	if t.Status != TripScheduled && t.Status != TripDelayed {
		return t, t.illegal("started")
	}
	t.Status, t.DepartedAt, t.UpdatedAt = TripOngoing, &at, at
	return t, nil
}

// Arrive marks an ongoing trip arrived when its truck enters the destination. It returns
// ECONFLICT unless the trip is ongoing.
func (t Trip) Arrive(at time.Time) (Trip, error) {
	if t.Status != TripOngoing {
		return t, t.illegal("marked arrived")
	}
	t.Status, t.ArrivedAt, t.UpdatedAt = TripArrived, &at, at
	return t, nil
}

// Complete closes an arrived trip when its truck leaves the destination. It returns ECONFLICT
// unless the trip is arrived.
func (t Trip) Complete(at time.Time) (Trip, error) {
	if t.Status != TripArrived {
		return t, t.illegal("completed")
	}
	t.Status, t.CompletedAt, t.UpdatedAt = TripCompleted, &at, at
	return t, nil
}

// Cancel cancels a trip that has not arrived. It returns ECONFLICT for arrived and final trips.
func (t Trip) Cancel(by, reason string, at time.Time) (Trip, error) {
	switch t.Status {
	case TripPendingApproval, TripScheduled, TripDelayed, TripOngoing:
	case TripCancelled, TripCompleted:
		return t, Errorf(ECONFLICT, "trip %s is already %s", t.Code, t.Status)
	default:
		return t, t.illegal("cancelled")
	}
	t.Status, t.CancelledBy, t.CancelReason, t.CancelledAt, t.UpdatedAt = TripCancelled, by, reason, &at, at
	return t, nil
}

// Amend moves a trip that has not started to a new departure and destination (pass the
// current ones for what does not change) under the rules of a new trip (NewTrip): at least
// th.MinLeadTime ahead, destination not the origin, truck operational; the planned arrival is
// planned again. A pending trip stays pending; a scheduled or delayed trip goes back to
// pending_approval, losing its decision and its approval message (a new one must be posted).
// h is the history of the amended trip's lane (LaneOf with the new destination and departure).
// It returns ECONFLICT for a trip that has started or is over, and EINVALID for a broken rule
// or a change that changes nothing.
func (t Trip) Amend(truck Truck, origin, dest Site, dep, now time.Time, th Thresholds, h LaneHistory) (Trip, error) {
	switch t.Status {
	case TripPendingApproval, TripScheduled, TripDelayed:
	default:
		return t, t.illegal("changed")
	}
	if dep.Equal(t.ScheduledDeparture) && strings.EqualFold(dest.Code, t.Destination) {
		return t, Errorf(EINVALID, "trip %s already goes to %s at %s; nothing to change", t.Code, t.Destination, FormatTime(dep, nil))
	}
	n, err := NewTrip(TripRequest{Truck: truck, Origin: origin, Destination: dest, Departure: dep, History: h}, now, th)
	if err != nil {
		return t, err
	}
	t.ScheduledDeparture, t.PlannedArrival, t.Destination, t.UpdatedAt = n.ScheduledDeparture, n.PlannedArrival, n.Destination, now
	t.PlannedBasis, t.PlannedTrips = n.PlannedBasis, n.PlannedTrips
	if t.Status != TripPendingApproval {
		t.Status, t.DecidedBy, t.DecidedAt, t.DelayedAt = TripPendingApproval, "", nil, nil
		t.SlackChannel, t.SlackTS = "", ""
	}
	return t, nil
}

// OnTime reports whether a completed or arrived trip arrived by its planned arrival (or
// departed within the delay threshold when no arrival was planned). ok is false when the trip
// has not arrived.
func (t Trip) OnTime(th Thresholds) (onTime, ok bool) {
	if t.ArrivedAt == nil {
		return false, false
	}
	if !t.PlannedArrival.IsZero() {
		return !t.ArrivedAt.After(t.PlannedArrival.Add(15 * time.Minute)), true
	}
	return t.DepartedAt != nil && t.DepartedAt.Sub(t.ScheduledDeparture) < th.DelayedAfter, true
}

// Window returns the interval the trip holds its truck: from scheduled departure to planned
// arrival (or departure plus DefaultTripDuration when no arrival is planned).
func (t Trip) Window() (start, end time.Time) {
	end = t.PlannedArrival
	if end.IsZero() || !end.After(t.ScheduledDeparture) {
		end = t.ScheduledDeparture.Add(DefaultTripDuration)
	}
	return t.ScheduledDeparture, end
}

// Overlaps reports whether two trips of the same truck hold it at the same time. Only active
// trips can overlap.
func (t Trip) Overlaps(o Trip) bool {
	if !t.Status.Active() || !o.Status.Active() {
		return false
	}
	s1, e1 := t.Window()
	s2, e2 := o.Window()
	return s1.Before(e2) && s2.Before(e1)
}
