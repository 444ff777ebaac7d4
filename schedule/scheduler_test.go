package schedule

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
)

// memLedger is an in-memory Ledger with the same insert-once semantics as job_runs, for the
// tests that run inside a synctest bubble (whose fake clock must not reach a real socket).
type memLedger struct {
	mu   sync.Mutex
	runs map[string]map[time.Time]fleet.JobRun
}

func newMemLedger() *memLedger { return &memLedger{runs: make(map[string]map[time.Time]fleet.JobRun)} }

func (l *memLedger) ClaimJobRun(_ context.Context, job string, slot time.Time, replica string) (bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.runs[job] == nil {
		l.runs[job] = make(map[time.Time]fleet.JobRun)
	}
	if _, taken := l.runs[job][slot.UTC()]; taken {
		return false, nil
	}
	l.runs[job][slot.UTC()] = fleet.JobRun{Job: job, Slot: slot.UTC(), Replica: replica, Outcome: fleet.JobRunning}
	return true, nil
}

func (l *memLedger) FinishJobRun(_ context.Context, job string, slot time.Time, outcome, errText string, d time.Duration) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	r, ok := l.runs[job][slot.UTC()]
	if !ok {
		return fleet.Errorf(fleet.ENOTFOUND, "no run")
	}
	r.Outcome, r.Error, r.Duration = fleet.JobOutcome(outcome), errText, d
	l.runs[job][slot.UTC()] = r
	return nil
}

func (l *memLedger) LastJobRuns(context.Context) (map[string]fleet.JobRun, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make(map[string]fleet.JobRun)
	for job, slots := range l.runs {
		for _, r := range slots {
			if r.Slot.After(out[job].Slot) {
				out[job] = r
			}
		}
	}
	return out, nil
}

// slots returns the recorded slots of job in Lagos time, oldest first.
func (l *memLedger) slots(job string) []time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []time.Time
	for s := range l.runs[job] {
		out = append(out, s.In(lagos))
	}
	slices.SortFunc(out, time.Time.Compare)
	return out
}

func counter(n *atomic.Int64) Func {
	return func(context.Context, time.Time) error { n.Add(1); return nil }
}

// TestEndToEndFiring runs the real cron loop on synctest's fake clock for two days: the daily
// job fires at 06:00 Lagos each day (05:00 UTC), the five-minute job every five minutes, each
// run recorded once with the slot it was for, and the job is handed its slot as now.
func TestEndToEndFiring(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ledger := newMemLedger()
		s := New(ledger, Options{Location: lagos, Replica: "r1"})
		var nows []time.Time
		var mu sync.Mutex
		var ticks atomic.Int64
		must(t, s.Add(
			Job{Name: "daily", Spec: "0 6 * * *", Run: func(_ context.Context, now time.Time) error {
				mu.Lock()
				defer mu.Unlock()
				nows = append(nows, now)
				return nil
			}},
			Job{Name: "tick", Spec: "*/5 * * * *", Run: counter(&ticks)},
			Job{Name: "off", Spec: "* * * * *", Disabled: "NOTHING is not set"},
		))
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error)
		go func() { done <- s.Run(ctx) }()

		start := time.Now() // 2000-01-01 00:00 UTC, 01:00 in Lagos
		time.Sleep(48 * time.Hour)
		synctest.Wait()
		cancel()
		if err := <-done; err != nil {
			t.Fatalf("Run = %v; want nil after cancel", err)
		}

		want := []time.Time{at(2000, 1, 1, 6, 0), at(2000, 1, 2, 6, 0)}
		got := ledger.slots("daily")
		if len(got) != 2 || !got[0].Equal(want[0]) || !got[1].Equal(want[1]) {
			t.Errorf("daily slots = %v; want %v (start %v)", got, want, start)
		}
		if len(nows) != 2 || !nows[0].Equal(want[0]) || nows[0].Location() != lagos {
			t.Errorf("daily job got now = %v; want its slots %v in Lagos", nows, want)
		}
		if n := ticks.Load(); n != 48*12 {
			t.Errorf("tick ran %d times in 48 h; want %d", n, 48*12)
		}
		if len(ledger.slots("off")) != 0 {
			t.Errorf("disabled job was fired")
		}
	})
}

