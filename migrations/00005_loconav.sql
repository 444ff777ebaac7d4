-- LocoNav integration state: the vehicle number LocoNav knows each truck by (trips are created
-- there by that number, which may be spelled differently from our normalised plate), and where
-- each approved trip stands in being pushed to LocoNav.
--
-- loconav_push_state: '' not in LocoNav yet (new, or its create keeps failing: see attempts,
-- next_push_at and error), 'created' LocoNav has it but the tracking link is not stored yet,
-- 'pushed' done, 'cancelled' deleted in LocoNav after the trip was cancelled here.

-- +goose Up

ALTER TABLE trucks ADD COLUMN loconav_number text NOT NULL DEFAULT '';

ALTER TABLE trips
    ADD COLUMN loconav_push_state text NOT NULL DEFAULT ''
        CHECK (loconav_push_state IN ('', 'created', 'pushed', 'cancelled')),
    ADD COLUMN loconav_push_attempts integer NOT NULL DEFAULT 0,
    ADD COLUMN loconav_next_push_at timestamptz, -- NULL: due now
    ADD COLUMN loconav_push_error text NOT NULL DEFAULT '';

-- The pusher's work list (store.ClaimLoconavPushes): approved, active trips not fully in
-- LocoNav, and cancelled trips still there. Small, so a partial index keeps the 15 s poll cheap.
CREATE INDEX trips_loconav_push_idx ON trips (loconav_next_push_at)
    WHERE (status IN ('scheduled', 'delayed', 'ongoing') AND loconav_push_state IN ('', 'created'))
       OR (status = 'cancelled' AND loconav_trip_id <> '' AND loconav_push_state <> 'cancelled');

-- +goose Down

DROP INDEX trips_loconav_push_idx;
ALTER TABLE trips
    DROP COLUMN loconav_push_error,
    DROP COLUMN loconav_next_push_at,
    DROP COLUMN loconav_push_attempts,
    DROP COLUMN loconav_push_state;
ALTER TABLE trucks DROP COLUMN loconav_number;
