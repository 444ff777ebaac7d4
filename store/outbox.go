package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/watchtower-ops/watchtower/fleet"
)

// outboxRelayLock is the advisory lock one relay holds while it moves the outbox, so rows go
// to the notify stream in order and one replica at a time.
const outboxRelayLock = 7020_0001

// OpenSystemAlert opens the system incident a like OpenAlert and, in the same transaction,
// parks its opening notification in the outbox (RelayOutbox moves it to the notify stream).
// An incident already open under a.IncidentKey is returned with created false and nothing is
// parked. It returns EINVALID without a kind or incident key.
func (s *Store) OpenSystemAlert(ctx context.Context, a fleet.Alert) (_ fleet.Alert, created bool, err error) {
	defer wrap(&err, "OpenSystemAlert(%q)", a.IncidentKey)
	if a.Kind == "" || a.IncidentKey == "" {
		return fleet.Alert{}, false, fleet.Errorf(fleet.EINVALID, "an alert needs a kind and an incident key")
	}
	if a.Severity == "" {
		a.Severity = fleet.SeverityCritical
	}
	var got fleet.Alert
	err = s.InTx(ctx, func(tx pgx.Tx) error {
		var err error
		got, err = scanAlert(tx.QueryRow(ctx, openAlertSQL, append(incidentArgs(a), a.SlackChannel, a.SlackTS)...))
		if err != nil {
			return err
		}
		created = true
		return park(ctx, tx, fleet.AlertNotification(got, fleet.NotifyAlertOpened, got.OpenedAt))
	})
	if isNoRows(err) {
		open, err := s.OpenAlertByKey(ctx, a.IncidentKey)
		return open, false, err
	}
	return got, created, err
}

// ResolveSystemAlert resolves the open incident with incidentKey at at (now when zero) and,
// in the same transaction, parks its resolution in the outbox. It returns ENOTFOUND when no
// incident with that key is open: another replica resolved it, and announced it.
func (s *Store) ResolveSystemAlert(ctx context.Context, incidentKey string, at time.Time) (_ fleet.Alert, err error) {
	defer wrap(&err, "ResolveSystemAlert(%q)", incidentKey)
	var got fleet.Alert
	err = s.InTx(ctx, func(tx pgx.Tx) error {
		var err error
		got, err = scanAlert(tx.QueryRow(ctx, resolveAlertSQL, incidentKey, orNow(at), fleet.ResolutionCleared))
		if err != nil {
			return err
		}
		return park(ctx, tx, fleet.AlertNotification(got, fleet.NotifyAlertResolved, *got.ResolvedAt))
	})
	if isNoRows(err) {
		return fleet.Alert{}, fleet.Errorf(fleet.ENOTFOUND, "no open alert %s", incidentKey)
	}
	return got, err
}

// park adds n to the outbox in tx.
func park(ctx context.Context, tx pgx.Tx, n fleet.Notification) error {
	payload, err := json.Marshal(n)
	if err != nil {
		return fmt.Errorf("encode notification %s: %w", n.ID, err)
	}
	_, err = tx.Exec(ctx, `INSERT INTO notify_outbox (notification) VALUES ($1)`, payload)
	return err
}

// RelayOutbox hands the parked notifications, oldest first, to send (the notify stream) and
// deletes them once send returned nil, in one transaction. While another replica relays it
// returns 0 at once; when send fails the notifications stay parked for the next call. send may
// see a notification twice (a crash after send, before the commit): their IDs make the
// repeat a no-op. It returns how many were relayed.
func (s *Store) RelayOutbox(ctx context.Context, send func(context.Context, []fleet.Notification) error) (n int, err error) {
	defer wrap(&err, "RelayOutbox")
	err = s.InTx(ctx, func(tx pgx.Tx) error {
		var locked bool
		if err := tx.QueryRow(ctx, `SELECT pg_try_advisory_xact_lock($1)`, outboxRelayLock).Scan(&locked); err != nil || !locked {
			return err
		}
		rows, err := tx.Query(ctx, `SELECT seq, notification FROM notify_outbox ORDER BY seq LIMIT 100`)
		if err != nil {
			return err
		}
		var seqs []int64
		var ns []fleet.Notification
		for rows.Next() {
			var seq int64
			var n fleet.Notification
			if err := rows.Scan(&seq, &n); err != nil {
				rows.Close()
				return err
			}
			seqs, ns = append(seqs, seq), append(ns, n)
		}
		if err := rows.Err(); err != nil || len(ns) == 0 {
			return err
		}
		if err := send(ctx, ns); err != nil {
			return err
		}
		n = len(ns)
		_, err = tx.Exec(ctx, `DELETE FROM notify_outbox WHERE seq = ANY($1)`, seqs)
		return err
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}