// TestPanicDoesNotStopOthers: a job that panics on every run is recorded failed with the
// panic, and the other job keeps its schedule.
func TestPanicDoesNotStopOthers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ledger := newMemLedger()
		s := New(ledger, Options{Location: lagos})
		var ticks atomic.Int64
		must(t, s.Add(
			Job{Name: "boom", Spec: "*/5 * * * *", Run: func(context.Context, time.Time) error { panic("kaboom") }},
			Job{Name: "tick", Spec: "*/5 * * * *", Run: counter(&ticks)},
		))
		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error)
		go func() { done <- s.Run(ctx) }()
		time.Sleep(time.Hour)
		synctest.Wait()
		cancel()
		<-done
		if n := ticks.Load(); n != 12 {
			t.Errorf("tick ran %d times in an hour next to a panicking job; want 12", n)
		}
		last, _ := ledger.LastJobRuns(context.Background())
		if r := last["boom"]; r.Outcome != fleet.JobFailed || !strings.HasPrefix(r.Error, "something went wrong on our side (reference WT-") {
			t.Errorf("boom's last run = %s %q; want failed, said in a sentence with a reference", r.Outcome, r.Error)
		}
		if n := len(ledger.slots("boom")); n != 12 {
			t.Errorf("boom ran %d times; want 12 (a panic does not unschedule it)", n)
		}
	})
}

// TestTwoSchedulersRunASlotOnce fires the same slot on two schedulers (two replicas) sharing
// one database, many times concurrently: the job runs once and job_runs has one row.
func TestTwoSchedulersRunASlotOnce(t *testing.T) {
	ctx := context.Background()
	db := newTestStore(t)
	var runs atomic.Int64
	job := Job{Name: "analytics", Spec: "0 6 * * *", Run: counter(&runs)}
	a := New(db, Options{Location: lagos, Replica: "replica-a"})
	b := New(db, Options{Location: lagos, Replica: "replica-b"})
	must(t, a.Add(job))
	must(t, b.Add(job))

	// Replica b's clock is a second behind and it fires late; both land on the 06:00 slot.
	fires := []struct {
		s   *Scheduler
		now time.Time
	}{
		{a, at(2025, 11, 24, 6, 0).Add(3 * time.Millisecond)},
		{b, at(2025, 11, 24, 5, 59).Add(59 * time.Second)},
		{b, at(2025, 11, 24, 6, 2)},
	}
	var wg sync.WaitGroup
	for range 4 {
		for _, f := range fires {
			wg.Go(func() { f.s.fire(ctx, f.s.entries[0], f.now) })
		}
	}
	wg.Wait()
	if n := runs.Load(); n != 1 {
		t.Fatalf("the 06:00 slot ran %d times across two replicas; want 1", n)
	}
	last, err := db.LastJobRuns(ctx)
	must(t, err)
	r := last["analytics"]
	if !r.Slot.Equal(at(2025, 11, 24, 6, 0)) || r.Outcome != fleet.JobOK || r.FinishedAt.IsZero() {
		t.Errorf("job_runs = %+v; want the 06:00 slot finished ok", r)
	}
	a.fire(ctx, a.entries[0], at(2025, 11, 25, 6, 0))
	if n := runs.Load(); n != 2 {
		t.Errorf("next day's slot: %d runs in all; want 2", n)
	}
}

// TestOutcomesRecorded checks what job_runs keeps for ok, failed, panicking and skipped runs.
func TestOutcomesRecorded(t *testing.T) {
	ctx := context.Background()
	db := newTestStore(t)
	s := New(db, Options{Location: lagos, Replica: "r"})
	must(t, s.Add(
		Job{Name: "ok", Spec: "@daily", Run: func(context.Context, time.Time) error { return nil }},
		Job{Name: "fails", Spec: "@daily", Run: func(context.Context, time.Time) error { return errors.New("disk on fire") }},
		Job{Name: "panics", Spec: "@daily", Run: func(context.Context, time.Time) error { panic("nil map") }},
		Job{Name: "unreachable", Spec: "@daily", Run: func(context.Context, time.Time) error {
			return fmt.Errorf("load: %w", fleet.Errorf(fleet.EUNAVAILABLE, "the database is unreachable"))
		}},
		Job{Name: "skips", Spec: "@daily", Run: func(context.Context, time.Time) error { return Skip("SLACK_X is not set") }},
	))
	for _, e := range s.entries {
		s.fire(ctx, e, at(2025, 11, 24, 0, 0))
	}
	last, err := db.LastJobRuns(ctx)
	must(t, err)
	for _, tc := range []struct {
		job     string
		outcome fleet.JobOutcome
		errText string
	}{
		{"ok", fleet.JobOK, ""},
		// People see the outcome: a sentence and a reference, never the error's text.
		{"fails", fleet.JobFailed, "something went wrong on our side (reference WT-"},
		{"panics", fleet.JobFailed, "something went wrong on our side (reference WT-"},
		{"unreachable", fleet.JobFailed, "the database is unreachable (reference WT-"},
		{"skips", fleet.JobSkipped, "SLACK_X is not set"},
	} {
		t.Run(tc.job, func(t *testing.T) {
			r := last[tc.job]
			if r.Outcome != tc.outcome || !strings.HasPrefix(r.Error, tc.errText) || r.Replica != "r" {
				t.Errorf("run = %s %q by %q; want %s %q by r", r.Outcome, r.Error, r.Replica, tc.outcome, tc.errText)
			}
		})
	}
}

