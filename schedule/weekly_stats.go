package schedule

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/watchtower-ops/watchtower/fleet"
)

// rankedTrucks is how many trucks the report names as best and as worst.
const rankedTrucks = 3

// weekTotals adds up a week of daily summaries and per-truck rows (see WeekTotals).
func weekTotals(sums []fleet.DailySummary, rows []fleet.TruckDay) WeekTotals {
	var t WeekTotals
	for _, s := range sums {
		t.TripsCreated += s.TripsCreated
		t.TripsStarted += s.TripsStarted
		t.TripsCompleted += s.TripsCompleted
		t.TripsDelayed += s.TripsDelayed
		t.TripsCancelled += s.TripsCancelled
		t.DistanceKm += s.DistanceKm
		t.IdleHours += s.IdleHours
		t.UtilisationPct += s.UtilisationPct / float64(len(sums))
		for _, n := range s.AlertsByKind {
			t.Alerts += n
		}
	}
	var onTime, completed int
	var turnaround float64
	for _, r := range rows {
		t.TripsArrived += r.TripsArrived
		onTime += r.TripsOnTime
		completed += r.TurnaroundTrips
		turnaround += r.TurnaroundHours
	}
	t.OnTimePct = ratioPct(onTime, t.TripsArrived)
	if completed > 0 {
		m := turnaround * 60 / float64(completed)
		t.AvgTurnaroundMin = &m
	}
	return t
}

// ratioPct is 100·n/d, nil when d is zero.
func ratioPct(n, d int) *float64 {
	if d == 0 {
		return nil
	}
	p := 100 * float64(n) / float64(d)
	return &p
}

// trends compares this week with the last, figure by figure.
func trends(this, last WeekTotals) []Trend {
	f := func(v float64) *float64 { return &v }
	rows := []struct {
		metric, label string
		this, last    *float64
		lowerIsBetter bool
	}{
		{"trips_completed", "Trips completed", f(float64(this.TripsCompleted)), f(float64(last.TripsCompleted)), false},
		{"on_time_pct", "On time %", this.OnTimePct, last.OnTimePct, false},
		{"avg_turnaround_min", "Avg turnaround (min)", this.AvgTurnaroundMin, last.AvgTurnaroundMin, true},
		{"distance_km", "Distance (km)", f(this.DistanceKm), f(last.DistanceKm), false},
		{"utilisation_pct", "Utilisation %", f(this.UtilisationPct), f(last.UtilisationPct), false},
		{"idle_hours", "Idle hours", f(this.IdleHours), f(last.IdleHours), true},
		{"alerts", "Alerts", f(float64(this.Alerts)), f(float64(last.Alerts)), true},
	}
	out := make([]Trend, len(rows))
	for i, r := range rows {
		t := Trend{Metric: r.metric, Label: r.label, This: r.this, Last: r.last}
		if r.this != nil && r.last != nil {
			if *r.last != 0 {
				t.ChangePct = f(100 * (*r.this - *r.last) / *r.last)
			}
			t.Better = *r.this > *r.last != r.lowerIsBetter && *r.this != *r.last
		}
		out[i] = t
	}
	return out
}

// rankTrucks sums each truck's week and returns the best and the worst. Operational trucks
// with no activity rank too (at the bottom); trucks that are not operational and did nothing
// are left out.
func (w *WeeklyReporter) rankTrucks(ctx context.Context, rows []fleet.TruckDay) (best, worst []TruckWeek, err error) {
	byPlate := make(map[string]*TruckWeek)
	for _, r := range rows {
		tw := byPlate[r.Plate]
		if tw == nil {
			tw = &TruckWeek{Plate: r.Plate}
			byPlate[r.Plate] = tw
		}
		tw.TripsCompleted += r.TripsCompleted
		tw.TripsArrived += r.TripsArrived
		tw.TripsOnTime += r.TripsOnTime
		tw.TripsDelayed += r.TripsDelayed
		tw.DistanceKm += r.DistanceKm
		tw.IdleHours += r.IdleHours
		tw.Alerts += r.Alerts
	}
	roster, err := w.States.ListTruckStates(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("list trucks: %w", err)
	}
	for _, t := range roster {
		if _, ok := byPlate[t.Truck.Plate]; !ok && t.Truck.Operational() {
			byPlate[t.Truck.Plate] = &TruckWeek{Plate: t.Truck.Plate}
		}
	}
	all := make([]TruckWeek, 0, len(byPlate))
	for _, tw := range byPlate {
		tw.OnTimePct = ratioPct(tw.TripsOnTime, tw.TripsArrived)
		all = append(all, *tw)
	}
	slices.SortFunc(all, compareTrucks)
	n := min(rankedTrucks, len(all))
	best = all[:n]
	for i := len(all) - 1; i >= n && len(worst) < rankedTrucks; i-- {
		worst = append(worst, all[i])
	}
	return best, worst, nil
}

// compareTrucks orders trucks best first: more trips completed, then a better on-time rate
// (none is worst), more distance, fewer alerts, then by plate.
func compareTrucks(a, b TruckWeek) int {
	pct := func(p *float64) float64 {
		if p == nil {
			return -1
		}
		return *p
	}
	return cmp.Or(
		cmp.Compare(b.TripsCompleted, a.TripsCompleted),
		cmp.Compare(pct(b.OnTimePct), pct(a.OnTimePct)),
		cmp.Compare(b.DistanceKm, a.DistanceKm),
		cmp.Compare(a.Alerts, b.Alerts),
		strings.Compare(a.Plate, b.Plate),
	)
}

// Text is the plain-text form of the report, the fallback of the digest.
func (r WeeklyReport) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Weekly report %s, against the week before:\n", r.Week)
	for _, t := range r.Trends {
		fmt.Fprintf(&b, "• %s: %s (was %s%s)\n", t.Label, trendValue(t.This), trendValue(t.Last), changeText(t.ChangePct))
	}
	fmt.Fprintf(&b, "Best: %s\nNeeds attention: %s", trucksText(r.Best), trucksText(r.Worst))
	if r.FleetNow != nil {
		b.WriteString("\nFleet now: " + r.FleetNow.Text() + ".")
	}
	return b.String()
}

func trendValue(v *float64) string {
	if v == nil {
		return "n/a"
	}
	return thousands(*v)
}

func changeText(p *float64) string {
	if p == nil {
		return ""
	}
	return fmt.Sprintf(", %+.0f%%", *p)
}

func trucksText(ts []TruckWeek) string {
	if len(ts) == 0 {
		return "none"
	}
	parts := make([]string, len(ts))
	for i, t := range ts {
		parts[i] = fmt.Sprintf("%s (%d trips, %s km, on time %s)", t.Plate, t.TripsCompleted, thousands(t.DistanceKm), pctText(t.OnTimePct))
	}
	return strings.Join(parts, "; ")
}
