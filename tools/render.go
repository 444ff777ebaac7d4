package tools

import (
	"fmt"
	"slices"
	"strings"

	"github.com/watchtower-ops/watchtower/fleet"
)

// RenderResults writes results as plain text, one paragraph each: the offline answer, and
// the fallback text of a card. A failure shows its safe message and suggestions.
func RenderResults(results []Result) string {
	parts := make([]string, 0, len(results))
	for _, r := range results {
		parts = append(parts, RenderResult(r))
	}
	return strings.Join(parts, "\n\n")
}

// RenderResult writes one result as plain text.
func RenderResult(r Result) string {
	if r.Err != nil {
		msg := fleet.ErrorMessage(r.Err)
		if fleet.ErrorCode(r.Err) == fleet.EINTERNAL {
			msg = "something went wrong looking that up; please try again"
		}
		text := upperFirst(msg)
		if !strings.HasSuffix(text, "?") && !strings.HasSuffix(text, ".") {
			text += "."
		}
		if s := fleet.ErrorSuggestions(r.Err); len(s) > 0 {
			text += " Did you mean " + strings.Join(s, ", ") + "?"
		}
		return text
	}
	switch v := r.Value.(type) {
	case *TruckLocation:
		return v.Text()
	case *TripCreated:
		return v.Text()
	case *TripChanged:
		return v.Message
	case *FleetStatus:
		return v.Text()
	case *TripDetails:
		return v.Text()
	case *DailySummary:
		return v.Text()
	case *NearbyTrucks:
		return v.Text()
	case *SiteStatus:
		return v.Text()
	case *AlertList:
		return v.Text()
	}
	return string(r.Output)
}

// Text describes the location in a few lines.
func (l *TruckLocation) Text() string {
	if !l.HasFix {
		return fmt.Sprintf("%s has not reported a GPS position yet.", l.Plate)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s is %s %s (fix %s, %s).", l.Plate, l.Status, l.Place, l.FixAge, l.FixTimeLagos)
	if l.Status == fleet.StateMoving {
		fmt.Fprintf(&b, "\nSpeed %.0f km/h heading %s.", l.SpeedKmh, l.Direction)
	}
	if l.ActiveTrip != nil {
		fmt.Fprintf(&b, "\nTrip %s (%s): %s → %s, departure %s.", l.ActiveTrip.TripID, humanStatus(string(l.ActiveTrip.Status)),
			l.ActiveTrip.Origin, l.ActiveTrip.Destination, l.ActiveTrip.ScheduledDepartureLagos)
	}
	if l.TruckStatus != "" && l.TruckStatus != fleet.TruckOperational {
		fmt.Fprintf(&b, "\nThe truck is marked %s.", l.TruckStatus)
	}
	fmt.Fprintf(&b, "\nMap: %s", l.MapURL)
	return b.String()
}

// Text confirms the trip request.
func (t *TripCreated) Text() string {
	s := fmt.Sprintf("Trip %s requested: %s from %s to %s, departing %s (planned arrival %s). %s",
		t.TripID, t.Plate, t.Origin.Code, t.Destination.Code, t.DepartureLagos, t.PlannedArrivalLagos, t.Message)
	if t.ContainerNo != "" {
		s += " Container " + t.ContainerNo + "."
	}
	return s
}

// Text summarises the fleet and lists the matching trucks.
func (f *FleetStatus) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Fleet at %s: %d trucks — %d moving, %d idle, %d parked, %d offline, %d in maintenance; "+
		"connectivity %.0f%%. %d on a trip (utilisation %.0f%%), %d at a site; %d active trips, %d scheduled, %d pending approval.",
		f.AsOfLagos, f.TrucksTotal, f.States.Moving, f.States.Idle, f.States.Parked, f.States.Offline, f.States.Maintenance,
		f.ConnectivityPct, f.Roster.OnTrip, f.UtilisationPct, f.Roster.AtSite, f.ActiveTrips, f.ScheduledTrips, f.PendingTrips)
	if f.Filter == FilterAll && f.Site == nil {
		return b.String()
	}
	what := humanStatus(f.Filter)
	if f.Site != nil {
		what = strings.TrimSpace(strings.TrimPrefix(what, "all") + " at " + f.Site.Code)
	}
	fmt.Fprintf(&b, "\n%d %s:", f.Matching, what)
	for _, t := range f.Trucks {
		fmt.Fprintf(&b, "\n• %s — %s", t.Plate, t.Status)
		if t.Site != "" {
			fmt.Fprintf(&b, " at %s", t.Site)
		}
		if t.TripID != "" {
			fmt.Fprintf(&b, ", trip %s", t.TripID)
		}
		fmt.Fprintf(&b, " (fix %s)", t.FixAge)
	}
	if f.Truncated {
		fmt.Fprintf(&b, "\n… and %d more.", f.Matching-len(f.Trucks))
	}
	return b.String()
}

