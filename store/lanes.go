package store

import (
	"context"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
)

// laneHistorySQL measures a lane as fleet.Trip.ObservedDuration does: completed trips from
// origin $1 to destination $2 whose scheduled departure falls in band $4 of zone $3, each from
// its start (the scheduled departure, or the actual departure when earlier; LEAST skips a
// missing one) to its arrival, keeping durations in (0, $5]. trips_lane_idx narrows the scan to
// the pair's completed trips and holds every column read, so it is an index-only scan.
const laneHistorySQL = `
SELECT count(*), COALESCE(percentile_cont(0.5) WITHIN GROUP (ORDER BY d), 0)
FROM (
	SELECT extract(epoch FROM arrived_at - LEAST(scheduled_departure, departed_at)) AS d
	FROM trips
	WHERE origin = $1 AND destination = $2 AND status = 'completed'
		AND floor(extract(hour FROM scheduled_departure AT TIME ZONE $3) / 3) = $4
) lane
WHERE d > 0 AND d <= $5`

// LaneHistory returns how many completed trips lane has and the median of their observed
// durations (fleet.Trip.ObservedDuration), over every trip still kept. A lane without trips
// has zero of both. It returns EINVALID for a lane without origin, destination or zone.
func (s *Store) LaneHistory(ctx context.Context, lane fleet.Lane) (_ fleet.LaneHistory, err error) {
	defer wrap(&err, "LaneHistory(%s → %s, band %d)", lane.Origin, lane.Destination, lane.Band)
	if lane.Origin == "" || lane.Destination == "" || lane.Zone == "" {
		return fleet.LaneHistory{}, fleet.Errorf(fleet.EINVALID, "a lane needs an origin, a destination and a time zone")
	}
	var (
		n      int
		median float64
	)
	err = s.pool.QueryRow(ctx, laneHistorySQL, siteCode(lane.Origin), siteCode(lane.Destination), lane.Zone,
		lane.Band, fleet.MaxObservedDuration.Seconds()).Scan(&n, &median)
	if err != nil {
		return fleet.LaneHistory{}, err
	}
	return fleet.LaneHistory{Trips: n, Median: time.Duration(median * float64(time.Second)).Round(time.Second)}, nil
}
