package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/store"
	"github.com/watchtower-ops/watchtower/store/storetest"
)

// visitTrack is a truck's drive into APAPA and out again, a fix a minute: on the road at 0,
// inside from 10 min (the first fix inside), outside from 2 h (the first fix outside).
func visitTrack(plate string, firstID int) []fleet.Observation {
	var obs []fleet.Observation
	n := firstID
	add := func(at time.Duration, p fleet.Point, kmh float64) {
		obs = append(obs, igFix(igID(n), plate, at, p, kmh))
		n++
	}
	add(0, igRoad, 40)
	for m := 10; m < 120; m += 10 {
		add(time.Duration(m)*time.Minute, igOrigin.Point, 0)
	}
	add(2*time.Hour, igRoad, 40)
	add(2*time.Hour+time.Minute, igRoad, 40)
	return obs
}

// visitsOf returns every stored visit of plate, oldest first.
func visitsOf(t *testing.T, pool *pgxpool.Pool, plate string) []fleet.Visit {
	t.Helper()
	rows, err := pool.Query(context.Background(),
		`SELECT plate, site_code, entered_at, exited_at FROM site_visits WHERE plate = $1 ORDER BY entered_at`, plate)
	must(t, err)
	defer rows.Close()
	var out []fleet.Visit
	for rows.Next() {
		var v fleet.Visit
		must(t, rows.Scan(&v.Plate, &v.SiteCode, &v.EnteredAt, &v.ExitedAt))
		out = append(out, v)
	}
	must(t, rows.Err())
	return out
}

// wantVisits fails t unless plate's visits are exactly want (entered, exited offsets from igT0;
// exited < 0: still open).
func wantVisits(t *testing.T, pool *pgxpool.Pool, plate string, want ...[2]time.Duration) {
	t.Helper()
	got := visitsOf(t, pool, plate)
	if len(got) != len(want) {
		t.Fatalf("%s has %d visits %+v; want %d", plate, len(got), got, len(want))
	}
	for i, w := range want {
		v := got[i]
		if !v.EnteredAt.Equal(igT0.Add(w[0])) {
			t.Errorf("visit %d entered %v; want %v", i, v.EnteredAt.Sub(igT0), w[0])
		}
		switch {
		case w[1] < 0 && v.ExitedAt != nil:
			t.Errorf("visit %d exited %v; want still open", i, v.ExitedAt.Sub(igT0))
		case w[1] >= 0 && (v.ExitedAt == nil || !v.ExitedAt.Equal(igT0.Add(w[1]))):
			t.Errorf("visit %d exited %v; want %v", i, v.ExitedAt, w[1])
		}
	}
}

func igSetupPool(t *testing.T) (*store.Store, *pgxpool.Pool) {
	t.Helper()
	s, pool := newStore(t)
	ctx := context.Background()
	for _, site := range []fleet.Site{igOrigin, igDest} {
		_, err := s.UpsertSite(ctx, site)
		must(t, err)
	}
	_, err := s.CreateTruck(ctx, fleet.Truck{Plate: "T11985LA", IMEI: "IMEI-T11985LA"})
	must(t, err)
	return s, pool
}

func TestVisitFirstFixInsideToFirstFixOutside(t *testing.T) {
	th := fleet.DefaultThresholds()
	track := visitTrack("T11985LA", 1)
	cases := map[string]func([]fleet.Observation) [][]fleet.Observation{
		"in order, one batch":  func(o []fleet.Observation) [][]fleet.Observation { return [][]fleet.Observation{o} },
		"one fix per batch":    eachAlone,
		"shuffled, one batch":  func(o []fleet.Observation) [][]fleet.Observation { return [][]fleet.Observation{shuffled(o)} },
		"replayed twice":       func(o []fleet.Observation) [][]fleet.Observation { return [][]fleet.Observation{o, o} },
		"exit batch then rest": func(o []fleet.Observation) [][]fleet.Observation { return [][]fleet.Observation{o[:8], o[8:], o} },
	}
	for name, split := range cases {
		t.Run(name, func(t *testing.T) {
			s, pool := igSetupPool(t)
			for _, b := range split(track) {
				_, err := s.ApplyIngest(context.Background(), ingestStream, b, th)
				must(t, err)
			}
			wantVisits(t, pool, "T11985LA", [2]time.Duration{10 * time.Minute, 2 * time.Hour})
		})
	}
}

func eachAlone(o []fleet.Observation) [][]fleet.Observation {
	out := make([][]fleet.Observation, len(o))
	for i := range o {
		out[i] = o[i : i+1]
	}
	return out
}

