package schedule

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
)

// onTimeGrace is how late past its planned arrival a trip still counts as on time (the rule of
// fleet.Trip.OnTime); an ETA beyond it puts the trip at risk.
const onTimeGrace = 15 * time.Minute

// Trips reads and moves trips (*store.Store).
type Trips interface {
	// TripsByStatus returns the trips in status whose scheduled departure is before
	// departedBefore (zero: any), oldest departure first.
	TripsByStatus(ctx context.Context, status fleet.TripStatus, departedBefore time.Time) ([]fleet.Trip, error)
	// TripByCode returns the trip with code; ENOTFOUND when there is none.
	TripByCode(ctx context.Context, code string) (fleet.Trip, error)
	// TransitionTrip applies fn to the trip with code under its row lock, recording action by
	// actor in the audit log; fn's ECONFLICT comes back as is.
	TransitionTrip(ctx context.Context, code string, actor fleet.Actor, action string,
		fn func(fleet.Trip) (fleet.Trip, error)) (fleet.Trip, error)
}

// OpenIncidents lists the open incidents of some kinds (*store.Store).
type OpenIncidents interface {
	OpenAlerts(ctx context.Context, kinds ...fleet.AlertKind) ([]fleet.Alert, error)
}

// LaneHistories reads what the completed trips of a lane observed (*store.Store).
type LaneHistories interface {
	// LaneHistory returns how many completed trips lane has and their median observed duration.
	LaneHistory(ctx context.Context, lane fleet.Lane) (fleet.LaneHistory, error)
}

// SiteLister lists the sites (*store.Store).
type SiteLister interface {
	ListSites(ctx context.Context) ([]fleet.Site, error)
}

// TripMonitor is the trip-monitor job. A scheduled trip not departed Thresholds.DelayedAfter
// after its departure time is marked delayed and gets a trip_delayed incident; an ongoing
// trip whose ETA (fleet.TripETA: its lane's median once the lane has enough completed trips,
// else the drive left from the truck's latest fix) passes its planned arrival plus the on-time
// grace gets a trip_at_risk incident. Each incident opens once and resolves when the
// trip moves on (departs, arrives, is cancelled).
type TripMonitor struct {
	Trips      Trips
	States     TruckStates
	Sites      SiteLister
	Lanes      LaneHistories
	Incidents  OpenIncidents
	Alerts     Alerts
	Notifier   Notifier
	Thresholds fleet.Thresholds
	Location   *time.Location // business time, for departure bands; Lagos when nil
}

// Run checks the trips as of now. A failure with one trip does not stop the others; the
// failures are returned joined.
func (m *TripMonitor) Run(ctx context.Context, now time.Time) error {
	return errors.Join(m.raiseDelayed(ctx, now), m.raiseAtRisk(ctx, now), m.resolveMovedOn(ctx, now))
}

// raiseDelayed opens the delayed incident of each overdue scheduled trip, announces it, then
// marks the trip delayed. The transition comes last so that a run failing halfway is finished
// by the next one (the trip is still scheduled; the incident is found open and announced again
// under the same notification ID), and once it is done the trip is no longer picked up.
func (m *TripMonitor) raiseDelayed(ctx context.Context, now time.Time) error {
	overdue, err := m.Trips.TripsByStatus(ctx, fleet.TripScheduled, now.Add(-m.Thresholds.DelayedAfter))
	if err != nil {
		return fmt.Errorf("list overdue trips: %w", err)
	}
	var errs []error
	for _, t := range overdue {
		a, _, err := m.Alerts.OpenAlert(ctx, fleet.Alert{
			Kind: fleet.AlertTripDelayed, IncidentKey: fleet.IncidentKey(fleet.AlertTripDelayed, t.Code),
			Plate: t.Plate, TripCode: t.Code, SiteCode: t.Origin, Severity: m.Thresholds.Severity.Of(fleet.AlertTripDelayed, ""),
			Message: fmt.Sprintf("%s (%s, %s → %s) has not left: departure was %s, %s ago", t.Code, t.Plate,
				t.Origin, t.Destination, fleet.FormatTime(t.ScheduledDeparture, nil), fleet.FormatDuration(now.Sub(t.ScheduledDeparture))),
			OpenedAt: now.UTC(),
		})
		if err == nil && a.ID != 0 { // ID 0: kept quiet (the truck is muted or the kind snoozed)
			err = m.Notifier.Notify(ctx, fleet.AlertNotification(a, fleet.NotifyAlertOpened, now))
		}
		if err == nil {
			_, err = m.Trips.TransitionTrip(ctx, t.Code, fleet.SystemActor(), "trip.delay", func(cur fleet.Trip) (fleet.Trip, error) {
				return cur.MarkDelayed(now.UTC())
			})
		}
		if err != nil && fleet.ErrorCode(err) != fleet.ECONFLICT { // ECONFLICT: it left meanwhile
			errs = append(errs, fmt.Errorf("raise %s delayed: %w", t.Code, err))
		}
	}
	return errors.Join(errs...)
}

