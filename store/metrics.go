package store

import (
	"context"
	"encoding/json"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
)

// FleetScope is the daily_metrics scope of fleet-wide figures; other scopes are plates.
const FleetScope = "fleet"

// DailyMetric is the analytics of one business day for one scope.
type DailyMetric struct {
	Day        time.Time // midnight of the calendar day, in the location of the query's from
	Scope      string    // FleetScope or a plate
	Data       json.RawMessage
	ComputedAt time.Time
}

const saveDailyMetricsSQL = `
INSERT INTO daily_metrics (day, scope, data, computed_at) VALUES ($1::date, $2, $3, now())
ON CONFLICT (day, scope) DO UPDATE SET data = EXCLUDED.data, computed_at = EXCLUDED.computed_at`

// SaveDailyMetrics stores (or replaces) data for scope on the calendar day of day, taken in
// day's own location (pass Lagos midnight). It returns EINVALID for an empty scope or data
// that is not JSON.
func (s *Store) SaveDailyMetrics(ctx context.Context, day time.Time, scope string, data json.RawMessage) (err error) {
	defer wrap(&err, "SaveDailyMetrics(%s, %q)", day.Format(time.DateOnly), scope)
	if scope == "" || !json.Valid(data) {
		return fleet.Errorf(fleet.EINVALID, "daily metrics need a scope and JSON data")
	}
	_, err = s.pool.Exec(ctx, saveDailyMetricsSQL, day.Format(time.DateOnly), scope, string(data))
	return err
}

const dailyMetricsSQL = `
SELECT day::text, scope, data, computed_at FROM daily_metrics
WHERE day >= $1::date AND day < $2::date AND ($3 = '' OR scope = $3)
ORDER BY day, scope`

// DailyMetrics returns the stored metrics of the calendar days in [from, to) (each taken in its
// own location) for scope, or every scope when scope is empty, by day.
func (s *Store) DailyMetrics(ctx context.Context, from, to time.Time, scope string) (_ []DailyMetric, err error) {
	defer wrap(&err, "DailyMetrics(%s, %s, %q)", from.Format(time.DateOnly), to.Format(time.DateOnly), scope)
	rows, err := s.pool.Query(ctx, dailyMetricsSQL, from.Format(time.DateOnly), to.Format(time.DateOnly), scope)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []DailyMetric
	for rows.Next() {
		var (
			m    DailyMetric
			day  string
			data []byte
		)
		if err := rows.Scan(&day, &m.Scope, &data, &m.ComputedAt); err != nil {
			return nil, err
		}
		if m.Day, err = time.ParseInLocation(time.DateOnly, day, from.Location()); err != nil {
			return nil, err
		}
		m.Data, m.ComputedAt = json.RawMessage(data), m.ComputedAt.UTC()
		out = append(out, m)
	}
	return out, rows.Err()
}

// PruneDailyMetrics deletes the metrics of days before day's calendar day (retention) and
// returns how many rows it deleted.
func (s *Store) PruneDailyMetrics(ctx context.Context, day time.Time) (_ int64, err error) {
	defer wrap(&err, "PruneDailyMetrics(%s)", day.Format(time.DateOnly))
	tag, err := s.pool.Exec(ctx, `DELETE FROM daily_metrics WHERE day < $1::date`, day.Format(time.DateOnly))
	return tag.RowsAffected(), err
}
