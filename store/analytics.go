package store

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
)

// TruckDayMetrics returns one row per truck and calendar day of [from, to) (days taken in
// from's location: pass business midnights) on which the truck drove, had a trip event or an
// alert; quiet truck-days are left out. Rows are by day, then plate.
//
// Distance and idle time follow the fleet's daily figures (DailySummary), so a day's rows add
// up to its summary: legs between consecutive fixes inside the day, GPS jumps ignored, each
// gap's time capped at th.OfflineAfter.
func (s *Store) TruckDayMetrics(ctx context.Context, from, to time.Time, th fleet.Thresholds) (_ []fleet.TruckDay, err error) {
	defer wrap(&err, "TruckDayMetrics(%s, %s)", from.Format(time.DateOnly), to.Format(time.DateOnly))
	var out []fleet.TruckDay
	for day := from; day.Before(to); day = day.AddDate(0, 0, 1) {
		end := day.AddDate(0, 0, 1)
		if end.After(to) {
			end = to
		}
		rows, err := s.truckDay(ctx, day, end, th)
		if err != nil {
			return nil, err
		}
		out = append(out, rows...)
	}
	return out, nil
}

// truckDay computes the rows of the single day [from, to).
func (s *Store) truckDay(ctx context.Context, from, to time.Time, th fleet.Thresholds) ([]fleet.TruckDay, error) {
	acc := truckDayAcc{day: from, rows: make(map[string]*fleet.TruckDay)}
	for _, step := range []func(context.Context, *truckDayAcc, time.Time, time.Time, fleet.Thresholds) error{
		s.truckMotion, s.truckTripEvents, s.truckArrivals, s.truckAlerts,
	} {
		if err := step(ctx, &acc, from, to, th); err != nil {
			return nil, err
		}
	}
	return acc.sorted(), nil
}

// truckDayAcc gathers one day's rows by plate.
type truckDayAcc struct {
	day  time.Time
	rows map[string]*fleet.TruckDay
}

func (a *truckDayAcc) row(plate string) *fleet.TruckDay {
	r := a.rows[plate]
	if r == nil {
		r = &fleet.TruckDay{Plate: plate, Day: a.day}
		a.rows[plate] = r
	}
	return r
}

func (a *truckDayAcc) sorted() []fleet.TruckDay {
	out := make([]fleet.TruckDay, 0, len(a.rows))
	for _, r := range a.rows {
		out = append(out, *r)
	}
	slices.SortFunc(out, func(a, b fleet.TruckDay) int { return strings.Compare(a.Plate, b.Plate) })
	return out
}

// truckMotionSQL sums, per plate, the legs between consecutive fixes of [$1, $2) as the
// fleet's daily activity does (activityState.add): distance (legKmSQL, jumps faster than
// $5 = fleet.MaxLegKmh ignored), and the time after moving fixes (speed > $3) and after idle
// fixes (ignition on, speed ≤ $3: fleet.Thresholds.Idling), each gap capped at $4 s (a longer
// silence is not driving or idling).
const truckMotionSQL = `
SELECT plate,
	COALESCE(sum(km) FILTER (WHERE km <= $5 * greatest(secs, 1) / 3600), 0),
	COALESCE(sum(least(secs, $4)) FILTER (WHERE pspeed > $3), 0) / 3600,
	COALESCE(sum(least(secs, $4)) FILTER (WHERE pspeed <= $3 AND pign), 0) / 3600
FROM (
	SELECT plate,
		` + legKmSQL + ` AS km,
		extract(epoch FROM fix_time - pfix) AS secs, pspeed, pign
	FROM (
		SELECT plate, lat, lng, fix_time,
			lag(lat) OVER w AS plat, lag(lng) OVER w AS plng, lag(fix_time) OVER w AS pfix,
			lag(speed_kmh) OVER w AS pspeed, lag(ignition) OVER w AS pign
		FROM positions
		WHERE fix_time >= $1 AND fix_time < $2
		WINDOW w AS (PARTITION BY plate ORDER BY fix_time)
	) pairs
	WHERE plat IS NOT NULL
) legs
GROUP BY plate`

