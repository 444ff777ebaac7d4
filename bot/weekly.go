package bot

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"

	"github.com/watchtower-ops/watchtower/fleet"
)

// weeklyData is the part of the weekly report's Data (the scheduler's WeeklyReport JSON) the
// view shows. Unknown or missing fields simply do not appear.
type weeklyData struct {
	Week           string        `json:"week"`
	TripsCompleted *int          `json:"trips_completed"`
	OnTimePct      *float64      `json:"on_time_pct"`
	DistanceKm     *float64      `json:"distance_km"`
	UtilisationPct *float64      `json:"utilisation_pct"`
	IdleHours      *float64      `json:"idle_hours"`
	Alerts         *int          `json:"alerts"`
	FleetNow       *fleet.Census `json:"fleet_now"`
	Trends         []struct {
		Label     string   `json:"label"`
		This      *float64 `json:"this"`
		Last      *float64 `json:"last"`
		ChangePct *float64 `json:"change_pct"`
		Better    bool     `json:"better"`
	} `json:"trends"`
	Best  []weeklyTruck `json:"best"`
	Worst []weeklyTruck `json:"worst"`
	Chart struct {
		Filename string `json:"filename"`
		Title    string `json:"title"`
		AltText  string `json:"alt_text"`
	} `json:"chart"`
}

type weeklyTruck struct {
	Plate          string   `json:"plate"`
	TripsCompleted int      `json:"trips_completed"`
	OnTimePct      *float64 `json:"on_time_pct"`
	DistanceKm     float64  `json:"distance_km"`
	Alerts         int      `json:"alerts"`
}

func decodeWeekly(data json.RawMessage) (weeklyData, bool) {
	var w weeklyData
	if len(data) == 0 || json.Unmarshal(data, &w) != nil || w.Week == "" {
		return w, false
	}
	return w, true
}

// Weekly renders the weekly report: headline figures, trends against the week before, the
// best trucks and those needing attention. Its chart is uploaded in the report's thread.
func (r *Renderer) Weekly(n fleet.Notification) View {
	w, ok := decodeWeekly(n.Data)
	if !ok {
		return r.Report(n)
	}
	v := View{Text: plainLine(orDash(n.Text))}.add(&Header{Text: ":bar_chart: Weekly report — " + w.Week})
	var fields []Field
	if w.TripsCompleted != nil {
		fields = append(fields, Field{"Trips completed", fmt.Sprint(*w.TripsCompleted)})
	}
	fields = append(fields, Field{"On time", pct(w.OnTimePct)})
	if w.DistanceKm != nil {
		fields = append(fields, Field{"Distance", km(*w.DistanceKm)})
	}
	if w.UtilisationPct != nil {
		fields = append(fields, Field{"Utilisation", pct(w.UtilisationPct)})
	}
	if w.IdleHours != nil {
		fields = append(fields, Field{"Idle", fmt.Sprintf("%.1f h", *w.IdleHours)})
	}
	if w.Alerts != nil {
		fields = append(fields, Field{"Alerts", fmt.Sprint(*w.Alerts)})
	}
	v = v.add(&Section{Fields: fields})
	if w.FleetNow != nil {
		v = v.add(&Section{Text: "*Fleet now:* " + esc(w.FleetNow.Text())})
	}
	if lines := trendLines(w); len(lines) > 0 {
		v = v.add(&Section{Text: "*Against the week before*\n" + strings.Join(lines, "\n")})
	}
	v = v.add(&Section{Text: "*Best:* " + trucksLine(w.Best) + "\n*Needs attention:* " + trucksLine(w.Worst)})
	return v.add(&Context{Items: []string{"chart in the thread"}})
}

func trendLines(w weeklyData) []string {
	var lines []string
	for _, t := range w.Trends {
		line := "• " + esc(t.Label) + ": " + num(t.This) + " (was " + num(t.Last)
		if t.ChangePct != nil && !math.IsNaN(*t.ChangePct) {
			emoji := ":small_red_triangle_down:"
			if t.Better {
				emoji = ":white_check_mark:"
			}
			line += fmt.Sprintf(", %+.0f%% %s", *t.ChangePct, emoji)
		}
		lines = append(lines, line+")")
	}
	return lines
}

func num(v *float64) string {
	if v == nil {
		return "n/a"
	}
	if *v == math.Trunc(*v) {
		return fmt.Sprintf("%.0f", *v)
	}
	return fmt.Sprintf("%.1f", *v)
}

func trucksLine(ts []weeklyTruck) string {
	if len(ts) == 0 {
		return "none"
	}
	parts := make([]string, 0, len(ts))
	for _, t := range ts {
		parts = append(parts, fmt.Sprintf("%s (%d trips, %s, on time %s, %d alerts)", esc(t.Plate), t.TripsCompleted, km(t.DistanceKm), pct(t.OnTimePct), t.Alerts))
	}
	return strings.Join(parts, " · ")
}

// Notification renders any notification as Slack shows it (the parent message for alerts),
// for the console, which prints its ConsoleLine as events happen.
func (r *Renderer) Notification(n fleet.Notification) View {
	switch n.Kind {
	case fleet.NotifyAlertOpened, fleet.NotifyAlertUpdated, fleet.NotifyAlertResolved:
		if n.Alert != nil {
			return r.AlertParent(*n.Alert)
		}
	case fleet.NotifyTripApproval, fleet.NotifyTripDecided:
		if n.Trip != nil && n.Trip.Status == fleet.TripPendingApproval {
			return r.Approval(*n.Trip)
		}
		if n.Trip != nil {
			return r.Decided(*n.Trip)
		}
	case fleet.NotifyTripEvent:
		return r.TripEvent(n)
	case fleet.NotifyDailySummary:
		if n.Summary != nil {
			return r.DigestSummary(n.Summary)
		}
	case fleet.NotifyWeeklyReport:
		return r.Weekly(n)
	}
	return r.Report(n)
}
