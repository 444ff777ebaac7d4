//lint:file-ignore ST1005 the fake answers with the Sheets API's own capitalised error messages.

package sheetsfake

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

type queryValues = url.Values

// Date is a date-time cell, as Sheets stores one typed into the UI or written USER_ENTERED:
// Serial is days since 1899-12-30 in the spreadsheet's zone, Text its formatted form.
type Date struct {
	Serial float64
	Text   string
}

// DateCell returns the cell Sheets stores when someone types the wall-clock time of t.
func DateCell(t time.Time) Date {
	epoch := time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)
	wall := time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), 0, time.UTC)
	return Date{Serial: wall.Sub(epoch).Hours() / 24, Text: t.Format("2/1/2006 15:04:05")}
}

// valueRange is the wire form of a ValueRange.
type valueRange struct {
	Range          string  `json:"range,omitempty"`
	MajorDimension string  `json:"majorDimension,omitempty"`
	Values         [][]any `json:"values,omitempty"`
}

func readBody(r *http.Request) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r.Body, 10<<20))
	if err != nil {
		return nil, err
	}
	if len(b) > 0 && !json.Valid(b) {
		return nil, fmt.Errorf("invalid JSON")
	}
	return b, nil
}

func normalizeCell(v any) any {
	switch x := v.(type) {
	case int:
		return float64(x)
	case int64:
		return float64(x)
	case string:
		if x == "" {
			return nil
		}
	}
	return v
}

func (t *tab) grow(row, col int) {
	for len(t.cells) <= row {
		t.cells = append(t.cells, nil)
	}
	for len(t.cells[row]) <= col {
		t.cells[row] = append(t.cells[row], nil)
	}
	t.rows, t.cols = max(t.rows, row+1), max(t.cols, col+1)
}

func (t *tab) set(row, col int, v any) {
	if v == nil && (row >= len(t.cells) || col >= len(t.cells[row])) {
		return
	}
	t.grow(row, col)
	t.cells[row][col] = v
}

func (t *tab) get(row, col int) any {
	if row >= len(t.cells) || col >= len(t.cells[row]) {
		return nil
	}
	return t.cells[row][col]
}

// lastRow is the 0-based index of the last row holding a value, -1 when the tab is empty.
func (t *tab) lastRow() int {
	for i := len(t.cells) - 1; i >= 0; i-- {
		if len(trimRow(t.cells[i])) > 0 {
			return i
		}
	}
	return -1
}

func trimRow(r []any) []any {
	n := len(r)
	for n > 0 && r[n-1] == nil {
		n--
	}
	return r[:n]
}

func trimRows(rows [][]any) [][]any {
	n := len(rows)
	for n > 0 && len(rows[n-1]) == 0 {
		n--
	}
	return rows[:n]
}

// render turns a stored cell into its wire value under the read options.
func (s *Server) render(v any, valueRender, dateRender string) any {
	switch x := v.(type) {
	case nil:
		return ""
	case Date:
		if valueRender == "FORMATTED_VALUE" || valueRender == "" || dateRender != "SERIAL_NUMBER" {
			return x.Text
		}
		return x.Serial
	case float64:
		if valueRender == "FORMATTED_VALUE" || valueRender == "" {
			return strconv.FormatFloat(x, 'f', -1, 64)
		}
	case bool:
		if valueRender == "FORMATTED_VALUE" || valueRender == "" {
			return strings.ToUpper(strconv.FormatBool(x))
		}
	}
	return v
}

// read returns the values of g as a ValueRange, trailing empties left out.
func (s *Server) read(g gridRange, valueRender, dateRender string) (valueRange, error) {
	t := s.tab(g.tab)
	if t == nil {
		return valueRange{}, fmt.Errorf("Unable to parse range: %s", g.tab)
	}
	row1, col1 := g.row1, g.col1
	if row1 < 0 {
		row1 = t.rows - 1
	}
	if col1 < 0 {
		col1 = t.cols - 1
	}
	out := valueRange{Range: a1(t.title, g.row0, g.col0, row1, col1), MajorDimension: "ROWS"}
	var rows [][]any
	for i := g.row0; i <= row1 && i < len(t.cells); i++ {
		var row []any
		for j := g.col0; j <= col1 && j < len(t.cells[i]); j++ {
			row = append(row, t.cells[i][j])
		}
		row = trimRow(row)
		vals := make([]any, len(row))
		for j, v := range row {
			vals[j] = s.render(v, valueRender, dateRender)
		}
		rows = append(rows, vals)
	}
	out.Values = trimRows(rows)
	return out, nil
}

