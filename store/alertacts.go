package store

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/watchtower-ops/watchtower/fleet"
)

// actOnAlertSQL sets each action's columns only while the alert is open and the action not done
// yet: of two replicas or a double click, exactly one UPDATE returns the row.
var actOnAlertSQL = map[fleet.AlertAction]string{
	fleet.ActAck: `UPDATE alerts SET acked_by = $2, acked_name = $3, acked_via = $4, acked_at = $5
		WHERE id = $1 AND resolved_at IS NULL AND acked_at IS NULL RETURNING ` + alertCols,
	fleet.ActSnooze: `UPDATE alerts SET snoozed_by = $2, snoozed_name = $3, snoozed_via = $4, snoozed_at = $5
		WHERE id = $1 AND resolved_at IS NULL AND snoozed_at IS NULL RETURNING ` + alertCols,
	fleet.ActMute: `UPDATE alerts SET muted_by = $2, muted_name = $3, muted_via = $4, muted_at = $5
		WHERE id = $1 AND resolved_at IS NULL AND muted_at IS NULL RETURNING ` + alertCols,
}

const (
	resolveAlertByIDSQL = `UPDATE alerts SET resolved_at = $2, resolution = $3 WHERE id = $1 AND resolved_at IS NULL
		RETURNING ` + alertCols
	snoozeSQL = `INSERT INTO alert_snoozes (plate, kind, until, snoozed_by) VALUES ($1, $2, $3, $4)
		ON CONFLICT (plate, kind) DO UPDATE SET until = GREATEST(alert_snoozes.until, EXCLUDED.until),
		snoozed_by = EXCLUDED.snoozed_by`
	muteTruckSQL = `UPDATE trucks SET muted_by = $2, muted_at = $3, updated_at = now()
		WHERE plate = $1 AND muted_at IS NULL`
)

// ActOnAlert acknowledges, snoozes or mutes alert id for who, exactly once, and audits it.
// Acknowledging an alert that stays open until acknowledged (LocoNav SOS, panic…) resolves it;
// snoozing keeps the alert's kind quiet for its truck for fleet.SnoozeFor; muting keeps the
// truck quiet until UnmuteTruck. It returns the alert as it now is. It returns EINVALID for
// an unknown action, ENOTFOUND for an unknown alert, and ECONFLICT (with the alert as stored)
// when it is resolved or the action was already done: fleet.Alert.CanAct says by whom.
func (s *Store) ActOnAlert(ctx context.Context, id int64, act fleet.AlertAction, who fleet.Actor, at time.Time) (_ fleet.Alert, err error) {
	defer wrap(&err, "ActOnAlert(%d, %s)", id, act)
	sqlText, ok := actOnAlertSQL[act]
	if !ok {
		return fleet.Alert{}, fleet.Errorf(fleet.EINVALID, "unknown alert action %q", act)
	}
	at = orNow(at).UTC()
	var a fleet.Alert
	err = s.InTx(ctx, func(tx pgx.Tx) error {
		a, err = scanAlert(tx.QueryRow(ctx, sqlText, id, who.ID, who.Name, who.Via, at))
		if isNoRows(err) {
			return errNoChange
		} else if err != nil {
			return err
		}
		if err := s.afterAct(ctx, tx, &a, act, at); err != nil {
			return err
		}
		return s.Audit(ctx, tx, AuditEntry{At: at, Actor: who, Action: "alert." + string(act),
			Subject: "alert:" + strconv.FormatInt(id, 10), Details: auditDetails(map[string]any{
				"kind": a.Kind, "plate": a.Plate, "severity": a.Severity})})
	})
	if errors.Is(err, errNoChange) {
		cur, err := s.AlertByID(ctx, id)
		if err != nil {
			return fleet.Alert{}, err
		}
		if err := cur.CanAct(act); err != nil {
			return cur, err
		}
		return cur, fleet.Errorf(fleet.ECONFLICT, "%s changed meanwhile; try again", cur.Label())
	}
	return a, err
}

// RefuseAlertAct records in the audit log that who was refused act on alert id
// ("alert.ack.refused"), whether or not the alert exists.
func (s *Store) RefuseAlertAct(ctx context.Context, id int64, act fleet.AlertAction, who fleet.Actor, at time.Time) (err error) {
	defer wrap(&err, "RefuseAlertAct(%d, %s)", id, act)
	return s.Audit(ctx, nil, AuditEntry{At: orNow(at).UTC(), Actor: who, Action: "alert." + string(act) + ".refused",
		Subject: "alert:" + strconv.FormatInt(id, 10)})
}

// errNoChange rolls back an action whose conditional UPDATE matched nothing.
var errNoChange = fleet.Errorf(fleet.ECONFLICT, "no change")

