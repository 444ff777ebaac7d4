package main

import (
	"context"
	"strings"
	"testing"

	"github.com/watchtower-ops/watchtower/store/storetest"
)

func TestRunJobUsage(t *testing.T) {
	for _, tc := range []struct {
		name, wantErr string
		args          []string
	}{
		{"no name", "needs one job name", []string{"run-job"}},
		{"unknown name", `unknown job "nope"`, []string{"run-job", "nope"}},
		{"two names", "needs one job name", []string{"run-job", "cleanup", "analytics"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCmd(t, nil, tc.args...)
			if code != 2 || !strings.Contains(stderr, tc.wantErr) || !strings.Contains(stderr, "daily-summary") {
				t.Errorf("exit %d, stderr %q; want 2 with %q and the known jobs", code, stderr, tc.wantErr)
			}
		})
	}
	if code, _, stderr := runCmd(t, map[string]string{"SCHEDULE_DAILY_SUMMARY": "at seven"}, "run-job", "cleanup"); code != 2 ||
		!strings.Contains(stderr, "SCHEDULE_DAILY_SUMMARY") {
		t.Errorf("bad SCHEDULE_DAILY_SUMMARY: exit %d, stderr %q; want 2 naming the variable", code, stderr)
	}
}

// TestRunJob runs jobs against a fresh database: one that works, and one whose dependency
// is not configured.
func TestRunJob(t *testing.T) {
	pool := storetest.NewDB(t)
	_, prefix := storetest.NewRedis(t)
	env := map[string]string{"DATABASE_URL": storetest.URL(pool), "REDIS_URL": testRedisURL(), "REDIS_PREFIX": prefix}
	for _, tc := range []struct{ job, want string }{
		{"cleanup", "cleanup: ok in "},
		{"trip-monitor", "trip-monitor: ok in "},
		{"loconav-poll", "loconav-poll: skipped: LOCONAV_API_TOKEN is not set"},
	} {
		t.Run(tc.job, func(t *testing.T) {
			code, out, stderr := runCmd(t, env, "run-job", tc.job)
			if code != 0 || !strings.HasPrefix(out, tc.want) {
				t.Errorf("run-job %s: exit %d, stdout %q, stderr %q; want 0 and %q", tc.job, code, out, lastLine(stderr), tc.want)
			}
		})
	}
	var runs int
	if err := pool.QueryRow(context.Background(),
		`SELECT count(*) FROM job_runs WHERE replica = 'manual:cli' AND outcome = 'ok'`).Scan(&runs); err != nil {
		t.Fatal(err)
	}
	if runs != 2 {
		t.Errorf("job_runs by manual:cli = %d; want the two runs recorded", runs)
	}
}