func shuffled(o []fleet.Observation) []fleet.Observation {
	c := append([]fleet.Observation(nil), o...)
	r := rand.New(rand.NewPCG(1, 2))
	r.Shuffle(len(c), func(i, j int) { c[i], c[j] = c[j], c[i] })
	return c
}

// A restart in the middle of a visit: a new process (a new pool, nothing carried in memory)
// applies the rest, and the visit ends where the first fix outside says.
func TestVisitSurvivesRestart(t *testing.T) {
	th := fleet.DefaultThresholds()
	s, pool := igSetupPool(t)
	track := visitTrack("T11985LA", 1)
	_, err := s.ApplyIngest(context.Background(), ingestStream, track[:6], th)
	must(t, err)
	wantVisits(t, pool, "T11985LA", [2]time.Duration{10 * time.Minute, -1})

	again, err := pgxpool.New(context.Background(), storetest.URL(pool))
	must(t, err)
	defer again.Close()
	restarted := store.New(again)
	// The crashed process's last batch is redelivered along with the rest.
	_, err = restarted.ApplyIngest(context.Background(), ingestStream, track[4:], th)
	must(t, err)
	wantVisits(t, pool, "T11985LA", [2]time.Duration{10 * time.Minute, 2 * time.Hour})
}

// Two consumers (two processes) get overlapping batches of the same truck at once, as after a
// reclaim: one visit, neither doubled nor lost.
func TestVisitTwoConsumers(t *testing.T) {
	th := fleet.DefaultThresholds()
	for range 3 {
		s, pool := igSetupPool(t)
		other, err := pgxpool.New(context.Background(), storetest.URL(pool))
		must(t, err)
		s2 := store.New(other)
		track := visitTrack("T11985LA", 1)
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, st := range []*store.Store{s, s2} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for _, b := range [][]fleet.Observation{track[:7+i], track[3+i:]} {
					if _, err := st.ApplyIngest(context.Background(), ingestStream, b, th); err != nil {
						errs[i] = err
					}
				}
			}()
		}
		wg.Wait()
		other.Close()
		for _, err := range errs {
			must(t, err)
		}
		wantVisits(t, pool, "T11985LA", [2]time.Duration{10 * time.Minute, 2 * time.Hour})
	}
}

func TestVisitLateFixes(t *testing.T) {
	th := fleet.DefaultThresholds()
	track := visitTrack("T11985LA", 1)
	// A fix inside at 5 min (before the first one seen inside) and one outside at 65 min, each
	// arriving after everything else.
	inside5 := igFix(igID(100), "T11985LA", 5*time.Minute, igOrigin.Point, 0)
	outside65 := igFix(igID(101), "T11985LA", 65*time.Minute, igRoad, 30)
	t.Run("late fix inside moves the entry earlier", func(t *testing.T) {
		s, pool := igSetupPool(t)
		apply(t, s, th, track, []fleet.Observation{inside5})
		wantVisits(t, pool, "T11985LA", [2]time.Duration{5 * time.Minute, 2 * time.Hour})
	})
	t.Run("late fix outside moves the exit earlier", func(t *testing.T) {
		s, pool := igSetupPool(t)
		apply(t, s, th, track, []fleet.Observation{outside65})
		wantVisits(t, pool, "T11985LA", [2]time.Duration{10 * time.Minute, 65 * time.Minute})
	})
	t.Run("late fix outside splits the visit still open", func(t *testing.T) {
		s, pool := igSetupPool(t)
		apply(t, s, th, track[:10], []fleet.Observation{outside65})
		wantVisits(t, pool, "T11985LA", [2]time.Duration{10 * time.Minute, 65 * time.Minute}, [2]time.Duration{70 * time.Minute, -1})
		st, err := s.TruckState(context.Background(), "T11985LA")
		must(t, err)
		if st.SiteSince == nil || !st.SiteSince.Equal(igT0.Add(70*time.Minute)) {
			t.Errorf("state site since %v; want the return at 70 min", st.SiteSince)
		}
		// The exit still closes the current visit.
		apply(t, s, th, track[10:])
		wantVisits(t, pool, "T11985LA", [2]time.Duration{10 * time.Minute, 65 * time.Minute}, [2]time.Duration{70 * time.Minute, 2 * time.Hour})
	})
	t.Run("late fix inside before an earlier fix outside changes nothing", func(t *testing.T) {
		s, pool := igSetupPool(t)
		early := igFix(igID(102), "T11985LA", -5*time.Minute, igOrigin.Point, 0)
		apply(t, s, th, track, []fleet.Observation{early})
		wantVisits(t, pool, "T11985LA", [2]time.Duration{10 * time.Minute, 2 * time.Hour})
	})
	t.Run("late fixes replayed change nothing more", func(t *testing.T) {
		s, pool := igSetupPool(t)
		apply(t, s, th, track, []fleet.Observation{inside5, outside65}, []fleet.Observation{inside5, outside65})
		wantVisits(t, pool, "T11985LA", [2]time.Duration{5 * time.Minute, 65 * time.Minute})
	})
}

