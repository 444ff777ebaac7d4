-- Learned ETAs. A trip's planned arrival now comes either from distance (as before) or from the
-- median observed duration of completed trips on its lane (same origin and destination, scheduled
-- departure in the same three-hour band of business time); planned_basis and planned_trips say
-- which, so every surface can tell the user ("based on 12 past trips").
--
-- trips_lane_idx serves store.LaneHistory: the completed trips of one origin → destination pair,
-- with the three times the observed duration is measured from, read by an index-only scan.

-- +goose Up

ALTER TABLE trips
    ADD COLUMN planned_basis text NOT NULL DEFAULT 'distance' CHECK (planned_basis IN ('distance', 'learned')),
    ADD COLUMN planned_trips integer NOT NULL DEFAULT 0 CHECK (planned_trips >= 0);

CREATE INDEX trips_lane_idx ON trips (origin, destination)
    INCLUDE (scheduled_departure, departed_at, arrived_at) WHERE status = 'completed';

-- +goose Down

DROP INDEX trips_lane_idx;
ALTER TABLE trips DROP COLUMN planned_trips, DROP COLUMN planned_basis;