func (s *Store) truckMotion(ctx context.Context, acc *truckDayAcc, from, to time.Time, th fleet.Thresholds) error {
	rows, err := s.pool.Query(ctx, truckMotionSQL, from, to, th.MovingKmh, th.OfflineAfter.Seconds(), float64(fleet.MaxLegKmh))
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			plate            string
			km, moving, idle float64
		)
		if err := rows.Scan(&plate, &km, &moving, &idle); err != nil {
			return err
		}
		r := acc.row(plate)
		r.DistanceKm, r.MovingHours, r.IdleHours = km, moving, idle
	}
	return rows.Err()
}

// truckTripEventsSQL counts, per plate, the trips that departed, completed, were marked
// delayed or were cancelled in [$1, $2), with the summed turnaround of the completed ones.
const truckTripEventsSQL = `
SELECT plate,
	count(*) FILTER (WHERE departed_at >= $1 AND departed_at < $2),
	count(*) FILTER (WHERE completed_at >= $1 AND completed_at < $2),
	count(*) FILTER (WHERE completed_at >= $1 AND completed_at < $2 AND departed_at IS NOT NULL),
	COALESCE(sum(extract(epoch FROM completed_at - departed_at))
		FILTER (WHERE completed_at >= $1 AND completed_at < $2), 0) / 3600,
	count(*) FILTER (WHERE delayed_at >= $1 AND delayed_at < $2),
	count(*) FILTER (WHERE cancelled_at >= $1 AND cancelled_at < $2)
FROM trips
WHERE (departed_at >= $1 AND departed_at < $2) OR (completed_at >= $1 AND completed_at < $2)
	OR (delayed_at >= $1 AND delayed_at < $2) OR (cancelled_at >= $1 AND cancelled_at < $2)
GROUP BY plate`

func (s *Store) truckTripEvents(ctx context.Context, acc *truckDayAcc, from, to time.Time, _ fleet.Thresholds) error {
	rows, err := s.pool.Query(ctx, truckTripEventsSQL, from, to)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			plate string
			m     fleet.TruckDay
		)
		if err := rows.Scan(&plate, &m.TripsStarted, &m.TripsCompleted, &m.TurnaroundTrips, &m.TurnaroundHours,
			&m.TripsDelayed, &m.TripsCancelled); err != nil {
			return err
		}
		r := acc.row(plate)
		r.TripsStarted, r.TripsCompleted, r.TurnaroundTrips = m.TripsStarted, m.TripsCompleted, m.TurnaroundTrips
		r.TurnaroundHours, r.TripsDelayed, r.TripsCancelled = m.TurnaroundHours, m.TripsDelayed, m.TripsCancelled
	}
	return rows.Err()
}

// truckArrivals counts the trips that arrived in [from, to) and, by the domain's rule
// (fleet.Trip.OnTime), those on time.
func (s *Store) truckArrivals(ctx context.Context, acc *truckDayAcc, from, to time.Time, th fleet.Thresholds) error {
	trips, err := collectTrips(s.pool.Query(ctx,
		`SELECT `+tripCols+` FROM trips WHERE arrived_at >= $1 AND arrived_at < $2`, from, to))
	if err != nil {
		return err
	}
	for _, t := range trips {
		r := acc.row(t.Plate)
		r.TripsArrived++
		if onTime, ok := t.OnTime(th); ok && onTime {
			r.TripsOnTime++
		}
	}
	return nil
}

const truckAlertsSQL = `
SELECT plate, count(*) FROM alerts WHERE opened_at >= $1 AND opened_at < $2 AND plate <> '' GROUP BY plate`

func (s *Store) truckAlerts(ctx context.Context, acc *truckDayAcc, from, to time.Time, _ fleet.Thresholds) error {
	rows, err := s.pool.Query(ctx, truckAlertsSQL, from, to)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var (
			plate string
			n     int
		)
		if err := rows.Scan(&plate, &n); err != nil {
			return err
		}
		acc.row(plate).Alerts = n
	}
	return rows.Err()
}
