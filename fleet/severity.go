package fleet

import (
	"fmt"
	"strings"
	"time"
)

// AlertDwell is a truck waiting inside a site longer than usual.
const AlertDwell AlertKind = "dwell"

// Valid reports whether s is critical, warning or info.
func (s Severity) Valid() bool {
	return s == SeverityCritical || s == SeverityWarning || s == SeverityInfo
}

// AlertKinds lists the kinds an operator may name in ALERT_SEVERITY and ALERT_ROUTES. The
// families "geofence" (enter and exit) and "ignition" (on and off) are accepted as well.
func AlertKinds() []AlertKind {
	return []AlertKind{AlertOverspeed, AlertIdle, AlertOffline, AlertGeofenceEnter, AlertGeofenceExit,
		AlertIgnitionOn, AlertIgnitionOff, AlertTripDelayed, AlertTripAtRisk, AlertDwell, AlertHarshDriving,
		AlertLoconav, AlertSystem}
}

// kindFamilies are the names that stand for several kinds.
var kindFamilies = map[string][]AlertKind{
	"geofence": {AlertGeofenceEnter, AlertGeofenceExit},
	"ignition": {AlertIgnitionOn, AlertIgnitionOff},
}

// ExpandKind returns the kinds name stands for (one kind, or a family), or nil when name is
// not a kind.
func ExpandKind(name string) []AlertKind {
	name = strings.ToLower(strings.TrimSpace(name))
	if fam, ok := kindFamilies[name]; ok {
		return fam
	}
	for _, k := range AlertKinds() {
		if string(k) == name {
			return []AlertKind{k}
		}
	}
	return nil
}

// LocoNav alerts that have no "back to normal" push: they stay open until a person
// acknowledges them, and are critical by default.
var loconavUntilAcked = []string{"Sos", "SosAlert", "SOS", "PanicAlert", "Panic", "PanicButtonAlert",
	"TamperAlert", "Tampering", "TamperingAlert", "DeviceTamperAlert", "DeviceRemovalAlert",
	"PowerCut", "PowerCutAlert", "MainPowerCutAlert", "PowerDisconnectAlert", "MainPowerDisconnectAlert"}

// OpenUntilAcked reports whether an alert stays open until someone acknowledges it (LocoNav SOS,
// panic, tamper and power-cut alerts); acknowledging it also resolves it.
func OpenUntilAcked(kind AlertKind, sourceKind string) bool {
	return kind == AlertLoconav && oneOf(sourceKind, loconavUntilAcked)
}

// SeverityRules are the per-kind overrides of ALERT_SEVERITY; nil means the defaults.
type SeverityRules map[AlertKind]Severity

// Of returns the severity of an alert of kind (sourceKind: LocoNav's kind, for pushes): the
// override for kind, else the default. Defaults: trip delayed and LocoNav SOS, panic, tamper,
// power cut and crash are critical; idle, geofence and ignition are info; the rest warning.
func (r SeverityRules) Of(kind AlertKind, sourceKind string) Severity {
	if s, ok := r[kind]; ok {
		return s
	}
	switch {
	case kind == AlertTripDelayed, kind == AlertSystem, OpenUntilAcked(kind, sourceKind),
		oneOf(sourceKind, loconavCritical):
		return SeverityCritical
	case kind == AlertIdle, kind == AlertGeofenceEnter, kind == AlertGeofenceExit,
		kind == AlertIgnitionOn, kind == AlertIgnitionOff:
		return SeverityInfo
	}
	return SeverityWarning
}

// ParseSeverityRules reads ALERT_SEVERITY ("idle=warning,overspeed=critical"). It returns
// EINVALID naming the first entry with an unknown kind or severity or that is not kind=severity.
func ParseSeverityRules(s string) (SeverityRules, error) {
	out := SeverityRules{}
	for _, entry := range splitEntries(s) {
		k, v, ok := strings.Cut(entry, "=")
		kinds, sev := ExpandKind(k), Severity(strings.ToLower(strings.TrimSpace(v)))
		switch {
		case !ok:
			return nil, Errorf(EINVALID, "entry %q is not kind=severity", entry)
		case kinds == nil:
			return nil, Errorf(EINVALID, "entry %q names an unknown alert kind", entry)
		case !sev.Valid():
			return nil, Errorf(EINVALID, "entry %q names an unknown severity (critical, warning or info)", entry)
		}
		for _, kind := range kinds {
			out[kind] = sev
		}
	}
	return out, nil
}

