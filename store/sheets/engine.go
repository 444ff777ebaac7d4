package sheets

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	gsheets "google.golang.org/api/sheets/v4"

	"github.com/watchtower-ops/watchtower/fleet"
)

// record is one database entity in sheet terms.
type record struct {
	id     string // the row ID: truck ID or trip code
	fields fields
	export bool // belongs in the sheet when no row has it yet
}

// entity is the database side of a tab.
type entity interface {
	spec() *tabSpec
	// load returns the records the tab may hold, by row ID, including every row in states that
	// was not removed from the sheet.
	load(ctx context.Context, now time.Time, states map[string]*rowState) (map[string]record, error)
	// lookup finds a record load did not return; ok is false when there is none.
	lookup(ctx context.Context, id string) (rec record, ok bool, err error)
	// naturalKey identifies a row without an ID ("" when it has none), and adoptable says
	// whether an unlinked record may be given to such a row instead of creating another.
	naturalKey(f fields) string
	adoptable(st *rowState) bool
	// create makes a record from a new sheet row; ok false with notes when the row is refused.
	create(ctx context.Context, now time.Time, f fields) (rec record, ok bool, notes []string, err error)
	// update applies to as far as the rules allow and returns the record as stored after it,
	// with a note for each refused change.
	update(ctx context.Context, now time.Time, cur record, to fields) (record, []string, error)
	// remove handles a row deleted from the sheet (never a hard delete).
	remove(ctx context.Context, now time.Time, cur record) error
}

// sheetRow is one data row of a tab as read.
type sheetRow struct {
	num    int // 1-based row number in the sheet
	cells  []any
	id     string
	fields fields
	note   string
}

// tabRun is one tab during a cycle.
type tabRun struct {
	ent    entity
	spec   *tabSpec
	layout layout
	values [][]any // the tab as read
	// headerIdx is the index in values of the header row; held is set when the cycle wrote the
	// header into a blank row 1 above rows it leaves for the next cycle.
	headerIdx int
	held      bool
	rows      []sheetRow
	states    map[string]*rowState
	db        map[string]record
	linked    map[string]int      // record ID → sheet row holding it (0: appended)
	byKey     map[string][]string // natural key → record IDs
	writes    []*gsheets.ValueRange
	touched   map[int]bool // sheet rows written
	done      []rowState   // saved once the batch write succeeded
	appends   [][]any
	added     []rowState // saved once the append succeeded
	removed   []record   // rows deleted from the sheet
}

// cycle is one run of the sync.
type cycle struct {
	s         *Syncer
	now       time.Time
	res       Result
	cellCtx   cellContext
	conflicts []conflict
}

func (c *cycle) run(ctx context.Context) error {
	runs := []*tabRun{c.newRun(&truckEntity{s: c.s}), c.newRun(&tripEntity{s: c.s})}
	if err := c.read(ctx, runs); err != nil {
		return err
	}
	for _, r := range runs {
		if err := c.reconcile(ctx, r); err != nil {
			return err
		}
	}
	if err := recordConflicts(ctx, c.s.store, c.conflicts, c.now); err != nil {
		return err
	}
	if err := c.verify(ctx, runs); err != nil {
		return err
	}
	for _, r := range runs {
		if err := c.removeRows(ctx, r); err != nil {
			return err
		}
	}
	return c.write(ctx, runs)
}

func (c *cycle) newRun(e entity) *tabRun {
	return &tabRun{ent: e, spec: e.spec(), linked: map[string]int{}, touched: map[int]bool{}}
}

// read loads the spreadsheet's tabs and both tabs' values in one request, and the sync state
// and records of each tab.
func (c *cycle) read(ctx context.Context, runs []*tabRun) error {
	meta, err := c.s.client.meta(ctx)
	if err != nil {
		return err
	}
	ranges := make([]string, len(runs))
	for i, r := range runs {
		if !meta.tabs[r.spec.name] {
			return fleet.Errorf(fleet.EINVALID, "the Google Sheet has no tab named %q; the sync needs the tabs %q and %q",
				r.spec.name, TrucksTab, TripsTab)
		}
		ranges[i] = quoteTab(r.spec.name)
	}
	c.cellCtx = cellContext{sheetZone: meta.zone, zone: c.s.zone}
	vrs, err := c.s.client.batchGet(ctx, ranges...)
	if err != nil {
		return err
	}
	for i, r := range runs {
		if err := c.parse(r, vrs[i].Values); err != nil {
			return err
		}
		if r.states, err = loadStates(ctx, c.s.store, r.spec.key); err != nil {
			return err
		}
		if r.db, err = r.ent.load(ctx, c.now, r.states); err != nil {
			return fmt.Errorf("load %s: %w", r.spec.key, err)
		}
	}
	return nil
}

