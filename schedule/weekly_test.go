package schedule

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"testing"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/fleet/fleettest"
	"github.com/watchtower-ops/watchtower/store"
)

// weekFixture seeds two weeks (Mon 10 – Sun 23 Nov 2025): on day i, i%4+1 trips completed
// (spread over T1AAA, T2BBB, T3CCC, each on time except T3CCC's) and T1AAA drives i+1 legs
// east. T4DDD is operational and does nothing.
func weekFixture(t *testing.T, s *store.Store) (trips []int, km []float64) {
	t.Helper()
	seedSite(t, s, "APAPA", apapa)
	seedSite(t, s, "ECLAT", eclat)
	plates := []string{"T1AAA", "T2BBB", "T3CCC", "T4DDD"}
	for _, p := range plates {
		seedTruck(t, s, p, fleet.TruckOperational)
	}
	first := at(2025, 11, 10, 0, 0)
	for i := range 14 {
		d := first.AddDate(0, 0, i)
		n := i%4 + 1
		for k := range n {
			plate := plates[k%3]
			dep := d.Add(time.Duration(6+2*k) * time.Hour).UTC()
			arr := dep.Add(90 * time.Minute)
			if plate == "T3CCC" {
				arr = dep.Add(3 * time.Hour) // planned 2 h: late
			}
			seedTrip(t, s, fleet.Trip{Plate: plate, Origin: "APAPA", Destination: "ECLAT", Status: fleet.TripCompleted,
				ScheduledDeparture: dep, PlannedArrival: dep.Add(2 * time.Hour), DepartedAt: ptr(dep),
				ArrivedAt: ptr(arr), CompletedAt: ptr(arr.Add(20 * time.Minute))})
		}
		seedFixes(t, s, "T1AAA", d.Add(5*time.Hour), 10*time.Minute, 30, true, eastOf(i+1)...)
		trips = append(trips, n)
		km = append(km, float64(i+1)*legKm)
	}
	return trips, km
}

func TestWeeklyReport(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	trips, km := weekFixture(t, s)
	rec := &fleettest.Recorder{}
	w := &WeeklyReporter{Summaries: s, Trucks: s, States: s, Notifier: rec, Thresholds: fleet.DefaultThresholds(), Location: lagos}
	must(t, w.Run(ctx, at(2025, 11, 24, 8, 0)))
	ns := rec.All()
	if len(ns) != 1 || ns[0].Kind != fleet.NotifyWeeklyReport || ns[0].Audience != fleet.AudienceSummary {
		t.Fatalf("notifications = %+v; want one digest.weekly for the summary channel", ns)
	}
	var rep WeeklyReport
	must(t, json.Unmarshal(ns[0].Data, &rep))

	if !rep.Period.From.Equal(at(2025, 11, 17, 0, 0)) || !rep.Period.To.Equal(at(2025, 11, 24, 0, 0)) ||
		!rep.Period.PrevFrom.Equal(at(2025, 11, 10, 0, 0)) {
		t.Errorf("period = %+v; want 17–24 Nov against 10–17 Nov", rep.Period)
	}
	var thisTrips, lastTrips int
	var thisKm float64
	for j := range 7 {
		lastTrips += trips[j]
		thisTrips += trips[7+j]
		thisKm += km[7+j]
		if d := rep.Days[j]; d.TripsCompleted != trips[7+j] || !near(d.DistanceKm, km[7+j]) {
			t.Errorf("day %d = %+v; want %d trips, %.3f km", j, d, trips[7+j], km[7+j])
		}
		if d := rep.PrevDays[j]; d.TripsCompleted != trips[j] || !near(d.DistanceKm, km[j]) {
			t.Errorf("previous day %d = %+v; want %d trips, %.3f km", j, d, trips[j], km[j])
		}
	}
	if rep.ThisWeek.TripsCompleted != thisTrips || rep.LastWeek.TripsCompleted != lastTrips ||
		!near(rep.ThisWeek.DistanceKm, thisKm) || rep.TripsCompleted != thisTrips {
		t.Errorf("totals this/last = %d/%d trips, %.3f km; want %d/%d, %.3f", rep.ThisWeek.TripsCompleted,
			rep.LastWeek.TripsCompleted, rep.ThisWeek.DistanceKm, thisTrips, lastTrips, thisKm)
	}
	checkWeekRanking(t, rep)
	checkTrend(t, rep, thisTrips, lastTrips)
	checkChart(t, rep.ChartPNG, rep.Days, rep.PrevDays)
}

