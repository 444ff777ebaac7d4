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
}

// Open reports whether the incident is still open.
func (a Alert) Open() bool { return a.ResolvedAt == nil }

// IncidentKey builds the key of an incident of kind about subject (a plate, a trip code).
func IncidentKey(kind AlertKind, subject string) string { return string(kind) + ":" + subject }
