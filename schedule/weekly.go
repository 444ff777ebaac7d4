package schedule

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
)

// WeeklyReport is the weekly report: the Data of a digest.weekly notification, as JSON.
//
// The top-level scalars (week, trips_completed, on_time_pct, distance_km, utilisation_pct,
// idle_hours, alerts) are this week's headline figures, ready to show as fields; the objects
// hold the detail. The chart travels inside it: chart_png is the PNG's bytes, base64 in the
// JSON (encoding/json's []byte), to be uploaded with the message as chart.filename.
type WeeklyReport struct {
	Week           string   `json:"week"` // "Mon 17 Nov – Sun 23 Nov 2025"
	TripsCompleted int      `json:"trips_completed"`
	OnTimePct      *float64 `json:"on_time_pct,omitempty"` // absent when no trip arrived
	DistanceKm     float64  `json:"distance_km"`
	UtilisationPct float64  `json:"utilisation_pct"`
	IdleHours      float64  `json:"idle_hours"`
	Alerts         int      `json:"alerts"`
	// FleetNow is the fleet when the report was built (fleet.TakeCensus, as every surface
	// counts it); nil when the summaries did not carry it.
	FleetNow *fleet.Census `json:"fleet_now,omitempty"`

	Period   Period      `json:"period"`
	ThisWeek WeekTotals  `json:"this_week"`
	LastWeek WeekTotals  `json:"last_week"`
	Trends   []Trend     `json:"trends"`
	Days     []DayPoint  `json:"days"`      // the seven days of the week, oldest first
	PrevDays []DayPoint  `json:"prev_days"` // the seven days before, oldest first
	Best     []TruckWeek `json:"best"`      // up to three, best first
	Worst    []TruckWeek `json:"worst"`     // up to three, worst first
	Chart    ChartInfo   `json:"chart"`
	ChartPNG []byte      `json:"chart_png"`
}

// Period is the reported week and the week it is compared with.
type Period struct {
	From     time.Time `json:"from"`      // first day of the week (midnight, business zone)
	To       time.Time `json:"to"`        // the day after the last (exclusive)
	PrevFrom time.Time `json:"prev_from"` // first day of the week before; it ends at From
}

// ChartInfo names the chart for the upload.
type ChartInfo struct {
	Filename string `json:"filename"` // "weekly-report-2025-11-17.png"
	Title    string `json:"title"`    // drawn at the chart's top
	AltText  string `json:"alt_text"`
}

// WeekTotals are a week's figures. Trip counts, distance, idle hours, utilisation (the mean
// of the days) and alerts add up the seven daily summaries; on-time % and turnaround come from
// the per-truck rows, which keep the counts a percentage needs.
type WeekTotals struct {
	TripsCreated     int      `json:"trips_created"`
	TripsStarted     int      `json:"trips_started"`
	TripsCompleted   int      `json:"trips_completed"`
	TripsDelayed     int      `json:"trips_delayed"`
	TripsCancelled   int      `json:"trips_cancelled"`
	TripsArrived     int      `json:"trips_arrived"`
	OnTimePct        *float64 `json:"on_time_pct"`        // nil when no trip arrived
	AvgTurnaroundMin *float64 `json:"avg_turnaround_min"` // nil when no trip completed
	DistanceKm       float64  `json:"distance_km"`
	IdleHours        float64  `json:"idle_hours"`
	UtilisationPct   float64  `json:"utilisation_pct"`
	Alerts           int      `json:"alerts"`
}

// Trend compares one figure of the week with the week before.
type Trend struct {
	Metric    string   `json:"metric"` // "trips_completed", "on_time_pct", …
	Label     string   `json:"label"`  // "Trips completed"
	This      *float64 `json:"this"`   // nil when the figure has no value this week
	Last      *float64 `json:"last"`
	ChangePct *float64 `json:"change_pct"` // relative change; nil when Last is zero or missing
	Better    bool     `json:"better"`     // the change is an improvement (lower is better for idle, alerts, turnaround)
}

// TruckWeek is one truck's week.
type TruckWeek struct {
	Plate          string   `json:"plate"`
	TripsCompleted int      `json:"trips_completed"`
	TripsArrived   int      `json:"trips_arrived"`
	TripsOnTime    int      `json:"trips_on_time"`
	OnTimePct      *float64 `json:"on_time_pct"`
	TripsDelayed   int      `json:"trips_delayed"`
	DistanceKm     float64  `json:"distance_km"`
	IdleHours      float64  `json:"idle_hours"`
	Alerts         int      `json:"alerts"`
}

// WeeklyReporter is the weekly-report job: on Monday at 08:00 it posts the report of the seven
// business days before today against the seven before those, with its chart, as a
// digest.weekly notification to the summary channel (Data: the WeeklyReport; Text: a plain
// fallback).
type WeeklyReporter struct {
	Summaries  Summarizer // the fleet summary of each day (stored ones are reused)
	Trucks     TruckActivity
	States     TruckStates // the roster, so idle operational trucks rank too
	Notifier   Notifier
	Thresholds fleet.Thresholds
	Location   *time.Location // business zone; nil means Lagos
}

