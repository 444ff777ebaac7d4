package fleet

import (
	"encoding/json"
	"fmt"
	"time"
)

// Detection rules: pure functions over a truck's TruckState (which doubles as the rules'
// memory), a new Position or TelematicsAlert, the sites, and the truck's active trip. They
// return the new state and what happened; the caller persists it in one transaction and
// publishes the events and notifications afterwards.

// GeofenceExitMarginM is how far beyond a site's radius a truck must be before it counts as
// having left, so GPS jitter on the boundary does not flap between exit and entry.
const GeofenceExitMarginM = 25

// EarlyDepartureWindow is how long before its scheduled departure a truck leaving the origin
// still starts the trip. Earlier exits are other errands and leave the trip scheduled.
const EarlyDepartureWindow = 2 * time.Hour

// AlertPhase says which half of an interval alert a LocoNav push reports.
type AlertPhase string

// Alert phases. Point events (harsh braking, sharp turn…) are always active.
const (
	PhaseActive   AlertPhase = "active"   // the condition started (overspeed began, ignition ON, went offline)
	PhaseInactive AlertPhase = "inactive" // the condition ended (speed dropped, ignition OFF, back online)
)

// TelematicsAlert is one alert pushed by LocoNav, decoded and validated.
type TelematicsAlert struct {
	SourceKind string          `json:"source_kind"` // LocoNav's kind, e.g. "OverspeedAlert"
	SourceID   string          `json:"source_id"`   // LocoNav's alert id
	Phase      AlertPhase      `json:"phase"`
	Interval   bool            `json:"interval,omitempty"` // an interval alert (active_event_*), not a point event
	Plate      string          `json:"plate"`              // normalised vehicle_number
	IMEI       string          `json:"imei,omitempty"`
	At         time.Time       `json:"at"` // when the phase happened (UTC)
	Point      *Point          `json:"point,omitempty"`
	SpeedKmh   float64         `json:"speed_kmh,omitempty"`
	EventKey   string          `json:"event_key,omitempty"`  // "geofence_enter" / "geofence_exit" for GeofenceAlert
	PolygonID  string          `json:"polygon_id,omitempty"` // LocoNav geofence id
	Raw        json.RawMessage `json:"raw,omitempty"`        // the push as received
}

// TripChange is a trip moved to a new status by detection. From is the status it must still
// have when the change is written, so a concurrent edit (a cancellation) wins.
type TripChange struct {
	Trip Trip
	From TripStatus
}

// Detection is what the rules decided for one position or alert.
type Detection struct {
	State   TruckState
	Events  []Event
	Open    []Alert  // incidents to open (the store ignores one whose IncidentKey is already open)
	Resolve []string // incident keys to resolve at State.FixTime (or the alert's time)
	Trip    *TripChange
	Visits  []VisitMark // site entries and exits, in order, for the visit history
}

// ResolveAt is when the resolutions of d happen: the time of its first event, else the state's
// fix time.
func (d Detection) ResolveAt() time.Time {
	if len(d.Events) > 0 {
		return d.Events[0].At
	}
	return d.State.FixTime
}

// Newer reports whether p is newer than the state's latest fix, so it may move the state and
// drive the rules. Older or equal fixes only go to the position history.
func (s TruckState) Newer(p Position) bool { return s.FixTime.IsZero() || p.FixTime.After(s.FixTime) }

// DetectPosition applies the position rules to a fix newer than st (see TruckState.Newer):
// ignition on/off, back online, overspeed (sustained), idle, and geofence dwell/exit with the
// trip transitions they drive. trip is the truck's active trip or nil; sites are every site.
func DetectPosition(st TruckState, p Position, sites []Site, trip *Trip, th Thresholds) Detection {
	d := Detection{}
	first := st.FixTime.IsZero()
	prev := st
	st.Plate, st.IMEI = p.Plate, p.IMEI
	st.FixTime, st.ReceivedAt = p.FixTime, p.ReceivedAt
	st.Point, st.SpeedKmh, st.Heading, st.Ignition = p.Point, p.SpeedKmh, p.Heading, p.Ignition
	st.Cell = p.Cell
	if st.Cell == 0 {
		st.Cell = CellOf(p.Point, CellResolution)
	}
	st.CellCoarse = CellOf(p.Point, CoarseResolution)
	st.UpdatedAt = p.ReceivedAt
	if !first && p.FixTime.Sub(prev.FixTime) >= th.OfflineAfter {
		st.StoppedSince, st.OverspeedSince = nil, nil // nothing is known of the silent stretch
	}
	d.State = st
	if !first && prev.Ignition != p.Ignition {
		kind := EventIgnitionOff
		if p.Ignition {
			kind = EventIgnitionOn
		}
		d.event(kind, p, "", "", nil)
	}
	d.backOnline(p, th)
	d.overspeed(p, th)
	d.idle(prev, p, first, th)
	d.geofence(p, sites, trip, th)
	return d
}

