//lint:file-ignore ST1005 the fake answers with the Sheets API's own capitalised error messages.

package sheetsfake

import (
	"fmt"
	"strconv"
	"strings"
)

// gridRange is a parsed A1 range: a tab and an inclusive, 0-based rectangle whose open ends
// are -1 ("Trucks!A:A" has no row bounds, "Trucks" has none at all).
type gridRange struct {
	tab          string
	row0, col0   int
	row1, col1   int // inclusive; -1 means up to the end of the data
	hasCellRange bool
}

// parseA1 parses "Trucks", "'My tab'!B2", "Trucks!A1:L", "Trucks!A:A" and "Trucks!1:1".
func parseA1(s string) (gridRange, error) {
	tab, cells, hasCells := splitTab(s)
	if tab == "" {
		return gridRange{}, fmt.Errorf("Unable to parse range: %s", s)
	}
	g := gridRange{tab: tab, row1: -1, col1: -1, hasCellRange: hasCells}
	if !hasCells {
		return g, nil
	}
	from, to, isPair := strings.Cut(cells, ":")
	r0, c0, ok := parseCell(from)
	if !ok {
		return gridRange{}, fmt.Errorf("Unable to parse range: %s", s)
	}
	g.row0, g.col0 = max(r0, 0), max(c0, 0)
	if !isPair {
		if r0 < 0 || c0 < 0 {
			return gridRange{}, fmt.Errorf("Unable to parse range: %s", s)
		}
		g.row1, g.col1 = r0, c0
		return g, nil
	}
	r1, c1, ok := parseCell(to)
	if !ok {
		return gridRange{}, fmt.Errorf("Unable to parse range: %s", s)
	}
	g.row1, g.col1 = r1, c1
	return g, nil
}

// splitTab separates the tab name (unquoted, doubled quotes undone) from the cell part.
func splitTab(s string) (tab, cells string, hasCells bool) {
	if strings.HasPrefix(s, "'") {
		var b strings.Builder
		for i := 1; i < len(s); i++ {
			if s[i] != '\'' {
				b.WriteByte(s[i])
				continue
			}
			if i+1 < len(s) && s[i+1] == '\'' {
				b.WriteByte('\'')
				i++
				continue
			}
			rest := s[i+1:]
			if rest == "" {
				return b.String(), "", false
			}
			if !strings.HasPrefix(rest, "!") {
				return "", "", false
			}
			return b.String(), rest[1:], true
		}
		return "", "", false
	}
	if i := strings.LastIndex(s, "!"); i >= 0 {
		return s[:i], s[i+1:], true
	}
	return s, "", false
}

// parseCell parses "B12", "B" or "12" into 0-based row and column; a missing part is -1.
func parseCell(s string) (row, col int, ok bool) {
	s = strings.ToUpper(strings.TrimSpace(s))
	i := 0
	col = -1
	for i < len(s) && s[i] >= 'A' && s[i] <= 'Z' {
		col = (col+1)*26 + int(s[i]-'A')
		i++
	}
	row = -1
	if i < len(s) {
		n, err := strconv.Atoi(s[i:])
		if err != nil || n < 1 {
			return 0, 0, false
		}
		row = n - 1
	}
	return row, col, i > 0 || row >= 0
}

// colName turns a 0-based column index into its letters: 0 → A, 26 → AA.
func colName(c int) string {
	name := ""
	for c >= 0 {
		name = string(rune('A'+c%26)) + name
		c = c/26 - 1
	}
	return name
}

// quoteTab quotes a tab name for an A1 range when it needs it.
func quoteTab(tab string) string {
	for _, r := range tab {
		if !(r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_') {
			return "'" + strings.ReplaceAll(tab, "'", "''") + "'"
		}
	}
	return tab
}

// a1 formats a rectangle of tab as "Tab!A1:C3".
func a1(tab string, row0, col0, row1, col1 int) string {
	return fmt.Sprintf("%s!%s%d:%s%d", quoteTab(tab), colName(col0), row0+1, colName(col1), row1+1)
}
