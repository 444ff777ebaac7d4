package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/watchtower-ops/watchtower/fleet"
)

// errorBody is the one error shape of the API:
// {"error":{"code":"not_found","message":"truck T1 not found"}}. Field names the query
// parameter or body field at fault, and Param repeats it for the first release's clients;
// Suggestions are close matches of something not found.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code        string   `json:"code"`
	Message     string   `json:"message"`
	Field       string   `json:"field,omitempty"`
	Param       string   `json:"param,omitempty"`
	Suggestions []string `json:"suggestions,omitempty"`
}

// paramError is a fleet.Error about one query parameter or body field.
type paramError struct {
	param string
	err   *fleet.Error
}

func (e *paramError) Error() string { return e.param + ": " + e.err.Error() }
func (e *paramError) Unwrap() error { return e.err }

// badParam returns an EINVALID error naming param; message should name it too.
func badParam(param, format string, args ...any) error {
	return &paramError{param: param, err: fleet.Errorf(fleet.EINVALID, format, args...)}
}

// statusError is a failure whose HTTP status does not follow from its code alone (413, 415,
// 405).
type statusError struct {
	status int
	err    *fleet.Error
}

func (e *statusError) Error() string { return e.err.Error() }
func (e *statusError) Unwrap() error { return e.err }

// StatusOf maps a fleet error code to the API's HTTP status: invalid 400, unauthorized 401,
// forbidden 403, not_found 404, conflict 409, rate_limited 429, unavailable 503, and 500 for
// internal and anything unknown.
func StatusOf(code string) int {
	switch code {
	case fleet.EINVALID:
		return http.StatusBadRequest
	case fleet.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case fleet.EFORBIDDEN:
		return http.StatusForbidden
	case fleet.ENOTFOUND:
		return http.StatusNotFound
	case fleet.ECONFLICT:
		return http.StatusConflict
	case fleet.ERATELIMITED:
		return http.StatusTooManyRequests
	case fleet.EUNAVAILABLE:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// writeError answers r with err in the one error shape. Internal and unavailable failures are
// logged here, where they are handled, with the route; the client only sees the safe message.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	code := fleet.ErrorCode(err)
	status := StatusOf(code)
	var se *statusError
	if errors.As(err, &se) {
		status = se.status
	}
	body := errorBody{Error: errorDetail{Code: code, Message: fleet.ErrorMessage(err), Suggestions: fleet.ErrorSuggestions(err)}}
	var pe *paramError
	if errors.As(err, &pe) {
		body.Error.Param = pe.param
	} else {
		body.Error.Param = fleet.ErrorField(err)
	}
	body.Error.Field = body.Error.Param
	if status >= 500 {
		// The client gets a sentence and a reference; the log keeps the detail under it.
		ref := fleet.NewRef()
		body.Error.Message = fleet.FailureText(err, ref)
		s.log.ErrorContext(r.Context(), "api request failed", "err", err, "route", routeOf(r), "status", status, "ref", ref)
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="watchtower"`)
	}
	s.writeJSON(w, r, status, body)
}

// writeJSON writes v as the JSON body with status. A value that cannot be encoded is a bug:
// it is logged and answered with a 500.
func (s *Server) writeJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // JSON for programs, never inlined in HTML
	err := enc.Encode(v)
	b := buf.Bytes()
	if err != nil {
		s.log.ErrorContext(r.Context(), "api: encode response", "err", err, "route", routeOf(r))
		status, b = http.StatusInternalServerError, []byte(`{"error":{"code":"internal","message":"internal error"}}`+"\n")
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	w.Write(b)
}
