-- Google Sheets two-way sync (store/sheets). sheet_sync_state keeps, for every sheet row the
-- sync knows, the values both sides agreed on after its last successful cycle: the base of the
-- three-way comparison, so an edit is told from an echo without cell timestamps.
-- sheet_sync_conflicts records every field both sides changed to different values, and which
-- side won.

-- +goose Up

CREATE TABLE sheet_sync_state (
    tab        text NOT NULL CHECK (tab IN ('trucks', 'trips')),
    row_id     text NOT NULL,                 -- the row's ID cell: truck ID or trip code
    hash       text NOT NULL,                 -- hex SHA-256 of the normalised field values
    fields     jsonb NOT NULL,                -- those values by field name, for the field-level merge
    pending    boolean NOT NULL DEFAULT false, -- created from a sheet row whose ID is not written back yet
    removed_at timestamptz,                   -- the row was deleted from the sheet; it is not added again
    synced_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (tab, row_id)
);

CREATE TABLE sheet_sync_conflicts (
    id          bigserial PRIMARY KEY,
    tab         text NOT NULL,
    row_id      text NOT NULL,
    field       text NOT NULL,
    base_value  text,                         -- NULL when the row had no synced state yet
    sheet_value text NOT NULL,
    db_value    text NOT NULL,
    winner      text NOT NULL CHECK (winner IN ('sheet', 'database')),
    detected_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX sheet_sync_conflicts_row_idx ON sheet_sync_conflicts (tab, row_id, detected_at);
CREATE INDEX sheet_sync_conflicts_detected_at_idx ON sheet_sync_conflicts (detected_at);

-- +goose Down

DROP TABLE sheet_sync_conflicts;
DROP TABLE sheet_sync_state;
