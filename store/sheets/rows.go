package sheets

import (
	"context"
	"maps"
	"slices"

	gsheets "google.golang.org/api/sheets/v4"

	"github.com/watchtower-ops/watchtower/fleet"
)

// syncRow merges a sheet row with its record three ways, applies the merge to the database as
// far as the rules allow, and plans the cells to write back. adopt says the row has no ID yet
// and gets rec's.
func (c *cycle) syncRow(ctx context.Context, r *tabRun, row *sheetRow, rec record, adopt bool) error {
	st := r.states[rec.id]
	var base fields
	if st != nil {
		base = st.fields
	}
	if !adopt && st != nil && !st.pending && !st.removed &&
		st.hash == hashFields(r.spec, row.fields) && st.hash == hashFields(r.spec, rec.fields) {
		return nil // neither side changed since the last sync
	}
	merged, clashes := merge3(r.spec, base, row.fields, rec.fields)
	after, notes := rec, []string(nil)
	if len(changed(r.spec, merged, rec.fields)) > 0 {
		var err error
		if after, notes, err = r.ent.update(ctx, c.now, rec, merged); err != nil {
			return err
		}
	}
	if len(notes) > 0 {
		c.res.Invalid++
	}
	for _, cl := range clashes {
		c.conflicts = append(c.conflicts, conflict{tab: r.spec.key, rowID: rec.id, clash: cl})
		notes = append(notes, clashNote(cl))
	}
	c.res.Conflicts += len(clashes)
	c.planRow(r, row, rec, merged, after, notes, adopt)
	next := rowState{tab: r.spec.key, rowID: rec.id, hash: hashFields(r.spec, after.fields), fields: after.fields}
	if st == nil || st.hash != next.hash || st.pending || st.removed {
		r.done = append(r.done, next)
	}
	return nil
}

// planRow plans the cells of a synced row: every field to the stored value, except a refused
// change (the database kept its value despite the merge), which stays in its cell as typed
// with the note saying why. The base takes the stored value either way, so a refused change
// is tried again until it is fixed, and a change made meanwhile reaches the sheet.
func (c *cycle) planRow(r *tabRun, row *sheetRow, rec record, merged fields, after record, notes []string, adopt bool) {
	target := maps.Clone(after.fields)
	for _, k := range changed(r.spec, after.fields, merged) {
		if merged[k] != rec.fields[k] && after.fields[k] == rec.fields[k] {
			target[k] = row.fields[k]
		}
	}
	dbChanged := len(changed(r.spec, rec.fields, after.fields)) > 0
	cells := c.writeFields(r, row, target)
	if adopt {
		c.writeCell(r, row.num, r.layout.idCol, rec.id)
	}
	switch {
	case len(notes) > 0:
		c.writeNote(r, row, joinNotes(notes))
	case dbChanged || cells > 0 || adopt:
		c.writeNote(r, row, "")
	}
	if dbChanged || cells > 0 {
		c.res.Updated++
	}
}

// writeFields plans the cells of row whose value differs from target and returns how many.
func (c *cycle) writeFields(r *tabRun, row *sheetRow, target fields) int {
	n := 0
	for i, f := range r.spec.fields {
		if target[f.key] != row.fields[f.key] {
			c.writeCell(r, row.num, r.layout.cols[i], target[f.key])
			n++
		}
	}
	return n
}

// writeNote plans the note cell of row when note differs from what it holds.
func (c *cycle) writeNote(r *tabRun, row *sheetRow, note string) {
	if note != row.note {
		c.writeCell(r, row.num, r.layout.noteCol, note)
	}
}

// invalid leaves note on a row the sync cannot apply.
func (c *cycle) invalid(r *tabRun, row *sheetRow, note string) {
	c.res.Invalid++
	c.writeNote(r, row, note)
}

