-- The JSON API for integrations (bot/api): bearer tokens, and an index for paging trips.
--
-- api_tokens keeps only the SHA-256 of each token (a token is 32 random bytes, so a plain hash
-- cannot be brute-forced; no salt or slow hash is needed) and its first characters, so an
-- operator can tell tokens apart in `watchtower token list`. A revoked token keeps its row: its
-- name is what the audit log names for the writes it made, so names are never reused.

-- +goose Up

CREATE TABLE api_tokens (
    id           bigserial PRIMARY KEY,
    name         text NOT NULL UNIQUE CHECK (name ~ '^[a-z0-9][a-z0-9._-]{0,62}$'),
    scope        text NOT NULL CHECK (scope IN ('read', 'write')),
    token_hash   bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    token_prefix text NOT NULL, -- the token's first characters, for `token list`
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz, -- updated at most once a minute
    revoked_at   timestamptz
);

-- GET /api/v1/trips pages by (scheduled_departure, id).
CREATE INDEX trips_departure_id_idx ON trips (scheduled_departure, id);

-- +goose Down

DROP INDEX trips_departure_id_idx;
DROP TABLE api_tokens;