func (d *Detection) event(kind EventKind, p Position, trip, site string, data any) {
	pt := p.Point
	e := Event{Kind: kind, Plate: p.Plate, TripCode: trip, SiteCode: site, At: p.FixTime, Point: &pt}
	if data != nil {
		e.Data, _ = json.Marshal(data)
	}
	d.Events = append(d.Events, e)
}

func (d *Detection) open(kind AlertKind, subject string, sev Severity, p Position, msg string, data any) {
	pt := p.Point
	a := Alert{
		Kind: kind, IncidentKey: IncidentKey(kind, subject), Plate: p.Plate, Severity: sev,
		Message: msg, Point: &pt, OpenedAt: p.FixTime,
	}
	if data != nil {
		a.Data, _ = json.Marshal(data)
	}
	d.Open = append(d.Open, a)
}

// backOnline resolves an open offline incident on a live fix. A fix that is itself older than
// the offline threshold when it arrives (a reconnecting device uploading its buffer) leaves the
// incident open: the truck is still not reporting live, and resolving on it would make the
// offline sweep re-open the incident moments later, once per buffered fix.
func (d *Detection) backOnline(p Position, th Thresholds) {
	if !d.State.OfflineOpen {
		return
	}
	if !p.ReceivedAt.IsZero() && p.ReceivedAt.Sub(p.FixTime) >= th.OfflineAfter {
		return
	}
	d.State.OfflineOpen = false
	d.event(EventBackOnline, p, "", "", nil)
	d.Resolve = append(d.Resolve, IncidentKey(AlertOffline, p.Plate))
}

// overspeed opens one incident once speed has stayed above th.OverspeedKmh for
// th.OverspeedFor, and resolves it on the first fix at or below the limit.
func (d *Detection) overspeed(p Position, th Thresholds) {
	st := &d.State
	if p.SpeedKmh <= th.OverspeedKmh {
		st.OverspeedSince = nil
		if st.OverspeedOpen {
			st.OverspeedOpen = false
			d.event(EventOverspeedEnd, p, "", "", map[string]float64{"speed_kmh": p.SpeedKmh})
			d.Resolve = append(d.Resolve, IncidentKey(AlertOverspeed, p.Plate))
		}
		return
	}
	if st.OverspeedSince == nil {
		t := p.FixTime
		st.OverspeedSince = &t
	}
	if st.OverspeedOpen || p.FixTime.Sub(*st.OverspeedSince) < th.OverspeedFor {
		return
	}
	st.OverspeedOpen = true
	data := map[string]float64{"speed_kmh": p.SpeedKmh, "limit_kmh": th.OverspeedKmh}
	d.event(EventOverspeedStart, p, "", "", data)
	d.open(AlertOverspeed, p.Plate, SeverityWarning, p,
		fmt.Sprintf("%s is speeding at %.0f km/h (limit %.0f km/h)", p.Plate, p.SpeedKmh, th.OverspeedKmh), data)
}

// idle opens an incident when the truck has been stopped with its ignition on for
// th.IdleAfter. The idle clock (StoppedSince) starts at the first stopped fix, or when the
// engine starts during a stop.
func (d *Detection) idle(prev TruckState, p Position, first bool, th Thresholds) {
	st := &d.State
	stopped := p.SpeedKmh <= th.MovingKmh
	switch {
	case !stopped:
		st.StoppedSince = nil
	case st.StoppedSince == nil || (!first && !prev.Ignition && p.Ignition):
		t := p.FixTime
		st.StoppedSince = &t
	}
	if st.IdleOpen && (!stopped || !p.Ignition) {
		st.IdleOpen = false
		d.event(EventIdleEnd, p, "", "", nil)
		d.Resolve = append(d.Resolve, IncidentKey(AlertIdle, p.Plate))
		return
	}
	if st.IdleOpen || !stopped || !p.Ignition || p.FixTime.Sub(*st.StoppedSince) < th.IdleAfter {
		return
	}
	st.IdleOpen = true
	mins := int(p.FixTime.Sub(*st.StoppedSince).Minutes())
	data := map[string]any{"since": st.StoppedSince.UTC(), "minutes": mins}
	d.event(EventIdleStart, p, "", "", data)
	d.open(AlertIdle, p.Plate, SeverityWarning, p,
		fmt.Sprintf("%s has been idling with the engine on for %d min", p.Plate, mins), data)
}

// GeofenceKey is the incident key of a truck's visit to a site: opened on entry, resolved on
// exit.
func GeofenceKey(plate, site string) string {
	return IncidentKey(AlertGeofenceEnter, plate+":"+site)
}

// siteAt returns the site whose geofence holds pt (the nearest centre when several overlap).
func siteAt(sites []Site, pt Point) (Site, bool) {
	var best Site
	bestM, ok := 0.0, false
	for _, s := range sites {
		if m := DistanceM(s.Point, pt); m <= s.RadiusM && (!ok || m < bestM) {
			best, bestM, ok = s, m, true
		}
	}
	return best, ok
}

func findSite(sites []Site, code string) (Site, bool) {
	for _, s := range sites {
		if s.Code == code {
			return s, true
		}
	}
	return Site{}, false
}

