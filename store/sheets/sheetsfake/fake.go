// Package sheetsfake is an in-memory Google Sheets API v4 server on httptest, for tests. It
// speaks the wire format the real google.golang.org/api/sheets/v4 client sends and parses:
// spreadsheets.get, values.get, values.batchGet, values.update, values.batchUpdate and
// values.append, with A1 ranges, RAW and USER_ENTERED input (USER_ENTERED turns "08031234567"
// into the number 8031234567, as Sheets does), UNFORMATTED_VALUE and FORMATTED_VALUE
// rendering, trailing empty cells and rows left out of reads, and Google's JSON error body.
//
// Tests shape the spreadsheet (AddTab, SetRows, SetCell, DeleteRow, SwapRows), inject failures
// (FailNext) and changes in the middle of a cycle (BeforeCall), and inspect the calls made.
//
// It imports no Watch Tower package.
package sheetsfake

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
)

// Method names used in Call.Method and FailNext.
const (
	MethodGet         = "spreadsheets.get"
	MethodValuesGet   = "values.get"
	MethodBatchGet    = "values.batchGet"
	MethodUpdate      = "values.update"
	MethodBatchUpdate = "values.batchUpdate"
	MethodAppend      = "values.append"
)

// Default grid size of a new tab, as in a new Google Sheet.
const (
	defaultRows = 1000
	defaultCols = 26
)

// Call is one request the fake received.
type Call struct {
	Method           string   // one of the Method constants
	Ranges           []string // A1 ranges read or written, in request order
	ValueInputOption string   // RAW or USER_ENTERED for writes
	ValueRender      string   // valueRenderOption of reads
	DateTimeRender   string   // dateTimeRenderOption of reads
	Status           int      // HTTP status answered
}

type failure struct {
	method string
	status int
}

type tab struct {
	id         int64
	title      string
	cells      [][]any // row-major; nil, string, float64, bool or Date
	rows, cols int     // grid size
}

// Server is a fake spreadsheet served over HTTP. It is safe for concurrent use.
type Server struct {
	srv *httptest.Server
	id  string

	mu       sync.Mutex
	timeZone string
	tabs     []*tab
	nextID   int64
	fails    []failure
	calls    []Call
	before   func(Call)
}

// New starts a fake serving one spreadsheet with the given ID, time zone Africa/Lagos and no
// tabs, and closes it when the test ends.
func New(t testing.TB, spreadsheetID string) *Server {
	t.Helper()
	s := &Server{id: spreadsheetID, timeZone: "Africa/Lagos", nextID: 1}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	t.Cleanup(s.srv.Close)
	return s
}

// URL returns the endpoint to give the client (option.WithEndpoint, GOOGLE_SHEETS_URL).
func (s *Server) URL() string { return s.srv.URL + "/" }

// SpreadsheetID returns the ID of the one spreadsheet served.
func (s *Server) SpreadsheetID() string { return s.id }

// SetTimeZone sets the spreadsheet's time zone property.
func (s *Server) SetTimeZone(tz string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.timeZone = tz
}

// AddTab adds a tab (or replaces the cells of an existing one) holding rows. Cells are nil,
// string, float64, int, bool or Date.
func (s *Server) AddTab(title string, rows ...[]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.tab(title)
	if t == nil {
		t = &tab{id: s.nextID, title: title, rows: defaultRows, cols: defaultCols}
		s.nextID++
		s.tabs = append(s.tabs, t)
	}
	t.cells = nil
	for i, r := range rows {
		for j, v := range r {
			t.set(i, j, normalizeCell(v))
		}
	}
}

// RemoveTab deletes a tab.
func (s *Server) RemoveTab(title string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tabs = slices.DeleteFunc(s.tabs, func(t *tab) bool { return t.title == title })
}

// Rows returns a copy of a tab's cells with trailing empty cells and rows removed, as a read
// would; nil when the tab does not exist.
func (s *Server) Rows(title string) [][]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.tab(title)
	if t == nil {
		return nil
	}
	out := make([][]any, 0, len(t.cells))
	for _, r := range t.cells {
		out = append(out, slices.Clone(trimRow(r)))
	}
	return trimRows(out)
}

// Cell returns the value at an A1 cell of a tab ("B3"), nil when empty.
func (s *Server) Cell(title, cell string) any {
	s.mu.Lock()
	defer s.mu.Unlock()
	row, col, ok := parseCell(cell)
	t := s.tab(title)
	if !ok || t == nil || row < 0 || col < 0 {
		return nil
	}
	return t.get(row, col)
}

// SetCell sets the value at an A1 cell of a tab, as a person typing text would (no parsing).
func (s *Server) SetCell(title, cell string, v any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	row, col, ok := parseCell(cell)
	if t := s.tab(title); ok && t != nil && row >= 0 && col >= 0 {
		t.set(row, col, normalizeCell(v))
	}
}

// DeleteRow removes a 1-based row of a tab; the rows below move up.
func (s *Server) DeleteRow(title string, row int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if t := s.tab(title); t != nil && row >= 1 && row <= len(t.cells) {
		t.cells = slices.Delete(t.cells, row-1, row)
	}
}

