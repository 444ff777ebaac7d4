package sheets

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/watchtower-ops/watchtower/store"
)

// rowState is a row of sheet_sync_state: what both sides held after the row's last sync.
type rowState struct {
	tab     string // tabSpec.key
	rowID   string
	hash    string
	fields  fields
	pending bool // created from the sheet; its ID is not confirmed in the sheet yet
	removed bool // deleted from the sheet; not added again
}

const loadStatesSQL = `
SELECT row_id, hash, fields, pending, removed_at IS NOT NULL FROM sheet_sync_state WHERE tab = $1`

// loadStates returns the sync state of every row of tab, by row ID.
func loadStates(ctx context.Context, st *store.Store, tab string) (map[string]*rowState, error) {
	out := map[string]*rowState{}
	err := st.InTx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, loadStatesSQL, tab)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			s := &rowState{tab: tab}
			var raw []byte
			if err := rows.Scan(&s.rowID, &s.hash, &raw, &s.pending, &s.removed); err != nil {
				return err
			}
			if err := json.Unmarshal(raw, &s.fields); err != nil {
				return fmt.Errorf("sync state %s/%s: %w", tab, s.rowID, err)
			}
			out[s.rowID] = s
		}
		return rows.Err()
	})
	if err != nil {
		return nil, fmt.Errorf("load sheet sync state of %s: %w", tab, err)
	}
	return out, nil
}

const saveStateSQL = `
INSERT INTO sheet_sync_state (tab, row_id, hash, fields, pending, removed_at, synced_at)
VALUES ($1, $2, $3, $4, $5, CASE WHEN $6 THEN $7::timestamptz END, $7)
ON CONFLICT (tab, row_id) DO UPDATE SET
	hash = EXCLUDED.hash, fields = EXCLUDED.fields, pending = EXCLUDED.pending,
	removed_at = CASE WHEN $6 THEN COALESCE(sheet_sync_state.removed_at, $7) END,
	synced_at = EXCLUDED.synced_at`

// saveStates upserts states in one transaction.
func saveStates(ctx context.Context, st *store.Store, states []rowState, now time.Time) error {
	if len(states) == 0 {
		return nil
	}
	err := st.InTx(ctx, func(tx pgx.Tx) error {
		b := &pgx.Batch{}
		for _, s := range states {
			raw, err := json.Marshal(s.fields)
			if err != nil {
				return err
			}
			b.Queue(saveStateSQL, s.tab, s.rowID, s.hash, raw, s.pending, s.removed, now)
		}
		return tx.SendBatch(ctx, b).Close()
	})
	if err != nil {
		return fmt.Errorf("save sheet sync state: %w", err)
	}
	return nil
}

// conflict is a row of sheet_sync_conflicts.
type conflict struct {
	tab, rowID string
	clash
}

// insertConflictSQL skips a clash already logged with the same values: a cycle that stops
// before it can advance the base meets the same clash again on the next run.
const insertConflictSQL = `
INSERT INTO sheet_sync_conflicts (tab, row_id, field, base_value, sheet_value, db_value, winner, detected_at)
SELECT $1, $2, $3, $4, $5, $6, $7, $8
WHERE NOT EXISTS (
	SELECT 1 FROM sheet_sync_conflicts
	WHERE tab = $1 AND row_id = $2 AND field = $3 AND base_value IS NOT DISTINCT FROM $4
	  AND sheet_value = $5 AND db_value = $6)`

// recordConflicts logs clashes in one transaction.
func recordConflicts(ctx context.Context, st *store.Store, cs []conflict, now time.Time) error {
	if len(cs) == 0 {
		return nil
	}
	err := st.InTx(ctx, func(tx pgx.Tx) error {
		b := &pgx.Batch{}
		for _, c := range cs {
			b.Queue(insertConflictSQL, c.tab, c.rowID, c.field, c.base, c.sheet, c.db, c.winner.String(), now)
		}
		return tx.SendBatch(ctx, b).Close()
	})
	if err != nil {
		return fmt.Errorf("record sheet sync conflicts: %w", err)
	}
	return nil
}

// Conflict is a field both the sheet and Watch Tower changed to different values between two
// syncs, as logged in sheet_sync_conflicts.
type Conflict struct {
	Tab        string  // "trucks" or "trips"
	RowID      string  // truck ID or trip code
	Field      string  // field key: "status", "driver_phone", …
	Base       *string // the value both sides held before, nil when unknown
	Sheet      string  // the sheet's value
	DB         string  // Watch Tower's value
	Winner     string  // "sheet" or "database"
	DetectedAt time.Time
}

const listConflictsSQL = `
SELECT tab, row_id, field, base_value, sheet_value, db_value, winner, detected_at
FROM sheet_sync_conflicts WHERE detected_at >= $1 ORDER BY detected_at, id`

// Conflicts returns the clashes logged since since, oldest first.
func (s *Syncer) Conflicts(ctx context.Context, since time.Time) ([]Conflict, error) {
	var out []Conflict
	err := s.store.InTx(ctx, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, listConflictsSQL, since)
		if err != nil {
			return err
		}
		out, err = pgx.CollectRows(rows, func(r pgx.CollectableRow) (Conflict, error) {
			var c Conflict
			err := r.Scan(&c.Tab, &c.RowID, &c.Field, &c.Base, &c.Sheet, &c.DB, &c.Winner, &c.DetectedAt)
			c.DetectedAt = c.DetectedAt.UTC()
			return c, err
		})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list sheet sync conflicts: %w", err)
	}
	return out, nil
}