func (s *Server) getSpreadsheet(w http.ResponseWriter) {
	type grid struct {
		RowCount    int `json:"rowCount"`
		ColumnCount int `json:"columnCount"`
	}
	type props struct {
		SheetID        int64  `json:"sheetId"`
		Title          string `json:"title"`
		Index          int    `json:"index"`
		SheetType      string `json:"sheetType"`
		GridProperties grid   `json:"gridProperties"`
	}
	type sheet struct {
		Properties props `json:"properties"`
	}
	sheets := make([]sheet, 0, len(s.tabs))
	for i, t := range s.tabs {
		sheets = append(sheets, sheet{props{t.id, t.title, i, "GRID", grid{t.rows, t.cols}}})
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"spreadsheetId":  s.id,
		"properties":     map[string]any{"title": "Watch Tower", "locale": "en_GB", "timeZone": s.timeZone},
		"sheets":         sheets,
		"spreadsheetUrl": "https://docs.google.com/spreadsheets/d/" + s.id + "/edit",
	})
}

func (s *Server) valuesGet(w http.ResponseWriter, rng string, q queryValues) {
	g, err := parseA1(rng)
	if err == nil {
		var vr valueRange
		if vr, err = s.read(g, q.Get("valueRenderOption"), q.Get("dateTimeRenderOption")); err == nil {
			writeJSON(w, http.StatusOK, vr)
			return
		}
	}
	writeError(w, http.StatusBadRequest, err.Error())
}

func (s *Server) batchGet(w http.ResponseWriter, q queryValues) {
	out := []valueRange{}
	for _, rng := range q["ranges"] {
		g, err := parseA1(rng)
		if err != nil {
			writeError(w, http.StatusBadRequest, err.Error())
			return
		}
		vr, err := s.read(g, q.Get("valueRenderOption"), q.Get("dateTimeRenderOption"))
		if err != nil {
			writeError(w, http.StatusBadRequest, err.Error())
			return
		}
		out = append(out, vr)
	}
	writeJSON(w, http.StatusOK, map[string]any{"spreadsheetId": s.id, "valueRanges": out})
}

// parseInput turns a written value into the stored cell: RAW keeps strings as they are;
// USER_ENTERED parses them like typed input, so numbers lose leading zeros and "+".
func parseInput(v any, option string) any {
	str, ok := v.(string)
	if !ok || option == "RAW" {
		return normalizeCell(v)
	}
	if rest, quoted := strings.CutPrefix(str, "'"); quoted {
		return normalizeCell(rest)
	}
	trimmed := strings.TrimSpace(str)
	if b, err := strconv.ParseBool(trimmed); err == nil && len(trimmed) > 1 {
		return b
	}
	if f, err := strconv.ParseFloat(strings.ReplaceAll(trimmed, ",", ""), 64); err == nil &&
		!math.IsInf(f, 0) && !math.IsNaN(f) && !strings.ContainsAny(trimmed, "xXpP_") {
		return f
	}
	for _, layout := range []string{"2006-01-02 15:04:05", "2006-01-02 15:04", "2006-01-02"} {
		if t, err := time.Parse(layout, trimmed); err == nil {
			return DateCell(t)
		}
	}
	return normalizeCell(str)
}

// write stores values at g's top-left corner, refusing values outside a bounded g.
func (s *Server) write(g gridRange, values [][]any, option string) (cells, rows, cols int, err error) {
	t := s.tab(g.tab)
	if t == nil {
		return 0, 0, 0, fmt.Errorf("Unable to parse range: %s", g.tab)
	}
	if err := fits(g, values); err != nil {
		return 0, 0, 0, err
	}
	for i, row := range values {
		for j, v := range row {
			if v == nil { // null leaves the cell as it is
				continue
			}
			t.set(g.row0+i, g.col0+j, parseInput(v, option))
			cells++
			cols = max(cols, j+1)
		}
		rows++
	}
	return cells, rows, cols, nil
}

// fits returns Google's error when values spill out of a bounded range.
func fits(g gridRange, values [][]any) error {
	for i, row := range values {
		if g.hasCellRange && g.row1 >= 0 && g.row0+i > g.row1 || len(row) > 0 && g.col1 >= 0 && g.col0+len(row)-1 > g.col1 {
			return fmt.Errorf("Requested writing within range [%s], but tried writing to row [%d]", g.tab, g.row0+i+1)
		}
	}
	return nil
}

