-- Notifications that must reach Slack even when Redis is down: Watch Tower's own incidents
-- (a failed job, dead letters, Redis unreachable) are written here in the same transaction
-- that opens or resolves the incident, and moved to the notify stream ({prefix}:notify) once
-- Redis answers. The notification's own ID keeps a relay that is repeated from posting twice.

-- +goose Up

CREATE TABLE notify_outbox (
    seq          bigserial PRIMARY KEY,
    notification jsonb NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);

-- +goose Down

DROP TABLE notify_outbox;
