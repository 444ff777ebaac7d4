package fleet

import (
	"encoding/json"
	"fmt"
	"time"
)

// LocoNav alert kinds Watch Tower maps to its own. LocoNav's samples, its supported-kinds list
// and its REST eventType list spell some differently, so each family lists every spelling.
var (
	loconavOverspeed = []string{"OverspeedAlert", "Overspeed", "OverSpeedAlert"}
	loconavIdle      = []string{"IdlingAlert", "VehicleIdle", "VehicleIdleAlert", "IdleAlert"}
	loconavOffline   = []string{"DeviceOfflineAlert", "DeviceOffline"}
	loconavIgnition  = []string{"IgnitionAlert", "Ignition"}
	loconavGeofence  = []string{"GeofenceAlert", "EntryExit", "EntryExitAlert"}
	loconavHarsh     = []string{"SuddenBrakingAlert", "SuddenAccelerationAlert", "SharpTurnAlert", "CrashDuringOverspeedAlert", "CrashAlert", "Crash"}
	loconavCritical  = []string{"CrashDuringOverspeedAlert", "CrashAlert", "Crash", "AntiTheftAlert", "DeviceRemovalAlert", "Sos", "SosAlert"}
)

func oneOf(kind string, kinds []string) bool {
	for _, k := range kinds {
		if k == kind {
			return true
		}
	}
	return false
}

// DetectAlert maps a LocoNav alert push onto Watch Tower's kinds: overspeed, idle and offline
// open or resolve the same incidents the position rules use (and update their memory in st);
// ignition and geofence pushes become events; harsh-driving pushes and unknown kinds become
// alerts of kind AlertHarshDriving or AlertLoconav, with the raw push in Data.
func DetectAlert(st TruckState, a TelematicsAlert, th Thresholds) Detection {
	d := Detection{State: st}
	d.State.Plate = a.Plate
	switch {
	case oneOf(a.SourceKind, loconavOverspeed):
		d.pushIncident(a, AlertOverspeed, &d.State.OverspeedOpen, EventOverspeedStart, EventOverspeedEnd,
			fmt.Sprintf("%s is speeding at %.0f km/h (LocoNav, limit %.0f km/h)", a.Plate, a.SpeedKmh, th.OverspeedKmh))
		if !d.State.OverspeedOpen {
			d.State.OverspeedSince = nil
		}
	case oneOf(a.SourceKind, loconavIdle):
		d.pushIncident(a, AlertIdle, &d.State.IdleOpen, EventIdleStart, EventIdleEnd,
			fmt.Sprintf("%s is idling with the engine on (LocoNav)", a.Plate))
	case oneOf(a.SourceKind, loconavOffline):
		d.pushIncident(a, AlertOffline, &d.State.OfflineOpen, EventOffline, EventBackOnline,
			fmt.Sprintf("%s stopped reporting (LocoNav device offline)", a.Plate))
	case oneOf(a.SourceKind, loconavIgnition):
		kind := EventIgnitionOn
		if a.Phase == PhaseInactive {
			kind = EventIgnitionOff
		}
		d.alertEvent(kind, a, nil)
	case oneOf(a.SourceKind, loconavGeofence):
		kind := EventGeofenceEnter
		if a.EventKey == "geofence_exit" {
			kind = EventGeofenceExit
		}
		d.alertEvent(kind, a, map[string]string{"polygon_id": a.PolygonID, "source": "loconav"})
	default:
		d.otherAlert(a)
	}
	return d
}

func (d *Detection) alertEvent(kind EventKind, a TelematicsAlert, data any) {
	e := Event{Kind: kind, Plate: a.Plate, At: a.At, Point: a.Point}
	if data != nil {
		e.Data, _ = json.Marshal(data)
	} else if len(a.Raw) > 0 {
		e.Data = a.Raw
	}
	d.Events = append(d.Events, e)
}

