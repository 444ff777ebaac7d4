package store

import (
	"context"
	"encoding/json"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/watchtower-ops/watchtower/fleet"
)

// Fleet activity of a day (distance driven, idle hours) is summed from consecutive fixes of
// each truck. Summing a whole day costs every fix of it (a million at 1,000 trucks reporting
// every 30 s), so the running figures are kept in daily_metrics under activityScope together
// with each truck's last fix counted, and each refresh reads only the fixes after those,
// through the (plate, fix_time) index. Fixes that arrive later than a newer fix of the same
// truck was counted are left out of the running figures.
const (
	activityScope = "fleet:activity"
	// activityRefreshEvery bounds how often the figures are brought up to date; calls in
	// between reuse them.
	activityRefreshEvery = 30 * time.Second
)

// lastFix is the last fix of a truck counted into the figures.
type lastFix struct {
	T   time.Time `json:"t"`
	Lat float64   `json:"lat"`
	Lng float64   `json:"lng"`
	V   float64   `json:"v"`   // speed, km/h
	Ign bool      `json:"ign"` // ignition
}

// activityState is the stored running figures of one day.
type activityState struct {
	DistanceKm float64            `json:"distance_km"`
	IdleHours  float64            `json:"idle_hours"`
	As         time.Time          `json:"as"` // the caller's clock at the last refresh
	Last       map[string]lastFix `json:"last"`
}

// add counts the leg from the truck's previous fix to f: its length (fleet.LegKm) and its
// idle time (fleet.Thresholds.IdleSpan).
func (a *activityState) add(plate string, f lastFix, th fleet.Thresholds) {
	prev, ok := a.Last[plate]
	if ok && f.T.After(prev.T) {
		dt := f.T.Sub(prev.T)
		km, _ := fleet.LegKm(fleet.Point{Lat: prev.Lat, Lng: prev.Lng}, fleet.Point{Lat: f.Lat, Lng: f.Lng}, dt)
		a.DistanceKm += km
		a.IdleHours += th.IdleSpan(prev.V, prev.Ign, dt).Hours()
	}
	if !ok || f.T.After(prev.T) {
		a.Last[plate] = f
	}
}

const (
	activityFiguresSQL = `
SELECT (data->>'distance_km')::float8, (data->>'idle_hours')::float8, (data->>'as')::timestamptz
FROM daily_metrics WHERE day = $1::date AND scope = $2`
	activityStateSQL = `SELECT data FROM daily_metrics WHERE day = $1::date AND scope = $2`
	// newFixesSQL reads, per truck, the fixes of [$1, $2) after the last one counted ($3/$4),
	// probing the position index only for trucks whose latest fix is newer than that.
	newFixesSQL = `
SELECT t.plate, p.fix_time, p.lat, p.lng, p.speed_kmh, p.ignition
FROM trucks t
JOIN truck_state s ON s.plate = t.plate
LEFT JOIN unnest($3::text[], $4::timestamptz[]) AS w(plate, since) ON w.plate = t.plate
CROSS JOIN LATERAL (
	SELECT fix_time, lat, lng, speed_kmh, ignition FROM positions
	WHERE plate = t.plate AND fix_time >= $1 AND fix_time < $2 AND fix_time > COALESCE(w.since, '-infinity')
	ORDER BY fix_time
) p
WHERE s.fix_time >= $1 AND (w.since IS NULL OR s.fix_time > w.since)
ORDER BY t.plate, p.fix_time`
)

// scanActivityFigures reads activityFiguresSQL: the stored running figures, and whether they
// are fresh enough to use at now (refreshed less than activityRefreshEvery before it).
func scanActivityFigures(row pgx.Row, now time.Time) (fig activityState, fresh bool, err error) {
	var as *time.Time
	err = row.Scan(&fig.DistanceKm, &fig.IdleHours, &as)
	switch {
	case isNoRows(err):
		return fig, false, nil
	case err != nil:
		return fig, false, err
	}
	return fig, as != nil && !now.Before(*as) && now.Sub(*as) < activityRefreshEvery, nil
}

// refreshActivity loads the running figures, counts the fixes since, and stores them.
func (s *Store) refreshActivity(ctx context.Context, start, end, now time.Time, th fleet.Thresholds) (activityState, error) {
	st := activityState{Last: map[string]lastFix{}}
	var data []byte
	err := s.pool.QueryRow(ctx, activityStateSQL, start.Format(time.DateOnly), activityScope).Scan(&data)
	if err != nil && !isNoRows(err) {
		return st, err
	}
	if data != nil && json.Unmarshal(data, &st) != nil || st.Last == nil {
		st = activityState{Last: map[string]lastFix{}} // unreadable: count the day again
	}
	plates := make([]string, 0, len(st.Last))
	since := make([]time.Time, 0, len(st.Last))
	for p, f := range st.Last {
		plates, since = append(plates, p), append(since, f.T)
	}
	// A thousand small index probes are estimated dear enough to trigger JIT compilation,
	// which costs more than the query; it is turned off for this transaction only.
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SET LOCAL jit = off"); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, newFixesSQL, start, end, plates, since)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var (
				plate string
				f     lastFix
			)
			if err := rows.Scan(&plate, &f.T, &f.Lat, &f.Lng, &f.V, &f.Ign); err != nil {
				return err
			}
			f.T = f.T.UTC()
			st.add(plate, f, th)
		}
		return rows.Err()
	})
	if err != nil {
		return st, err
	}
	st.As = now.UTC()
	b, err := json.Marshal(st)
	if err != nil {
		return st, err
	}
	return st, s.SaveDailyMetrics(ctx, start, activityScope, b)
}
