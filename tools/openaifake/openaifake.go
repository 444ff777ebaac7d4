// Package openaifake is an httptest fake of the OpenAI Responses API (POST /v1/responses)
// that speaks the real wire format, so tests drive the real openai-go client against it.
//
// A test scripts the answers turn by turn (a function call, several, a final message, an HTTP
// error, a delay) and reads back every request. The fake checks what the real API checks and
// answers 400 with the real error shape otherwise: an unknown previous_response_id, and a
// function_call_output whose call_id was not called (in the stateless transcript, or in the
// previous response).
//
// It is imported by tests only, and imports no Watch Tower package.
package openaifake

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"
)

// Call is a function call the fake answers with.
type Call struct {
	Name      string
	Arguments string // JSON text, as the API sends it
}

// Step is how the fake answers one request.
type Step struct {
	Calls  []Call // function calls to return (with Text: both)
	Text   string // the assistant message
	Status int    // ≥ 400: answer this HTTP error instead ({"error": …})
	Error  string // the error message for Status
	// Headers are added to the answer (Retry-After-Ms, x-should-retry).
	Headers map[string]string
	Delay   time.Duration // wait this long first (or until the client gives up)
}

// Request is one request the fake received.
type Request struct {
	Header http.Header
	Raw    []byte
	Body   Body
}

// Body is the part of a Responses request body tests look at.
type Body struct {
	Model              string          `json:"model"`
	Instructions       string          `json:"instructions"`
	Input              json.RawMessage `json:"input"`
	PreviousResponseID string          `json:"previous_response_id"`
	Store              *bool           `json:"store"`
	ParallelToolCalls  *bool           `json:"parallel_tool_calls"`
	MaxOutputTokens    int             `json:"max_output_tokens"`
	Tools              []Tool          `json:"tools"`
}

// Tool is a tool definition as sent.
type Tool struct {
	Type        string         `json:"type"`
	Name        string         `json:"name"`
	Description string         `json:"description"`
	Strict      *bool          `json:"strict"`
	Parameters  map[string]any `json:"parameters"`
}

// Item is one input item as sent.
type Item struct {
	Type      string          `json:"type"` // "message" may be left out for easy messages
	Role      string          `json:"role"`
	Content   json.RawMessage `json:"content"`
	CallID    string          `json:"call_id"`
	Name      string          `json:"name"`
	Arguments string          `json:"arguments"`
	Output    json.RawMessage `json:"output"`
	ID        string          `json:"id"`
}

// Items returns the input as items; a plain string input is one user message.
func (b Body) Items() []Item {
	var s string
	if json.Unmarshal(b.Input, &s) == nil {
		c, _ := json.Marshal(s)
		return []Item{{Type: "message", Role: "user", Content: c}}
	}
	var items []Item
	_ = json.Unmarshal(b.Input, &items)
	for i := range items {
		if items[i].Type == "" && items[i].Role != "" {
			items[i].Type = "message"
		}
	}
	return items
}

// Text returns a message item's text (string content or its text parts).
func (it Item) Text() string {
	var s string
	if json.Unmarshal(it.Content, &s) == nil {
		return s
	}
	var parts []struct {
		Text string `json:"text"`
	}
	_ = json.Unmarshal(it.Content, &parts)
	var out []string
	for _, p := range parts {
		out = append(out, p.Text)
	}
	return strings.Join(out, "")
}

// OutputText returns a function_call_output item's output string.
func (it Item) OutputText() string {
	var s string
	_ = json.Unmarshal(it.Output, &s)
	return s
}

// Server is the fake. Its zero value is not usable; call New.
type Server struct {
	*httptest.Server
	mu       sync.Mutex
	script   []Step
	fallback *Step
	requests []Request
	calls    map[string][]string // response ID → call IDs it returned
	seq      int
}

// New starts a fake; Close it when done.
func New() *Server {
	s := &Server{calls: map[string][]string{}}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// BaseURL is the value for OPENAI_BASE_URL.
func (s *Server) BaseURL() string { return s.URL + "/v1" }

// Script appends steps, answered in order, one per request.
func (s *Server) Script(steps ...Step) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.script = append(s.script, steps...)
}

// Always answers every request after the script with step.
func (s *Server) Always(step Step) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fallback = &step
}