// pushIncident opens (active phase) or resolves (inactive phase) the incident kind of the
// truck, keeping the memory flag open in step so the position rules do not open it again.
func (d *Detection) pushIncident(a TelematicsAlert, kind AlertKind, open *bool, start, end EventKind, msg string) {
	if a.Phase == PhaseInactive {
		d.alertEvent(end, a, nil)
		if *open {
			*open = false
		}
		d.Resolve = append(d.Resolve, IncidentKey(kind, a.Plate))
		return
	}
	d.alertEvent(start, a, nil)
	if *open {
		return
	}
	*open = true
	d.Open = append(d.Open, Alert{
		Kind: kind, SourceKind: a.SourceKind, IncidentKey: IncidentKey(kind, a.Plate), Plate: a.Plate,
		Severity: SeverityWarning, Message: msg, Point: a.Point, Data: a.Raw, OpenedAt: a.At,
	})
}

// otherAlert records harsh-driving pushes and unknown kinds. A point event opens and resolves
// at once; an interval event opens on its active phase and resolves on its inactive one.
func (d *Detection) otherAlert(a TelematicsAlert) {
	kind, sev := AlertLoconav, SeverityWarning
	if oneOf(a.SourceKind, loconavHarsh) {
		kind = AlertHarshDriving
	}
	if oneOf(a.SourceKind, loconavCritical) {
		sev = SeverityCritical
	}
	d.alertEvent(EventLoconavAlert, a, nil)
	key := IncidentKey(kind, a.Plate+":"+a.SourceKind)
	untilAcked := OpenUntilAcked(kind, a.SourceKind)
	if untilAcked && a.Phase == PhaseInactive {
		return // no "back to normal": it stays open until someone acknowledges it
	}
	if a.Interval && a.Phase == PhaseInactive {
		d.Resolve = append(d.Resolve, key)
		return
	}
	alert := Alert{
		Kind: kind, SourceKind: a.SourceKind, IncidentKey: key, Plate: a.Plate, Severity: sev,
		Message: fmt.Sprintf("%s: LocoNav %s", a.Plate, humanKind(a.SourceKind)), Point: a.Point, Data: a.Raw,
		OpenedAt: a.At,
	}
	switch {
	case untilAcked:
		alert.IncidentKey = key + ":" + a.SourceID
	case !a.Interval:
		alert.IncidentKey = key + ":" + a.SourceID
		at := a.At
		alert.ResolvedAt = &at
	}
	d.Open = append(d.Open, alert)
}

// humanKind turns "SuddenBrakingAlert" into "sudden braking alert".
func humanKind(kind string) string {
	out := make([]rune, 0, len(kind)+4)
	for i, r := range kind {
		if r >= 'A' && r <= 'Z' {
			if i > 0 {
				out = append(out, ' ')
			}
			r += 'a' - 'A'
		}
		out = append(out, r)
	}
	return string(out)
}

// DetectOffline opens the offline incident of a truck whose latest fix is at least
// th.OfflineAfter old at now. ok is false when the truck is fresh or already has one open.
func DetectOffline(st TruckState, now time.Time, th Thresholds) (d Detection, ok bool) {
	if st.OfflineOpen || st.FixTime.IsZero() || now.Sub(st.FixTime) < th.OfflineAfter {
		return Detection{State: st}, false
	}
	st.OfflineOpen = true
	d = Detection{State: st}
	pt := st.Point
	mins := int(now.Sub(st.FixTime).Minutes())
	d.Events = append(d.Events, Event{Kind: EventOffline, Plate: st.Plate, At: now, Point: &pt})
	d.Open = append(d.Open, Alert{
		Kind: AlertOffline, IncidentKey: IncidentKey(AlertOffline, st.Plate), Plate: st.Plate,
		Severity: SeverityWarning, Point: &pt, OpenedAt: now,
		Message: fmt.Sprintf("%s has not reported for %d min (last fix %s)", st.Plate, mins, FormatTime(st.FixTime, nil)),
	})
	return d, true
}

// MaxOfflineGrace bounds the offline grace.
const MaxOfflineGrace = 5 * time.Minute

// OfflineOpenFrom is when offline incidents may open, given since, the time ingest started
// observing the fleet (zero: unknown): OfflineAfter after it, at most MaxOfflineGrace, so
// trucks that report within that grace after downtime are not all declared offline first.
func OfflineOpenFrom(since time.Time, th Thresholds) time.Time {
	if since.IsZero() {
		return time.Time{}
	}
	return since.Add(min(th.OfflineAfter, MaxOfflineGrace))
}
