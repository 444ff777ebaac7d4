package api_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/watchtower-ops/watchtower/bot/api"
)

// apiDoc is the OpenAPI document, decoded, for checking responses against it.
type apiDoc struct{ root map[string]any }

func loadDoc(t testing.TB) apiDoc {
	t.Helper()
	var root map[string]any
	if err := json.Unmarshal(api.OpenAPI(), &root); err != nil {
		t.Fatal(err)
	}
	return apiDoc{root: root}
}

// deref follows $ref until it reaches a schema or response object.
func (d apiDoc) deref(v map[string]any) map[string]any {
	for {
		ref, ok := v["$ref"].(string)
		if !ok {
			return v
		}
		cur := any(d.root)
		for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
			cur = cur.(map[string]any)[part]
		}
		v = cur.(map[string]any)
	}
}

// responseSchema returns the JSON schema documented for pattern ("GET /api/v1/trucks") and
// status, or an error when that status is not documented for it.
func (d apiDoc) responseSchema(pattern string, status int) (map[string]any, error) {
	method, path, _ := strings.Cut(pattern, " ")
	op, ok := d.root["paths"].(map[string]any)[path].(map[string]any)[strings.ToLower(method)].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s is not documented", pattern)
	}
	resp, ok := op["responses"].(map[string]any)[strconv.Itoa(status)].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s does not document status %d", pattern, status)
	}
	resp = d.deref(resp)
	schema, ok := resp["content"].(map[string]any)["application/json"].(map[string]any)["schema"].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%s %d has no JSON schema", pattern, status)
	}
	return schema, nil
}

// check validates v (decoded JSON) against schema, covering what the document uses: type
// (one or a list), properties with additionalProperties false, required, items, oneOf and
// enum. It returns the first mismatch with its JSON path.
func (d apiDoc) check(schema map[string]any, v any, at string) error {
	schema = d.deref(schema)
	if alts, ok := schema["oneOf"].([]any); ok {
		for _, alt := range alts {
			if d.check(alt.(map[string]any), v, at) == nil {
				return nil
			}
		}
		return fmt.Errorf("%s: %v matches no oneOf alternative", at, v)
	}
	if err := checkType(schema["type"], v, at); err != nil {
		return err
	}
	if enum, ok := schema["enum"].([]any); ok && v != nil && !slices.Contains(enum, v) {
		return fmt.Errorf("%s: %v is not one of %v", at, v, enum)
	}
	switch v := v.(type) {
	case map[string]any:
		return d.checkObject(schema, v, at)
	case []any:
		items, ok := schema["items"].(map[string]any)
		for i, x := range v {
			if ok {
				if err := d.check(items, x, fmt.Sprintf("%s[%d]", at, i)); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func (d apiDoc) checkObject(schema, v map[string]any, at string) error {
	props, _ := schema["properties"].(map[string]any)
	for _, r := range asStrings(schema["required"]) {
		if _, ok := v[r]; !ok {
			return fmt.Errorf("%s: required field %q is missing", at, r)
		}
	}
	for k, x := range v {
		p, ok := props[k].(map[string]any)
		if !ok {
			if extra, ok := schema["additionalProperties"].(map[string]any); ok {
				if err := d.check(extra, x, at+"."+k); err != nil {
					return err
				}
				continue
			}
			if schema["additionalProperties"] == false {
				return fmt.Errorf("%s: field %q is not documented", at, k)
			}
			continue
		}
		if err := d.check(p, x, at+"."+k); err != nil {
			return err
		}
	}
	return nil
}

func checkType(t any, v any, at string) error {
	var types []string
	switch t := t.(type) {
	case nil:
		return nil
	case string:
		types = []string{t}
	case []any:
		types = asStrings(t)
	}
	for _, typ := range types {
		if jsonType(v, typ) {
			return nil
		}
	}
	return fmt.Errorf("%s: %v (%T) is not %v", at, v, v, types)
}

func jsonType(v any, typ string) bool {
	switch typ {
	case "null":
		return v == nil
	case "string":
		_, ok := v.(string)
		return ok
	case "boolean":
		_, ok := v.(bool)
		return ok
	case "number":
		_, ok := v.(float64)
		return ok
	case "integer":
		f, ok := v.(float64)
		return ok && f == float64(int64(f))
	case "array":
		_, ok := v.([]any)
		return ok
	case "object":
		_, ok := v.(map[string]any)
		return ok
	}
	return false
}

func asStrings(v any) []string {
	var out []string
	xs, _ := v.([]any)
	for _, x := range xs {
		out = append(out, x.(string))
	}
	return out
}
