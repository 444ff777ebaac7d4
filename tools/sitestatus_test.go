package tools_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/tools"
	"github.com/watchtower-ops/watchtower/tools/intent"
)

var visitEntry int

// driveVisit sends plate through ingest into site at in (a fix outside 10 min before, then one
// inside every 10 min) and out again at out, or keeps it inside until the fixture's clock when
// out is zero.
func driveVisit(t *testing.T, f *fixture, plate string, site fleet.Site, in, out time.Time) {
	t.Helper()
	away := fleet.Point{Lat: site.Point.Lat + 0.05, Lng: site.Point.Lng}
	var obs []fleet.Observation
	add := func(at time.Time, p fleet.Point) {
		visitEntry++
		obs = append(obs, fleet.Observation{EntryID: fmt.Sprintf("%d-%d", 1764140000000+visitEntry, 0),
			Position: &fleet.Position{Plate: plate, FixTime: at.UTC(), ReceivedAt: at.UTC(), Point: p, Source: "test"}})
	}
	add(in.Add(-10*time.Minute), away)
	end := f.now.Add(-time.Minute)
	if !out.IsZero() {
		end = out.Add(-time.Minute)
	}
	for at := in; !at.After(end); at = at.Add(10 * time.Minute) {
		add(at, site.Point)
	}
	if !out.IsZero() {
		add(out, away)
	}
	_, err := f.st.ApplyIngest(context.Background(), "", obs, fleet.DefaultThresholds())
	must(t, err)
}

func TestSiteStatus(t *testing.T) {
	f := newFixture(t)
	apapa := testSites[3]
	for _, plate := range []string{"T40001LA", "T40002LA", "T40003LA"} { // trucks that have not reported yet
		_, err := f.st.CreateTruck(context.Background(), fleet.Truck{Plate: plate})
		must(t, err)
	}
	// Four finished visits this week of 2, 4, 6 and 8 h; one of 30 h two weeks ago.
	old := f.now.Add(-14 * 24 * time.Hour)
	driveVisit(t, f, "T40003LA", apapa, old, old.Add(30*time.Hour))
	for i, h := range []int{8, 6, 4, 2} { // oldest first, as they happened
		in := f.now.Add(-time.Duration(4-i) * 24 * time.Hour)
		driveVisit(t, f, "T40003LA", apapa, in, in.Add(time.Duration(h)*time.Hour))
	}
	// Inside now: T40001LA for 4 h 30 min, T40002LA for 20 min.
	driveVisit(t, f, "T40001LA", apapa, f.now.Add(-270*time.Minute), time.Time{})
	driveVisit(t, f, "T40002LA", apapa, f.now.Add(-20*time.Minute), time.Time{})

	cases := []struct {
		phrase     string
		wantTruck  string
		wantInside bool
	}{
		{"how long is the Apapa queue", "", false},
		{"which trucks are at Apapa port", "", false},
		{"/site APAPA", "", false},
		{"how long has T40001LA been at Apapa?", "T40001LA", true},
		{"is T11985LA waiting at apapa", "T11985LA", false},
	}
	for _, c := range cases {
		t.Run(c.phrase, func(t *testing.T) {
			in := intent.Parse(c.phrase)
			if in.Tool != tools.ToolSiteStatus || !in.Understood() {
				t.Fatalf("Parse(%q) = %s missing %q; want %s", c.phrase, in.Tool, in.Missing, tools.ToolSiteStatus)
			}
			res, err := f.reg.Call(context.Background(), in.Tool, in.Args, tools.Caller{Via: "console"})
			must(t, err)
			st := res.Value.(*tools.SiteStatus)
			if st.Code != "APAPA" || st.Count != 2 || st.Trucks[0].Plate != "T40001LA" || st.Trucks[0].Minutes != 270 ||
				st.Trucks[1].Plate != "T40002LA" || st.Trucks[1].Minutes != 20 {
				t.Errorf("status = %s %d trucks %+v; want T40001LA 270 min, T40002LA 20 min at APAPA", st.Code, st.Count, st.Trucks)
			}
			want := tools.TypicalDwell{Days: 7, Visits: 4, Median: "5 h", MedianMinutes: 300, P90: "7 h 24 min", P90Minutes: 444}
			if st.Typical != want {
				t.Errorf("typical = %+v; want %+v", st.Typical, want)
			}
			switch {
			case c.wantTruck == "" && st.Truck != nil:
				t.Errorf("truck = %+v; want none asked", st.Truck)
			case c.wantTruck != "" && (st.Truck == nil || st.Truck.Plate != c.wantTruck || st.Truck.Inside != c.wantInside):
				t.Errorf("truck = %+v; want %s inside=%v", st.Truck, c.wantTruck, c.wantInside)
			}
			text := tools.RenderResult(res)
			for _, w := range []string{"2 trucks at APAPA (Apapa Port Complex)", "T40001LA — 4 h 30 min", "median stay 5 h, 90% within 7 h 24 min (4 visits)"} {
				if !strings.Contains(text, w) {
					t.Errorf("text lacks %q:\n%s", w, text)
				}
			}
		})
	}
}

// TestSummaryWaits: the daily summary names the longest waits and the worst queue.
func TestSummaryWaits(t *testing.T) {
	f := newFixture(t)
	for _, plate := range []string{"T40001LA", "T40002LA"} {
		_, err := f.st.CreateTruck(context.Background(), fleet.Truck{Plate: plate})
		must(t, err)
	}
	driveVisit(t, f, "T40001LA", testSites[3], f.now.Add(-270*time.Minute), time.Time{})
	driveVisit(t, f, "T40002LA", testSites[2], f.now.Add(-20*time.Minute), time.Time{})
	sum, err := f.reg.DailySummary(context.Background(), "today")
	must(t, err)
	if len(sum.LongestWaits) != 2 || sum.WorstQueue == nil || sum.WorstQueue.Site != "APAPA" {
		t.Fatalf("waits %+v, worst %+v; want 2 waits, APAPA worst", sum.LongestWaits, sum.WorstQueue)
	}
	want := "Longest waits now: T40001LA at APAPA 4 h 30 min, T40002LA at TINCAN 20 min.\nWorst queue: APAPA, 1 truck inside (longest 4 h 30 min)."
	if text := sum.Text(); !strings.Contains(text, want) {
		t.Errorf("summary text lacks %q:\n%s", want, text)
	}
}

func TestSiteStatusBadInput(t *testing.T) {
	f := newFixture(t)
	res, err := f.call(t, tools.ToolSiteStatus, map[string]any{"site": "Apapaa wharf gate", "truck": nil})
	wantCode(t, "unknown site", err, fleet.ENOTFOUND)
	if text := tools.RenderResult(res); !strings.HasPrefix(text, "I don't know a site called 'Apapaa wharf gate'. Did you mean APAPA") {
		t.Errorf("text = %q; want the unknown site with APAPA suggested", text)
	}
	_, err = f.call(t, tools.ToolSiteStatus, map[string]any{"site": "APAPA", "truck": "T999ZZ"})
	wantCode(t, "unknown truck", err, fleet.ENOTFOUND)
	_, err = f.call(t, tools.ToolSiteStatus, map[string]any{"site": 7})
	wantCode(t, "bad arguments", err, fleet.EINVALID)
	empty, err := f.call(t, tools.ToolSiteStatus, map[string]any{"site": "eclat", "truck": nil})
	must(t, err)
	if text := tools.RenderResult(empty); !strings.Contains(text, "No trucks at ECLAT") || !strings.Contains(text, "No finished visits in the last 7 days") {
		t.Errorf("empty site text = %q", text)
	}
}