// headerSearchRows is how far down a tab the sync looks for its header row.
const headerSearchRows = 10

// parse finds the tab's columns in its header row and reads its non-empty data rows below it.
// The header is the first row among the top headerSearchRows that names every column; rows
// above it (blank, or a title) are left alone. An empty tab gets the header row written
// (before any appended row) and is synced as one with no rows. A tab with no header whose row
// 1 is blank gets the header written there, erasing nothing, and is held for this cycle: the
// rows below are neither read nor added to until the next cycle reads them under it, so
// someone can check that their columns line up first.
func (c *cycle) parse(r *tabRun, values [][]any) error {
	if len(values) == 0 {
		return c.writeHeader(r)
	}
	h, l, err := headerRow(r.spec, values)
	switch {
	case err != nil && blankRow(values[0]):
		r.values, r.held = values, true
		c.res.HeadersWritten = append(c.res.HeadersWritten, r.spec.name)
		return c.writeHeader(r)
	case err != nil:
		return err
	}
	r.layout, r.values, r.headerIdx = l, values, h
	for i := h + 1; i < len(values); i++ {
		cells := values[i]
		row := sheetRow{num: i + 1, cells: cells, id: normID(cellAt(cells, l.idCol), c.cellCtx, r.spec),
			fields: rowFields(l, cells, c.cellCtx), note: strings.TrimSpace(cellText(cellAt(cells, l.noteCol)))}
		if row.id == "" && emptyFields(row.fields) {
			continue
		}
		r.rows = append(r.rows, row)
	}
	return nil
}

// headerRow returns the index in values of the tab's header row and its layout: the first of
// the top headerSearchRows rows that names every column. Without one it returns the error of
// the first non-blank row (EINVALID naming the missing headers).
func headerRow(spec *tabSpec, values [][]any) (int, layout, error) {
	var first error
	for i := 0; i < len(values) && i < headerSearchRows; i++ {
		if blankRow(values[i]) {
			continue
		}
		l, err := findLayout(spec, values[i])
		if err == nil {
			return i, l, nil
		}
		if first == nil {
			first = err
		}
	}
	if first == nil {
		_, err := findLayout(spec, nil)
		first = err
	}
	return 0, layout{}, first
}

// writeHeader plans the tab's headers into row 1, which is blank, and lays the tab out by them.
func (c *cycle) writeHeader(r *tabRun) error {
	header := make([]any, 0, len(r.spec.headers()))
	for _, h := range r.spec.headers() {
		header = append(header, h)
	}
	l, err := findLayout(r.spec, header)
	if err != nil {
		return err
	}
	r.layout = l
	for col, h := range header {
		c.writeCell(r, 1, col, h.(string))
	}
	return nil
}

// blankRow reports whether every cell of a row is empty.
func blankRow(cells []any) bool {
	for _, v := range cells {
		if strings.TrimSpace(cellText(v)) != "" {
			return false
		}
	}
	return true
}

// normID normalises an ID cell: trip codes to TRP-0042, truck IDs to their digits.
func normID(v any, c cellContext, spec *tabSpec) string {
	if spec.key == tripsKey {
		return normCode(v, c)
	}
	return strings.ReplaceAll(normText(v, c), " ", "")
}

func emptyFields(f fields) bool {
	for _, v := range f {
		if v != "" {
			return false
		}
	}
	return true
}

// reconcile compares every row of a tab with the database and plans the writes: rows with an
// ID first, then new rows (adopted or created), then records no row holds (appended or, when
// their row was deleted, removed after verification).
func (c *cycle) reconcile(ctx context.Context, r *tabRun) error {
	if r.held {
		return nil
	}
	byID := map[string]*sheetRow{}
	var fresh []*sheetRow
	for i := range r.rows {
		row := &r.rows[i]
		switch first, dup := byID[row.id]; {
		case row.id == "":
			fresh = append(fresh, row)
		case dup:
			c.invalid(r, row, fmt.Sprintf("ID %s is also on row %d; clear this ID cell to add the row as new.", row.id, first.num))
		default:
			byID[row.id] = row
			if err := c.syncKnown(ctx, r, row); err != nil {
				return err
			}
		}
	}
	r.byKey = map[string][]string{}
	for _, id := range sortedIDs(r.db) {
		if k := r.ent.naturalKey(r.db[id].fields); k != "" {
			r.byKey[k] = append(r.byKey[k], id)
		}
	}
	for _, row := range fresh {
		if err := c.syncFresh(ctx, r, row); err != nil {
			return err
		}
	}
	c.planOrphans(r)
	return nil
}