// raiseAtRisk opens (once) the at-risk incident of each ongoing trip whose ETA passes its
// planned arrival plus the on-time grace.
func (m *TripMonitor) raiseAtRisk(ctx context.Context, now time.Time) error {
	ongoing, err := m.Trips.TripsByStatus(ctx, fleet.TripOngoing, time.Time{})
	if err != nil || len(ongoing) == 0 {
		return wrapErr("list ongoing trips", err)
	}
	states, sites, err := m.positions(ctx)
	if err != nil {
		return err
	}
	histories := map[fleet.Lane]fleet.LaneHistory{}
	var errs []error
	for _, t := range ongoing {
		st, ok := states[t.Plate]
		origin, okOrigin := sites[t.Origin]
		dest, okDest := sites[t.Destination]
		if !ok || !okOrigin || !okDest || t.PlannedArrival.IsZero() {
			continue
		}
		lane := fleet.LaneOf(t.Origin, t.Destination, t.ScheduledDeparture, m.Location)
		h, seen := histories[lane]
		if !seen {
			if h, err = m.Lanes.LaneHistory(ctx, lane); err != nil {
				errs = append(errs, fmt.Errorf("lane history of %s: %w", t.Code, err))
				continue
			}
			histories[lane] = h
		}
		eta, _ := fleet.TripETA(t, origin, dest, h, &st.Point, now)
		if !eta.At.After(t.PlannedArrival.Add(onTimeGrace)) {
			continue
		}
		if err := m.openAtRisk(ctx, t, st, dest, eta, atRiskBasis(eta, lane, h), now); err != nil {
			errs = append(errs, fmt.Errorf("raise %s at risk: %w", t.Code, err))
		}
	}
	return errors.Join(errs...)
}

// atRiskBasis says how an at-risk ETA was estimated, for the alert.
func atRiskBasis(eta fleet.Estimate, lane fleet.Lane, h fleet.LaneHistory) string {
	if eta.Basis == fleet.ETALearned {
		return eta.Explain() + ": " + fleet.LaneAssumption(lane, h)
	}
	return eta.Explain() + ": " + fleet.ETAAssumption
}

// openAtRisk opens the at-risk incident of trip t, whose truck is at st, and announces it when
// it is new.
func (m *TripMonitor) openAtRisk(ctx context.Context, t fleet.Trip, st fleet.TruckState, dest fleet.Site, eta fleet.Estimate, basis string, now time.Time) error {
	km := fleet.DistanceKm(st.Point, dest.Point)
	a, created, err := m.Alerts.OpenAlert(ctx, fleet.Alert{
		Kind: fleet.AlertTripAtRisk, IncidentKey: fleet.IncidentKey(fleet.AlertTripAtRisk, t.Code),
		Plate: t.Plate, TripCode: t.Code, SiteCode: t.Destination, Severity: m.Thresholds.Severity.Of(fleet.AlertTripAtRisk, ""),
		Message: fmt.Sprintf("%s (%s) may arrive late at %s: ETA %s, planned %s (%.1f km to go; ETA %s)", t.Code, t.Plate,
			t.Destination, fleet.FormatTime(eta.At, nil), fleet.FormatTime(t.PlannedArrival, nil), km, basis),
		Point: &st.Point, OpenedAt: now.UTC(),
	})
	if err == nil && created {
		err = m.Notifier.Notify(ctx, fleet.AlertNotification(a, fleet.NotifyAlertOpened, now))
	}
	return err
}

