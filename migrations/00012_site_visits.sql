-- Site visits: every stay of a truck inside a site's geofence, from the first fix inside to the
-- first fix outside (fix times, not arrival times). Written in the same transaction as the truck
-- state that decided them, so a restart or a second consumer neither doubles nor loses one. A
-- truck is inside at most one site at a time: one open visit per plate.

-- +goose Up

CREATE TABLE site_visits (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    plate      text NOT NULL,
    site_code  text NOT NULL,
    entered_at timestamptz NOT NULL,
    exited_at  timestamptz,
    updated_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT site_visits_order CHECK (exited_at IS NULL OR exited_at >= entered_at),
    CONSTRAINT site_visits_plate_site_entered_key UNIQUE (plate, site_code, entered_at)
);
-- One open visit per truck: a replayed or concurrent entry cannot open a second one.
CREATE UNIQUE INDEX site_visits_open_plate_idx ON site_visits (plate) WHERE exited_at IS NULL;
-- Who is inside a site now.
CREATE INDEX site_visits_open_site_idx ON site_visits (site_code, entered_at) WHERE exited_at IS NULL;
-- The 7-day median and p90 of a site read only that site's recent finished visits.
CREATE INDEX site_visits_site_exited_idx ON site_visits (site_code, exited_at) INCLUDE (entered_at)
    WHERE exited_at IS NOT NULL;
-- A truck's visits around a late fix.
CREATE INDEX site_visits_plate_entered_idx ON site_visits (plate, entered_at);

-- Trucks inside a site when this runs are in an open visit from their confirmed entry.
INSERT INTO site_visits (plate, site_code, entered_at)
SELECT plate, site_code, site_since FROM truck_state WHERE site_code <> '' AND site_since IS NOT NULL;

-- +goose Down

DROP TABLE site_visits;