// syncKnown syncs a row that has an ID.
func (c *cycle) syncKnown(ctx context.Context, r *tabRun, row *sheetRow) error {
	rec, ok := r.db[row.id]
	if !ok {
		var err error
		if rec, ok, err = r.ent.lookup(ctx, row.id); err != nil {
			return err
		}
	}
	if !ok {
		c.invalid(r, row, fmt.Sprintf("ID %s is not in Watch Tower; clear the ID cell to add this row as new.", row.id))
		return nil
	}
	r.linked[rec.id] = row.num
	return c.syncRow(ctx, r, row, rec, false)
}

// syncFresh adopts or creates the record of a row without an ID. A record with the row's
// natural key that another row holds makes the row a duplicate.
func (c *cycle) syncFresh(ctx context.Context, r *tabRun, row *sheetRow) error {
	for _, id := range r.byKey[r.ent.naturalKey(row.fields)] {
		if num, taken := r.linked[id]; taken {
			c.invalid(r, row, fmt.Sprintf("Row %d already has this %s; delete one of the two rows.", num, r.spec.noun))
			return nil
		}
		if r.ent.adoptable(r.states[id]) {
			r.linked[id] = row.num
			return c.syncRow(ctx, r, row, r.db[id], true)
		}
	}
	rec, ok, notes, err := r.ent.create(ctx, c.now, row.fields)
	if err != nil {
		return err
	}
	if !ok {
		c.invalid(r, row, joinNotes(notes))
		return nil
	}
	c.res.Created++
	r.linked[rec.id] = row.num
	st := rowState{tab: r.spec.key, rowID: rec.id, hash: hashFields(r.spec, rec.fields), fields: rec.fields, pending: true}
	if err := saveStates(ctx, c.s.store, []rowState{st}, c.now); err != nil {
		return err
	}
	c.writeCell(r, row.num, r.layout.idCol, rec.id)
	c.writeFields(r, row, rec.fields)
	c.writeNote(r, row, joinNotes(notes))
	st.pending = false
	r.done = append(r.done, st)
	return nil
}

// planOrphans handles records no sheet row holds: a row deleted since the last sync is
// removed; a record new to the sheet (or created from a row whose ID never made it back) is
// appended.
func (c *cycle) planOrphans(r *tabRun) {
	for _, id := range sortedIDs(r.db) {
		if _, ok := r.linked[id]; ok {
			continue
		}
		rec, st := r.db[id], r.states[id]
		switch {
		case st != nil && st.removed:
		case st != nil && !st.pending:
			r.removed = append(r.removed, rec)
		case st != nil || rec.export:
			r.appends = append(r.appends, c.rowValues(r, rec))
			r.added = append(r.added, rowState{tab: r.spec.key, rowID: id, hash: hashFields(r.spec, rec.fields), fields: rec.fields})
			r.linked[id] = 0
		}
	}
}

func sortedIDs(m map[string]record) []string {
	ids := make([]string, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, compareIDs)
	return ids
}

// compareIDs orders IDs numerically by their digits, so truck 9 comes before truck 10.
func compareIDs(a, b string) int {
	da, db := strings.TrimLeft(a, "TRP-0"), strings.TrimLeft(b, "TRP-0")
	if len(da) != len(db) {
		return len(da) - len(db)
	}
	return strings.Compare(a, b)
}

// rowValues is the full row appended for a record: its ID, its fields, an empty note and empty
// cells under the team's own columns.
func (c *cycle) rowValues(r *tabRun, rec record) []any {
	row := make([]any, r.layout.width)
	for i := range row {
		row[i] = ""
	}
	row[r.layout.idCol] = rec.id
	for i, f := range r.spec.fields {
		row[r.layout.cols[i]] = rec.fields[f.key]
	}
	return row
}
