-- Alerts people can act on: who acknowledged, snoozed or muted an alert and when (each set once,
-- by a conditional UPDATE, so two replicas or a double click act once), when a critical alert
-- was escalated, and how it ended. Snoozes keep one kind of one truck quiet for a while; a
-- muted truck raises nothing until unmuted; maintenance may end by itself at maintenance_until.

-- +goose Up

ALTER TABLE alerts
    ADD COLUMN acked_by      text NOT NULL DEFAULT '',
    ADD COLUMN acked_name    text NOT NULL DEFAULT '',
    ADD COLUMN acked_via     text NOT NULL DEFAULT '',
    ADD COLUMN acked_at      timestamptz,
    ADD COLUMN snoozed_by    text NOT NULL DEFAULT '',
    ADD COLUMN snoozed_name  text NOT NULL DEFAULT '',
    ADD COLUMN snoozed_via   text NOT NULL DEFAULT '',
    ADD COLUMN snoozed_at    timestamptz,
    ADD COLUMN muted_by      text NOT NULL DEFAULT '',
    ADD COLUMN muted_name    text NOT NULL DEFAULT '',
    ADD COLUMN muted_via     text NOT NULL DEFAULT '',
    ADD COLUMN muted_at      timestamptz,
    ADD COLUMN escalated_at  timestamptz,
    ADD COLUMN resolution    text NOT NULL DEFAULT '';
-- The escalation sweep looks for open critical alerts nobody acknowledged.
CREATE INDEX alerts_unacked_critical_idx ON alerts (opened_at)
    WHERE resolved_at IS NULL AND acked_at IS NULL AND escalated_at IS NULL AND severity = 'critical';

CREATE TABLE alert_snoozes (
    plate      text NOT NULL,
    kind       text NOT NULL,
    until      timestamptz NOT NULL,
    snoozed_by text NOT NULL DEFAULT '',
    PRIMARY KEY (plate, kind)
);

ALTER TABLE trucks
    ADD COLUMN muted_by          text NOT NULL DEFAULT '',
    ADD COLUMN muted_at          timestamptz,
    ADD COLUMN maintenance_until timestamptz;

-- +goose Down

ALTER TABLE trucks DROP COLUMN muted_by, DROP COLUMN muted_at, DROP COLUMN maintenance_until;
DROP TABLE alert_snoozes;
DROP INDEX alerts_unacked_critical_idx;
ALTER TABLE alerts
    DROP COLUMN acked_by, DROP COLUMN acked_name, DROP COLUMN acked_via, DROP COLUMN acked_at,
    DROP COLUMN snoozed_by, DROP COLUMN snoozed_name, DROP COLUMN snoozed_via, DROP COLUMN snoozed_at,
    DROP COLUMN muted_by, DROP COLUMN muted_name, DROP COLUMN muted_via, DROP COLUMN muted_at,
    DROP COLUMN escalated_at, DROP COLUMN resolution;
