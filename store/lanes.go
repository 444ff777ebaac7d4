package store

import (
	"context"
	"fmt"
	"regexp"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
)

// laneHistorySQL measures a lane as fleet.Trip.ObservedDuration does: the most recent $5
// completed trips from origin $1 to destination $2 whose scheduled departure falls in band $3
// of the zone written into the query (%s), each from its start (the scheduled departure, or the
// actual departure when earlier; LEAST skips a missing one) to its arrival, keeping durations in
// (0, $4 seconds]. For Africa/Lagos the band expression is the one of trips_lane_idx, so the
// read is an index-only scan of at most $5 entries in departure order.
const laneHistorySQL = `
SELECT count(*), COALESCE(percentile_cont(0.5) WITHIN GROUP (ORDER BY d), 0)
FROM (
	SELECT extract(epoch FROM arrived_at - LEAST(scheduled_departure, departed_at)) AS d
	FROM trips
	WHERE origin = $1 AND destination = $2 AND status = 'completed'
		AND (extract(hour FROM scheduled_departure AT TIME ZONE '%s')::integer / 3) = $3
		AND arrived_at > LEAST(scheduled_departure, departed_at)
		AND arrived_at <= LEAST(scheduled_departure, departed_at) + make_interval(secs => $4)
	ORDER BY scheduled_departure DESC
	LIMIT $5
) lane`

// zoneName is what an IANA time zone name may hold; the zone is written into the SQL (an index
// expression cannot match a parameter), so nothing else gets in.
var zoneName = regexp.MustCompile(`^[A-Za-z0-9_+\-]+(/[A-Za-z0-9_+\-]+)*$`)

// LaneHistory returns how many of lane's most recent completed trips (at most
// fleet.LaneWindow) it has and the median of their observed durations
// (fleet.Trip.ObservedDuration). A lane without trips has zero of both. It returns EINVALID for
// a lane without origin or destination, or with a zone that is not a time zone name.
func (s *Store) LaneHistory(ctx context.Context, lane fleet.Lane) (_ fleet.LaneHistory, err error) {
	defer wrap(&err, "LaneHistory(%s → %s, band %d)", lane.Origin, lane.Destination, lane.Band)
	if lane.Origin == "" || lane.Destination == "" || !zoneName.MatchString(lane.Zone) {
		return fleet.LaneHistory{}, fleet.Errorf(fleet.EINVALID, "a lane needs an origin, a destination and a time zone")
	}
	var (
		n      int
		median float64
	)
	err = s.pool.QueryRow(ctx, fmt.Sprintf(laneHistorySQL, lane.Zone), siteCode(lane.Origin), siteCode(lane.Destination),
		lane.Band, fleet.MaxObservedDuration.Seconds(), fleet.LaneWindow).Scan(&n, &median)
	if err != nil {
		return fleet.LaneHistory{}, err
	}
	return fleet.LaneHistory{Trips: n, Median: time.Duration(median * float64(time.Second)).Round(time.Second)}, nil
}
