package api

import (
	"net/http"

	"github.com/watchtower-ops/watchtower/tools"
)

// siteStatus is GET /api/v1/sites/{code}/status: get_site_status, the same answer as /site
// in Slack. An unknown site is a 404 "I don't know a site called …" with suggestions.
func (s *Server) siteStatus(_ http.ResponseWriter, r *http.Request, q *query) (int, any, error) {
	truck := q.str("truck")
	if q.err != nil {
		return 0, nil, q.err
	}
	res, err := s.deps.Trucks.SiteStatus(r.Context(), tools.SiteStatusArgs{Site: r.PathValue("code"), Truck: optional(truck)})
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, res, nil
}
