package api

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/watchtower-ops/watchtower/fleet"
)

// recorder is a Mux that remembers the patterns registered on it.
type recorder struct{ patterns []string }

func (r *recorder) Handle(pattern string, _ http.Handler) { r.patterns = append(r.patterns, pattern) }

// openAPIOperations returns "METHOD /path" → operation of the document.
func openAPIOperations(t *testing.T) map[string]map[string]any {
	t.Helper()
	var doc struct {
		OpenAPI string                               `json:"openapi"`
		Paths   map[string]map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(OpenAPI(), &doc); err != nil {
		t.Fatalf("openapi.json does not parse: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi = %q; want 3.x", doc.OpenAPI)
	}
	ops := map[string]map[string]any{}
	for path, item := range doc.Paths {
		for method, op := range item {
			ops[strings.ToUpper(method)+" "+path] = op
		}
	}
	return ops
}

// TestOpenAPIParity checks that every route the server registers is in the document and the
// other way round, and that each route's query parameters are exactly the documented ones.
func TestOpenAPIParity(t *testing.T) {
	s, err := New(Deps{}, Config{})
	if err != nil {
		t.Fatal(err)
	}
	var rec recorder
	s.register(&rec)
	ops := openAPIOperations(t)
	registered := map[string]bool{}
	for _, p := range rec.patterns {
		if p == apiPrefix { // the JSON 404/405 fallback, not a route
			continue
		}
		registered[p] = true
		if _, ok := ops[p]; !ok {
			t.Errorf("route %q is registered but not in openapi.json", p)
		}
	}
	for p := range ops {
		if !registered[p] {
			t.Errorf("openapi.json documents %q but the server does not register it", p)
		}
	}
	for _, rt := range s.routes {
		op := ops[rt.pattern()]
		if op == nil {
			continue
		}
		var documented []string
		params, _ := op["parameters"].([]any)
		for _, p := range params {
			if p := p.(map[string]any); p["in"] == "query" {
				documented = append(documented, p["name"].(string))
			}
		}
		slices.Sort(documented)
		code := slices.Sorted(slices.Values(rt.params))
		if diff := cmp.Diff(code, documented); diff != "" {
			t.Errorf("%s query parameters, -taken by the route +documented:\n%s", rt.pattern(), diff)
		}
		responses, _ := op["responses"].(map[string]any)
		need := []string{"400"} // every route reads its query string strictly
		if rt.scope != "" {
			need = append(need, "401", "429")
		}
		if rt.scope == fleet.ScopeWrite {
			need = append(need, "403")
		}
		if strings.Contains(rt.path, "{") {
			need = append(need, "404")
		}
		for _, status := range need {
			if _, ok := responses[status]; !ok {
				t.Errorf("%s does not document its %s answer", rt.pattern(), status)
			}
		}
		for _, name := range pathParams(rt.path) {
			if !documentsParam(op, "path", name) {
				t.Errorf("%s does not document its path parameter %q", rt.pattern(), name)
			}
		}
		if (rt.method == "POST" || rt.method == "PATCH") && !strings.HasSuffix(rt.path, "/ack") && op["requestBody"] == nil {
			t.Errorf("%s takes a body that is not documented", rt.pattern())
		}
		wantSecurity := rt.scope == ""
		sec, has := op["security"]
		if public := has && len(sec.([]any)) == 0; public != wantSecurity {
			t.Errorf("%s: documented public = %v; route scope %q", rt.pattern(), public, rt.scope)
		}
	}
}

// pathParams returns the {names} of a route's path.
func pathParams(path string) []string {
	var out []string
	for _, seg := range strings.Split(path, "/") {
		if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
			out = append(out, strings.Trim(seg, "{}"))
		}
	}
	return out
}

// documentsParam reports whether op documents the parameter name in in.
func documentsParam(op map[string]any, in, name string) bool {
	params, _ := op["parameters"].([]any)
	for _, p := range params {
		if p := p.(map[string]any); p["in"] == in && p["name"] == name {
			return true
		}
	}
	return false
}

// TestOpenAPIRefsResolve checks that every $ref points at a component that exists.
func TestOpenAPIRefsResolve(t *testing.T) {
	var doc map[string]any
	if err := json.Unmarshal(OpenAPI(), &doc); err != nil {
		t.Fatal(err)
	}
	var walk func(v any, at string)
	walk = func(v any, at string) {
		switch v := v.(type) {
		case map[string]any:
			if ref, ok := v["$ref"].(string); ok {
				if _, err := lookupRef(doc, ref); err != nil {
					t.Errorf("%s: %v", at, err)
				}
			}
			for _, k := range slices.Sorted(maps.Keys(v)) {
				walk(v[k], at+"/"+k)
			}
		case []any:
			for i, x := range v {
				walk(x, fmt.Sprintf("%s/%d", at, i))
			}
		}
	}
	walk(doc, "#")
}

// lookupRef resolves a local $ref ("#/components/schemas/Error") in doc.
func lookupRef(doc map[string]any, ref string) (map[string]any, error) {
	cur := any(doc)
	for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("$ref %s does not resolve", ref)
		}
		if cur, ok = m[part]; !ok {
			return nil, fmt.Errorf("$ref %s does not resolve", ref)
		}
	}
	m, ok := cur.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("$ref %s is not an object", ref)
	}
	return m, nil
}