func validInput(option string) bool { return option == "RAW" || option == "USER_ENTERED" }

func (s *Server) update(w http.ResponseWriter, rng string, q queryValues, body []byte) {
	var vr valueRange
	g, err := parseA1(rng)
	if err == nil {
		err = json.Unmarshal(body, &vr)
	}
	if err == nil && !validInput(q.Get("valueInputOption")) {
		err = fmt.Errorf("Invalid valueInputOption: %q", q.Get("valueInputOption"))
	}
	var cells, rows, cols int
	if err == nil {
		cells, rows, cols, err = s.write(g, vr.Values, q.Get("valueInputOption"))
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"spreadsheetId": s.id, "updatedRange": rng,
		"updatedRows": rows, "updatedColumns": cols, "updatedCells": cells})
}

type batchUpdateBody struct {
	ValueInputOption string       `json:"valueInputOption"`
	Data             []valueRange `json:"data"`
}

func batchUpdateRanges(body []byte) (ranges []string, option string) {
	var b batchUpdateBody
	_ = json.Unmarshal(body, &b)
	for _, d := range b.Data {
		ranges = append(ranges, d.Range)
	}
	return ranges, b.ValueInputOption
}

// batchUpdate applies every range or none: it validates them all before writing, as the real
// request is atomic.
func (s *Server) batchUpdate(w http.ResponseWriter, body []byte) {
	var b batchUpdateBody
	if err := json.Unmarshal(body, &b); err != nil || !validInput(b.ValueInputOption) {
		writeError(w, http.StatusBadRequest, fmt.Sprintf("Invalid valueInputOption: %q", b.ValueInputOption))
		return
	}
	ranges := make([]gridRange, len(b.Data))
	for i, d := range b.Data {
		g, err := parseA1(d.Range)
		if err == nil && s.tab(g.tab) == nil {
			err = fmt.Errorf("Unable to parse range: %s", d.Range)
		}
		if err == nil {
			err = fits(g, d.Values)
		}
		if err != nil {
			writeError(w, http.StatusBadRequest, err.Error())
			return
		}
		ranges[i] = g
	}
	var responses []map[string]any
	total := 0
	for i, d := range b.Data {
		cells, rows, cols, err := s.write(ranges[i], d.Values, b.ValueInputOption)
		if err != nil {
			writeError(w, http.StatusBadRequest, err.Error())
			return
		}
		total += cells
		responses = append(responses, map[string]any{"spreadsheetId": s.id, "updatedRange": d.Range,
			"updatedRows": rows, "updatedColumns": cols, "updatedCells": cells})
	}
	writeJSON(w, http.StatusOK, map[string]any{"spreadsheetId": s.id, "totalUpdatedCells": total,
		"totalUpdatedSheets": min(len(b.Data), 1), "responses": responses})
}

// appendValues writes the rows after the last row holding data, starting at the range's first
// column, like values.append with INSERT_ROWS.
func (s *Server) appendValues(w http.ResponseWriter, rng string, q queryValues, body []byte) {
	var vr valueRange
	g, err := parseA1(rng)
	if err == nil {
		err = json.Unmarshal(body, &vr)
	}
	if err == nil && !validInput(q.Get("valueInputOption")) {
		err = fmt.Errorf("Invalid valueInputOption: %q", q.Get("valueInputOption"))
	}
	t := s.tab(g.tab)
	if err == nil && t == nil {
		err = fmt.Errorf("Unable to parse range: %s", rng)
	}
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	last := t.lastRow()
	at := gridRange{tab: g.tab, row0: last + 1, col0: g.col0, row1: -1, col1: -1}
	cells, rows, cols, _ := s.write(at, vr.Values, q.Get("valueInputOption"))
	resp := map[string]any{"spreadsheetId": s.id, "updates": map[string]any{
		"spreadsheetId": s.id, "updatedRange": a1(t.title, last+1, g.col0, last+rows, g.col0+max(cols, 1)-1),
		"updatedRows": rows, "updatedColumns": cols, "updatedCells": cells}}
	if last >= 0 {
		resp["tableRange"] = a1(t.title, 0, 0, last, t.cols-1)
	}
	writeJSON(w, http.StatusOK, resp)
}