// geofence tracks entry (after th.GeofenceDwell inside) and exit (beyond the radius plus
// GeofenceExitMarginM) for every site, and drives the trip.
func (d *Detection) geofence(p Position, sites []Site, trip *Trip, th Thresholds) {
	st := &d.State
	inside, in := siteAt(sites, p.Point)
	if st.SiteCode != "" {
		cur, known := findSite(sites, st.SiteCode)
		if known && DistanceM(cur.Point, p.Point) <= cur.RadiusM+GeofenceExitMarginM {
			st.CandidateSite, st.CandidateSince = "", nil
			return
		}
		d.exit(p, cur, trip)
	}
	if !in {
		st.CandidateSite, st.CandidateSince = "", nil
		return
	}
	if st.CandidateSite != inside.Code || st.CandidateSince == nil {
		t := p.FixTime
		st.CandidateSite, st.CandidateSince = inside.Code, &t
	}
	if p.FixTime.Sub(*st.CandidateSince) >= th.GeofenceDwell {
		d.enter(p, inside, trip)
	}
}

// tripFor returns the code of trip when it is active and involves site (or any site when
// site is "").
func tripFor(trip *Trip, site string) string {
	if trip == nil || !trip.Status.Active() || trip.Status == TripPendingApproval {
		return ""
	}
	if site != "" && trip.Origin != site && trip.Destination != site {
		return ""
	}
	return trip.Code
}

func (d *Detection) enter(p Position, s Site, trip *Trip) {
	st := &d.State
	since := *st.CandidateSince
	st.SiteCode, st.SiteSince = s.Code, &since
	st.CandidateSite, st.CandidateSince = "", nil
	d.Visits = append(d.Visits, VisitMark{Plate: p.Plate, SiteCode: s.Code, Entered: &since})
	code := tripFor(trip, "")
	d.event(EventGeofenceEnter, p, code, s.Code, map[string]any{"entered_at": since.UTC(), "site_name": s.Name})
	if code != "" {
		d.open(AlertGeofenceEnter, p.Plate+":"+s.Code, SeverityInfo, p,
			fmt.Sprintf("%s entered %s (%s) on trip %s", p.Plate, s.Name, s.Code, code), map[string]string{"site": s.Code})
		d.Open[len(d.Open)-1].SiteCode, d.Open[len(d.Open)-1].TripCode = s.Code, code
	}
	if t := d.current(trip); t != nil && t.Destination == s.Code {
		d.arrive(p, *t)
	}
}

func (d *Detection) exit(p Position, s Site, trip *Trip) {
	st := &d.State
	code, since := st.SiteCode, st.SiteSince
	st.SiteCode, st.SiteSince = "", nil
	data := map[string]any{"site_name": s.Name}
	if since != nil {
		data["dwell_minutes"] = int(p.FixTime.Sub(*since).Minutes())
	}
	d.event(EventGeofenceExit, p, tripFor(trip, ""), code, data)
	d.Resolve = append(d.Resolve, GeofenceKey(p.Plate, code), DwellKey(p.Plate, code))
	at := p.FixTime
	d.Visits = append(d.Visits, VisitMark{Plate: p.Plate, SiteCode: code, Exited: &at})
	if trip = d.current(trip); trip == nil {
		return
	}
	switch {
	case trip.Origin == code && (trip.Status == TripScheduled || trip.Status == TripDelayed) &&
		!p.FixTime.Before(trip.ScheduledDeparture.Add(-EarlyDepartureWindow)):
		d.transition(p, *trip, EventTripDeparted, Trip.Depart)
	case trip.Destination == code && trip.Status == TripArrived:
		d.transition(p, *trip, EventTripCompleted, Trip.Complete)
	}
}

// current returns the trip as this detection left it.
func (d *Detection) current(trip *Trip) *Trip {
	if d.Trip != nil {
		return &d.Trip.Trip
	}
	return trip
}

// arrive marks the trip arrived; a trip whose departure was missed (the truck was never seen
// inside the origin) departs at the same instant first.
func (d *Detection) arrive(p Position, t Trip) {
	if t.Status == TripScheduled || t.Status == TripDelayed {
		if !p.FixTime.Before(t.ScheduledDeparture.Add(-EarlyDepartureWindow)) {
			d.transition(p, t, EventTripDeparted, Trip.Depart)
			t = d.Trip.Trip
		}
	}
	if t.Status == TripOngoing {
		d.transition(p, t, EventTripArrived, Trip.Arrive)
	}
}

func (d *Detection) transition(p Position, t Trip, kind EventKind, move func(Trip, time.Time) (Trip, error)) {
	next, err := move(t, p.FixTime)
	if err != nil {
		return
	}
	from := t.Status
	if d.Trip != nil {
		from = d.Trip.From
	}
	d.Trip = &TripChange{Trip: next, From: from}
	d.event(kind, p, t.Code, siteOf(kind, t), map[string]string{"status": string(next.Status)})
}

func siteOf(kind EventKind, t Trip) string {
	if kind == EventTripDeparted {
		return t.Origin
	}
	return t.Destination
}
