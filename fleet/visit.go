package fleet

import (
	"cmp"
	"slices"
	"strconv"
	"time"
)

// Visit is one stay of a truck inside a site: from the first fix inside to the first fix
// outside (beyond the radius plus GeofenceExitMarginM), in fix time. ExitedAt is nil while the
// truck is still inside.
type Visit struct {
	ID        int64
	Plate     string
	SiteCode  string
	EnteredAt time.Time
	ExitedAt  *time.Time
}

// Open reports whether the truck is still inside.
func (v Visit) Open() bool { return v.ExitedAt == nil }

// Dwell is how long the visit lasted, or has lasted so far at now while it is open.
func (v Visit) Dwell(now time.Time) time.Duration {
	end := now
	if v.ExitedAt != nil {
		end = *v.ExitedAt
	}
	return max(end.Sub(v.EnteredAt), 0)
}

// VisitMark is an entry or exit decided by the geofence rule, for the store to record as a
// visit: Entered set on entry (the first fix inside), Exited on exit (the first fix outside).
type VisitMark struct {
	Plate    string
	SiteCode string
	Entered  *time.Time
	Exited   *time.Time
}

// DwellWindow is the period over which a site's typical dwell is measured.
const DwellWindow = 7 * 24 * time.Hour

// DwellStats is how long finished visits of a site lasted over DwellWindow: the median and
// 90th percentile, and how many visits they rest on. Visits is 0 when the site has no history.
type DwellStats struct {
	Visits int
	Median time.Duration
	P90    time.Duration
}

// DwellThreshold is how long a truck may stay inside a site before a dwell alert: the site's
// p90 over DwellWindow, but at least min (DWELL_ALERT_MIN); a site with no history uses min.
func DwellThreshold(s DwellStats, min time.Duration) time.Duration {
	if s.Visits == 0 {
		return min
	}
	return max(s.P90, min)
}

// DwellKey is the incident key of a dwell alert: one per truck and site at a time, resolved
// when the truck leaves, so each visit raises at most one.
func DwellKey(plate, site string) string { return IncidentKey(AlertDwell, plate+":"+site) }

// SiteWait is one truck inside a site now and how long it has been there.
type SiteWait struct {
	Plate     string        `json:"plate"`
	SiteCode  string        `json:"site"`
	EnteredAt time.Time     `json:"entered_at"`
	Dwell     time.Duration `json:"dwell"`
}

// SiteQueue is how many trucks are inside a site now, and the longest wait among them.
type SiteQueue struct {
	SiteCode string        `json:"site"`
	Trucks   int           `json:"trucks"`
	Longest  time.Duration `json:"longest"`
}

// SummaryWaits is how many of the longest current waits the daily summary lists.
const SummaryWaits = 5

// Queues reads the open visits at now: the top longest waits (longest first) and the worst
// queue, the site with the most trucks inside (ties: the longer longest wait, then the code);
// nil when nobody is inside a site.
func Queues(open []Visit, now time.Time, top int) ([]SiteWait, *SiteQueue) {
	waits := make([]SiteWait, 0, len(open))
	for _, v := range open {
		waits = append(waits, SiteWait{Plate: v.Plate, SiteCode: v.SiteCode, EnteredAt: v.EnteredAt, Dwell: v.Dwell(now)})
	}
	SortWaits(waits)
	site, n := WorstQueue(waits)
	if site == "" {
		return waits[:0], nil
	}
	q := &SiteQueue{SiteCode: site, Trucks: n}
	for _, w := range waits {
		if w.SiteCode == site {
			q.Longest = w.Dwell
			break
		}
	}
	return waits[:min(top, len(waits))], q
}

// SiteStatus is a site's queue: the trucks inside now, longest wait first, and the typical
// dwell over DwellWindow.
type SiteStatus struct {
	Site   Site
	At     time.Time
	Inside []SiteWait
	Stats  DwellStats
}

// NewSiteStatus builds the status of site at now from its open visits and its stats; the
// trucks are listed longest wait first (then by plate). Every surface (Slack, the model, the
// API) shows this value.
func NewSiteStatus(site Site, open []Visit, stats DwellStats, now time.Time) SiteStatus {
	st := SiteStatus{Site: site, At: now, Stats: stats, Inside: make([]SiteWait, 0, len(open))}
	for _, v := range open {
		st.Inside = append(st.Inside, SiteWait{Plate: v.Plate, SiteCode: site.Code, EnteredAt: v.EnteredAt, Dwell: v.Dwell(now)})
	}
	SortWaits(st.Inside)
	return st
}