// SwapRows exchanges two 1-based rows of a tab, as sorting would.
func (s *Server) SwapRows(title string, a, b int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.tab(title)
	if t == nil || a < 1 || b < 1 {
		return
	}
	t.grow(max(a, b)-1, 0)
	t.cells[a-1], t.cells[b-1] = t.cells[b-1], t.cells[a-1]
}

// FailNext makes the next n calls of method ("" for any) answer status with a Google error
// body (429 RESOURCE_EXHAUSTED, 503 UNAVAILABLE, …) without touching the spreadsheet.
func (s *Server) FailNext(method string, status, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.fails = append(s.fails, failure{method: method, status: status})
	}
}

// BeforeCall sets a hook run before each call is applied, outside the fake's lock, so it may
// change the spreadsheet (to move rows between a cycle's read and its write). nil removes it.
func (s *Server) BeforeCall(fn func(Call)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.before = fn
}

// Calls returns the calls received so far, oldest first.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.calls)
}

// ResetCalls forgets the calls received so far.
func (s *Server) ResetCalls() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = nil
}

// CallCount returns how many calls of method were received ("" counts all).
func (s *Server) CallCount(method string) int {
	n := 0
	for _, c := range s.Calls() {
		if method == "" || c.Method == method {
			n++
		}
	}
	return n
}

func (s *Server) tab(title string) *tab {
	for _, t := range s.tabs {
		if t.title == title {
			return t
		}
	}
	return nil
}

// apiError is Google's JSON error envelope.
type apiError struct {
	Error struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
		Status  string `json:"status"`
	} `json:"error"`
}

var statusNames = map[int]string{
	400: "INVALID_ARGUMENT", 403: "PERMISSION_DENIED", 404: "NOT_FOUND", 429: "RESOURCE_EXHAUSTED",
	500: "INTERNAL", 502: "UNAVAILABLE", 503: "UNAVAILABLE", 504: "DEADLINE_EXCEEDED",
}

func writeError(w http.ResponseWriter, status int, msg string) {
	var e apiError
	e.Error.Code, e.Error.Message, e.Error.Status = status, msg, statusNames[status]
	writeJSON(w, status, e)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// route names the call a request makes and the range in its path, if any.
func (s *Server) route(r *http.Request) (method, rng string, ok bool) {
	rest, found := strings.CutPrefix(r.URL.Path, "/v4/spreadsheets/"+s.id)
	if !found {
		return "", "", false
	}
	switch {
	case rest == "" && r.Method == http.MethodGet:
		return MethodGet, "", true
	case rest == "/values:batchGet" && r.Method == http.MethodGet:
		return MethodBatchGet, "", true
	case rest == "/values:batchUpdate" && r.Method == http.MethodPost:
		return MethodBatchUpdate, "", true
	}
	rng, found = strings.CutPrefix(rest, "/values/")
	if !found {
		return "", "", false
	}
	switch r.Method {
	case http.MethodGet:
		return MethodValuesGet, rng, true
	case http.MethodPut:
		return MethodUpdate, rng, true
	case http.MethodPost:
		if a, isAppend := strings.CutSuffix(rng, ":append"); isAppend {
			return MethodAppend, a, true
		}
	}
	return "", "", false
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	method, rng, ok := s.route(r)
	if !ok {
		writeError(w, http.StatusNotFound, "Requested entity was not found.")
		return
	}
	q := r.URL.Query()
	call := Call{Method: method, ValueInputOption: q.Get("valueInputOption"),
		ValueRender: q.Get("valueRenderOption"), DateTimeRender: q.Get("dateTimeRenderOption")}
	if rng != "" {
		call.Ranges = []string{rng}
	}
	call.Ranges = append(call.Ranges, q["ranges"]...)
	var body []byte
	if r.Body != nil {
		var err error
		if body, err = readBody(r); err != nil {
			writeError(w, http.StatusBadRequest, "Invalid JSON payload received.")
			return
		}
	}
	if method == MethodBatchUpdate {
		call.Ranges, call.ValueInputOption = batchUpdateRanges(body)
	}
	s.mu.Lock()
	hook := s.before
	s.mu.Unlock()
	if hook != nil {
		hook(call)
	}
	rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
	s.dispatch(rec, call, rng, q, body)
	call.Status = rec.status
	s.mu.Lock()
	s.calls = append(s.calls, call)
	s.mu.Unlock()
}

func (s *Server) dispatch(w http.ResponseWriter, call Call, rng string, q queryValues, body []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if i := slices.IndexFunc(s.fails, func(f failure) bool { return f.method == "" || f.method == call.Method }); i >= 0 {
		status := s.fails[i].status
		s.fails = slices.Delete(s.fails, i, i+1)
		writeError(w, status, fmt.Sprintf("fake failure %d for %s", status, call.Method))
		return
	}
	switch call.Method {
	case MethodGet:
		s.getSpreadsheet(w)
	case MethodValuesGet:
		s.valuesGet(w, rng, q)
	case MethodBatchGet:
		s.batchGet(w, q)
	case MethodUpdate:
		s.update(w, rng, q, body)
	case MethodBatchUpdate:
		s.batchUpdate(w, body)
	case MethodAppend:
		s.appendValues(w, rng, q, body)
	}
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (r *statusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}