// positions returns the latest state of each reporting truck and the sites, by plate and code.
func (m *TripMonitor) positions(ctx context.Context) (map[string]fleet.TruckState, map[string]fleet.Site, error) {
	trucks, err := m.States.ListTruckStates(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("list truck states: %w", err)
	}
	list, err := m.Sites.ListSites(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("list sites: %w", err)
	}
	states := make(map[string]fleet.TruckState, len(trucks))
	for _, t := range trucks {
		if t.HasState {
			states[t.Truck.Plate] = t.State
		}
	}
	sites := make(map[string]fleet.Site, len(list))
	for _, s := range list {
		sites[s.Code] = s
	}
	return states, sites, nil
}

// resolveMovedOn resolves the delayed incidents of trips that are no longer delayed and the
// at-risk incidents of trips that are no longer ongoing.
func (m *TripMonitor) resolveMovedOn(ctx context.Context, now time.Time) error {
	open, err := m.Incidents.OpenAlerts(ctx, fleet.AlertTripDelayed, fleet.AlertTripAtRisk)
	if err != nil {
		return fmt.Errorf("list open trip incidents: %w", err)
	}
	var errs []error
	for _, a := range open {
		t, err := m.Trips.TripByCode(ctx, a.TripCode)
		if err != nil && fleet.ErrorCode(err) != fleet.ENOTFOUND {
			errs = append(errs, fmt.Errorf("read %s: %w", a.TripCode, err))
			continue
		}
		if err == nil && stillApplies(a.Kind, t.Status) {
			continue
		}
		if err := m.resolve(ctx, a, t, now); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// stillApplies reports whether an incident of kind stays open for a trip in status: a delay
// until the trip leaves (scheduled counts, for a run that failed before marking it delayed), a
// risk until it arrives.
func stillApplies(kind fleet.AlertKind, status fleet.TripStatus) bool {
	if kind == fleet.AlertTripAtRisk {
		return status == fleet.TripOngoing
	}
	return status == fleet.TripDelayed || status == fleet.TripScheduled
}

// resolve announces that incident a of trip t (zero when the trip is gone) is over, then
// resolves it; a run failing in between repeats the announcement under the same ID next time.
func (m *TripMonitor) resolve(ctx context.Context, a fleet.Alert, t fleet.Trip, now time.Time) error {
	at := now.UTC()
	a.ResolvedAt = &at
	n := fleet.AlertNotification(a, fleet.NotifyAlertResolved, now)
	if t.Code != "" {
		n.Text = fmt.Sprintf("%s is now %s. %s", t.Code, tripStatusText(t.Status), n.Text)
	}
	if err := m.Notifier.Notify(ctx, n); err != nil {
		return fmt.Errorf("announce %s resolved: %w", a.IncidentKey, err)
	}
	if _, err := m.Alerts.ResolveAlert(ctx, a.IncidentKey, at); err != nil && fleet.ErrorCode(err) != fleet.ENOTFOUND {
		return fmt.Errorf("resolve %s: %w", a.IncidentKey, err)
	}
	return nil
}

// tripStatusText is a status as words ("pending approval").
func tripStatusText(s fleet.TripStatus) string {
	b := []byte(s)
	for i, c := range b {
		if c == '_' {
			b[i] = ' '
		}
	}
	return string(b)
}

// wrapErr returns nil for nil, else err prefixed with what failed.
func wrapErr(what string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", what, err)
}
