package api

import (
	_ "embed"
	"encoding/json"
	"net/http"
)

// openAPIDoc is the OpenAPI 3.1 document of every route, served at /api/v1/openapi.json.
// TestOpenAPIParity keeps it and the route table in step, query parameters and response
// fields included.
//
//go:embed openapi.json
var openAPIDoc []byte

// OpenAPI returns the OpenAPI document of the API.
func OpenAPI() []byte { return append([]byte(nil), openAPIDoc...) }

// openAPI serves the document.
func (s *Server) openAPI(_ http.ResponseWriter, _ *http.Request, _ *query) (int, any, error) {
	return http.StatusOK, json.RawMessage(openAPIDoc), nil
}
