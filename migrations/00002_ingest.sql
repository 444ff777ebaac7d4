-- Ingest idempotency: every ingest stream entry applied to the database, written in the same
-- transaction as its effects. A redelivered entry (a consumer died between COMMIT and XACK)
-- finds its row and is not applied twice; outbox keeps the events and notifications it
-- produced so they can be published again if the first publish was lost. Rows are pruned by
-- entry ID, which starts with the entry's millisecond timestamp.

-- +goose Up

CREATE TABLE ingest_applied (
    stream   text NOT NULL, -- the stream key ({prefix}:ingest)
    entry_id text NOT NULL, -- Redis stream entry ID, "<ms>-<seq>"
    outbox   jsonb,         -- {"events":[…],"notifications":[…]} when the entry produced any
    PRIMARY KEY (stream, entry_id)
);

-- +goose Down

DROP TABLE ingest_applied;
