// Package fleet holds Watch Tower's domain: trucks, drivers, sites (geofences), trips and their
// state machine, positions and live truck state, alerts and domain events, plate normalisation,
// geography (haversine and H3 cells), business time in Lagos, and the typed Error every other
// package classifies its failures into.
//
// It is pure: standard library and h3-go only, no I/O and no logging.
//
// It must not import any other Watch Tower package: every other package imports it.
package fleet

import (
	"encoding/base32"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
)

// Error codes. A code says what kind of failure happened; the message is safe to show a user.
const (
	ECONFLICT     = "conflict"     // the action conflicts with the current state (duplicate, illegal transition)
	EINTERNAL     = "internal"     // an unexpected failure; the message is not shown to users
	EINVALID      = "invalid"      // the input is malformed or breaks a rule
	ENOTFOUND     = "not_found"    // the thing asked for does not exist
	EFORBIDDEN    = "forbidden"    // the caller may not do this
	EUNAVAILABLE  = "unavailable"  // a dependency (database, Redis, a remote API) is not reachable
	EUNAUTHORIZED = "unauthorized" // the caller is not authenticated
	ERATELIMITED  = "rate_limited" // too many requests; try later
)

// Error is a domain error whose Message is safe to show to a Slack user, the model or an API
// client. Suggestions, when present, are close matches for something that was not found.
type Error struct {
	Code        string
	Message     string
	Suggestions []string
	Field       string // the input field at fault ("lat", "driver_phone"), "" when none
}

// Error implements the error interface with the safe message alone, so wrapped errors read as
// sentences wherever they surface; the code is for programs (ErrorCode), not for people.
func (e *Error) Error() string { return e.Message }

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL for any other
// non-nil error, and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the safe message of the first *Error in err's chain, "internal error"
// for any other non-nil error, and "" for nil.
func ErrorMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}

// FieldErrorf returns an *Error about the input field named field.
func FieldErrorf(field, code, format string, args ...any) *Error {
	e := Errorf(code, format, args...)
	e.Field = field
	return e
}

// WithField returns err with field as the field at fault when err is a classified error
// (not EINTERNAL) that names none yet; any other error is returned as it is.
func WithField(field string, err error) error {
	var e *Error
	if !errors.As(err, &e) || e.Code == EINTERNAL || e.Field != "" {
		return err
	}
	c := *e
	c.Field = field
	return &c
}

// ErrorField returns the field at fault of the first *Error in err's chain, "" when none.
func ErrorField(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}

// ErrorSuggestions returns the suggestions of the first *Error in err's chain, if any.
func ErrorSuggestions(err error) []string {
	var e *Error
	if errors.As(err, &e) {
		return e.Suggestions
	}
	return nil
}

// NewRef returns a short reference ID ("WT-7KX2QDPM") that ties what a user is told about a
// failure to the log record holding its detail. It is for matching, not secret.
func NewRef() string {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], rand.Uint64())
	return "WT-" + base32.StdEncoding.EncodeToString(b[:5])
}

// FailureText is what a person is told about err in a sentence: the safe message of a domain
// error, and for any other failure that something went wrong on our side. Both carry ref, the
// reference the log record of err also holds.
func FailureText(err error, ref string) string {
	msg := "something went wrong on our side"
	if ErrorCode(err) != EINTERNAL {
		msg = ErrorMessage(err)
	}
	return msg + " (reference " + ref + ")"
}
