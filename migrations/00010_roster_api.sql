-- Trucks and sites managed through the JSON API: a truck carries free-text notes from the
-- operations team. Retiring a truck or a site sets archived_at (the row and its history stay).

-- +goose Up

ALTER TABLE trucks ADD COLUMN notes text NOT NULL DEFAULT '';

-- +goose Down

ALTER TABLE trucks DROP COLUMN notes;
