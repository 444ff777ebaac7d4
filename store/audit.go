package store

import (
	"context"
	"encoding/json"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/watchtower-ops/watchtower/fleet"
)

// AuditEntry is one line of the audit log (fleet.AuditEntry).
type AuditEntry = fleet.AuditEntry

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
	return collectAudit(s.pool.Query(ctx, listAuditSQL, subject))
}

const queryAuditSQL = `
SELECT id, at, actor, actor_name, via, action, subject, details
FROM audit_log
WHERE ($1 = '' OR actor = $1)
  AND ($2 = '' OR action = $2)
  AND ($3 = '' OR action LIKE $3)
  AND ($4 = '' OR subject = $4)
  AND ($5::timestamptz IS NULL OR at >= $5)
  AND ($6::timestamptz IS NULL OR at < $6)
  AND ($7 = 0 OR id < $7)
ORDER BY id DESC LIMIT $8`

// QueryAudit returns the audit entries q selects, newest first (in the order they were
// written), and the cursor of the next page (0 when this is the last). An action ending in
// ".*" selects its family ("trip.*": trip.create, trip.cancel, …).
func (s *Store) QueryAudit(ctx context.Context, q fleet.AuditQuery) (_ []fleet.AuditEntry, next int64, err error) {
	defer wrap(&err, "QueryAudit")
	limit := pageSize(q.Limit, 100, 500)
	action, family := q.Action, ""
	if prefix, ok := strings.CutSuffix(action, ".*"); ok {
		action, family = "", likeEscape(prefix)+".%"
	}
	out, err := collectAudit(s.pool.Query(ctx, queryAuditSQL, q.Actor, action, family, q.Subject,
		nullTime(q.Since), nullTime(q.Until), q.Before, limit+1))
	if err != nil {
		return nil, 0, err
	}
	out, next = cutPage(out, limit, func(r fleet.AuditEntry) int64 { return r.ID })
	return out, next, nil
}

// likeEscape escapes LIKE's wildcards (and its escape character) in s.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// collectAudit reads audit rows.
func collectAudit(rows pgx.Rows, err error) ([]AuditEntry, error) {
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