func checkWeekRanking(t *testing.T, rep WeeklyReport) {
	t.Helper()
	if len(rep.Best) != 3 || rep.Best[0].Plate != "T1AAA" || rep.Best[0].OnTimePct == nil || *rep.Best[0].OnTimePct != 100 {
		t.Errorf("best = %+v; want T1AAA first, 100%% on time", rep.Best)
	}
	if len(rep.Worst) != 1 || rep.Worst[0].Plate != "T4DDD" || rep.Worst[0].TripsCompleted != 0 {
		t.Errorf("worst = %+v; want the idle T4DDD", rep.Worst)
	}
	// T3CCC arrived late every time: 0%; the others on time.
	if rep.ThisWeek.OnTimePct == nil || rep.ThisWeek.TripsArrived == 0 {
		t.Fatalf("this week on time = %v of %d arrivals; want a figure", rep.ThisWeek.OnTimePct, rep.ThisWeek.TripsArrived)
	}
}

func checkTrend(t *testing.T, rep WeeklyReport, this, last int) {
	t.Helper()
	for _, tr := range rep.Trends {
		if tr.Metric != "trips_completed" {
			continue
		}
		want := 100 * float64(this-last) / float64(last)
		if tr.ChangePct == nil || !near(*tr.ChangePct, want) || tr.Better != (this > last) {
			t.Errorf("trips trend = %+v; want %+.1f%%", tr, want)
		}
		return
	}
	t.Error("no trips_completed trend")
}

// checkChart decodes the PNG and measures every bar: its height in pixels must be its value
// over the panel's largest, times the panel height.
func checkChart(t *testing.T, data []byte, days, prev []DayPoint) {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("chart is not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() != chartW || b.Dy() != chartH {
		t.Errorf("chart is %v; want %dx%d", b, chartW, chartH)
	}
	this, last := [2][]float64{}, [2][]float64{}
	this[0], this[1] = panelValues(days)
	last[0], last[1] = panelValues(prev)
	for p, base := range []int{tripsBase, distBase} {
		full := panelMax(panel{this: this[p], previous: last[p]})
		for i := range days {
			for _, week := range []struct {
				thisWeek bool
				v        float64
				col      color.RGBA
			}{{true, this[p][i], []color.RGBA{colTrips, colDistance}[p]}, {false, last[p][i], colPrevious}} {
				r := barRect(base, i, len(days), week.thisWeek, 0)
				got := columnHeight(img, (r.Min.X+r.Max.X)/2, base, week.col)
				if want := barHeight(week.v, full); got != want {
					t.Errorf("panel %d day %d (this week %v): bar of %v is %d px; want %d", p, i, week.thisWeek, week.v, got, want)
				}
			}
		}
	}
}

// columnHeight counts the pixels of colour c going up column x from just above baseline.
func columnHeight(img image.Image, x, baseline int, c color.RGBA) int {
	n := 0
	for y := baseline - 1; y >= 0; y-- {
		r, g, b, _ := img.At(x, y).RGBA()
		if uint8(r>>8) != c.R || uint8(g>>8) != c.G || uint8(b>>8) != c.B {
			break
		}
		n++
	}
	return n
}

func TestWeeklyChartEmptyWeek(t *testing.T) {
	data, err := WeeklyChart("EMPTY", make([]DayPoint, 7), nil)
	must(t, err)
	if _, err := png.Decode(bytes.NewReader(data)); err != nil {
		t.Fatalf("chart of an empty week is not a PNG: %v", err)
	}
}
