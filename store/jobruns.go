package store

import (
	"context"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
)

const claimJobRunSQL = `
INSERT INTO job_runs (job, slot, replica) VALUES ($1, $2, $3) ON CONFLICT (job, slot) DO NOTHING`

// ClaimJobRun claims the run of job for slot on behalf of replica. claimed is true for exactly
// one caller per (job, slot) across every replica; the others skip the slot.
func (s *Store) ClaimJobRun(ctx context.Context, job string, slot time.Time, replica string) (claimed bool, err error) {
	defer wrap(&err, "ClaimJobRun(%q, %s)", job, slot.Format(time.RFC3339))
	tag, err := s.pool.Exec(ctx, claimJobRunSQL, job, slot, replica)
	return err == nil && tag.RowsAffected() == 1, err
}

const finishJobRunSQL = `
UPDATE job_runs SET finished_at = now(), outcome = $3, error = $4, duration_ms = $5
WHERE job = $1 AND slot = $2`

// FinishJobRun records how the claimed run of job for slot ended. It returns ENOTFOUND when
// the run was never claimed.
func (s *Store) FinishJobRun(ctx context.Context, job string, slot time.Time, outcome, errText string, duration time.Duration) (err error) {
	defer wrap(&err, "FinishJobRun(%q, %s)", job, slot.Format(time.RFC3339))
	tag, err := s.pool.Exec(ctx, finishJobRunSQL, job, slot, outcome, errText, duration.Milliseconds())
	if err == nil && tag.RowsAffected() == 0 {
		return fleet.Errorf(fleet.ENOTFOUND, "no run of job %s for %s", job, slot.Format(time.RFC3339))
	}
	return err
}

const lastJobRunsSQL = `
SELECT DISTINCT ON (job) job, slot, replica, started_at, finished_at, outcome, error, COALESCE(duration_ms, 0)
FROM job_runs ORDER BY job, slot DESC`

// LastJobRuns returns the latest run of every job that has run, by job name.
func (s *Store) LastJobRuns(ctx context.Context) (_ map[string]fleet.JobRun, err error) {
	defer wrap(&err, "LastJobRuns")
	rows, err := s.pool.Query(ctx, lastJobRunsSQL)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make(map[string]fleet.JobRun)
	for rows.Next() {
		var (
			r        fleet.JobRun
			finished *time.Time
			ms       int64
		)
		if err := rows.Scan(&r.Job, &r.Slot, &r.Replica, &r.StartedAt, &finished, &r.Outcome, &r.Error, &ms); err != nil {
			return nil, err
		}
		r.Slot, r.StartedAt = r.Slot.UTC(), r.StartedAt.UTC()
		if finished != nil {
			r.FinishedAt = finished.UTC()
		}
		r.Duration = time.Duration(ms) * time.Millisecond
		out[r.Job] = r
	}
	return out, rows.Err()
}
