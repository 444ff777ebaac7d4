package store

import (
	"context"
	"encoding/json"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/watchtower-ops/watchtower/fleet"
)

// summaryFinalAfter is how long after a day ends its summary is final: late fixes and trip
// events have arrived by then, so a summary computed later is stored and reused.
const summaryFinalAfter = time.Hour

// DailySummary returns the operations summary of the business day starting at day (midnight
// in the business zone; day's location is that zone) as of now. It is the one implementation
// behind get_daily_summary, /summary, the analytics job and the digests.
//
//   - A day that ended more than an hour ago is read from daily_metrics (scope "fleet") when a
//     summary computed after that is stored; otherwise it is computed and stored there.
//   - Today (and a day that just ended) is computed on every call from trips and alerts; its
//     distance and idle hours are brought up to date from the fixes received since the last
//     call (see activity), so a call costs the new fixes, not the whole day's.
//
// Fleet, TrucksOfflineNow and TrucksTotal are always as of now (fleet.TakeCensus, the counts
// every surface shows); UtilisationPct is fleet.DayUtilisationPct (today's is the census's). It returns EINVALID for a day after
// now.
func (s *Store) DailySummary(ctx context.Context, day, now time.Time, th fleet.Thresholds) (_ fleet.DailySummary, err error) {
	defer wrap(&err, "DailySummary(%s)", day.Format(time.DateOnly))
	start, end := day, day.AddDate(0, 0, 1)
	if now.Before(start) {
		return fleet.DailySummary{}, fleet.Errorf(fleet.EINVALID, "%s is in the future", day.Format(time.DateOnly))
	}
	final := !now.Before(end.Add(summaryFinalAfter))
	if final {
		sum, ok, err := s.storedSummary(ctx, day, end.Add(summaryFinalAfter))
		if err != nil {
			return fleet.DailySummary{}, err
		}
		if ok {
			_, err := s.fleetNow(ctx, &sum, now, th)
			return sum, err
		}
	}
	sum, err := s.computeSummary(ctx, start, end, now, th)
	if err != nil {
		return fleet.DailySummary{}, err
	}
	if final {
		if err := s.SaveDailyMetrics(ctx, day, FleetScope, auditDetails(sum)); err != nil {
			return fleet.DailySummary{}, err
		}
	}
	return sum, nil
}

// storedSummary returns the fleet summary stored for day when it was computed at or after
// finalAt.
func (s *Store) storedSummary(ctx context.Context, day, finalAt time.Time) (fleet.DailySummary, bool, error) {
	rows, err := s.DailyMetrics(ctx, day, day.AddDate(0, 0, 1), FleetScope)
	if err != nil || len(rows) == 0 || rows[0].ComputedAt.Before(finalAt) {
		return fleet.DailySummary{}, false, err
	}
	var sum fleet.DailySummary
	if err := json.Unmarshal(rows[0].Data, &sum); err != nil {
		return fleet.DailySummary{}, false, nil // an unreadable row is recomputed and replaced
	}
	sum.Date = day
	return sum, true, nil
}

const (
	// tripFiguresSQL counts the trip events of [$1, $2). Every event bumps updated_at, so
	// trips not updated since $1 cannot have one.
	tripFiguresSQL = `
SELECT
	count(*) FILTER (WHERE created_at >= $1 AND created_at < $2),
	count(*) FILTER (WHERE departed_at >= $1 AND departed_at < $2),
	count(*) FILTER (WHERE completed_at >= $1 AND completed_at < $2),
	count(*) FILTER (WHERE delayed_at >= $1 AND delayed_at < $2),
	count(*) FILTER (WHERE cancelled_at >= $1 AND cancelled_at < $2),
	count(*) FILTER (WHERE status = 'rejected' AND decided_at >= $1 AND decided_at < $2),
	avg(extract(epoch FROM completed_at - departed_at))
		FILTER (WHERE completed_at >= $1 AND completed_at < $2 AND departed_at IS NOT NULL)
FROM trips
WHERE updated_at >= $1`
	// onTheRoadSQL selects the trips that may have been on the road at $1 (fleet.Trip.OngoingAt
	// decides).
	onTheRoadSQL = `
SELECT plate, departed_at, arrived_at, completed_at, cancelled_at FROM trips
WHERE departed_at <= $1 AND COALESCE(arrived_at, completed_at, cancelled_at, 'infinity') > $1`
	arrivalsSQL = `
SELECT scheduled_departure, planned_arrival, departed_at, arrived_at FROM trips
WHERE arrived_at >= $1 AND arrived_at < $2 AND updated_at >= $1`
)

