package fleet

import (
	"fmt"
	"slices"
	"time"
)

// State is where a truck of the fleet stands now: exactly one of moving, idle, parked,
// offline or maintenance. Every surface that counts or shows trucks asks StateOf.
type State string

// The five states. They add up to the fleet size.
const (
	StateMoving      State = "moving"      // reporting, speed above Thresholds.MovingKmh
	StateIdle        State = "idle"        // reporting, stopped with the ignition on
	StateParked      State = "parked"      // reporting, stopped with the ignition off
	StateOffline     State = "offline"     // no fix within Thresholds.OfflineAfter, or never reported
	StateMaintenance State = "maintenance" // taken out of service by the operations team (wins over GPS)
)

// States lists the five states in display order.
var States = []State{StateMoving, StateIdle, StateParked, StateOffline, StateMaintenance}

// InFleet reports whether t counts as part of the fleet. Retired trucks (archived, or
// inactive: sold, written off or parked long-term) are outside it; every other truck is in,
// unrostered ones (seen by telematics, not yet in the roster) included, because they are on
// the road.
func InFleet(t Truck) bool { return t.ArchivedAt == nil && t.Status != TruckInactive }

// StateOf returns the state of t at now from its latest fix st (nil when it never reported).
// Maintenance wins over what the GPS says; otherwise it is the fix's Motion.
func StateOf(t Truck, st *TruckState, now time.Time, th Thresholds) State {
	switch {
	case t.Status == TruckMaintenance:
		return StateMaintenance
	case st == nil:
		return StateOffline
	}
	return State(st.Motion(now, th))
}

// Census is the fleet in numbers at one moment: the one definition every surface shows.
type Census struct {
	Size        int `json:"size"` // trucks in the fleet (InFleet); the five states add up to it
	Moving      int `json:"moving"`
	Idle        int `json:"idle"`
	Parked      int `json:"parked"`
	Offline     int `json:"offline"`
	Maintenance int `json:"maintenance"`
	// OnTrip counts trucks of the fleet with an ongoing trip (departed, not yet arrived).
	OnTrip int `json:"on_trip"`
	// ActiveTrips counts ongoing trips; ScheduledTrips approved trips not departed yet
	// (scheduled or delayed); PendingTrips trips awaiting approval.
	ActiveTrips    int `json:"active_trips"`
	ScheduledTrips int `json:"scheduled_trips"`
	PendingTrips   int `json:"pending_trips"`
}

// Count returns how many trucks are in state s.
func (c Census) Count(s State) int {
	switch s {
	case StateMoving:
		return c.Moving
	case StateIdle:
		return c.Idle
	case StateParked:
		return c.Parked
	case StateOffline:
		return c.Offline
	case StateMaintenance:
		return c.Maintenance
	}
	return 0
}

// Utilisation is the share (0 to 1) of the trucks not in maintenance that are on an ongoing
// trip now; 0 when every truck is in maintenance.
func (c Census) Utilisation() float64 {
	avail := c.Size - c.Maintenance
	if avail <= 0 {
		return 0
	}
	return float64(c.OnTrip) / float64(avail)
}

// OngoingAt reports whether t was on the road at at: departed at or before at, and neither
// arrived, completed nor cancelled by then. At now it agrees with t.Status == TripOngoing.
func (t Trip) OngoingAt(at time.Time) bool {
	if t.DepartedAt == nil || t.DepartedAt.After(at) {
		return false
	}
	for _, end := range []*time.Time{t.ArrivedAt, t.CompletedAt, t.CancelledAt} {
		if end != nil && !end.After(at) {
			return false
		}
	}
	return true
}

// DayUtilisationPct is the utilisation of the business day ending at end, in percent, by the
// one rule of Census.Utilisation taken at one moment: now while the day is not over (the
// census c as of now, so the day's summary and every other surface show the same figure);
// for a day that has ended, its last moment: the trucks of the fleet on a trip ongoing at end
// (trips may hold any trips; OngoingAt decides) over the trucks c counts as not in
// maintenance, the only maintenance status known.
func DayUtilisationPct(c Census, trucks []Truck, trips []Trip, end, now time.Time) float64 {
	if now.Before(end) {
		return c.UtilisationPct()
	}
	inFleet := make(map[string]bool, len(trucks))
	for _, t := range trucks {
		if InFleet(t) {
			inFleet[t.Plate] = true
		}
	}
	busy := map[string]bool{}
	for _, t := range trips {
		if inFleet[t.Plate] && t.OngoingAt(end) {
			busy[t.Plate] = true
		}
	}
	c.OnTrip = len(busy)
	return c.UtilisationPct()
}

// UtilisationPct is Utilisation in percent, rounded to one decimal.
func (c Census) UtilisationPct() float64 {
	return float64(int(c.Utilisation()*1000+0.5)) / 10
}

// TakeCensus counts the fleet at now. states holds the latest fix of the trucks that have one
// (any order, any extra plates); trips may hold trips of any status.
func TakeCensus(trucks []Truck, states []TruckState, trips []Trip, now time.Time, th Thresholds) Census {
	byPlate := make(map[string]*TruckState, len(states))
	for i := range states {
		byPlate[states[i].Plate] = &states[i]
	}
	onTrip := map[string]bool{}
	var c Census
	for _, t := range trips {
		switch t.Status {
		case TripOngoing:
			c.ActiveTrips++
			onTrip[t.Plate] = true
		case TripScheduled, TripDelayed:
			c.ScheduledTrips++
		case TripPendingApproval:
			c.PendingTrips++
		}
	}
	for _, t := range trucks {
		if !InFleet(t) {
			continue
		}
		c.Size++
		c.add(StateOf(t, byPlate[t.Plate], now, th))
		if onTrip[t.Plate] {
			c.OnTrip++
		}
	}
	return c
}

func (c *Census) add(s State) {
	switch s {
	case StateMoving:
		c.Moving++
	case StateIdle:
		c.Idle++
	case StateParked:
		c.Parked++
	case StateMaintenance:
		c.Maintenance++
	default:
		c.Offline++
	}
}

// PlatesIn lists, by plate, the trucks of the fleet in state s at now.
func PlatesIn(s State, trucks []Truck, states []TruckState, now time.Time, th Thresholds) []string {
	byPlate := make(map[string]*TruckState, len(states))
	for i := range states {
		byPlate[states[i].Plate] = &states[i]
	}
	out := []string{}
	for _, t := range trucks {
		if InFleet(t) && StateOf(t, byPlate[t.Plate], now, th) == s {
			out = append(out, t.Plate)
		}
	}
	slices.Sort(out)
	return out
}

// Text is the counts in one line: "60 trucks: 38 moving, 5 idle, 10 parked, 5 offline, 2 in
// maintenance".
func (c Census) Text() string {
	return fmt.Sprintf("%d trucks: %d moving, %d idle, %d parked, %d offline, %d in maintenance",
		c.Size, c.Moving, c.Idle, c.Parked, c.Offline, c.Maintenance)
}