func apply(t *testing.T, s *store.Store, th fleet.Thresholds, batches ...[]fleet.Observation) {
	t.Helper()
	for _, b := range batches {
		_, err := s.ApplyIngest(context.Background(), ingestStream, b, th)
		must(t, err)
	}
}

func TestVisitExitResolvesDwellAlert(t *testing.T) {
	th := fleet.DefaultThresholds()
	s, _ := igSetupPool(t)
	ctx := context.Background()
	track := visitTrack("T11985LA", 1)
	apply(t, s, th, track[:10])
	_, created, err := s.OpenAlert(ctx, fleet.Alert{Kind: fleet.AlertDwell, IncidentKey: fleet.DwellKey("T11985LA", "APAPA"),
		Plate: "T11985LA", SiteCode: "APAPA", Severity: fleet.SeverityWarning, Message: "waiting", OpenedAt: igT0.Add(time.Hour)})
	must(t, err)
	if !created {
		t.Fatal("dwell alert not created")
	}
	out, err := s.ApplyIngest(ctx, ingestStream, track[10:], th)
	must(t, err)
	resolved := false
	for _, n := range out.Notifications {
		if n.Kind == fleet.NotifyAlertResolved && n.Alert != nil && n.Alert.Kind == fleet.AlertDwell {
			resolved = true
		}
	}
	if !resolved {
		t.Errorf("exit notifications %+v; want the dwell alert resolved", out.Notifications)
	}
	if _, err := s.OpenAlertByKey(ctx, fleet.DwellKey("T11985LA", "APAPA")); fleet.ErrorCode(err) != fleet.ENOTFOUND {
		t.Errorf("dwell alert still open after exit (err %v)", err)
	}
}

func TestSiteStatus(t *testing.T) {
	s, pool := igSetupPool(t)
	ctx := context.Background()
	now := igT0.Add(10 * 24 * time.Hour)
	// Finished visits of APAPA: ten in the window lasting 1..10 h, one too old, one at ECLAT.
	for i := 1; i <= 10; i++ {
		in := now.Add(-time.Duration(i) * 12 * time.Hour)
		insertVisit(t, pool, "T11985LA", "APAPA", in, in.Add(time.Duration(i)*time.Hour))
	}
	insertVisit(t, pool, "T11985LA", "APAPA", now.Add(-9*24*time.Hour), now.Add(-8*24*time.Hour))
	insertVisit(t, pool, "T11985LA", "ECLAT", now.Add(-5*time.Hour), now.Add(-4*time.Hour))
	insertVisit(t, pool, "T28737LA", "APAPA", now.Add(-3*time.Hour), time.Time{})
	insertVisit(t, pool, "T11111LA", "APAPA", now.Add(-30*time.Minute), time.Time{})

	st, err := s.SiteStatus(ctx, igOrigin, now)
	must(t, err)
	want := fleet.DwellStats{Visits: 10, Median: 5*time.Hour + 30*time.Minute, P90: 9*time.Hour + 6*time.Minute}
	if st.Stats != want {
		t.Errorf("stats = %+v; want %+v", st.Stats, want)
	}
	if len(st.Inside) != 2 || st.Inside[0].Plate != "T28737LA" || st.Inside[0].Dwell != 3*time.Hour ||
		st.Inside[1].Plate != "T11111LA" || st.Inside[1].Dwell != 30*time.Minute {
		t.Errorf("inside = %+v; want T28737LA 3 h then T11111LA 30 min", st.Inside)
	}
	empty, err := s.SiteStatus(ctx, igDest, now.Add(30*24*time.Hour))
	must(t, err)
	if empty.Stats.Visits != 0 || len(empty.Inside) != 0 {
		t.Errorf("ECLAT a month later = %+v; want no visits and nobody inside", empty)
	}
	open, err := s.OpenVisits(ctx, now.Add(-time.Hour))
	must(t, err)
	if len(open) != 1 || open[0].Plate != "T28737LA" {
		t.Errorf("OpenVisits(an hour ago) = %+v; want T28737LA only", open)
	}
}