// writeCell plans one RAW cell write.
func (c *cycle) writeCell(r *tabRun, rowNum, col int, value string) {
	r.writes = append(r.writes, &gsheets.ValueRange{Range: cellRange(r.spec.name, col, rowNum),
		MajorDimension: "ROWS", Values: [][]any{{value}}})
	r.touched[rowNum] = true
}

// verify re-reads the tabs about to be written (or whose deleted rows are about to be
// removed) and returns ECONFLICT when a header, the ID column or a row to be written changed
// since the cycle read them: rows were moved, inserted, deleted or edited meanwhile, so the
// planned cells might land on the wrong row. Nothing has been written to the sheet then.
func (c *cycle) verify(ctx context.Context, runs []*tabRun) error {
	var check []*tabRun
	var ranges []string
	for _, r := range runs {
		if len(r.writes) > 0 || len(r.removed) > 0 {
			check = append(check, r)
			ranges = append(ranges, quoteTab(r.spec.name))
		}
	}
	if len(check) == 0 {
		return nil
	}
	vrs, err := c.s.client.batchGet(ctx, ranges...)
	if err != nil {
		return err
	}
	for i, r := range check {
		if !sameTab(r, vrs[i].Values) {
			return fleet.Errorf(fleet.ECONFLICT, "rows of the Google Sheet tab %q moved or changed while the sync was running; nothing was written to the sheet and the next cycle starts over", r.spec.name)
		}
	}
	return nil
}

// sameTab reports whether now has the header, ID column and written rows r read.
func sameTab(r *tabRun, now [][]any) bool {
	l := r.layout
	for i := 0; i <= r.headerIdx; i++ { // the header and the rows above it
		if !sameCells(row(r.values, i), row(now, i), l.width, -1) {
			return false
		}
	}
	for i := r.headerIdx + 1; i < max(len(r.values), len(now)); i++ {
		if cellText(cellAt(row(r.values, i), l.idCol)) != cellText(cellAt(row(now, i), l.idCol)) {
			return false
		}
		if r.touched[i+1] && !sameCells(row(r.values, i), row(now, i), l.width, l.noteCol) {
			return false
		}
	}
	return true
}

func row(values [][]any, i int) []any {
	if i < len(values) {
		return values[i]
	}
	return nil
}

// sameCells compares the first width cells of two rows as text, skipping column skip.
func sameCells(a, b []any, width, skip int) bool {
	for j := range max(width, len(a), len(b)) {
		if j != skip && cellText(cellAt(a, j)) != cellText(cellAt(b, j)) {
			return false
		}
	}
	return true
}

// removeRows handles the rows deleted from the sheet, once verify has seen them still gone.
func (c *cycle) removeRows(ctx context.Context, r *tabRun) error {
	for _, rec := range r.removed {
		if err := r.ent.remove(ctx, c.now, rec); err != nil {
			return err
		}
		c.res.Archived++
		st := r.states[rec.id]
		r.done = append(r.done, rowState{tab: r.spec.key, rowID: rec.id, hash: st.hash, fields: st.fields, removed: true})
	}
	return nil
}

// write sends the planned cells of every tab in one RAW batch update, then each tab's new
// rows in one append, saving the sync state after each step succeeds.
func (c *cycle) write(ctx context.Context, runs []*tabRun) error {
	var data []*gsheets.ValueRange
	var done []rowState
	for _, r := range runs {
		data = append(data, r.writes...)
		done = append(done, r.done...)
	}
	if len(data) > 0 {
		if err := c.s.client.batchUpdate(ctx, data); err != nil {
			return err
		}
	}
	if err := saveStates(ctx, c.s.store, done, c.now); err != nil {
		return err
	}
	for _, r := range runs {
		if len(r.appends) == 0 {
			continue
		}
		if err := c.s.client.appendRows(ctx, r.spec.name, r.appends); err != nil {
			return err
		}
		c.res.Created += len(r.appends)
		if err := saveStates(ctx, c.s.store, slices.Clip(r.added), c.now); err != nil {
			return err
		}
	}
	return nil
}
