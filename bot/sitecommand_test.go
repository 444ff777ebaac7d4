package bot

import (
	"strings"
	"testing"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/tools"
)

func TestSiteStatusCard(t *testing.T) {
	r := NewRenderer(nil)
	s := &tools.SiteStatus{Site: "APAPA (Apapa Port)", Code: "APAPA", Count: 2,
		Trucks:  []tools.SiteTruck{{Plate: "T28737LA", Since: "Mon 7 Dec 08:10", Dwell: "4 h 30 min"}, {Plate: "T11985LA", Since: "Mon 7 Dec 12:00", Dwell: "40 min"}},
		Typical: tools.TypicalDwell{Days: 7, Visits: 12, Median: "3 h", P90: "6 h"},
		Truck:   &tools.SiteTruckCheck{Plate: "T28737LA", Inside: true, Wait: &tools.SiteTruck{Plate: "T28737LA", Since: "Mon 7 Dec 08:10", Dwell: "4 h 30 min"}}}
	text := r.SiteStatus(s).Console()
	for _, want := range []string{"APAPA (Apapa Port)", "T28737LA has been here 4 h 30 min", "1. T28737LA — 4 h 30 min", "2. T11985LA — 40 min",
		"median stay 3 h, 90% within 6 h (12 visits)"} {
		if !strings.Contains(text, want) {
			t.Errorf("card lacks %q:\n%s", want, text)
		}
	}
	empty := r.SiteStatus(&tools.SiteStatus{Site: "ECLAT (Eclat)", Code: "ECLAT", Typical: tools.TypicalDwell{Days: 7}}).Console()
	if !strings.Contains(empty, "No trucks inside now") || !strings.Contains(empty, "No finished visits in the last 7 days") {
		t.Errorf("empty card:\n%s", empty)
	}
}

func TestDigestSummaryWaits(t *testing.T) {
	r := NewRenderer(nil)
	at := time.Date(2026, 12, 7, 7, 10, 0, 0, time.UTC)
	d := &fleet.DailySummary{Date: at,
		LongestWaits: []fleet.SiteWait{{Plate: "T28737LA", SiteCode: "APAPA", EnteredAt: at, Dwell: 26 * time.Hour}, {Plate: "T11985LA", SiteCode: "TINCAN", EnteredAt: at, Dwell: 3 * time.Hour}},
		WorstQueue:   &fleet.SiteQueue{SiteCode: "APAPA", Trucks: 14, Longest: 26 * time.Hour}}
	text := r.DigestSummary(d).Console()
	for _, want := range []string{"Longest waits now", "1. T28737LA at APAPA — 26 h", "2. T11985LA at TINCAN — 3 h", "Worst queue: APAPA — 14 inside, longest 26 h"} {
		if !strings.Contains(text, want) {
			t.Errorf("digest lacks %q:\n%s", want, text)
		}
	}
	if text := r.DigestSummary(&fleet.DailySummary{Date: at}).Console(); strings.Contains(text, "Longest waits") {
		t.Errorf("digest without waits mentions them:\n%s", text)
	}
}
