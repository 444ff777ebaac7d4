-- The JSON API, complete: an admin scope for tokens that read the audit log (and may cancel or
-- change any trip, like a dispatch approver), and indexes for GET /api/v1/audit, which lists
-- the log newest first filtered by actor or action.

-- +goose Up

ALTER TABLE api_tokens DROP CONSTRAINT api_tokens_scope_check;
ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_scope_check CHECK (scope IN ('read', 'write', 'admin'));

CREATE INDEX audit_log_actor_idx ON audit_log (actor, id);
CREATE INDEX audit_log_action_idx ON audit_log (action, id);

-- +goose Down

DROP INDEX audit_log_action_idx;
DROP INDEX audit_log_actor_idx;
-- The old rule knows no admin scope: admin tokens are revoked (kept as read, so their names
-- stay taken and the audit log still names them).
UPDATE api_tokens SET scope = 'read', revoked_at = coalesce(revoked_at, now()) WHERE scope = 'admin';
ALTER TABLE api_tokens DROP CONSTRAINT api_tokens_scope_check;
ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_scope_check CHECK (scope IN ('read', 'write'));
