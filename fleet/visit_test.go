package fleet

import (
	"strings"
	"testing"
	"time"
)

var (
	vT0   = time.Date(2026, 12, 7, 6, 0, 0, 0, time.UTC)
	vSite = Site{Code: "APAPA", Name: "Apapa Port", Point: Point{Lat: 6.45, Lng: 3.36}, RadiusM: 200}
	vOut  = Point{Lat: 6.46, Lng: 3.36} // ~1.1 km north
	vEdge = Point{Lat: 6.45 + 0.0020, Lng: 3.36}
)

func vFix(m int, p Point) Position {
	return Position{FixTime: vT0.Add(time.Duration(m) * time.Minute), Point: p}
}
func vAt(m int) *time.Time { t := vT0.Add(time.Duration(m) * time.Minute); return &t }

func TestReviseVisit(t *testing.T) {
	closed := Visit{Plate: "T1", SiteCode: "APAPA", EnteredAt: *vAt(10), ExitedAt: vAt(100)}
	open := Visit{Plate: "T1", SiteCode: "APAPA", EnteredAt: *vAt(10)}
	in := vSite.Point
	cases := []struct {
		name        string
		v           Visit
		fixes       []Position
		wantIn      int
		wantOut     *time.Time
		wantNext    *time.Time
		wantChanged bool
	}{
		{"nothing late", closed, []Position{vFix(0, vOut), vFix(10, in), vFix(50, in), vFix(100, vOut)}, 10, vAt(100), nil, false},
		{"inside fixes before the entry move it back", closed, []Position{vFix(0, vOut), vFix(4, in), vFix(7, in), vFix(10, in)}, 4, vAt(100), nil, true},
		{"an outside fix stops the walk back", closed, []Position{vFix(2, in), vFix(5, vOut), vFix(7, in), vFix(10, in)}, 7, vAt(100), nil, true},
		{"an outside fix inside the visit ends it there", closed, []Position{vFix(10, in), vFix(40, vOut), vFix(50, in), vFix(100, vOut)}, 10, vAt(40), nil, true},
		{"within the exit margin is still inside", closed, []Position{vFix(10, in), vFix(40, vEdge), vFix(100, vOut)}, 10, vAt(100), nil, false},
		{"order of the fixes does not matter", closed, []Position{vFix(100, vOut), vFix(40, vOut), vFix(10, in), vFix(4, in)}, 4, vAt(40), nil, true},
		{"an open visit with an exit starts again at the return", open, []Position{vFix(10, in), vFix(40, vOut), vFix(45, vOut), vFix(50, in), vFix(60, in)}, 10, vAt(40), vAt(50), true},
		{"no return when the truck is still out", open, []Position{vFix(10, in), vFix(40, vOut), vFix(50, in), vFix(60, vOut)}, 10, vAt(40), nil, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, next, changed := ReviseVisit(c.v, vSite, c.fixes)
			if !got.EnteredAt.Equal(*vAt(c.wantIn)) || !sameTime(got.ExitedAt, c.wantOut) || changed != c.wantChanged {
				t.Errorf("ReviseVisit = %v → %v changed %v; want %v → %v changed %v", got.EnteredAt, got.ExitedAt, changed, *vAt(c.wantIn), c.wantOut, c.wantChanged)
			}
			switch {
			case c.wantNext == nil && next != nil:
				t.Errorf("next = %+v; want none", next)
			case c.wantNext != nil && (next == nil || !next.EnteredAt.Equal(*c.wantNext) || !next.Open()):
				t.Errorf("next = %+v; want an open visit from %v", next, c.wantNext)
			}
		})
	}
}

func TestDwellThreshold(t *testing.T) {
	min := 3 * time.Hour
	cases := []struct {
		name  string
		stats DwellStats
		want  time.Duration
	}{
		{"no history", DwellStats{}, min},
		{"p90 below the minimum", DwellStats{Visits: 40, Median: time.Hour, P90: 2 * time.Hour}, min},
		{"p90 above the minimum", DwellStats{Visits: 40, Median: 4 * time.Hour, P90: 7 * time.Hour}, 7 * time.Hour},
	}
	for _, c := range cases {
		if got := DwellThreshold(c.stats, min); got != c.want {
			t.Errorf("%s: DwellThreshold = %v; want %v", c.name, got, c.want)
		}
	}
}

func TestQueues(t *testing.T) {
	now := vT0.Add(10 * time.Hour)
	var open []Visit
	for i, v := range []struct {
		site string
		h    int
	}{{"APAPA", 1}, {"TINCAN", 9}, {"APAPA", 2}, {"TINCAN", 3}, {"ECLAT", 5}, {"APAPA", 4}, {"ECLAT", 6}} {
		open = append(open, Visit{Plate: string(rune('A' + i)), SiteCode: v.site, EnteredAt: now.Add(-time.Duration(v.h) * time.Hour)})
	}
	top, worst := Queues(open, now, 5)
	var got []string
	for _, w := range top {
		got = append(got, w.Plate+w.SiteCode)
	}
	if strings.Join(got, ",") != "BTINCAN,GECLAT,EECLAT,FAPAPA,DTINCAN" {
		t.Errorf("top waits = %v; want the five longest, longest first", got)
	}
	if worst == nil || worst.SiteCode != "APAPA" || worst.Trucks != 3 || worst.Longest != 4*time.Hour {
		t.Errorf("worst = %+v; want APAPA with 3 trucks, longest 4 h", worst)
	}
	if top, worst := Queues(nil, now, 5); len(top) != 0 || worst != nil {
		t.Errorf("Queues(none) = %v, %v; want nothing", top, worst)
	}
}

func TestDetectExitMarksVisitAndResolvesDwell(t *testing.T) {
	th := DefaultThresholds()
	st := TruckState{Plate: "T1", FixTime: vT0, Point: vSite.Point, SiteCode: "APAPA", SiteSince: vAt(0)}
	d := DetectPosition(st, Position{Plate: "T1", FixTime: *vAt(60), Point: vOut}, []Site{vSite}, nil, th)
	if len(d.Visits) != 1 || d.Visits[0].Exited == nil || !d.Visits[0].Exited.Equal(*vAt(60)) {
		t.Errorf("visits = %+v; want the exit at 60 min", d.Visits)
	}
	found := false
	for _, k := range d.Resolve {
		found = found || k == DwellKey("T1", "APAPA")
	}
	if !found {
		t.Errorf("resolve = %v; want the dwell incident", d.Resolve)
	}
	in := DetectPosition(TruckState{Plate: "T1", FixTime: vT0, Point: vOut}, Position{Plate: "T1", FixTime: *vAt(1), Point: vSite.Point}, []Site{vSite}, nil, th)
	in = DetectPosition(in.State, Position{Plate: "T1", FixTime: *vAt(7), Point: vSite.Point}, []Site{vSite}, nil, th)
	if len(in.Visits) != 1 || in.Visits[0].Entered == nil || !in.Visits[0].Entered.Equal(*vAt(1)) {
		t.Errorf("visits = %+v; want the entry at the first fix inside (1 min)", in.Visits)
	}
}

func TestDwellMessage(t *testing.T) {
	v := Visit{Plate: "T28737LA", SiteCode: "APAPA", EnteredAt: vT0}
	got := DwellMessage(v, "Apapa Port", DwellStats{Visits: 36, P90: 210 * time.Minute}, vT0.Add(250*time.Minute))
	want := "T28737LA has been at Apapa Port (APAPA) for 4 h 10 min; 90% of the 36 visits there in the last 7 days took under 3 h 30 min"
	if got != want {
		t.Errorf("DwellMessage = %q; want %q", got, want)
	}
}
