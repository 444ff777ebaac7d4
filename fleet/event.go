package fleet

import (
	"encoding/json"
	"time"
)

// EventKind names a domain event published on the events stream.
type EventKind string

// Domain event kinds.
const (
	EventPositionApplied EventKind = "position.applied"
	EventGeofenceEnter   EventKind = "geofence.enter"
	EventGeofenceExit    EventKind = "geofence.exit"
	EventIgnitionOn      EventKind = "ignition.on"
	EventIgnitionOff     EventKind = "ignition.off"
	EventOverspeedStart  EventKind = "overspeed.start"
	EventOverspeedEnd    EventKind = "overspeed.end"
	EventIdleStart       EventKind = "idle.start"
	EventIdleEnd         EventKind = "idle.end"
	EventOffline         EventKind = "truck.offline"
	EventBackOnline      EventKind = "truck.online"
	EventTripCreated     EventKind = "trip.created"
	EventTripApproved    EventKind = "trip.approved"
	EventTripRejected    EventKind = "trip.rejected"
	EventTripDelayed     EventKind = "trip.delayed"
	EventTripDeparted    EventKind = "trip.departed"
	EventTripArrived     EventKind = "trip.arrived"
	EventTripCompleted   EventKind = "trip.completed"
	EventTripCancelled   EventKind = "trip.cancelled"
	EventLoconavAlert    EventKind = "loconav.alert"
)

// Event is something that happened to a truck or trip, derived by the rules.
type Event struct {
	Kind     EventKind
	Plate    string
	TripCode string
	SiteCode string
	At       time.Time
	Point    *Point
	Data     json.RawMessage
}
