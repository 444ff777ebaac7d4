package api_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestListSites(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	type page struct {
		Data []struct {
			Code    string  `json:"code"`
			Kind    string  `json:"kind"`
			RadiusM float64 `json:"radius_m"`
		} `json:"data"`
		NextCursor *string `json:"next_cursor"`
	}
	var codes []string
	next := "/api/v1/sites?limit=3"
	for next != "" {
		r := f.do(t, "GET", next, f.read, "")
		wantStatus(t, "GET "+next, r, http.StatusOK, "")
		var p page
		r.json(t, &p)
		for _, s := range p.Data {
			codes = append(codes, s.Code)
		}
		next = ""
		if p.NextCursor != nil {
			next = "/api/v1/sites?limit=3&cursor=" + url.QueryEscape(*p.NextCursor)
		}
	}
	if diff := cmp.Diff([]string{"APAPA", "ECLAT", "ESSLIBRA", "TINCAN"}, codes); diff != "" {
		t.Errorf("sites over pages of 3, -want +got:\n%s", diff)
	}
	for _, q := range []string{"?limit=x", "?kind=port", "?name=APAPA", "?cursor=" + url.QueryEscape("dHJ1Y2tzOlQx")} {
		r := f.do(t, "GET", "/api/v1/sites"+q, f.read, "")
		wantStatus(t, "GET /api/v1/sites"+q, r, http.StatusBadRequest, "invalid")
	}
}

func TestDailyAnalytics(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	type answer struct {
		From string `json:"from"`
		To   string `json:"to"`
		Days []struct {
			Date    string `json:"date"`
			Partial bool   `json:"partial"`
		} `json:"days"`
	}
	tests := []struct {
		query, from, to string
		days            int
	}{
		{"", "2025-11-20", "2025-11-26", 7},
		{"?from=2025-11-25", "2025-11-25", "2025-11-26", 2},
		{"?from=2025-11-01&to=2025-11-03", "2025-11-01", "2025-11-03", 3},
		{"?to=2025-11-10", "2025-11-04", "2025-11-10", 7},
		{"?from=2025-10-27&to=2025-11-26", "2025-10-27", "2025-11-26", 31},
	}
	for _, tc := range tests {
		t.Run(tc.query, func(t *testing.T) {
			r := f.do(t, "GET", "/api/v1/analytics/daily"+tc.query, f.read, "")
			wantStatus(t, "GET /api/v1/analytics/daily"+tc.query, r, http.StatusOK, "")
			var a answer
			r.json(t, &a)
			if a.From != tc.from || a.To != tc.to || len(a.Days) != tc.days || a.Days[0].Date != tc.from || a.Days[len(a.Days)-1].Date != tc.to {
				t.Fatalf("analytics%s = %s…%s with %d days; want %s…%s with %d", tc.query, a.From, a.To, len(a.Days), tc.from, tc.to, tc.days)
			}
			if last := a.Days[len(a.Days)-1]; last.Partial != (last.Date == "2025-11-26") {
				t.Errorf("day %s partial = %v; want true only for today", last.Date, last.Partial)
			}
		})
	}
	for _, tc := range []struct{ query, param string }{
		{"?from=2025-11-27&to=2025-11-26", "from"},
		{"?to=2025-11-27", "to"},
		{"?from=2025-10-26", "from"},
		{"?from=26/11/2025", "from"},
		{"?to=today", "to"},
		{"?scope=T11985LA", "scope"},
	} {
		t.Run("bad "+tc.query, func(t *testing.T) {
			r := f.do(t, "GET", "/api/v1/analytics/daily"+tc.query, f.read, "")
			e := wantStatus(t, "GET /api/v1/analytics/daily"+tc.query, r, http.StatusBadRequest, "invalid")
			if e.Error.Param != tc.param {
				t.Errorf("param = %q; want %q (message %q)", e.Error.Param, tc.param, e.Error.Message)
			}
		})
	}
}

func TestUnknownRoutesAndMethods(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	r := f.do(t, "GET", "/api/v1/drivers", f.read, "")
	wantStatus(t, "GET /api/v1/drivers", r, http.StatusNotFound, "not_found")
	r = f.do(t, "DELETE", "/api/v1/trips", f.write, "")
	wantStatus(t, "DELETE /api/v1/trips", r, http.StatusMethodNotAllowed, "invalid")
	if allow := r.header.Get("Allow"); !strings.Contains(allow, "GET") || !strings.Contains(allow, "POST") {
		t.Errorf("Allow = %q; want GET and POST", allow)
	}
	r = f.do(t, "PUT", "/api/v1/trucks/T11985LA", f.write, "")
	wantStatus(t, "PUT /api/v1/trucks/T11985LA", r, http.StatusMethodNotAllowed, "invalid")
}

func TestOpenAPIServed(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	r := f.do(t, "GET", "/api/v1/openapi.json", "", "")
	wantStatus(t, "GET /api/v1/openapi.json", r, http.StatusOK, "")
	var doc struct {
		OpenAPI string         `json:"openapi"`
		Paths   map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(r.body, &doc); err != nil || !strings.HasPrefix(doc.OpenAPI, "3.") || doc.Paths["/api/v1/trucks/near"] == nil {
		t.Errorf("served document = %.80s… (%v); want OpenAPI 3 with /api/v1/trucks/near", r.body, err)
	}
	wantStatus(t, "with a parameter", f.do(t, "GET", "/api/v1/openapi.json?v=2", "", ""), http.StatusBadRequest, "invalid")
}
