package tools

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/tools/intent"
)

// DailySummaryArgs are get_daily_summary's arguments.
type DailySummaryArgs struct {
	Date *string `json:"date" desc:"The Lagos calendar day: YYYY-MM-DD, \"today\", \"yesterday\", or a weekday (\"Monday\" = the most recent one); null = today."`
}

func (r *Registry) dailySummaryTool() Tool {
	return Tool{
		Name: ToolDailySummary,
		Description: "The operations summary of one Lagos calendar day (default today, so far): trips created, " +
			"started, completed, delayed, cancelled and rejected; on-time %; average turnaround (departure to " +
			"completion); distance driven; utilisation (trucks on an ongoing trip / trucks not in maintenance: now " +
			"for today, at the day's end for a past day); idle hours; alerts " +
			"by kind; the trucks offline now; and the fleet now (moving, idle, parked, offline, maintenance).",
		Parameters: strictSchema(DailySummaryArgs{}),
		ReadOnly:   true,
		run: func(ctx context.Context, raw json.RawMessage, _ Caller) (any, error) {
			var a DailySummaryArgs
			if err := decodeArgs(raw, &a); err != nil {
				return nil, err
			}
			return r.DailySummary(ctx, str(a.Date))
		},
	}
}

// DailySummary answers get_daily_summary for a day as the user wrote it ("", "today",
// "yesterday", "2025-11-20", "Monday"). It returns EINVALID for a date it cannot read or one in
// the future.
func (r *Registry) DailySummary(ctx context.Context, date string) (*DailySummary, error) {
	now := r.nowIn()
	day, err := intent.ParseDate(date, now, r.loc)
	if err != nil {
		return nil, err
	}
	today := fleet.Day(now, r.loc)
	if day.After(today) {
		return nil, fleet.Errorf(fleet.EINVALID, "%s is in the future", fleet.FormatDate(day, day.Location()))
	}
	s, err := r.fleet.DailySummary(ctx, day, now, r.th)
	if err != nil {
		return nil, err
	}
	return r.summary(s, day.Equal(today)), nil
}

// summary turns the domain summary into the answer.
func (r *Registry) summary(s fleet.DailySummary, partial bool) *DailySummary {
	day := s.Date.In(r.loc)
	out := &DailySummary{Date: day.Format("2006-01-02"), DateLagos: fleet.FormatDate(day, day.Location()), Partial: partial,
		TripsCreated: s.TripsCreated, TripsStarted: s.TripsStarted, TripsCompleted: s.TripsCompleted,
		TripsDelayed: s.TripsDelayed, TripsCancelled: s.TripsCancelled, TripsRejected: s.TripsRejected,
		DistanceKm: round(s.DistanceKm, 1), UtilisationPct: round(s.UtilisationPct, 1), IdleHours: round(s.IdleHours, 1),
		AlertsByKind: map[string]int{}, TrucksTotal: s.TrucksTotal, TrucksOfflineNow: slices.Clone(s.TrucksOfflineNow),
		FleetNow: s.Fleet, Summary: s}
	if s.OnTimePct != nil {
		out.OnTimePct = ptr(round(*s.OnTimePct, 1))
	}
	if s.AvgTurnaround != nil {
		out.AvgTurnaroundMin = ptr(round(s.AvgTurnaround.Minutes(), 0))
		out.AvgTurnaround = fleet.FormatDuration(*s.AvgTurnaround)
	}
	for k, n := range s.AlertsByKind {
		out.AlertsByKind[string(k)] = n
		out.AlertsTotal += n
	}
	if out.TrucksOfflineNow == nil {
		out.TrucksOfflineNow = []string{}
	}
	out.LongestWaits, out.WorstQueue = SummaryWaits(s, r.loc)
	return out
}

// SummaryWaits returns the longest waits and the worst queue of s as the answer and the digest
// show them (times in loc).
func SummaryWaits(s fleet.DailySummary, loc *time.Location) ([]Wait, *Queue) {
	waits := make([]Wait, 0, len(s.LongestWaits))
	for _, w := range s.LongestWaits {
		waits = append(waits, Wait{Plate: w.Plate, Site: w.SiteCode, Since: fleet.FormatTime(w.EnteredAt, loc),
			Dwell: fleet.FormatDuration(w.Dwell), Minutes: minutes(w.Dwell)})
	}
	q := s.WorstQueue
	if q == nil {
		return waits, nil
	}
	return waits, &Queue{Site: q.SiteCode, Trucks: q.Trucks, Longest: fleet.FormatDuration(q.Longest), LongestMinutes: minutes(q.Longest)}
}

// Wait is one truck waiting inside a site, in the daily summary.
type Wait struct {
	Plate   string `json:"plate"`
	Site    string `json:"site"`
	Since   string `json:"since"` // "Mon 7 Dec 08:10", business time
	Dwell   string `json:"dwell"` // "3 h 20 min"
	Minutes int    `json:"dwell_minutes"`
}

// Queue is the site with the most trucks inside now.
type Queue struct {
	Site           string `json:"site"`
	Trucks         int    `json:"trucks"`
	Longest        string `json:"longest"` // the longest wait there
	LongestMinutes int    `json:"longest_minutes"`
}

// WaitsText is the longest waits and the worst queue in one line each, "" when nobody waits.
func WaitsText(waits []Wait, q *Queue) string {
	if q == nil {
		return ""
	}
	parts := make([]string, 0, len(waits))
	for _, w := range waits {
		parts = append(parts, w.Plate+" at "+w.Site+" "+w.Dwell)
	}
	return "Longest waits now: " + strings.Join(parts, ", ") + ".\nWorst queue: " + q.Site + ", " +
		strconv.Itoa(q.Trucks) + " " + plural(q.Trucks, "truck", "trucks") + " inside (longest " + q.Longest + ")."
}