// TestRunNow covers the manual front door: unknown names, disabled jobs, recorded runs.
func TestRunNow(t *testing.T) {
	ctx := context.Background()
	db := newTestStore(t)
	s := New(db, Options{Location: lagos, Replica: "r"})
	var runs atomic.Int64
	must(t, s.Add(
		Job{Name: "cleanup", Spec: "0 2 * * *", Run: counter(&runs)},
		Job{Name: "sheets-sync", Spec: "*/10 * * * *", Disabled: "GOOGLE_SHEETS_ID is not set"},
	))
	now := at(2025, 11, 24, 14, 3).Add(1234 * time.Microsecond)

	_, err := s.RunNow(ctx, "nope", "cli", now)
	if fleet.ErrorCode(err) != fleet.ENOTFOUND || !strings.Contains(fleet.ErrorMessage(err), "cleanup, sheets-sync") {
		t.Errorf("RunNow(nope) = %v; want ENOTFOUND listing the jobs", err)
	}
	r, err := s.RunNow(ctx, "sheets-sync", "U123", now)
	if err != nil || r.Outcome != fleet.JobSkipped || r.Error != "GOOGLE_SHEETS_ID is not set" {
		t.Errorf("RunNow(sheets-sync) = %+v, %v; want skipped with the reason", r, err)
	}
	r, err = s.RunNow(ctx, "cleanup", "U123", now)
	if err != nil || r.Outcome != fleet.JobOK || runs.Load() != 1 {
		t.Fatalf("RunNow(cleanup) = %+v, %v (runs %d); want ok once", r, err, runs.Load())
	}
	// A run in progress elsewhere (another replica's slot, still running) refuses a manual one.
	_, err = db.ClaimJobRun(ctx, "cleanup", now.Add(time.Minute), "replica-b")
	must(t, err)
	if _, err := s.RunNow(ctx, "cleanup", "U123", now.Add(2*time.Minute)); fleet.ErrorCode(err) != fleet.ECONFLICT ||
		!strings.Contains(fleet.ErrorMessage(err), "replica-b") {
		t.Errorf("RunNow while replica-b runs it = %v; want ECONFLICT naming replica-b", err)
	}
	must(t, db.FinishJobRun(ctx, "cleanup", now.Add(time.Minute), "ok", "", time.Second))
	now = now.Add(2 * time.Minute)
	r, err = s.RunNow(ctx, "cleanup", "U123", now)
	if err != nil || r.Outcome != fleet.JobOK || runs.Load() != 2 {
		t.Fatalf("RunNow(cleanup) after replica-b finished = %+v, %v; want ok", r, err)
	}
	infos, err := s.Jobs(ctx, now)
	must(t, err)
	c := infos[0]
	if c.Last == nil || c.Last.Replica != "manual:U123" || !c.Last.Slot.Equal(now) || c.Last.Outcome != fleet.JobOK {
		t.Errorf("Jobs()[cleanup].Last = %+v; want the manual run at %v", c.Last, now)
	}
	if want := at(2025, 11, 25, 2, 0); !c.Next.Equal(want) || c.Next.Location() != lagos {
		t.Errorf("Jobs()[cleanup].Next = %v; want %v in Lagos", c.Next, want)
	}
	if sh := infos[1]; !sh.Next.IsZero() || sh.Disabled == "" || sh.Last != nil {
		t.Errorf("Jobs()[sheets-sync] = %+v; want disabled, no next run, never run", sh)
	}
}

func TestAddRejects(t *testing.T) {
	s := New(newMemLedger(), Options{})
	must(t, s.Add(Job{Name: "a", Spec: "@daily", Disabled: "x"}))
	for _, tc := range []struct {
		name string
		job  Job
		code string
	}{
		{"bad spec", Job{Name: "b", Spec: "0 6 * *", Disabled: "x"}, fleet.EINVALID},
		{"six fields", Job{Name: "b", Spec: "0 0 6 * * *", Disabled: "x"}, fleet.EINVALID},
		{"no function", Job{Name: "b", Spec: "@daily"}, fleet.EINVALID},
		{"duplicate", Job{Name: "a", Spec: "@daily", Disabled: "x"}, fleet.ECONFLICT},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := s.Add(tc.job); fleet.ErrorCode(err) != tc.code {
				t.Errorf("Add(%+v) code = %s (%v); want %s", tc.job, fleet.ErrorCode(err), err, tc.code)
			}
		})
	}
}
