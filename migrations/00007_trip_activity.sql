-- The daily summary (store.DailySummary, behind get_daily_summary, /summary and the digests)
-- counts a day's trip events: created, departed, completed, delayed, cancelled, rejected.
-- Every event bumps updated_at, so only trips touched since the day began can have one; this
-- index turns that filter into a range scan instead of a scan of six months of trips.

-- +goose Up

CREATE INDEX trips_updated_at_idx ON trips (updated_at);

-- +goose Down

DROP INDEX trips_updated_at_idx;