// afterAct applies what an action implies beyond the alert row.
func (s *Store) afterAct(ctx context.Context, tx pgx.Tx, a *fleet.Alert, act fleet.AlertAction, at time.Time) error {
	switch {
	case act == fleet.ActAck && fleet.OpenUntilAcked(a.Kind, a.SourceKind):
		resolved, err := scanAlert(tx.QueryRow(ctx, resolveAlertByIDSQL, a.ID, at, fleet.ResolutionAcked(*a.Acked)))
		if err != nil {
			return err
		}
		*a = resolved
	case act == fleet.ActSnooze && a.Plate != "":
		_, err := tx.Exec(ctx, snoozeSQL, a.Plate, string(a.Kind), at.Add(fleet.SnoozeFor), a.Snoozed.By)
		return err
	case act == fleet.ActMute && a.Plate != "":
		_, err := tx.Exec(ctx, muteTruckSQL, a.Plate, a.Muted.By, at)
		return err
	}
	return nil
}

// UnmuteTruck lets a muted truck raise alerts again, audited. It reports whether the truck was
// muted. It returns ENOTFOUND for an unknown plate.
func (s *Store) UnmuteTruck(ctx context.Context, plate string, who fleet.Actor) (_ bool, err error) {
	defer wrap(&err, "UnmuteTruck(%q)", plate)
	norm := fleet.NormalizePlate(plate)
	var was bool
	err = s.InTx(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `UPDATE trucks t SET muted_by = '', muted_at = NULL FROM trucks old
			WHERE t.plate = $1 AND old.id = t.id RETURNING old.muted_at IS NOT NULL`, norm).Scan(&was)
		if isNoRows(err) {
			return s.truckNotFound(ctx, plate)
		}
		if err != nil || !was {
			return err
		}
		return s.Audit(ctx, tx, AuditEntry{Actor: who, Action: "truck.unmute", Subject: norm})
	})
	return was, err
}

const unackedCriticalSQL = `SELECT ` + alertCols + ` FROM alerts
WHERE resolved_at IS NULL AND acked_at IS NULL AND escalated_at IS NULL AND severity = 'critical' AND opened_at <= $1
ORDER BY opened_at LIMIT $2`

// UnackedCritical returns up to limit open critical alerts opened at or before openedBefore that
// nobody acknowledged and that were not escalated yet, oldest first.
func (s *Store) UnackedCritical(ctx context.Context, openedBefore time.Time, limit int) (_ []fleet.Alert, err error) {
	defer wrap(&err, "UnackedCritical")
	return collectAlerts(s.pool.Query(ctx, unackedCriticalSQL, openedBefore, limit))
}

// MarkEscalated records that alert id was escalated at at, once: it reports false when the
// alert was already escalated, acknowledged or resolved meanwhile.
func (s *Store) MarkEscalated(ctx context.Context, id int64, at time.Time) (_ bool, err error) {
	defer wrap(&err, "MarkEscalated(%d)", id)
	tag, err := s.pool.Exec(ctx, `UPDATE alerts SET escalated_at = $2
		WHERE id = $1 AND escalated_at IS NULL AND acked_at IS NULL AND resolved_at IS NULL`, id, at)
	return tag.RowsAffected() == 1, err
}

const alertsOpenedSQL = `SELECT ` + alertCols + ` FROM alerts
WHERE opened_at >= $1 AND opened_at < $2 AND severity = $3 ORDER BY opened_at, id LIMIT 500`

// AlertsOpened returns the alerts of severity opened in [from, to), oldest first, at most 500.
func (s *Store) AlertsOpened(ctx context.Context, from, to time.Time, severity fleet.Severity) (_ []fleet.Alert, err error) {
	defer wrap(&err, "AlertsOpened")
	return collectAlerts(s.pool.Query(ctx, alertsOpenedSQL, from, to, string(severity)))
}

const queryAlertsSQL = `SELECT ` + alertCols + ` FROM alerts
WHERE ($1::bool IS NULL OR (resolved_at IS NULL) = $1)
  AND ($2 = '' OR plate = $2)
  AND (cardinality($3::text[]) = 0 OR kind = ANY($3))
  AND ($4 = '' OR severity = $4)
  AND ($5::timestamptz IS NULL OR opened_at >= $5)
  AND ($6 = 0 OR id < $6)
ORDER BY id DESC LIMIT $7`

// QueryAlerts returns the alerts q selects, newest first, and the cursor of the next page (0
// when this is the last).
func (s *Store) QueryAlerts(ctx context.Context, q fleet.AlertQuery) (_ []fleet.Alert, next int64, err error) {
	defer wrap(&err, "QueryAlerts")
	limit := pageSize(q.Limit, 20, 200)
	kinds := make([]string, len(q.Kinds))
	for i, k := range q.Kinds {
		kinds[i] = string(k)
	}
	out, err := collectAlerts(s.pool.Query(ctx, queryAlertsSQL, q.Open, fleet.NormalizePlate(q.Plate), kinds,
		string(q.Severity), nullTime(q.Since), q.Before, limit+1))
	if err != nil {
		return nil, 0, err
	}
	out, next = cutPage(out, limit, func(r fleet.Alert) int64 { return r.ID })
	return out, next, nil
}
