package api_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/watchtower-ops/watchtower/bot/api"
	"github.com/watchtower-ops/watchtower/fleet"
)

type auditPage struct {
	Data       []api.AuditItem `json:"data"`
	NextCursor *string         `json:"next_cursor"`
}

// withAudit serves the audit log from the fixture's store.
func withAudit(f *fixture) option {
	return func(d *api.Deps, _ *api.Config) { d.Audit = f.st }
}

// TestAuditAPI: the API's writes are in the log under the token's name; only admin tokens
// read it; the filters and the cursor work.
func TestAuditAPI(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	admin := f.token(t, "ops-admin", fleet.ScopeAdmin)
	wantStatus(t, "no audit store", f.do(t, "GET", "/api/v1/audit", admin, ""), http.StatusServiceUnavailable, fleet.EUNAVAILABLE)
	f.serve(t, withAudit(f))
	first := f.requestTrip(t)
	second := f.requestTripAt(t, "2025-11-28T08:00:00+01:00")
	wantStatus(t, "cancel", f.do(t, "POST", "/api/v1/trips/"+first+"/cancel", f.write, `{"reason":"client postponed"}`), http.StatusOK, "")
	wantStatus(t, "amend", f.do(t, "PATCH", "/api/v1/trips/"+second, admin, `{"notes":"gate 3"}`), http.StatusOK, "")

	for _, tok := range []string{f.read, f.write} {
		e := wantStatus(t, "non-admin token", f.do(t, "GET", "/api/v1/audit", tok, ""), http.StatusForbidden, fleet.EFORBIDDEN)
		if e.Error.Message == "" {
			t.Error("403 without a sentence")
		}
	}
	list := func(query string) auditPage {
		t.Helper()
		r := f.do(t, "GET", "/api/v1/audit?"+query, admin, "")
		wantStatus(t, "GET /api/v1/audit?"+query, r, http.StatusOK, "")
		var p auditPage
		r.json(t, &p)
		return p
	}
	keys := func(p auditPage) []string {
		var out []string
		for _, e := range p.Data {
			out = append(out, e.Actor+" "+e.Action+" "+e.Subject)
		}
		return out
	}
	tests := []struct {
		query string
		want  []string
	}{
		{"actor=erp-sync", []string{"erp-sync trip.cancel " + first, "erp-sync trip.create " + second, "erp-sync trip.create " + first}},
		{"action=trip.create", []string{"erp-sync trip.create " + second, "erp-sync trip.create " + first}},
		{"action=trip.*&subject=" + second, []string{"ops-admin trip.amend " + second, "erp-sync trip.create " + second}},
		{"actor=ops-admin", []string{"ops-admin trip.amend " + second}},
		// trips are created at the fixture's clock (26 Nov 2025 10:00, Lagos)
		{"since=2025-11-27&action=trip.create", nil},
		{"since=2025-11-26&until=2025-11-26&action=trip.create", []string{"erp-sync trip.create " + second, "erp-sync trip.create " + first}},
		{"since=" + url.QueryEscape("2025-11-26T10:00:00+01:00") + "&until=" + url.QueryEscape("2025-11-26T10:00:01+01:00") + "&actor=erp-sync",
			[]string{"erp-sync trip.create " + second, "erp-sync trip.create " + first}},
		{"until=" + url.QueryEscape("2025-11-26T10:00:00+01:00") + "&action=trip.*", nil},
		{"actor=nobody", nil},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, keys(list(tt.query))); diff != "" {
			t.Errorf("audit?%s -want +got:\n%s", tt.query, diff)
		}
	}
	if p := list("action=trip.cancel"); len(p.Data) != 1 || p.Data[0].Via != "api" || p.Data[0].ActorName != "erp-sync" ||
		!strings.Contains(string(p.Data[0].Details), `"cancelled"`) {
		t.Errorf("trip.cancel entry = %+v; want via api by erp-sync with details", p.Data)
	}

	// paging one at a time walks the whole log once
	all := keys(list(""))
	var paged []string
	query := "limit=1"
	for range len(all) + 1 {
		p := list(query)
		paged = append(paged, keys(p)...)
		if p.NextCursor == nil {
			break
		}
		query = "limit=1&cursor=" + *p.NextCursor
	}
	if diff := cmp.Diff(all, paged); diff != "" || len(all) < 5 {
		t.Errorf("paged audit (%d entries) -all +paged:\n%s", len(all), diff)
	}

	for _, tt := range []struct{ query, param string }{
		{"action=trip.%25", "action"},
		{"since=yesterday", "since"},
		{"since=2025-11-27&until=2025-11-26", "until"},
		{"limit=0", "limit"},
		{"cursor=bm9wZQ", "cursor"},
		{"who=me", "who"},
	} {
		e := wantStatus(t, "audit?"+tt.query, f.do(t, "GET", "/api/v1/audit?"+tt.query, admin, ""), http.StatusBadRequest, fleet.EINVALID)
		if e.Error.Param != tt.param {
			t.Errorf("audit?%s param = %q; want %q", tt.query, e.Error.Param, tt.param)
		}
	}
}
