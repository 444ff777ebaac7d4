package store_test

import (
	"context"
	"testing"
	"time"
)

func TestPruneJobRuns(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	now := time.Date(2025, 11, 24, 2, 0, 0, 0, time.UTC)
	for job, age := range map[string]time.Duration{"old": 100 * 24 * time.Hour, "recent": time.Hour} {
		_, err := s.ClaimJobRun(ctx, job, now.Add(-age), "r")
		must(t, err)
	}
	n, err := s.PruneJobRuns(ctx, now.Add(-90*24*time.Hour))
	must(t, err)
	runs, err := s.LastJobRuns(ctx)
	must(t, err)
	if _, old := runs["old"]; n != 1 || old || len(runs) != 1 {
		t.Errorf("PruneJobRuns = %d, left %v; want the old run deleted and the recent one kept", n, runs)
	}
}