// Text describes the trip and its progress.
func (d *TripDetails) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Trip %s — %s: %s from %s to %s, departure %s.", d.TripID, humanStatus(string(d.Status)), d.Plate,
		d.Origin.Code, d.Destination.Code, d.ScheduledDepartureLagos)
	if d.ProgressPct != nil && d.Status == fleet.TripOngoing {
		fmt.Fprintf(&b, "\n%.0f%% done, %.1f km left in a straight line.", *d.ProgressPct, *d.DistanceLeftKm)
	}
	if d.ETA != nil {
		fmt.Fprintf(&b, "\nETA %s (%s).", d.ETALagos, d.ETAAssumption)
	}
	if d.Truck != nil && d.Truck.HasFix {
		fmt.Fprintf(&b, "\nTruck %s %s (fix %s).", d.Truck.Status, d.Truck.Place, d.Truck.FixAge)
	}
	if d.TrackingURL != "" {
		fmt.Fprintf(&b, "\nTracking: %s", d.TrackingURL)
	}
	return b.String()
}

// Text summarises the day.
func (s *DailySummary) Text() string {
	var b strings.Builder
	so := ""
	if s.Partial {
		so = " so far"
	}
	fmt.Fprintf(&b, "Summary for %s%s: %d trips created, %d started, %d completed, %d delayed, %d cancelled.",
		s.DateLagos, so, s.TripsCreated, s.TripsStarted, s.TripsCompleted, s.TripsDelayed, s.TripsCancelled)
	if s.OnTimePct != nil {
		fmt.Fprintf(&b, " On time %.0f%%.", *s.OnTimePct)
	}
	if s.AvgTurnaround != "" {
		fmt.Fprintf(&b, " Average turnaround %s.", s.AvgTurnaround)
	}
	fmt.Fprintf(&b, "\nDistance %.0f km, utilisation %.0f%%, idle %.1f h.", s.DistanceKm, s.UtilisationPct, s.IdleHours)
	if s.AlertsTotal > 0 {
		kinds := make([]string, 0, len(s.AlertsByKind))
		for k, n := range s.AlertsByKind {
			kinds = append(kinds, fmt.Sprintf("%d %s", n, strings.ReplaceAll(k, "_", " ")))
		}
		slices.Sort(kinds)
		fmt.Fprintf(&b, "\nAlerts: %s.", strings.Join(kinds, ", "))
	}
	fmt.Fprintf(&b, "\nOffline now: %d of %d trucks", len(s.TrucksOfflineNow), s.TrucksTotal)
	if n := len(s.TrucksOfflineNow); n > 0 && n <= 10 {
		fmt.Fprintf(&b, " (%s)", strings.Join(s.TrucksOfflineNow, ", "))
	}
	b.WriteString(".")
	if w := WaitsText(s.LongestWaits, s.WorstQueue); w != "" {
		b.WriteString("\n" + w)
	}
	return b.String()
}

// Text lists the nearest trucks.
func (n *NearbyTrucks) Text() string {
	var b strings.Builder
	state := ""
	if n.StatusOnly != "" {
		state = n.StatusOnly + " "
	}
	if n.Count == 0 {
		fmt.Fprintf(&b, "No %strucks within %.1f km of %s.", state, n.RadiusKm, n.Near)
		return b.String()
	}
	fmt.Fprintf(&b, "%d %struck(s) within %.1f km of %s:", n.Count, state, n.RadiusKm, n.Near)
	for _, t := range n.Trucks {
		fmt.Fprintf(&b, "\n• %s — %.1f km, %s", t.Plate, t.DistanceKm, t.Status)
		if t.Site != "" {
			fmt.Fprintf(&b, " at %s", t.Site)
		}
		fmt.Fprintf(&b, " (fix %s)", t.FixAge)
	}
	if n.Truncated {
		fmt.Fprintf(&b, "\n… and %d more.", n.Count-len(n.Trucks))
	}
	return b.String()
}

// Text writes the alert history as plain text: one line per alert, newest first.
func (l *AlertList) Text() string {
	if len(l.Alerts) == 0 {
		return "No alerts match."
	}
	var b strings.Builder
	b.WriteString("Alerts, newest first:")
	for _, a := range l.Alerts {
		state := "open"
		switch {
		case a.Ended != "":
			state = "ended " + a.Ended
			if a.Resolution != "" {
				state += ", " + a.Resolution
			}
		case a.AcknowledgedBy != "":
			state = "open, acknowledged by " + a.AcknowledgedBy
		}
		subject := a.Plate
		if subject == "" {
			subject = "—"
		}
		fmt.Fprintf(&b, "\n• #%d %s %s %s — %s (opened %s; %s)", a.ID, a.Severity, humanStatus(a.Kind), subject, a.Message, a.Opened, state)
	}
	if l.More {
		b.WriteString("\nShowing the latest 20.")
	}
	return b.String()
}

// humanStatus writes a status or filter in words ("pending_approval" → "pending approval").
func humanStatus(s string) string { return strings.ReplaceAll(s, "_", " ") }

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
