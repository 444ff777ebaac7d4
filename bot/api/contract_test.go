package api_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"github.com/watchtower-ops/watchtower/bot/api"
)

// contract is the OpenAPI document, loaded and checked once, with what validating a response
// needs.
type contract struct {
	doc *openapi3.T
	err error
}

var (
	contractOnce sync.Once
	theContract  contract
)

// loadContract returns the served document as kin-openapi reads it; t fails when the document
// is not a valid OpenAPI document.
func loadContract(t testing.TB) *openapi3.T {
	t.Helper()
	contractOnce.Do(func() {
		loader := openapi3.NewLoader()
		doc, err := loader.LoadFromData(api.OpenAPI())
		if err == nil {
			err = doc.Validate(loader.Context)
		}
		theContract = contract{doc: doc, err: err}
	})
	if theContract.err != nil {
		t.Fatalf("openapi.json is not a valid OpenAPI document: %v", theContract.err)
	}
	return theContract.doc
}

// validateResponse checks an answer of the API against the document with openapi3filter:
// the route (pattern, as the server's mux matched it) must be documented, the status must be
// one it documents, and the body and documented headers must match their schemas. The JSON
// fallback (unknown paths, wrong methods) answers only errors, checked against the Error
// schema.
func validateResponse(t testing.TB, doc *openapi3.T, pattern string, req *http.Request, r response) {
	t.Helper()
	method, path, _ := strings.Cut(pattern, " ")
	if pattern == "" || pattern == "/api/v1/" {
		validateError(t, doc, req, r)
		return
	}
	item := doc.Paths.Value(path)
	var op *openapi3.Operation
	if item != nil {
		op = item.GetOperation(method)
	}
	if op == nil {
		t.Errorf("%s %s: route %s is not in openapi.json", req.Method, req.URL.Path, pattern)
		return
	}
	params := map[string]string{}
	for _, p := range op.Parameters {
		if p.Value != nil && p.Value.In == openapi3.ParameterInPath {
			params[p.Value.Name] = pathValue(path, req.URL.Path, p.Value.Name)
		}
	}
	for _, p := range item.Parameters {
		if p.Value != nil && p.Value.In == openapi3.ParameterInPath {
			params[p.Value.Name] = pathValue(path, req.URL.Path, p.Value.Name)
		}
	}
	input := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{
			Request:    req,
			PathParams: params,
			Route:      &routers.Route{Spec: doc, Path: path, PathItem: item, Method: method, Operation: op},
		},
		Status:  r.status,
		Header:  r.header,
		Body:    io.NopCloser(bytes.NewReader(r.body)),
		Options: &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	if err := openapi3filter.ValidateResponse(context.Background(), input); err != nil {
		t.Errorf("%s %s → %d does not match openapi.json: %v\n%s", req.Method, req.URL.Path, r.status, err, r.body)
	}
}

// validateError checks an error answer of the fallback against the Error schema.
func validateError(t testing.TB, doc *openapi3.T, req *http.Request, r response) {
	t.Helper()
	if r.status < 400 {
		t.Errorf("%s %s: the fallback answered %d", req.Method, req.URL.Path, r.status)
		return
	}
	var v any
	r.json(t, &v)
	if err := doc.Components.Schemas["Error"].Value.VisitJSON(v, openapi3.EnableJSONSchema2020()); err != nil {
		t.Errorf("%s %s: error answer does not match the Error schema: %v\n%s", req.Method, req.URL.Path, err, r.body)
	}
}

// pathValue returns the segment of actual at the position of {name} in template.
func pathValue(template, actual, name string) string {
	ts, as := strings.Split(template, "/"), strings.Split(actual, "/")
	for i, seg := range ts {
		if seg == "{"+name+"}" && i < len(as) {
			return as[i]
		}
	}
	return ""
}