func insertVisit(t *testing.T, pool *pgxpool.Pool, plate, site string, in, out time.Time) {
	t.Helper()
	var exited *time.Time
	if !out.IsZero() {
		exited = &out
	}
	_, err := pool.Exec(context.Background(), `INSERT INTO site_visits (plate, site_code, entered_at, exited_at) VALUES ($1, $2, $3, $4)`,
		plate, site, in, exited)
	must(t, err)
}

func TestDailySummaryWaits(t *testing.T) {
	s, pool := igSetupPool(t)
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Minute)
	// ECLAT has 3 trucks inside (longest 2 h), APAPA 3 (longest 9 h), one truck left APAPA.
	for i, h := range []int{9, 1, 3} {
		insertVisit(t, pool, fmt.Sprintf("T1000%dLA", i), "APAPA", now.Add(-time.Duration(h)*time.Hour), time.Time{})
	}
	for i, h := range []int{2, 4 * 60, 30} {
		insertVisit(t, pool, fmt.Sprintf("T2000%dLA", i), "ECLAT", now.Add(-time.Duration(h)*time.Minute), time.Time{})
	}
	insertVisit(t, pool, "T30000LA", "APAPA", now.Add(-20*time.Hour), now.Add(-time.Hour))
	sum, err := s.DailySummary(ctx, fleet.Day(now, fleet.Lagos()), now, fleet.DefaultThresholds())
	must(t, err)
	var got []string
	for _, w := range sum.LongestWaits {
		got = append(got, fmt.Sprintf("%s@%s %v", w.Plate, w.SiteCode, w.Dwell))
	}
	want := []string{"T10000LA@APAPA 9h0m0s", "T20001LA@ECLAT 4h0m0s", "T10002LA@APAPA 3h0m0s", "T10001LA@APAPA 1h0m0s", "T20002LA@ECLAT 30m0s"}
	if !slices.Equal(got, want) {
		t.Errorf("longest waits = %v; want %v", got, want)
	}
	if q := sum.WorstQueue; q == nil || q.SiteCode != "APAPA" || q.Trucks != 3 || q.Longest != 9*time.Hour {
		t.Errorf("worst queue = %+v; want APAPA, 3 trucks, longest 9 h (ties with ECLAT on count)", q)
	}
}

func TestPruneVisits(t *testing.T) {
	s, pool := igSetupPool(t)
	now := time.Now().UTC()
	insertVisit(t, pool, "T1", "APAPA", now.Add(-400*24*time.Hour), now.Add(-399*24*time.Hour))
	insertVisit(t, pool, "T1", "APAPA", now.Add(-30*24*time.Hour), now.Add(-29*24*time.Hour))
	insertVisit(t, pool, "T2", "APAPA", now.Add(-500*24*time.Hour), time.Time{}) // still inside: kept
	n, err := s.PruneVisits(context.Background(), now.Add(-365*24*time.Hour))
	must(t, err)
	if n != 1 || len(visitsOf(t, pool, "T1")) != 1 || len(visitsOf(t, pool, "T2")) != 1 {
		t.Errorf("PruneVisits removed %d; want only the visit that ended 399 days ago", n)
	}
}

// TestSiteStatusCountsArrivals: a truck inside a site whose entry is not confirmed yet (one
// fix inside, less than GeofenceDwell ago) is inside now from its first fix inside, as the
// truck list's "at <site>" says, though it has no stored visit yet.
func TestSiteStatusCountsArrivals(t *testing.T) {
	th := fleet.DefaultThresholds()
	s, pool := igSetupPool(t)
	track := visitTrack("T11985LA", 1)
	apply(t, s, th, track[:2]) // on the road, then the first fix inside at 10 min
	if v := visitsOf(t, pool, "T11985LA"); len(v) != 0 {
		t.Fatalf("visits %+v before the entry is confirmed; want none", v)
	}
	st, err := s.SiteStatus(context.Background(), igOrigin, igT0.Add(12*time.Minute))
	must(t, err)
	if len(st.Inside) != 1 || st.Inside[0].Plate != "T11985LA" || st.Inside[0].Dwell != 2*time.Minute {
		t.Errorf("inside = %+v; want T11985LA for 2 min", st.Inside)
	}
	apply(t, s, th, track[2:]) // confirmed, then out again
	st, err = s.SiteStatus(context.Background(), igOrigin, igT0.Add(3*time.Hour))
	must(t, err)
	if len(st.Inside) != 0 {
		t.Errorf("inside after the exit = %+v; want nobody", st.Inside)
	}
	wantVisits(t, pool, "T11985LA", [2]time.Duration{10 * time.Minute, 2 * time.Hour})
}