// Requests returns the requests received so far.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// LastResponseID returns the ID of the last successful response, "" before any.
func (s *Server) LastResponseID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.seq == 0 {
		return ""
	}
	return fmt.Sprintf("resp_%d", s.seq)
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/v1/responses" {
		writeError(w, http.StatusNotFound, "Unknown request URL: "+r.Method+" "+r.URL.Path, "", "unknown_url")
		return
	}
	raw, _ := io.ReadAll(r.Body)
	var body Body
	if err := json.Unmarshal(raw, &body); err != nil {
		writeError(w, http.StatusBadRequest, "We could not parse the JSON body of your request.", "", "invalid_json")
		return
	}
	s.record(Request{Header: r.Header.Clone(), Raw: raw, Body: body})
	step := s.next()
	if step.Delay > 0 {
		select {
		case <-time.After(step.Delay):
		case <-r.Context().Done():
			s.consume()
			return
		}
	}
	for k, v := range step.Headers {
		w.Header().Set(k, v)
	}
	if step.Status >= 400 {
		s.consume()
		writeError(w, step.Status, step.Error, "", "")
		return
	}
	if msg, param := s.validate(body); msg != "" { // refused as the API would: the step stays
		writeError(w, http.StatusBadRequest, msg, param, "")
		return
	}
	s.consume()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(s.respond(body, step))
}

// record stores a request.
func (s *Server) record(req Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, req)
}

// next returns the step that answers the current request without using it up.
func (s *Server) next() Step {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.script) > 0 {
		return s.script[0]
	}
	if s.fallback != nil {
		return *s.fallback
	}
	return Step{Status: http.StatusInternalServerError, Error: "openaifake: no scripted answer left"}
}

// consume uses up the step next returned.
func (s *Server) consume() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.script) > 0 {
		s.script = s.script[1:]
	}
}

// validate applies the API's own consistency checks to a request.
func (s *Server) validate(b Body) (msg, param string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	called := map[string]bool{}
	if b.PreviousResponseID != "" {
		ids, ok := s.calls[b.PreviousResponseID]
		if !ok {
			return fmt.Sprintf("Previous response with id '%s' not found.", b.PreviousResponseID), "previous_response_id"
		}
		for _, id := range ids {
			called[id] = true
		}
	}
	for _, it := range b.Items() {
		switch it.Type {
		case "function_call":
			called[it.CallID] = true
		case "function_call_output":
			if !called[it.CallID] {
				return fmt.Sprintf("No tool call found for function call output with call_id %s.", it.CallID), "input"
			}
		}
	}
	return "", ""
}

// respond builds the response object for step.
func (s *Server) respond(b Body, step Step) map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	id := fmt.Sprintf("resp_%d", s.seq)
	var output []any
	var callIDs []string
	for i, c := range step.Calls {
		callID := fmt.Sprintf("call_%d_%d", s.seq, i)
		callIDs = append(callIDs, callID)
		output = append(output, map[string]any{"type": "function_call", "id": fmt.Sprintf("fc_%d_%d", s.seq, i),
			"call_id": callID, "name": c.Name, "arguments": c.Arguments, "status": "completed"})
	}
	if step.Text != "" || len(step.Calls) == 0 {
		output = append(output, map[string]any{"type": "message", "id": fmt.Sprintf("msg_%d", s.seq), "status": "completed",
			"role": "assistant", "content": []any{map[string]any{"type": "output_text", "text": step.Text, "annotations": []any{}}}})
	}
	s.calls[id] = callIDs
	resp := map[string]any{"id": id, "object": "response", "created_at": time.Now().Unix(), "status": "completed",
		"model": b.Model, "output": output, "parallel_tool_calls": true, "tool_choice": "auto", "tools": []any{},
		"usage": map[string]any{"input_tokens": 100 * s.seq, "output_tokens": 10, "total_tokens": 100*s.seq + 10,
			"input_tokens_details": map[string]any{"cached_tokens": 0}, "output_tokens_details": map[string]any{"reasoning_tokens": 0}}}
	if b.PreviousResponseID != "" {
		resp["previous_response_id"] = b.PreviousResponseID
	}
	return resp
}

// writeError answers with the API's error shape.
func writeError(w http.ResponseWriter, status int, msg, param, code string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	var p, c any
	if param != "" {
		p = param
	}
	if code != "" {
		c = code
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"message": msg, "type": "invalid_request_error", "param": p, "code": c}})
}
