-- Watch Tower's first schema: the roster (sites, drivers, trucks), trips, position history,
-- the latest state of each truck, alerts, analytics, the audit trail and scheduled job runs.
-- Codes and plates are stored normalised (upper case, no spaces or dashes); empty text means
-- "unknown" except where a UNIQUE column needs NULL for that.

-- +goose Up

CREATE TABLE sites (
    id          bigserial PRIMARY KEY,
    code        text NOT NULL UNIQUE,
    name        text NOT NULL,
    kind        text NOT NULL CHECK (kind IN ('terminal', 'client', 'depot', 'service_area')),
    lat         double precision NOT NULL,
    lng         double precision NOT NULL,
    radius_m    double precision NOT NULL CHECK (radius_m > 0),
    h3_cell     bigint NOT NULL, -- H3 res 9 cell of (lat, lng)
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    archived_at timestamptz
);
CREATE INDEX sites_h3_cell_idx ON sites (h3_cell);

CREATE TABLE drivers (
    id         bigserial PRIMARY KEY,
    name       text NOT NULL,
    phone      text NOT NULL DEFAULT '', -- as written: text keeps the leading 0 of 0803…
    license    text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
-- One driver per phone number; several drivers may have none yet.
CREATE UNIQUE INDEX drivers_phone_key ON drivers (phone) WHERE phone <> '';

CREATE TABLE trucks (
    id            bigserial PRIMARY KEY,
    plate         text NOT NULL UNIQUE,
    vehicle_uuid  text UNIQUE, -- LocoNav vehicle UUID; NULL when unknown
    imei          text UNIQUE, -- telematics device serial; NULL when unknown
    company       text NOT NULL DEFAULT '',
    fleet_manager text NOT NULL DEFAULT '',
    status        text NOT NULL DEFAULT 'operational'
                  CHECK (status IN ('operational', 'maintenance', 'inactive', 'unrostered')),
    brand         text NOT NULL DEFAULT '',
    trailer_size  text NOT NULL DEFAULT '',
    home_site     text NOT NULL DEFAULT '', -- site code; not a foreign key so a roster may name a site before it exists
    driver_id     bigint REFERENCES drivers (id) ON DELETE SET NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    archived_at   timestamptz
);
CREATE INDEX trucks_driver_id_idx ON trucks (driver_id);

-- Trip codes (TRP-0042) come from this sequence, formatted in Go by fleet.TripCode. A refused
-- trip never draws a number: the overlap check runs before nextval.
CREATE SEQUENCE trip_code_seq;

CREATE TABLE trips (
    id                  bigserial PRIMARY KEY,
    code                text NOT NULL UNIQUE,
    plate               text NOT NULL REFERENCES trucks (plate) ON UPDATE CASCADE,
    driver_id           bigint REFERENCES drivers (id) ON DELETE SET NULL,
    origin              text NOT NULL REFERENCES sites (code) ON UPDATE CASCADE,
    destination         text NOT NULL REFERENCES sites (code) ON UPDATE CASCADE,
    container_no        text NOT NULL DEFAULT '',
    cargo_type          text NOT NULL DEFAULT '',
    notes               text NOT NULL DEFAULT '',
    scheduled_departure timestamptz NOT NULL,
    planned_arrival     timestamptz, -- NULL when unknown
    status              text NOT NULL
                        CHECK (status IN ('pending_approval', 'scheduled', 'delayed', 'ongoing',
                                          'arrived', 'completed', 'rejected', 'cancelled')),
    requested_by        text NOT NULL DEFAULT '',
    requested_via       text NOT NULL DEFAULT '',
    decided_by          text NOT NULL DEFAULT '',
    decided_at          timestamptz,
    reject_reason       text NOT NULL DEFAULT '',
    delayed_at          timestamptz,
    departed_at         timestamptz,
    arrived_at          timestamptz,
    completed_at        timestamptz,
    cancelled_at        timestamptz,
    cancelled_by        text NOT NULL DEFAULT '',
    cancel_reason       text NOT NULL DEFAULT '',
    loconav_trip_id     text NOT NULL DEFAULT '',
    tracking_url        text NOT NULL DEFAULT '',
    slack_channel       text NOT NULL DEFAULT '',
    slack_ts            text NOT NULL DEFAULT '',
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX trips_plate_status_idx ON trips (plate, status);
CREATE INDEX trips_status_departure_idx ON trips (status, scheduled_departure);
CREATE INDEX trips_created_at_idx ON trips (created_at);

-- Position history, one partition per UTC day so retention drops whole partitions instead of
-- deleting rows. Partitions are created on demand by store.EnsurePositionPartitions.
--
-- There is deliberately no DEFAULT partition: once a default partition holds a row for some
-- day, CREATE TABLE … PARTITION OF for that day fails ("updated partition constraint for
-- default partition would be violated"), so an early or late fix would block that day's
-- partition for good. Without one, an insert for a missing day fails loudly and is retried
-- after the partition is created.
CREATE TABLE positions (
    plate       text NOT NULL,
    imei        text NOT NULL DEFAULT '',
    fix_time    timestamptz NOT NULL,
    received_at timestamptz NOT NULL,
    lat         double precision NOT NULL,
    lng         double precision NOT NULL,
    speed_kmh   double precision NOT NULL DEFAULT 0,
    heading     double precision NOT NULL DEFAULT 0,
    ignition    boolean NOT NULL DEFAULT false,
    h3_r9       bigint NOT NULL DEFAULT 0,
    source      text NOT NULL DEFAULT '',
    -- Replay safety: the same fix twice is one row. Its btree also serves "latest fixes of a
    -- plate" (plate = $1 ORDER BY fix_time DESC) by scanning backwards, so a second index on
    -- (plate, fix_time DESC) would only slow every insert down.
    CONSTRAINT positions_plate_fix_time_key UNIQUE (plate, fix_time)
) PARTITION BY RANGE (fix_time);
CREATE INDEX positions_h3_r9_idx ON positions (h3_r9);

-- The latest fix of each truck plus the detection rules' memory (fleet.TruckState).
CREATE TABLE truck_state (
    plate           text PRIMARY KEY REFERENCES trucks (plate) ON UPDATE CASCADE ON DELETE CASCADE,
    imei            text NOT NULL DEFAULT '',
    fix_time        timestamptz NOT NULL,
    received_at     timestamptz NOT NULL,
    lat             double precision NOT NULL,
    lng             double precision NOT NULL,
    speed_kmh       double precision NOT NULL DEFAULT 0,
    heading         double precision NOT NULL DEFAULT 0,
    ignition        boolean NOT NULL DEFAULT false,
    h3_r9           bigint NOT NULL DEFAULT 0,
    h3_r7           bigint NOT NULL DEFAULT 0,
    site_code       text NOT NULL DEFAULT '',
    site_since      timestamptz,
    candidate_site  text NOT NULL DEFAULT '',
    candidate_since timestamptz,
    stopped_since   timestamptz,
    overspeed_since timestamptz,
    overspeed_open  boolean NOT NULL DEFAULT false,
    idle_open       boolean NOT NULL DEFAULT false,
    offline_open    boolean NOT NULL DEFAULT false,
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX truck_state_h3_r9_idx ON truck_state (h3_r9);
CREATE INDEX truck_state_h3_r7_idx ON truck_state (h3_r7);

CREATE TABLE alerts (
    id            bigserial PRIMARY KEY,
    kind          text NOT NULL,
    source_kind   text NOT NULL DEFAULT '',
    incident_key  text NOT NULL,
    plate         text NOT NULL DEFAULT '',
    trip_code     text NOT NULL DEFAULT '',
    site_code     text NOT NULL DEFAULT '',
    severity      text NOT NULL DEFAULT 'warning',
    message       text NOT NULL DEFAULT '',
    lat           double precision, -- NULL when the alert has no point
    lng           double precision,
    data          jsonb,
    opened_at     timestamptz NOT NULL,
    resolved_at   timestamptz,
    slack_channel text NOT NULL DEFAULT '',
    slack_ts      text NOT NULL DEFAULT ''
);
-- At most one open incident per key: a flapping signal finds the open one instead of a second.
CREATE UNIQUE INDEX alerts_open_incident_key ON alerts (incident_key) WHERE resolved_at IS NULL;
CREATE INDEX alerts_opened_at_idx ON alerts (opened_at);
CREATE INDEX alerts_plate_opened_at_idx ON alerts (plate, opened_at);

CREATE TABLE daily_metrics (
    day         date NOT NULL, -- business (Lagos) calendar day
    scope       text NOT NULL, -- 'fleet' or a plate
    data        jsonb NOT NULL,
    computed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (day, scope)
);

CREATE TABLE audit_log (
    id         bigserial PRIMARY KEY,
    at         timestamptz NOT NULL DEFAULT now(),
    actor      text NOT NULL,            -- Slack user ID, API token name, "system"
    actor_name text NOT NULL DEFAULT '',
    via        text NOT NULL,            -- slack, api, console, system, sheets, …
    action     text NOT NULL,            -- trip.create, trip.approve, …
    subject    text NOT NULL DEFAULT '', -- TRP-0042, T11985LA, …
    details    jsonb
);
CREATE INDEX audit_log_at_idx ON audit_log (at);
CREATE INDEX audit_log_subject_idx ON audit_log (subject, at);

-- One row per scheduled job and slot: the replica whose INSERT wins runs the slot.
CREATE TABLE job_runs (
    job         text NOT NULL,
    slot        timestamptz NOT NULL,
    replica     text NOT NULL,
    started_at  timestamptz NOT NULL DEFAULT now(),
    finished_at timestamptz,
    outcome     text NOT NULL DEFAULT 'running',
    error       text NOT NULL DEFAULT '',
    duration_ms bigint,
    PRIMARY KEY (job, slot)
);

-- +goose Down

DROP TABLE job_runs;
DROP TABLE audit_log;
DROP TABLE daily_metrics;
DROP TABLE alerts;
DROP TABLE truck_state;
DROP TABLE positions;
DROP TABLE trips;
DROP SEQUENCE trip_code_seq;
DROP TABLE trucks;
DROP TABLE drivers;
DROP TABLE sites;