// Run builds the report of the week before now's day and posts it.
func (w *WeeklyReporter) Run(ctx context.Context, now time.Time) error {
	rep, err := w.Build(ctx, now)
	if err != nil {
		return err
	}
	data, err := json.Marshal(rep)
	if err != nil {
		return fmt.Errorf("encode weekly report: %w", err)
	}
	n := fleet.Notification{
		ID:        "digest.weekly:" + rep.Period.From.Format(time.DateOnly) + ":" + stamp(now),
		Kind:      fleet.NotifyWeeklyReport,
		Audience:  fleet.AudienceSummary,
		Text:      rep.Text(),
		Data:      data,
		CreatedAt: now.UTC(),
	}
	if err := w.Notifier.Notify(ctx, n); err != nil {
		return fmt.Errorf("post weekly report of %s: %w", rep.Period.From.Format(time.DateOnly), err)
	}
	return nil
}

// Build computes the report of the seven business days before now's day, chart included.
func (w *WeeklyReporter) Build(ctx context.Context, now time.Time) (WeeklyReport, error) {
	to := fleet.Day(now, w.Location)
	p := Period{From: to.AddDate(0, 0, -7), To: to, PrevFrom: to.AddDate(0, 0, -14)}
	rep := WeeklyReport{Period: p}
	sums, err := w.fleetDays(ctx, p.PrevFrom, p.To, now)
	if err != nil {
		return rep, err
	}
	thisRows, err := w.Trucks.TruckDayMetrics(ctx, p.From, p.To, w.Thresholds)
	if err != nil {
		return rep, fmt.Errorf("truck activity of the week: %w", err)
	}
	prevRows, err := w.Trucks.TruckDayMetrics(ctx, p.PrevFrom, p.From, w.Thresholds)
	if err != nil {
		return rep, fmt.Errorf("truck activity of the week before: %w", err)
	}
	rep.ThisWeek, rep.LastWeek = weekTotals(sums[7:], thisRows), weekTotals(sums[:7], prevRows)
	rep.FleetNow = sums[len(sums)-1].Fleet
	rep.Trends = trends(rep.ThisWeek, rep.LastWeek)
	rep.Days, rep.PrevDays = dayPoints(sums[7:]), dayPoints(sums[:7])
	if rep.Best, rep.Worst, err = w.rankTrucks(ctx, thisRows); err != nil {
		return rep, err
	}
	rep.headline()
	rep.Chart = ChartInfo{
		Filename: "weekly-report-" + p.From.Format(time.DateOnly) + ".png",
		Title:    fmt.Sprintf("WATCH TOWER WEEK %s - %s", p.From.Format("2 JAN"), to.AddDate(0, 0, -1).Format("2 JAN 2006")),
		AltText:  "Bar charts of trips completed and kilometres driven per day, this week next to the week before",
	}
	if rep.ChartPNG, err = WeeklyChart(rep.Chart.Title, rep.Days, rep.PrevDays); err != nil {
		return rep, err
	}
	return rep, nil
}

// headline copies this week's main figures to the top level, rounded to one decimal.
func (r *WeeklyReport) headline() {
	t := r.ThisWeek
	from := r.Period.From
	r.Week = from.Format("Mon 2 Jan") + " – " + fleet.FormatDate(r.Period.To.AddDate(0, 0, -1), from.Location())
	r.TripsCompleted, r.Alerts = t.TripsCompleted, t.Alerts
	r.DistanceKm, r.UtilisationPct, r.IdleHours = round1(t.DistanceKm), round1(t.UtilisationPct), round1(t.IdleHours)
	if t.OnTimePct != nil {
		p := round1(*t.OnTimePct)
		r.OnTimePct = &p
	}
}

func round1(v float64) float64 { return math.Round(v*10) / 10 }

// fleetDays returns the fleet summary of each day of [from, to), from the one implementation
// behind the daily digests (which reuses the summaries it stored), so the week adds up the
// days as they were posted.
func (w *WeeklyReporter) fleetDays(ctx context.Context, from, to, now time.Time) ([]fleet.DailySummary, error) {
	var out []fleet.DailySummary
	for d := from; d.Before(to); d = d.AddDate(0, 0, 1) {
		s, err := w.Summaries.DailySummary(ctx, d, now, w.Thresholds)
		if err != nil {
			return nil, fmt.Errorf("summarise %s: %w", d.Format(time.DateOnly), err)
		}
		s.Date = d
		out = append(out, s)
	}
	return out, nil
}

func dayPoints(sums []fleet.DailySummary) []DayPoint {
	out := make([]DayPoint, len(sums))
	for i, s := range sums {
		out[i] = DayPoint{Date: s.Date, TripsCompleted: s.TripsCompleted, DistanceKm: s.DistanceKm}
	}
	return out
}
