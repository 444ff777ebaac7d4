package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
)

func TestJobRuns(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	slot := time.Date(2026, 3, 2, 6, 0, 0, 0, time.UTC)

	claimed, err := s.ClaimJobRun(ctx, "daily_summary", slot, "replica-a")
	must(t, err)
	again, err := s.ClaimJobRun(ctx, "daily_summary", slot, "replica-b")
	must(t, err)
	if !claimed || again {
		t.Errorf("ClaimJobRun = %v then %v; want true then false", claimed, again)
	}
	must(t, s.FinishJobRun(ctx, "daily_summary", slot, "ok", "", 1500*time.Millisecond))
	wantCode(t, "FinishJobRun unclaimed", s.FinishJobRun(ctx, "daily_summary", slot.Add(time.Hour), "ok", "", 0), fleet.ENOTFOUND)

	later := slot.Add(24 * time.Hour)
	_, err = s.ClaimJobRun(ctx, "daily_summary", later, "replica-b")
	must(t, err)
	_, err = s.ClaimJobRun(ctx, "retention", slot, "replica-a")
	must(t, err)

	runs, err := s.LastJobRuns(ctx)
	must(t, err)
	ds := runs["daily_summary"]
	if len(runs) != 2 || !ds.Slot.Equal(later) || ds.Replica != "replica-b" || !ds.FinishedAt.IsZero() || ds.Outcome != "running" {
		t.Errorf("LastJobRuns = %+v; want the running later slot of daily_summary and retention", runs)
	}
}
