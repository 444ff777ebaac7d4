package api

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/tools"
)

// maxAnalyticsDays bounds GET /api/v1/analytics/daily.
const maxAnalyticsDays = 31

// sitePage is GET /api/v1/sites.
type sitePage struct {
	Data       []SiteItem `json:"data"`
	NextCursor *string    `json:"next_cursor"`
}

// siteKinds are the values of GET /api/v1/sites?kind=.
var siteKinds = []string{string(fleet.SiteTerminal), string(fleet.SiteClient), string(fleet.SiteDepot), string(fleet.SiteServiceArea)}

// listSites pages through the sites by code, keeping those of ?kind= whose code or name
// contains ?q=.
func (s *Server) listSites(_ http.ResponseWriter, r *http.Request, q *query) (int, any, error) {
	kind := q.oneOf("kind", siteKinds...)
	search := strings.ToLower(q.str("q"))
	limit := q.intIn("limit", defaultPageSize, 1, maxPageSize)
	if q.err != nil {
		return 0, nil, q.err
	}
	after, err := decodeCursor(q.str("cursor"), cursorSites)
	if err != nil {
		return 0, nil, err
	}
	sites, err := s.deps.Catalog.ListSites(r.Context())
	if err != nil {
		return 0, nil, err
	}
	if kind != "" || search != "" {
		sites = slices.DeleteFunc(slices.Clone(sites), func(st fleet.Site) bool {
			return (kind != "" && string(st.Kind) != kind) ||
				!(strings.Contains(strings.ToLower(st.Code), search) || strings.Contains(strings.ToLower(st.Name), search))
		})
	}
	byCode := func(a, b fleet.Site) int { return strings.Compare(a.Code, b.Code) }
	if !slices.IsSortedFunc(sites, byCode) {
		sites = slices.SortedFunc(slices.Values(sites), byCode)
	}
	i, _ := slices.BinarySearchFunc(sites, after, func(st fleet.Site, code string) int {
		if st.Code <= code {
			return -1
		}
		return 1
	})
	out := sitePage{Data: []SiteItem{}}
	for _, st := range sites[i:min(i+limit, len(sites))] {
		out.Data = append(out.Data, siteItem(st))
	}
	if i+limit < len(sites) {
		out.NextCursor = optional(encodeCursor(cursorSites, out.Data[len(out.Data)-1].Code))
	}
	return http.StatusOK, out, nil
}

// dailyAnalytics is GET /api/v1/analytics/daily.
type dailyAnalytics struct {
	From string                `json:"from"`
	To   string                `json:"to"`
	Days []*tools.DailySummary `json:"days"`
}

// dailyAnalytics answers get_daily_summary for every Lagos day in [from, to], oldest first.
// to defaults to today, from to six days before to.
func (s *Server) dailyAnalytics(_ http.ResponseWriter, r *http.Request, q *query) (int, any, error) {
	today := fleet.Day(s.now(), s.loc)
	from, to := q.date("from", s.loc), q.date("to", s.loc)
	if q.err != nil {
		return 0, nil, q.err
	}
	if to.IsZero() {
		to = today
	}
	if from.IsZero() {
		from = to.AddDate(0, 0, -6)
	}
	switch {
	case to.After(today):
		return 0, nil, badParam("to", "to is after today (%s)", today.Format(time.DateOnly))
	case from.After(to):
		return 0, nil, badParam("from", "from is after to")
	case from.AddDate(0, 0, maxAnalyticsDays-1).Before(to):
		return 0, nil, badParam("from", "at most %d days at a time", maxAnalyticsDays)
	}
	out := dailyAnalytics{From: from.Format(time.DateOnly), To: to.Format(time.DateOnly)}
	for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
		sum, err := s.deps.Reports.DailySummary(r.Context(), d.Format(time.DateOnly))
		if err != nil {
			return 0, nil, err
		}
		out.Days = append(out.Days, sum)
	}
	return http.StatusOK, out, nil
}