// SortWaits orders waits longest first, then by plate.
func SortWaits(w []SiteWait) {
	slices.SortStableFunc(w, func(a, b SiteWait) int {
		return cmp.Or(cmp.Compare(b.Dwell, a.Dwell), cmp.Compare(a.Plate, b.Plate))
	})
}

// WorstQueue returns the site with the most trucks inside among waits (ties: the longer
// longest wait, then the code), and how many; "" when nobody waits.
func WorstQueue(waits []SiteWait) (site string, trucks int) {
	count, longest := map[string]int{}, map[string]time.Duration{}
	for _, w := range waits {
		count[w.SiteCode]++
		longest[w.SiteCode] = max(longest[w.SiteCode], w.Dwell)
	}
	for code, n := range count {
		better := n > trucks || (n == trucks && longest[code] > longest[site]) ||
			(n == trucks && longest[code] == longest[site] && code < site)
		if site == "" || better {
			site, trucks = code, n
		}
	}
	return site, trucks
}

// ReviseVisit applies the visit rule (first fix inside to first fix outside) to v again over
// fixes, the truck's stored fixes around it in any order, after fixes arrived late. The entry
// moves earlier to the first of an unbroken run of fixes inside s that ends at v's entry; the
// exit moves earlier to the first fix after the entry beyond s's radius plus
// GeofenceExitMarginM. When an open visit gets an exit that way the truck has come back since:
// next is the visit that started at the first fix inside after that exit (nil when none is).
// changed is false when nothing moved.
func ReviseVisit(v Visit, s Site, fixes []Position) (revised Visit, next *Visit, changed bool) {
	fixes = slices.Clone(fixes)
	slices.SortFunc(fixes, func(a, b Position) int { return a.FixTime.Compare(b.FixTime) })
	revised = v
	start := slices.IndexFunc(fixes, func(p Position) bool { return !p.FixTime.Before(v.EnteredAt) })
	if start < 0 {
		start = len(fixes)
	}
	for i := start - 1; i >= 0 && s.Contains(fixes[i].Point); i-- {
		revised.EnteredAt = fixes[i].FixTime
	}
	outside := func(p Position) bool { return DistanceM(s.Point, p.Point) > s.RadiusM+GeofenceExitMarginM }
	for i := start; i < len(fixes); i++ {
		p := fixes[i]
		if v.ExitedAt != nil && !p.FixTime.Before(*v.ExitedAt) {
			break
		}
		if !outside(p) {
			continue
		}
		at := p.FixTime
		revised.ExitedAt = &at
		if v.Open() {
			next = returnedAfter(v, s, fixes[i+1:])
		}
		break
	}
	changed = !revised.EnteredAt.Equal(v.EnteredAt) || !sameTime(revised.ExitedAt, v.ExitedAt)
	return revised, next, changed
}

// returnedAfter is the open visit that starts at the first fix inside s among after (sorted),
// when every later fix stays within the exit margin.
func returnedAfter(v Visit, s Site, after []Position) *Visit {
	for i, p := range after {
		if !s.Contains(p.Point) {
			continue
		}
		for _, q := range after[i:] {
			if DistanceM(s.Point, q.Point) > s.RadiusM+GeofenceExitMarginM {
				return nil
			}
		}
		return &Visit{Plate: v.Plate, SiteCode: v.SiteCode, EnteredAt: p.FixTime}
	}
	return nil
}

func sameTime(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}

// DwellMessage is the text of the dwell alert of visit v at now: truck, site and how long,
// and what is usual there ("T28737LA has been at Apapa Port (APAPA) for 4 h 10 min; 90% of
// visits there in the last 7 days took under 3 h 30 min").
func DwellMessage(v Visit, siteName string, st DwellStats, now time.Time) string {
	where := v.SiteCode
	if siteName != "" {
		where = siteName + " (" + v.SiteCode + ")"
	}
	msg := v.Plate + " has been at " + where + " for " + FormatDuration(v.Dwell(now))
	if st.Visits == 0 {
		return msg + "; no visits there in the last 7 days to compare with"
	}
	return msg + "; 90% of the " + strconv.Itoa(st.Visits) + " visits there in the last 7 days took under " + FormatDuration(st.P90)
}
