package sheets

import (
	"fmt"
	"strings"
	"unicode"

	"github.com/watchtower-ops/watchtower/fleet"
)

// Tab names the sync looks for, and the header of the note column both tabs need.
const (
	TrucksTab  = "Trucks"
	TripsTab   = "Trips"
	NoteHeader = "Sync Note"
)

// side is one end of the sync.
type side int

const (
	sideSheet side = iota
	sideDB
)

func (s side) String() string {
	if s == sideSheet {
		return "sheet"
	}
	return "database"
}

// field is one synced column: key names it in the sync state, header (or an alias) finds its
// column, owner wins when both sides changed it to different values, and norm turns a cell
// into the canonical text both sides are compared in.
type field struct {
	key     string
	header  string
	aliases []string
	owner   side
	norm    func(v any, c cellContext) string
}

// tabSpec describes a tab: its name, the key stored in sheet_sync_state, the service-owned ID
// column and the synced fields.
type tabSpec struct {
	name     string
	key      string // "trucks", "trips"
	noun     string // what a row is, for notes
	idHeader string
	fields   []field
}

// fieldIndex returns the index of the field with key, or -1.
func (t *tabSpec) fieldIndex(key string) int {
	for i, f := range t.fields {
		if f.key == key {
			return i
		}
	}
	return -1
}

// headers lists the headers a tab must have, in the order a new tab would have them.
func (t *tabSpec) headers() []string {
	out := []string{t.idHeader}
	for _, f := range t.fields {
		out = append(out, f.header)
	}
	return append(out, NoteHeader)
}

// layout is where a tab's columns are, found from its header row.
type layout struct {
	spec    *tabSpec
	idCol   int
	noteCol int
	cols    []int    // column of each field of spec
	header  []string // the header row as read
	width   int      // one past the last column the sync uses or the sheet has
}

// headerKey folds a header for matching: "Driver phone", "DRIVER_PHONE" and "driverPhone"
// are the same column.
func headerKey(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return unicode.ToLower(r)
		}
		return -1
	}, s)
}

// findLayout locates spec's columns in header. It returns EINVALID naming the tab and the
// missing or repeated header.
func findLayout(spec *tabSpec, header []any) (layout, error) {
	l := layout{spec: spec, idCol: -1, noteCol: -1, cols: make([]int, len(spec.fields))}
	seen := map[string]int{}
	for i, v := range header {
		text := strings.TrimSpace(cellText(v))
		l.header = append(l.header, text)
		if text == "" {
			continue
		}
		k := headerKey(text)
		if prev, dup := seen[k]; dup && matchesAny(spec, k) {
			return layout{}, fleet.Errorf(fleet.EINVALID, "Google Sheet tab %q has two %q columns (%s and %s)",
				spec.name, text, columnName(prev), columnName(i))
		}
		seen[k] = i
	}
	find := func(names ...string) int {
		for _, n := range names {
			if i, ok := seen[headerKey(n)]; ok {
				return i
			}
		}
		return -1
	}
	var missing []string
	if l.idCol = find(spec.idHeader); l.idCol < 0 {
		missing = append(missing, spec.idHeader)
	}
	for i, f := range spec.fields {
		if l.cols[i] = find(append([]string{f.header}, f.aliases...)...); l.cols[i] < 0 {
			missing = append(missing, f.header)
		}
	}
	if l.noteCol = find(NoteHeader); l.noteCol < 0 {
		missing = append(missing, NoteHeader)
	}
	if len(missing) > 0 {
		return layout{}, fleet.Errorf(fleet.EINVALID, "Google Sheet tab %q is missing the column(s) %s; row 1 must hold the headers %s",
			spec.name, quoteList(missing), quoteList(spec.headers()))
	}
	l.width = max(len(header), l.idCol+1, l.noteCol+1)
	for _, c := range l.cols {
		l.width = max(l.width, c+1)
	}
	return l, nil
}

// matchesAny reports whether the folded header k names one of spec's columns.
func matchesAny(spec *tabSpec, k string) bool {
	for _, h := range spec.headers() {
		if headerKey(h) == k {
			return true
		}
	}
	for _, f := range spec.fields {
		for _, a := range f.aliases {
			if headerKey(a) == k {
				return true
			}
		}
	}
	return false
}

func quoteList(names []string) string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = fmt.Sprintf("%q", n)
	}
	return strings.Join(q, ", ")
}

// columnName turns a 0-based column index into its letters: 0 → A, 26 → AA.
func columnName(c int) string {
	name := ""
	for c >= 0 {
		name = string(rune('A'+c%26)) + name
		c = c/26 - 1
	}
	return name
}

// quoteTab quotes a tab name for an A1 range: 'Trip plan'!A1.
func quoteTab(tab string) string {
	return "'" + strings.ReplaceAll(tab, "'", "''") + "'"
}

// cellRange is the A1 range of one cell: 'Trucks'!C5 for 0-based column 2 of sheet row 5.
func cellRange(tab string, col, row int) string {
	return fmt.Sprintf("%s!%s%d", quoteTab(tab), columnName(col), row)
}
