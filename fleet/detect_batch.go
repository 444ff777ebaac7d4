package fleet

import (
	"fmt"
	"strconv"
	"time"
)

// Observation is one entry of the ingest stream, decoded: a position fix or a LocoNav alert
// push. EntryID (the stream entry ID) makes applying it idempotent.
type Observation struct {
	EntryID  string
	Position *Position
	Alert    *TelematicsAlert
}

// At returns when the observation happened: the fix time or the alert's time.
func (o Observation) At() time.Time {
	if o.Position != nil {
		return o.Position.FixTime
	}
	if o.Alert != nil {
		return o.Alert.At
	}
	return time.Time{}
}

// IngestOutcome is what applying a batch of observations did, for the caller to publish after
// the commit and to acknowledge.
type IngestOutcome struct {
	Applied       []string // entry IDs applied by this call
	Replayed      []string // entry IDs applied before; their events and notifications are repeated below
	Positions     int      // fixes written to the history
	StatesMoved   int      // trucks whose latest state moved forward
	Registered    []string // plates registered as unrostered
	Events        []Event
	Notifications []Notification
}

// Notification IDs are deterministic, so a redelivered batch appends the same IDs and the
// sender delivers each once.

// AlertNotification returns the notification announcing a change of incident a: kind is
// NotifyAlertOpened, NotifyAlertUpdated or NotifyAlertResolved. Its ID derives from the
// incident key, when it opened and the phase (and at, for updates).
func AlertNotification(a Alert, kind NotificationKind, at time.Time) Notification {
	id := "alert:" + a.IncidentKey + ":" + strconv.FormatInt(a.OpenedAt.UnixMilli(), 10) + ":" + string(kind)
	switch kind {
	case NotifyAlertUpdated:
		id += ":" + strconv.FormatInt(at.UnixMilli(), 10)
	case NotifyAlertActed:
		for _, act := range []AlertAction{ActAck, ActSnooze, ActMute} {
			if a.Done(act) != nil {
				id += ":" + string(act)
			}
		}
	}
	alert := a
	text := a.Message
	if kind == NotifyAlertResolved && a.ResolvedAt != nil {
		text = fmt.Sprintf("Resolved after %s: %s", a.ResolvedAt.Sub(a.OpenedAt).Round(time.Minute), a.Message)
	}
	aud := AudienceAlerts
	switch {
	case a.Kind == AlertSystem:
		aud = AudienceOps
	case a.TripCode != "" && (a.Kind == AlertGeofenceEnter || a.Kind == AlertGeofenceExit):
		aud = AudienceDispatch
	}
	return Notification{ID: id, Kind: kind, Audience: aud, Text: text, Alert: &alert, CreatedAt: at.UTC()}
}

// TripNotification returns the notification of trip event e (departed, arrived, completed) for
// the dispatch channel. Its ID derives from the trip code and the event kind.
func TripNotification(t Trip, e Event) Notification {
	trip, ev := t, e
	return Notification{
		ID: TripNotificationID("trip", t, string(e.Kind)), Kind: NotifyTripEvent, Audience: AudienceDispatch,
		Text: tripEventText(t, e), Trip: &trip, Event: &ev, CreatedAt: e.At.UTC(),
	}
}

func tripEventText(t Trip, e Event) string {
	switch e.Kind {
	case EventTripDeparted:
		return fmt.Sprintf("Trip %s: %s left %s for %s", t.Code, t.Plate, t.Origin, t.Destination)
	case EventTripArrived:
		return fmt.Sprintf("Trip %s: %s arrived at %s", t.Code, t.Plate, t.Destination)
	case EventTripCompleted:
		return fmt.Sprintf("Trip %s: %s left %s; trip completed", t.Code, t.Plate, t.Destination)
	}
	return fmt.Sprintf("Trip %s: %s", t.Code, e.Kind)
}
