package schedule

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
)

// DailyDigest is the daily-summary job: at 07:00 it posts the summary of the previous business
// day to the summary channel, as a digest.daily notification whose Summary holds the figures
// (the same DailySummary that get_daily_summary returns) and whose Text is a plain fallback.
type DailyDigest struct {
	Summaries  Summarizer
	Notifier   Notifier
	Thresholds fleet.Thresholds
	Location   *time.Location // business zone; nil means Lagos
}

// Run posts the summary of the business day before now's.
func (d *DailyDigest) Run(ctx context.Context, now time.Time) error {
	day := fleet.Day(now, d.Location).AddDate(0, 0, -1)
	sum, err := d.Summaries.DailySummary(ctx, day, now, d.Thresholds)
	if err != nil {
		return fmt.Errorf("summarise %s: %w", day.Format(time.DateOnly), err)
	}
	n := fleet.Notification{
		ID:        "digest.daily:" + day.Format(time.DateOnly) + ":" + stamp(now),
		Kind:      fleet.NotifyDailySummary,
		Audience:  fleet.AudienceSummary,
		Text:      SummaryText(sum),
		Summary:   &sum,
		CreatedAt: now.UTC(),
	}
	if err := d.Notifier.Notify(ctx, n); err != nil {
		return fmt.Errorf("post summary of %s: %w", day.Format(time.DateOnly), err)
	}
	return nil
}

// SummaryText is the plain-text form of a daily summary, the fallback of the digest:
//
//	Daily summary for Wed 25 Nov 2025: 14 trips created, 11 started, 12 completed, 1 delayed, 0 cancelled.
//	On time 83%. Avg turnaround 3 h 20 min. Distance 1,204 km. Utilisation 61%. Idle 9.5 h.
//	Alerts: 3 overspeed, 1 offline. Offline now (2): T11985LA, T28737LA.
func SummaryText(s fleet.DailySummary) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Daily summary for %s: %d trips created, %d started, %d completed, %d delayed, %d cancelled.\n",
		fleet.FormatDate(s.Date, s.Date.Location()), s.TripsCreated, s.TripsStarted, s.TripsCompleted, s.TripsDelayed, s.TripsCancelled)
	fmt.Fprintf(&b, "On time %s. Avg turnaround %s. Distance %s km. Utilisation %.0f%%. Idle %.1f h.",
		pctText(s.OnTimePct), durationText(s.AvgTurnaround), thousands(s.DistanceKm), s.UtilisationPct, s.IdleHours)
	if alerts := alertsText(s.AlertsByKind); alerts != "" {
		b.WriteString("\nAlerts: " + alerts + ".")
	}
	if s.Fleet != nil {
		b.WriteString("\nFleet now: " + s.Fleet.Text() + ".")
	}
	if len(s.TrucksOfflineNow) > 0 {
		fmt.Fprintf(&b, " Offline now (%d): %s.", len(s.TrucksOfflineNow), strings.Join(s.TrucksOfflineNow, ", "))
	}
	return b.String()
}

func pctText(p *float64) string {
	if p == nil {
		return "n/a (no arrivals)"
	}
	return fmt.Sprintf("%.0f%%", *p)
}

func durationText(d *time.Duration) string {
	if d == nil {
		return "n/a"
	}
	return fleet.FormatDuration(*d)
}

// alertsText lists counts by kind, most frequent first: "3 overspeed, 1 offline".
func alertsText(m map[fleet.AlertKind]int) string {
	kinds := make([]fleet.AlertKind, 0, len(m))
	for k, n := range m {
		if n > 0 {
			kinds = append(kinds, k)
		}
	}
	sort.Slice(kinds, func(i, j int) bool {
		if m[kinds[i]] != m[kinds[j]] {
			return m[kinds[i]] > m[kinds[j]]
		}
		return kinds[i] < kinds[j]
	})
	parts := make([]string, len(kinds))
	for i, k := range kinds {
		parts[i] = fmt.Sprintf("%d %s", m[k], strings.ReplaceAll(string(k), "_", " "))
	}
	return strings.Join(parts, ", ")
}

// thousands formats a distance rounded to the kilometre with thousands separators: "1,204".
func thousands(km float64) string {
	s := fmt.Sprintf("%.0f", km)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		return "-" + s
	}
	return s
}
