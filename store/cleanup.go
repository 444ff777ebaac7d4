package store

import (
	"context"
	"time"
)

const pruneJobRunsSQL = `DELETE FROM job_runs WHERE slot < $1`

// PruneJobRuns deletes the runs of scheduled jobs whose slot is before before (retention of
// the job history) and returns how many it deleted. Pass a cutoff far older than any slot a
// replica may still fire for (days, not minutes): a deleted claim could be taken again.
func (s *Store) PruneJobRuns(ctx context.Context, before time.Time) (_ int64, err error) {
	defer wrap(&err, "PruneJobRuns(%s)", before.Format(time.RFC3339))
	tag, err := s.pool.Exec(ctx, pruneJobRunsSQL, before)
	return tag.RowsAffected(), err
}
