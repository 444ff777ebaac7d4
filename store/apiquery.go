package store

import (
	"context"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
)

// This file holds the queries the JSON API (bot/api) needs beyond the fleet functions.

const tripsPageSQL = `
SELECT ` + tripCols + ` FROM trips
WHERE (cardinality($1::text[]) = 0 OR status = ANY($1))
  AND ($2 = '' OR plate = $2)
  AND ($3::timestamptz IS NULL OR scheduled_departure >= $3)
  AND ($4::timestamptz IS NULL OR scheduled_departure < $4)
  AND ($5::bigint = 0 OR (scheduled_departure, id) > ($6::timestamptz, $5::bigint))
ORDER BY scheduled_departure, id
LIMIT $7`

// TripsPage returns up to p.Limit trips matching p after the keyset position, by scheduled
// departure then ID. It returns EINVALID for an unknown status.
func (s *Store) TripsPage(ctx context.Context, p fleet.TripPage) (_ []fleet.Trip, err error) {
	defer wrap(&err, "TripsPage")
	statuses := make([]string, len(p.Statuses))
	for i, st := range p.Statuses {
		if !st.Valid() {
			return nil, fleet.Errorf(fleet.EINVALID, "unknown trip status %q", st)
		}
		statuses[i] = string(st)
	}
	var after time.Time
	if p.AfterID != 0 {
		after = p.AfterDeparture
	}
	return collectTrips(s.pool.Query(ctx, tripsPageSQL, statuses, fleet.NormalizePlate(p.Plate),
		nullTime(p.From), nullTime(p.To), p.AfterID, after, pageSize(p.Limit, 100, 1000)))
}