func splitEntries(s string) []string {
	var out []string
	for _, e := range strings.Split(s, ",") {
		if e = strings.TrimSpace(e); e != "" {
			out = append(out, e)
		}
	}
	return out
}

// MaintenanceSilences reports whether a truck in maintenance raises no alert of kind: idle,
// offline and overspeed say nothing about a truck in the workshop.
func MaintenanceSilences(kind AlertKind) bool {
	return kind == AlertIdle || kind == AlertOffline || kind == AlertOverspeed
}

// MaintenanceSilenced lists the kinds MaintenanceSilences reports, for queries.
func MaintenanceSilenced() []string {
	var out []string
	for _, k := range AlertKinds() {
		if MaintenanceSilences(k) {
			out = append(out, string(k))
		}
	}
	return out
}

// SnoozeFor is how long "Snooze 1h" keeps the same kind quiet for the same truck.
const SnoozeFor = time.Hour

// SeverityWord is the severity as shown to people: "Critical", "Warning", "Info".
func SeverityWord(s Severity) string {
	if !s.Valid() {
		s = SeverityInfo
	}
	return strings.ToUpper(string(s[:1])) + string(s[1:])
}

// describeKind is a kind as a phrase, for sentences.
func describeKind(a Alert) string {
	if a.Kind == AlertLoconav && a.SourceKind != "" {
		return "LocoNav " + humanKind(a.SourceKind)
	}
	return strings.ReplaceAll(string(a.Kind), "_", " ")
}

// Label names an alert in a sentence: "alert #12 (overspeed, T11985LA)".
func (a Alert) Label() string {
	subject := a.Plate
	if subject == "" {
		subject = a.TripCode
	}
	if subject == "" {
		return fmt.Sprintf("alert #%d (%s)", a.ID, describeKind(a))
	}
	return fmt.Sprintf("alert #%d (%s, %s)", a.ID, describeKind(a), subject)
}

// IsZero reports whether th is the zero value (no thresholds set), so callers can fall back to
// DefaultThresholds.
func (th Thresholds) IsZero() bool {
	return th.MovingKmh == 0 && th.OfflineAfter == 0 && th.OverspeedKmh == 0 && th.OverspeedFor == 0 &&
		th.IdleAfter == 0 && th.GeofenceDwell == 0 && th.DelayedAfter == 0 && th.MinLeadTime == 0 && th.Severity == nil
}

// AlertRoutes sends alerts to channels by kind or by severity (ALERT_ROUTES); a kind's route
// beats its severity's. The zero value routes nothing.
type AlertRoutes struct {
	Kinds      map[AlertKind]string
	Severities map[Severity]string
}

// Channel returns the channel a's route names, or "" when nothing routes it (it then goes to
// the alerts channel).
func (r AlertRoutes) Channel(a Alert) string {
	if ch := r.Kinds[a.Kind]; ch != "" {
		return ch
	}
	return r.Severities[a.Severity]
}

// ParseAlertRoutes reads ALERT_ROUTES ("critical=C1,idle=C2"). It returns EINVALID naming the
// first entry that is not name=channel or whose name is neither a kind nor a severity.
func ParseAlertRoutes(s string) (AlertRoutes, error) {
	r := AlertRoutes{Kinds: map[AlertKind]string{}, Severities: map[Severity]string{}}
	for _, entry := range splitEntries(s) {
		k, ch, ok := strings.Cut(entry, "=")
		k, ch = strings.ToLower(strings.TrimSpace(k)), strings.TrimSpace(ch)
		if !ok || ch == "" || strings.ContainsAny(ch, " #") {
			return AlertRoutes{}, Errorf(EINVALID, "entry %q is not kind=channel_id or severity=channel_id", entry)
		}
		if sev := Severity(k); sev.Valid() {
			r.Severities[sev] = ch
			continue
		}
		kinds := ExpandKind(k)
		if kinds == nil {
			return AlertRoutes{}, Errorf(EINVALID, "entry %q names neither an alert kind nor a severity", entry)
		}
		for _, kind := range kinds {
			r.Kinds[kind] = ch
		}
	}
	return r, nil
}
