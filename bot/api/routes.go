package api

import (
	"net/http"
	"slices"
	"strings"

	"github.com/watchtower-ops/watchtower/fleet"
)

// Paths of the contract (DESIGN.md).
const (
	apiPrefix    = "/api/v1/"
	trackPattern = "GET /track/{token}"
	openAPIPath  = "/api/v1/openapi.json"
)

// List sizes.
const (
	defaultPageSize = 100
	maxPageSize     = 500
)

// handler serves one JSON route: it reads the checked query q and returns the status and
// body to write, or an error to answer in the error shape.
type handler func(w http.ResponseWriter, r *http.Request, q *query) (int, any, error)

// route is one JSON endpoint.
type route struct {
	method string
	path   string
	scope  string   // fleet.ScopeRead or fleet.ScopeWrite; "" public (no token)
	params []string // the query parameters it takes; any other is a 400
	handle handler
}

func (rt route) pattern() string { return rt.method + " " + rt.path }

// table lists every JSON route. The OpenAPI document must describe exactly these (a test
// checks both directions, query parameters included).
func (s *Server) table() []route {
	return []route{
		{"GET", openAPIPath, "", nil, s.openAPI},
		{"GET", "/api/v1/fleet", fleet.ScopeRead, nil, s.getFleet},
		{"GET", "/api/v1/trucks", fleet.ScopeRead, []string{"status", "state", "site", "q", "limit", "cursor"}, s.listTrucks},
		{"POST", "/api/v1/trucks", fleet.ScopeWrite, nil, s.createTruck},
		{"GET", "/api/v1/trucks/near", fleet.ScopeRead, []string{"near", "radius_km", "limit", "status"}, s.nearTrucks},
		{"GET", "/api/v1/trucks/{plate}", fleet.ScopeRead, nil, s.getTruck},
		{"PATCH", "/api/v1/trucks/{plate}", fleet.ScopeWrite, nil, s.updateTruck},
		{"DELETE", "/api/v1/trucks/{plate}", fleet.ScopeWrite, nil, s.retireTruck},
		{"GET", "/api/v1/sites", fleet.ScopeRead, []string{"kind", "q", "limit", "cursor"}, s.listSites},
		{"POST", "/api/v1/sites", fleet.ScopeWrite, nil, s.createSite},
		{"GET", "/api/v1/sites/{code}", fleet.ScopeRead, nil, s.getSite},
		{"PATCH", "/api/v1/sites/{code}", fleet.ScopeWrite, nil, s.updateSite},
		{"DELETE", "/api/v1/sites/{code}", fleet.ScopeWrite, nil, s.retireSite},
		{"GET", "/api/v1/sites/{code}/status", fleet.ScopeRead, []string{"truck"}, s.siteStatus},
		{"GET", "/api/v1/trips", fleet.ScopeRead, []string{"status", "plate", "from", "to", "limit", "cursor"}, s.listTrips},
		{"GET", "/api/v1/trips/{id}", fleet.ScopeRead, nil, s.getTrip},
		{"POST", "/api/v1/trips", fleet.ScopeWrite, nil, s.createTrip},
		{"GET", "/api/v1/analytics/daily", fleet.ScopeRead, []string{"from", "to"}, s.dailyAnalytics},
		{"GET", "/api/v1/alerts", fleet.ScopeRead, []string{"status", "plate", "kind", "severity", "since", "limit", "cursor"}, s.listAlerts},
		{"POST", "/api/v1/alerts/{id}/ack", fleet.ScopeWrite, nil, s.ackAlert},
	}
}

// endpoint wraps a route: authentication, the per-token rate limit, the scope check, the
// strict query string, then the handler, all failures in the one error shape.
func (s *Server) endpoint(rt route) http.Handler {
	return s.instrument(rt.pattern(), http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		status, body, err := s.serve(w, r, rt)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		s.writeJSON(w, r, status, body)
	}))
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request, rt route) (int, any, error) {
	if rt.scope != "" {
		tok, err := s.authenticate(r)
		if err != nil {
			return 0, nil, err
		}
		if err := s.limit(w, r, tok); err != nil {
			return 0, nil, err
		}
		if !tok.Allows(rt.scope) {
			return 0, nil, fleet.Errorf(fleet.EFORBIDDEN, "token %s has scope %s; %s needs a %s token", tok.Name, tok.Scope, rt.pattern(), rt.scope)
		}
		r = r.WithContext(withToken(r.Context(), tok))
	}
	q, err := parseQuery(r.URL.RawQuery, rt.params)
	if err != nil {
		return 0, nil, err
	}
	return rt.handle(w, r, q)
}

// fallback answers API paths no route matches: 405 with Allow when the path exists with other
// methods, else 404, both in the error shape.
func (s *Server) fallback(w http.ResponseWriter, r *http.Request) {
	var allow []string
	for _, m := range []string{http.MethodGet, http.MethodPost, http.MethodPatch, http.MethodDelete} {
		probe := r.Clone(r.Context())
		probe.Method = m
		if _, pattern := s.mux.Handler(probe); pattern != "" && pattern != apiPrefix {
			allow = append(allow, m)
		}
	}
	if len(allow) > 0 {
		if slices.Contains(allow, http.MethodGet) {
			allow = append(allow, http.MethodHead)
		}
		w.Header().Set("Allow", strings.Join(allow, ", "))
		s.writeError(w, r, &statusError{status: http.StatusMethodNotAllowed,
			err: fleet.Errorf(fleet.EINVALID, "%s is not allowed on %s; use %s", r.Method, r.URL.Path, strings.Join(allow, " or "))})
		return
	}
	s.writeError(w, r, fleet.Errorf(fleet.ENOTFOUND, "no API route %s %s; see %s", r.Method, r.URL.Path, openAPIPath))
}
