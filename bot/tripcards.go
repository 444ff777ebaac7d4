package bot

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/tools"
)

// TripDetails shows a trip: status, route, times, progress, ETA with its assumption, timeline.
func (r *Renderer) TripDetails(d *tools.TripDetails) View {
	v := View{Text: fmt.Sprintf("%s (%s): %s, %s → %s", d.TripID, d.Plate, human(d.Status), d.Origin.Code, d.Destination.Code)}
	v = v.add(&Header{Text: tripEmoji(d.Status) + " " + d.TripID + " · " + d.Plate})
	fields := []Field{
		{"Status", capitalize(human(d.Status))},
		{"Departure", esc(d.ScheduledDepartureLagos)},
		{"Driver", driverText(d.DriverName, d.DriverPhone)},
	}
	if d.PlannedArrivalLagos != "" {
		fields = append(fields, Field{"Planned arrival", withBasis(esc(d.PlannedArrivalLagos), basisOf(d.PlannedArrivalBasis), d.PlannedArrivalTrips)})
	}
	if d.ProgressPct != nil {
		fields = append(fields, Field{"Progress", pct(d.ProgressPct)})
	}
	if d.DistanceLeftKm != nil {
		fields = append(fields, Field{"Distance left", km(*d.DistanceLeftKm) + " (straight line)"})
	}
	if d.ETALagos != "" {
		fields = append(fields, Field{"ETA", withBasis(esc(d.ETALagos), basisOf(d.ETABasis), d.ETATrips)})
	}
	fields = append(fields, Field{"Container", esc(d.ContainerNo)}, Field{"Cargo", esc(d.CargoType)})
	if d.Truck != nil && d.Truck.HasFix {
		fields = append(fields, Field{"Truck now", motionEmoji(d.Truck.Status) + " " + esc(d.Truck.Place) + " · " + esc(d.Truck.FixAge)})
	}
	v = v.add(&Section{Text: route(d.Origin, d.Destination), Fields: fields})
	if d.Notes != "" {
		v = v.add(&Section{Text: "_" + esc(d.Notes) + "_"})
	}
	var notes []string
	for _, m := range d.Timeline {
		n := esc(m.Event) + " " + esc(m.AtLagos)
		if m.By != "" {
			n += " by " + userRef(m.By)
		}
		notes = append(notes, n)
	}
	if d.ETAAssumption != "" {
		notes = append(notes, esc(d.ETAAssumption))
	}
	if d.TrackingURL != "" {
		notes = append(notes, link(d.TrackingURL, "customer tracking link"))
	}
	v = v.add(&Context{Items: notes})
	if b, ok := cancelButton(d.TripID, d.Status); ok {
		v = v.add(b)
	}
	return v
}

// withBasis follows an estimated time (already escaped) with how it was estimated, on its own
// line: "based on 12 past trips" or "estimated from distance" (fleet.Estimate.Explain).
func withBasis(when string, basis fleet.ETABasis, trips int) string {
	if when == "" {
		return when
	}
	if basis != fleet.ETALearned {
		basis = fleet.ETAFromDistance
	}
	return when + "\n_" + fleet.Estimate{Basis: basis, Trips: trips}.Explain() + "_"
}

// basisOf is *b, or "" when b is nil.
func basisOf(b *fleet.ETABasis) fleet.ETABasis {
	if b == nil {
		return ""
	}
	return *b
}

func route(from, to tools.SiteRef) string {
	name := func(s tools.SiteRef) string {
		if s.Name != "" && !strings.EqualFold(s.Name, s.Code) {
			return "*" + esc(s.Code) + "* (" + esc(s.Name) + ")"
		}
		return "*" + esc(s.Code) + "*"
	}
	return name(from) + " → " + name(to)
}

// TripCreated confirms a trip request, which waits for approval.
func (r *Renderer) TripCreated(c *tools.TripCreated) View {
	dep := fleet.FormatTime(c.Departure, r.Zone)
	v := View{Text: fmt.Sprintf("Trip %s requested: %s (driver %s) from %s to %s, departing %s — waiting for approval",
		c.TripID, c.Plate, orNone(c.DriverName), c.Origin.Code, c.Destination.Code, dep)}
	v = v.add(&Header{Text: tripEmoji(c.Status) + " Trip " + c.TripID + " requested"})
	fields := []Field{
		{"Truck", esc(c.Plate)},
		{"Driver", driverText(c.DriverName, c.DriverPhone)},
		{"Departure", esc(dep)},
		{"Planned arrival", withBasis(esc(c.PlannedArrivalLagos), c.PlannedArrivalBasis, c.PlannedArrivalTrips)},
		{"Status", capitalize(human(c.Status))},
		{"Container", esc(c.ContainerNo)},
		{"Cargo", esc(c.CargoType)},
	}
	v = v.add(&Section{Text: route(c.Origin, c.Destination), Fields: fields})
	note := "Waiting for a dispatcher's approval."
	if c.Message != "" {
		note = esc(c.Message)
	}
	v = v.add(&Context{Items: []string{note}})
	if b, ok := cancelButton(c.TripID, c.Status); ok {
		v = v.add(b)
	}
	return v
}

// summaryFigures is what a daily summary shows, from either the tool's answer or a digest.
type summaryFigures struct {
	title                                                string
	partial                                              bool
	created, started, completed, delayed, cancelled, rej int
	onTime                                               *float64
	turnaround                                           string
	distanceKm, utilisation, idleHours                   float64
	alerts                                               map[string]int
	trucks                                               int
	offline                                              []string
	now                                                  *fleet.Census // the fleet as of now
	waits                                                []tools.Wait  // the longest waits inside sites now
	worst                                                *tools.Queue  // the site with the most trucks inside now
}

