package tools

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"

	"github.com/watchtower-ops/watchtower/fleet"
)

// strictSchema builds the strict JSON schema of an argument struct, so the schema the model
// sees and the struct the handler decodes can never drift apart. Every exported field with a
// json tag becomes a property; all are required (strict mode demands it) and pointer fields
// are nullable, which is how strict mode spells "optional". Tags read:
//
//	desc:"…"         the property's description for the model
//	enum:"a,b,c"     the allowed values of a string property (null stays allowed when nullable)
//
// Supported kinds are string, float64, int and bool, and pointers to them. Anything else is a
// programming error and panics when the registry is built.
func strictSchema(v any) map[string]any {
	t := reflect.TypeOf(v)
	props := map[string]any{}
	required := []string{}
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if !f.IsExported() || name == "" || name == "-" {
			continue
		}
		props[name] = propertySchema(f)
		required = append(required, name)
	}
	return map[string]any{
		"type":                 "object",
		"properties":           props,
		"required":             required,
		"additionalProperties": false,
	}
}

// propertySchema is the schema of one argument field.
func propertySchema(f reflect.StructField) map[string]any {
	ft, nullable := f.Type, false
	if ft.Kind() == reflect.Pointer {
		ft, nullable = ft.Elem(), true
	}
	var typ string
	switch ft.Kind() {
	case reflect.String:
		typ = "string"
	case reflect.Float64:
		typ = "number"
	case reflect.Int:
		typ = "integer"
	case reflect.Bool:
		typ = "boolean"
	default:
		panic(fmt.Sprintf("tools: argument field %s has unsupported kind %s", f.Name, ft.Kind()))
	}
	p := map[string]any{"type": typ}
	if nullable {
		p["type"] = []string{typ, "null"}
	}
	if d := f.Tag.Get("desc"); d != "" {
		p["description"] = d
	}
	if e := f.Tag.Get("enum"); e != "" {
		vals := []any{}
		for _, s := range strings.Split(e, ",") {
			vals = append(vals, s)
		}
		if nullable {
			vals = append(vals, nil)
		}
		p["enum"] = vals
	}
	return p
}

// decodeArgs decodes a tool's JSON arguments into dst, refusing unknown fields and trailing
// data. Missing nullable fields stay nil, so slash commands and the offline parser may leave
// them out; the model, held to the strict schema, always sends them. Empty arguments decode
// as {}. It returns EINVALID with a message the model can act on.
func decodeArgs(raw json.RawMessage, dst any) error {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || bytes.Equal(raw, []byte("null")) {
		raw = []byte("{}")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return fleet.Errorf(fleet.EINVALID, "invalid arguments: %s", argError(err))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return fleet.Errorf(fleet.EINVALID, "invalid arguments: trailing data after the JSON object")
	}
	return nil
}

// argError describes a decoding error without echoing the whole input.
func argError(err error) string {
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &te) && te.Field == "":
		return "not a JSON object"
	case errors.As(err, &te):
		return fmt.Sprintf("field %q must be a %s", te.Field, te.Type.Kind())
	case strings.HasPrefix(err.Error(), "json: unknown field"):
		return strings.TrimPrefix(err.Error(), "json: ")
	default:
		return "not a JSON object"
	}
}

// str returns *p, or "" when p is nil.
func str(p *string) string {
	if p == nil {
		return ""
	}
	return strings.TrimSpace(*p)
}
