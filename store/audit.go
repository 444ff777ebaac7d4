package store

import (
	"context"
	"encoding/json"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
)

// AuditEntry is one line of the audit log.
type AuditEntry struct {
	ID      int64
	At      time.Time // now when zero
	Actor   fleet.Actor
	Action  string          // "trip.create", "trip.approve", "truck.status", …
	Subject string          // what it was done to: "TRP-0042", "T11985LA"
	Details json.RawMessage // action-specific, may be nil
}

const auditInsertSQL = `
INSERT INTO audit_log (at, actor, actor_name, via, action, subject, details)
VALUES ($1, $2, $3, $4, $5, $6, $7)`

// Audit appends e to the audit log through q, so it commits or rolls back with the caller's
// transaction; q nil writes on its own. It returns EINVALID when the action or actor is
// missing.
func (s *Store) Audit(ctx context.Context, q Querier, e AuditEntry) (err error) {
	defer wrap(&err, "Audit(%q, %q)", e.Action, e.Subject)
	if e.Action == "" || e.Actor.ID == "" {
		return fleet.Errorf(fleet.EINVALID, "audit entry needs an action and an actor")
	}
	if q == nil {
		q = s.pool
	}
	via := e.Actor.Via
	if via == "" {
		via = "system"
	}
	var details any
	if len(e.Details) > 0 {
		details = string(e.Details)
	}
	_, err = q.Exec(ctx, auditInsertSQL, orNow(e.At), e.Actor.ID, e.Actor.Name, via, e.Action, e.Subject, details)
	return err
}

const listAuditSQL = `
SELECT id, at, actor, actor_name, via, action, subject, details
FROM audit_log WHERE subject = $1 ORDER BY at, id`

// ListAudit returns the audit entries about subject, oldest first.
func (s *Store) ListAudit(ctx context.Context, subject string) (_ []AuditEntry, err error) {
	defer wrap(&err, "ListAudit(%q)", subject)
	rows, err := s.pool.Query(ctx, listAuditSQL, subject)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var (
			e       AuditEntry
			details []byte
		)
		if err := rows.Scan(&e.ID, &e.At, &e.Actor.ID, &e.Actor.Name, &e.Actor.Via, &e.Action, &e.Subject, &details); err != nil {
			return nil, err
		}
		e.At = e.At.UTC()
		if details != nil {
			e.Details = json.RawMessage(details)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// auditDetails marshals v for AuditEntry.Details; v is always marshalable here.
func auditDetails(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	return b
}
