package loconav

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/watchtower-ops/watchtower/fleet"
)

// Error is a failed LocoNav call. Call names it ("ListVehicles(page=2)"); Status is the HTTP
// status (0 when no response arrived); Code and Message are LocoNav's own ("not_found",
// "vehicle not found!") when it sent them. Its chain holds a *fleet.Error with the
// classification (see the package comment) and, for transport failures, the cause.
type Error struct {
	Call    string
	Status  int
	Code    string
	Message string

	kind  *fleet.Error
	cause error
}

// Error implements the error interface: "loconav ListVehicles(page=2): HTTP 401: Authentication failed".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("loconav ")
	b.WriteString(e.Call)
	if e.Status != 0 {
		fmt.Fprintf(&b, ": HTTP %d", e.Status)
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.cause != nil {
		b.WriteString(": ")
		b.WriteString(e.cause.Error())
	}
	return b.String()
}

// Unwrap returns the fleet classification and the cause, so errors.Is(err,
// context.DeadlineExceeded) and fleet.ErrorCode both work.
func (e *Error) Unwrap() []error {
	out := []error{e.kind}
	if e.cause != nil {
		out = append(out, e.cause)
	}
	return out
}

// statusError builds the error for an HTTP answer that is not a success, from LocoNav's
// {"success": false, "data": {"errors": [...]}} body when there is one.
func statusError(call string, status int, body []byte) *Error {
	code, msg := errorDetail(body)
	if msg == "" {
		msg = http.StatusText(status)
	}
	e := &Error{Call: call, Status: status, Code: code, Message: msg}
	e.kind = classify(call, status, msg)
	return e
}

// transportError builds the error for a request that got no usable answer.
func transportError(call string, cause error) *Error {
	e := &Error{Call: call, cause: cause}
	switch {
	case errors.Is(cause, context.Canceled):
		e.kind = fleet.Errorf(fleet.EUNAVAILABLE, "LocoNav %s was cancelled", call)
	case errors.Is(cause, context.DeadlineExceeded):
		e.kind = fleet.Errorf(fleet.EUNAVAILABLE, "LocoNav did not answer %s in time", call)
	default:
		e.kind = fleet.Errorf(fleet.EUNAVAILABLE, "LocoNav is unreachable (%s)", call)
	}
	return e
}

// classify maps an HTTP status to the fleet code and a message safe to show a user.
func classify(call string, status int, msg string) *fleet.Error {
	switch {
	case status == http.StatusUnauthorized:
		return fleet.Errorf(fleet.EUNAUTHORIZED, "LocoNav rejected the API token (LOCONAV_API_TOKEN): %s", msg)
	case status == http.StatusForbidden:
		return fleet.Errorf(fleet.EFORBIDDEN, "LocoNav refused %s: %s", call, msg)
	case status == http.StatusNotFound:
		return fleet.Errorf(fleet.ENOTFOUND, "LocoNav %s: %s", call, msg)
	case status == http.StatusTooManyRequests:
		return fleet.Errorf(fleet.ERATELIMITED, "LocoNav is rate limiting %s; try again later", call)
	case status >= 500 || status == 0:
		return fleet.Errorf(fleet.EUNAVAILABLE, "LocoNav failed %s (HTTP %d)", call, status)
	default: // 400, 409, 422, and success false on a 2xx
		return fleet.Errorf(fleet.EINVALID, "LocoNav refused %s: %s", call, msg)
	}
}

// errorDetail reads LocoNav's error body. Its errors are either objects {message, code} or
// bare strings ("Authentication failed"); several are joined with "; ".
func errorDetail(body []byte) (code, msg string) {
	var env struct {
		Data struct {
			Errors []json.RawMessage `json:"errors"`
		} `json:"data"`
		Message string `json:"message"`
	}
	if json.Unmarshal(body, &env) != nil {
		return "", ""
	}
	var msgs []string
	for _, raw := range env.Data.Errors {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			msgs = append(msgs, s)
			continue
		}
		var o struct{ Message, Code string }
		if json.Unmarshal(raw, &o) == nil {
			msgs = append(msgs, o.Message)
			if code == "" {
				code = o.Code
			}
		}
	}
	if len(msgs) == 0 && env.Message != "" {
		msgs = append(msgs, env.Message)
	}
	return code, strings.Join(msgs, "; ")
}
