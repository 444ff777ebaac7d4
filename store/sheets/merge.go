package sheets

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
)

// clash is a field both sides changed to different values since the last sync.
type clash struct {
	field  string // field key
	header string
	base   *string // nil when the row had no synced state
	sheet  string
	db     string
	winner side
	filled bool // the owner's value was empty, so the other side's value was kept
}

// merge3 merges a row's sheet and database values against base, the values both sides held
// after the last sync (nil when unknown: a row adopted by its natural key). A field changed on
// one side takes that side's value; changed on both to the same value, that value; changed on
// both to different values (or differing with no base), the owner's value, reported as a
// clash when there was a base to tell the two edits apart. An empty value never erases the
// other side's where the two edits cannot be told apart: that value is kept and reported as a
// clash (keepFilled).
func merge3(spec *tabSpec, base, sheet, db fields) (merged fields, clashes []clash) {
	merged = make(fields, len(spec.fields))
	for _, f := range spec.fields {
		s, d := sheet[f.key], db[f.key]
		switch {
		case s == d:
			merged[f.key] = s
		case base == nil:
			merged[f.key], clashes = keepFilled(f, nil, s, d, clashes, false)
		case d == base[f.key]:
			merged[f.key] = s
		case s == base[f.key]:
			merged[f.key] = d
		default:
			b := base[f.key]
			merged[f.key], clashes = keepFilled(f, &b, s, d, clashes, true)
		}
	}
	return merged, clashes
}

// keepFilled picks the owner's value of a field both sides hold differently; when that value
// is empty, it keeps the other side's instead and reports the clash. Otherwise the clash is
// reported when report is set (there was a base to tell the edits apart).
func keepFilled(f field, base *string, s, d string, clashes []clash, report bool) (string, []clash) {
	c := clash{field: f.key, header: f.header, base: base, sheet: s, db: d, winner: f.owner}
	v := pick(f.owner, s, d)
	if v == "" {
		c.winner, c.filled = sideSheet, true
		if v = s; f.owner == sideSheet {
			c.winner, v = sideDB, d
		}
		return v, append(clashes, c)
	}
	if report {
		clashes = append(clashes, c)
	}
	return v, clashes
}

func pick(owner side, sheet, db string) string {
	if owner == sideSheet {
		return sheet
	}
	return db
}

// changed lists the keys of spec's fields whose values differ between a and b.
func changed(spec *tabSpec, a, b fields) []string {
	var out []string
	for _, f := range spec.fields {
		if a[f.key] != b[f.key] {
			out = append(out, f.key)
		}
	}
	return out
}

// hashFields is the hex SHA-256 of the values in spec's field order: equal hashes mean equal
// rows, so an unchanged row is recognised without comparing field by field.
func hashFields(spec *tabSpec, f fields) string {
	h := sha256.New()
	for _, fd := range spec.fields {
		fmt.Fprintf(h, "%s=%q\n", fd.key, f[fd.key])
	}
	return hex.EncodeToString(h.Sum(nil))
}

// clashNote is the line a clash leaves in the row's note.
func clashNote(c clash) string {
	kept, lost := c.db, c.sheet
	if c.winner == sideSheet {
		kept, lost = c.sheet, c.db
	}
	if c.filled {
		return fmt.Sprintf("Conflict on %s: the sheet had %s and Watch Tower had %s; kept %s (an empty cell never erases a value), see the conflicts log.",
			c.header, show(c.sheet), show(c.db), show(kept))
	}
	return fmt.Sprintf("Conflict on %s: the sheet had %s and Watch Tower had %s; kept %s (the %s owns it), %s is in the conflicts log.",
		c.header, show(c.sheet), show(c.db), show(kept), c.winner, show(lost))
}

// show quotes a value for a note, naming an empty one.
func show(v string) string {
	if v == "" {
		return "(empty)"
	}
	return fmt.Sprintf("%q", v)
}

// joinNotes joins a row's note lines, dropping repeats.
func joinNotes(lines []string) string {
	var out []string
	for _, l := range lines {
		if l != "" && !containsString(out, l) {
			out = append(out, l)
		}
	}
	return strings.Join(out, " ")
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
