-- Learned ETAs. A trip's planned arrival now comes either from distance (as before) or from the
-- median observed duration of completed trips on its lane (same origin and destination, scheduled
-- departure in the same three-hour band of business time); planned_basis and planned_trips say
-- which, so every surface can tell the user ("based on 12 past trips").
--
-- trips_lane_idx serves store.LaneHistory: the most recent completed trips of one lane, with the
-- two times the observed duration is measured from beside the scheduled departure, read in
-- order by an index-only scan that stops after fleet.LaneWindow entries. The band is computed in
-- Africa/Lagos (the default WATCHTOWER_TIMEZONE; it has no daylight saving); with another zone
-- the lookups give the same answers from the (origin, destination) prefix of the index, slower.

-- +goose Up

ALTER TABLE trips
    ADD COLUMN planned_basis text NOT NULL DEFAULT 'distance' CHECK (planned_basis IN ('distance', 'learned')),
    ADD COLUMN planned_trips integer NOT NULL DEFAULT 0 CHECK (planned_trips >= 0);

CREATE INDEX trips_lane_idx ON trips
    (origin, destination, (extract(hour FROM scheduled_departure AT TIME ZONE 'Africa/Lagos')::integer / 3),
     scheduled_departure DESC)
    INCLUDE (departed_at, arrived_at) WHERE status = 'completed';

-- +goose Down

DROP INDEX trips_lane_idx;
ALTER TABLE trips DROP COLUMN planned_trips, DROP COLUMN planned_basis;