// computeSummary computes the summary of [start, end) as of now.
func (s *Store) computeSummary(ctx context.Context, start, end, now time.Time, th fleet.Thresholds) (fleet.DailySummary, error) {
	sum := fleet.DailySummary{Date: start}
	b := &pgx.Batch{}
	b.Queue(tripFiguresSQL, start, end)
	b.Queue(arrivalsSQL, start, end)
	b.Queue(countAlertsSQL, start, end)
	b.Queue(activityFiguresSQL, start.Format(time.DateOnly), activityScope)
	b.Queue(onTheRoadSQL, end)
	br := s.pool.SendBatch(ctx, b)
	defer br.Close()
	err := scanTripFigures(br.QueryRow(), &sum)
	if err != nil {
		return sum, err
	}
	if err := scanOnTime(br, &sum, th); err != nil {
		return sum, err
	}
	if sum.AlertsByKind, err = scanAlertCounts(br); err != nil {
		return sum, err
	}
	act, fresh, err := scanActivityFigures(br.QueryRow(), now)
	if err != nil {
		return sum, err
	}
	onRoad, err := scanTripsOnTheRoad(br)
	if err != nil {
		return sum, err
	}
	if err := br.Close(); err != nil {
		return sum, err
	}
	trucks, err := s.fleetNow(ctx, &sum, now, th)
	if err != nil {
		return sum, err
	}
	sum.UtilisationPct = fleet.DayUtilisationPct(*sum.Fleet, trucks, onRoad, end, now)
	if !fresh {
		if act, err = s.refreshActivity(ctx, start, end, now, th); err != nil {
			return sum, err
		}
	}
	sum.DistanceKm, sum.IdleHours = act.DistanceKm, act.IdleHours
	return sum, nil
}

// scanTripFigures reads tripFiguresSQL into sum.
func scanTripFigures(row pgx.Row, sum *fleet.DailySummary) error {
	var avgSecs *float64
	err := row.Scan(&sum.TripsCreated, &sum.TripsStarted, &sum.TripsCompleted, &sum.TripsDelayed,
		&sum.TripsCancelled, &sum.TripsRejected, &avgSecs)
	if avgSecs != nil {
		d := time.Duration(*avgSecs * float64(time.Second)).Round(time.Second)
		sum.AvgTurnaround = &d
	}
	return err
}

// scanTripsOnTheRoad reads onTheRoadSQL: plate and the departure, arrival, completion and
// cancellation times.
func scanTripsOnTheRoad(br pgx.BatchResults) ([]fleet.Trip, error) {
	rows, err := br.Query()
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (fleet.Trip, error) {
		var t fleet.Trip
		err := r.Scan(&t.Plate, &t.DepartedAt, &t.ArrivedAt, &t.CompletedAt, &t.CancelledAt)
		return t, err
	})
}

// scanOnTime reads arrivalsSQL and sets the on-time share with fleet.Trip.OnTime, the rule
// trips are judged by everywhere.
func scanOnTime(br pgx.BatchResults, sum *fleet.DailySummary, th fleet.Thresholds) error {
	rows, err := br.Query()
	if err != nil {
		return err
	}
	defer rows.Close()
	arrived, onTime := 0, 0
	for rows.Next() {
		var (
			t       fleet.Trip
			planned *time.Time
		)
		if err := rows.Scan(&t.ScheduledDeparture, &planned, &t.DepartedAt, &t.ArrivedAt); err != nil {
			return err
		}
		t.PlannedArrival = timeOf(planned)
		if ok, known := t.OnTime(th); known {
			arrived++
			if ok {
				onTime++
			}
		}
	}
	if arrived > 0 {
		pct := 100 * float64(onTime) / float64(arrived)
		sum.OnTimePct = &pct
	}
	return rows.Err()
}

// scanAlertCounts reads countAlertsSQL.
func scanAlertCounts(br pgx.BatchResults) (map[fleet.AlertKind]int, error) {
	return alertCounts(br.Query())
}

// fleetNow sets Fleet, TrucksTotal and TrucksOfflineNow as of now with fleet.TakeCensus and
// fleet.StateOf, and the longest waits and worst queue with fleet.Queues, and returns the
// trucks it counted.
func (s *Store) fleetNow(ctx context.Context, sum *fleet.DailySummary, now time.Time, th fleet.Thresholds) ([]fleet.Truck, error) {
	trucks, states, err := s.FleetRoster(ctx)
	if err != nil {
		return nil, err
	}
	trips, err := s.ActiveTrips(ctx)
	if err != nil {
		return nil, err
	}
	c := fleet.TakeCensus(trucks, states, trips, now, th)
	sum.Fleet, sum.TrucksTotal, sum.TrucksOfflineNow = &c, c.Size, fleet.PlatesIn(fleet.StateOffline, trucks, states, now, th)
	open, err := s.OpenVisits(ctx, now)
	if err != nil {
		return nil, err
	}
	sum.LongestWaits, sum.WorstQueue = fleet.Queues(open, now, fleet.SummaryWaits)
	return trucks, nil
}
