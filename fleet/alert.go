package fleet

import (
	"encoding/json"
	"time"
)

// AlertKind says what an alert is about. Kinds from LocoNav pushes that Watch Tower does not
// know are kept as AlertLoconav with the raw kind in Alert.SourceKind.
type AlertKind string

// Alert kinds.
const (
	AlertOverspeed     AlertKind = "overspeed"
	AlertIdle          AlertKind = "idle"
	AlertOffline       AlertKind = "offline"
	AlertGeofenceEnter AlertKind = "geofence_enter"
	AlertGeofenceExit  AlertKind = "geofence_exit"
	AlertIgnitionOn    AlertKind = "ignition_on"
	AlertIgnitionOff   AlertKind = "ignition_off"
	AlertTripDelayed   AlertKind = "trip_delayed"
	AlertTripAtRisk    AlertKind = "trip_at_risk"
	AlertHarshDriving  AlertKind = "harsh_driving"
	AlertLoconav       AlertKind = "loconav" // any other LocoNav alert, kept raw
	AlertSystem        AlertKind = "system"  // Watch Tower itself (dead-lettered entries, failed jobs)
)

// Severity ranks alerts for rendering.
type Severity string

// Severities.
const (
	SeverityInfo     Severity = "info"
	SeverityWarning  Severity = "warning"
	SeverityCritical Severity = "critical"
)

// Alert is one incident: it opens once, may be updated, and resolves once. IncidentKey makes it
// unique while open (one overspeed incident per truck at a time, say), so a flapping signal
// does not open a second one.
type Alert struct {
	ID           int64
	Kind         AlertKind
	SourceKind   string // LocoNav's kind ("OverspeedAlert") when the alert came from a push
	IncidentKey  string // e.g. "overspeed:T11985LA"; unique among open alerts
	Plate        string
	TripCode     string
	SiteCode     string
	Severity     Severity
	Message      string
	Point        *Point
	Data         json.RawMessage // kind-specific details, raw LocoNav payload for unknown kinds
	OpenedAt     time.Time
	ResolvedAt   *time.Time
	SlackChannel string // where the incident's parent message is, so updates thread under it
	SlackTS      string

	Acked       *AlertAct  // who acknowledged it, nil until someone does
	Snoozed     *AlertAct  // who snoozed it; the same kind for the same truck is quiet until SnoozedUntil
	Muted       *AlertAct  // who muted its truck
	EscalatedAt *time.Time // when it was repeated to the on-call person
	Resolution  string     // how it ended ("back to normal", "acknowledged by Ada"), once resolved
}

// AlertAct is one person's action on an alert: who, through which front door, and when.
type AlertAct struct {
	By   string    `json:"by"`             // Slack user ID or API token name
	Name string    `json:"name,omitempty"` // display name, when known
	Via  string    `json:"via,omitempty"`  // slack, api, console
	At   time.Time `json:"at"`
}

// AlertAction is what a person can do to an open alert.
type AlertAction string

// Alert actions: the buttons alert_ack, alert_snooze and alert_mute.
const (
	ActAck    AlertAction = "ack"
	ActSnooze AlertAction = "snooze"
	ActMute   AlertAction = "mute"
)

// Valid reports whether act is ack, snooze or mute.
func (act AlertAction) Valid() bool { return act == ActAck || act == ActSnooze || act == ActMute }

// Done returns the action's record on a, nil when nobody did it yet.
func (a Alert) Done(act AlertAction) *AlertAct {
	switch act {
	case ActAck:
		return a.Acked
	case ActSnooze:
		return a.Snoozed
	case ActMute:
		return a.Muted
	}
	return nil
}

// past is the action as a past participle: "acknowledged", "snoozed", "muted".
func (act AlertAction) past() string {
	return map[AlertAction]string{ActAck: "acknowledged", ActSnooze: "snoozed", ActMute: "muted"}[act]
}

// Past is the action as a past participle, for sentences: "acknowledged".
func (act AlertAction) Past() string { return act.past() }

// CanAct reports whether act may still be done on a: the alert must be open and the action not
// done yet. It returns EINVALID for an unknown action and ECONFLICT naming who did it and when,
// or when the alert is already resolved.
func (a Alert) CanAct(act AlertAction) error {
	if !act.Valid() {
		return Errorf(EINVALID, "unknown alert action %q", act)
	}
	if done := a.Done(act); done != nil {
		who := done.Name
		if who == "" {
			who = done.By
		}
		return Errorf(ECONFLICT, "%s was already %s by %s at %s", a.Label(), act.past(), who, FormatTime(done.At, nil))
	}
	if !a.Open() {
		return Errorf(ECONFLICT, "%s is already resolved (%s)", a.Label(), FormatTime(*a.ResolvedAt, nil))
	}
	return nil
}

// ResolutionAcked is how an alert that stays open until acknowledged ends.
func ResolutionAcked(by AlertAct) string {
	who := by.Name
	if who == "" {
		who = by.By
	}
	return "acknowledged by " + who
}

// ResolutionCleared is how an alert ends when its condition goes away.
const ResolutionCleared = "back to normal"

// Open reports whether the incident is still open.
func (a Alert) Open() bool { return a.ResolvedAt == nil }

// IncidentKey builds the key of an incident of kind about subject (a plate, a trip code).
func IncidentKey(kind AlertKind, subject string) string { return string(kind) + ":" + subject }
