package envcfg

import (
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"strings"

	"github.com/caarlos0/env/v11"

	"github.com/watchtower-ops/watchtower/fleet"
)

// Error is a missing or malformed variable: its one-line message names the variable and says
// what it should be, never its value.
type Error struct {
	Var    string
	Reason string
}

func (e *Error) Error() string { return fmt.Sprintf("config: %s %s", e.Var, e.Reason) }

// Parse fills every target (a pointer to a struct) from the variables its `env` tags name,
// through getenv. A variable set to blanks counts as unset. A value of the wrong type is an
// *Error saying what the field's `check` rule wants. Check the targets once they are complete.
func Parse(getenv func(string) string, targets ...any) error {
	for _, t := range targets {
		if err := parse(getenv, t); err != nil {
			return err
		}
	}
	return nil
}

// parse fills t through caarlos0/env.
func parse(getenv func(string) string, t any) error {
	params, err := env.GetFieldParams(t)
	if err != nil {
		return err
	}
	vars := make(map[string]string, len(params))
	for _, p := range params {
		if v := strings.TrimSpace(getenv(p.Key)); v != "" {
			vars[p.Key] = v
		}
	}
	err = env.ParseWithOptions(t, env.Options{Environment: vars, FuncMap: listParsers})
	var agg env.AggregateError
	if errors.As(err, &agg) && len(agg.Errors) > 0 {
		err = agg.Errors[0]
	}
	var pe env.ParseError
	if errors.As(err, &pe) {
		f, _ := reflect.TypeOf(t).Elem().FieldByName(pe.Name)
		reason := ruleFor(f).want
		if fe := (*fleet.Error)(nil); errors.As(pe.Err, &fe) {
			reason = fleet.ErrorMessage(fe) // names the bad entry
		}
		return &Error{Var: Var(f), Reason: reason}
	}
	if err != nil {
		return fmt.Errorf("config: %w", err)
	}
	return nil
}

// listParsers read the variables that are lists of entries through fleet's parsers, whose
// errors name the bad entry.
var listParsers = map[reflect.Type]env.ParserFunc{
	reflect.TypeFor[fleet.SeverityRules](): func(v string) (any, error) { return fleet.ParseSeverityRules(v) },
	reflect.TypeFor[fleet.AlertRoutes]():   func(v string) (any, error) { return fleet.ParseAlertRoutes(v) },
}

// Check applies the `check` rule of every field of each *target, in order, and returns an
// *Error for the first that fails.
func Check(targets ...any) error {
	for _, t := range targets {
		v := reflect.ValueOf(t).Elem()
		for i, f := range reflect.VisibleFields(v.Type()) {
			if reason := ruleFor(f).bad(v.Field(i)); reason != "" {
				return &Error{Var: Var(f), Reason: reason}
			}
		}
	}
	return nil
}

// Var is the variable field f is read from.
func Var(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("env"), ",")
	return name
}

// LogValue shows every field of the struct c under its variable's lower-case name, as its
// `log` tag says: "secret" redacted, "url" with the password hidden, "-" left out. So a config
// logged whole never leaks a token or password.
func LogValue(c any) slog.Value {
	var attrs []slog.Attr
	v := reflect.ValueOf(c)
	for i, f := range reflect.VisibleFields(v.Type()) {
		s, how := v.Field(i).Interface(), f.Tag.Get("log")
		switch {
		case how == "-":
			continue
		case how == "secret" && s != "":
			s = "[redacted]"
		case how == "url":
			s = RedactURL(s.(string))
		}
		if st, ok := s.(fmt.Stringer); ok {
			s = st.String()
		}
		attrs = append(attrs, slog.Any(strings.ToLower(Var(f)), s))
	}
	return slog.GroupValue(attrs...)
}