// DailySummary shows one Lagos day's operations figures.
func (r *Renderer) DailySummary(d *tools.DailySummary) View {
	return r.summary(summaryFigures{
		title: d.DateLagos, partial: d.Partial,
		created: d.TripsCreated, started: d.TripsStarted, completed: d.TripsCompleted,
		delayed: d.TripsDelayed, cancelled: d.TripsCancelled, rej: d.TripsRejected,
		onTime: d.OnTimePct, turnaround: d.AvgTurnaround, distanceKm: d.DistanceKm,
		utilisation: d.UtilisationPct, idleHours: d.IdleHours, alerts: d.AlertsByKind,
		trucks: d.TrucksTotal, offline: d.TrucksOfflineNow, now: d.FleetNow, waits: d.LongestWaits, worst: d.WorstQueue,
	})
}

// DigestSummary shows the daily summary digest the scheduler sends.
func (r *Renderer) DigestSummary(d *fleet.DailySummary) View {
	f := summaryFigures{
		title:   fleet.FormatDate(d.Date, r.Zone),
		created: d.TripsCreated, started: d.TripsStarted, completed: d.TripsCompleted,
		delayed: d.TripsDelayed, cancelled: d.TripsCancelled, rej: d.TripsRejected,
		onTime: d.OnTimePct, distanceKm: d.DistanceKm, utilisation: d.UtilisationPct,
		idleHours: d.IdleHours, trucks: d.TrucksTotal, offline: d.TrucksOfflineNow, now: d.Fleet,
		alerts: make(map[string]int, len(d.AlertsByKind)),
	}
	if d.AvgTurnaround != nil {
		f.turnaround = duration(*d.AvgTurnaround)
	}
	f.waits, f.worst = tools.SummaryWaits(*d, r.Zone)
	for k, n := range d.AlertsByKind {
		f.alerts[string(k)] = n
	}
	return r.summary(f)
}

func (r *Renderer) summary(f summaryFigures) View {
	title := ":calendar: Daily summary — " + f.title
	if f.partial {
		title += " (so far)"
	}
	v := View{Text: fmt.Sprintf("Daily summary %s: %d trips completed of %d started, on-time %s, %s driven",
		f.title, f.completed, f.started, pct(f.onTime), km(f.distanceKm))}
	v = v.add(&Header{Text: title}, &Section{Fields: []Field{
		{"Trips", fmt.Sprintf("%d created · %d started · %d completed", f.created, f.started, f.completed)},
		{"Exceptions", fmt.Sprintf("%d delayed · %d cancelled · %d rejected", f.delayed, f.cancelled, f.rej)},
		{"On time", pct(f.onTime)},
		{"Avg turnaround", orDash(f.turnaround)},
		{"Distance", km(f.distanceKm)},
		{"Utilisation", fmt.Sprintf("%.0f%% of %d trucks", f.utilisation, f.trucks)},
		{"Idle", fmt.Sprintf("%.1f h with ignition on", f.idleHours)},
		{"Alerts", alertCounts(f.alerts)},
	}})
	if f.now != nil {
		v = v.add(&Section{Text: "*Fleet now:* " + esc(f.now.Text())})
	}
	if len(f.offline) > 0 {
		v = v.add(&Section{Text: fmt.Sprintf("%s *Offline now (%d):* %s", motionEmoji(fleet.StateOffline), len(f.offline), esc(listUpTo(f.offline, 40)))})
	}
	if f.worst != nil {
		lines := make([]string, 0, len(f.waits))
		for i, w := range f.waits {
			lines = append(lines, fmt.Sprintf("%d. *%s* at %s — %s (since %s)", i+1, esc(w.Plate), esc(w.Site), esc(w.Dwell), esc(w.Since)))
		}
		v = v.add(&Section{Text: ":hourglass_flowing_sand: *Longest waits now:*\n" + strings.Join(lines, "\n") +
			fmt.Sprintf("\n*Worst queue:* %s — %d inside, longest %s", esc(f.worst.Site), f.worst.Trucks, esc(f.worst.Longest))})
	}
	return v
}

func alertCounts(m map[string]int) string {
	if len(m) == 0 {
		return "none"
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return m[keys[i]] > m[keys[j]] || (m[keys[i]] == m[keys[j]] && keys[i] < keys[j]) })
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s %d", human(k), m[k]))
	}
	return strings.Join(parts, " · ")
}

// listUpTo joins up to n items, saying how many more there are.
func listUpTo(items []string, n int) string {
	if len(items) <= n {
		return strings.Join(items, ", ")
	}
	return strings.Join(items[:n], ", ") + fmt.Sprintf(" and %d more", len(items)-n)
}

// tripLine is a one-line description of a domain trip for notifications.
func (r *Renderer) tripLine(t fleet.Trip) string {
	s := fmt.Sprintf("*%s* · %s · %s → %s · departs %s", t.Code, esc(t.Plate), esc(t.Origin), esc(t.Destination), clock(t.ScheduledDeparture, r.Zone))
	if t.ContainerNo != "" {
		s += " · container " + esc(t.ContainerNo)
	}
	return s
}

// now returns the renderer's clock reading.
func (r *Renderer) now() time.Time {
	if r.Now == nil {
		return time.Now()
	}
	return r.Now()
}
