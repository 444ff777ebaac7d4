package api_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/watchtower-ops/watchtower/bot/api"
	"github.com/watchtower-ops/watchtower/fleet"
)

func TestAuthentication(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	wellFormedUnknown, _, _ := api.NewToken()
	tests := []struct {
		name   string
		header string
		status int
		code   string
	}{
		{"no header", "", http.StatusUnauthorized, "unauthorized"},
		{"not bearer", "Basic dXNlcjpwYXNz", http.StatusUnauthorized, "unauthorized"},
		{"garbage", "Bearer hunter2", http.StatusUnauthorized, "unauthorized"},
		{"unknown token", "Bearer " + wellFormedUnknown, http.StatusUnauthorized, "unauthorized"},
		{"read token", "Bearer " + f.read, http.StatusOK, ""},
		{"write token", "Bearer " + f.write, http.StatusOK, ""},
		{"scheme in lower case", "bearer " + f.read, http.StatusOK, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest("GET", f.ts.URL+"/api/v1/sites", nil)
			if tc.header != "" {
				req.Header.Set("Authorization", tc.header)
			}
			resp, err := f.ts.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.status {
				t.Fatalf("GET /api/v1/sites with %q: status %d; want %d", tc.name, resp.StatusCode, tc.status)
			}
			if tc.status == http.StatusUnauthorized && !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("401 without a Bearer WWW-Authenticate challenge: %q", resp.Header.Get("WWW-Authenticate"))
			}
		})
	}
	for _, path := range []string{"/api/v1/trucks", "/api/v1/trucks/T11985LA", "/api/v1/trucks/near?near=APAPA",
		"/api/v1/trips", "/api/v1/trips/TRP-0001", "/api/v1/analytics/daily"} {
		r := f.do(t, "GET", path, "", "")
		wantStatus(t, "GET "+path+" without a token", r, http.StatusUnauthorized, "unauthorized")
	}
	r := f.do(t, "POST", "/api/v1/trips", "", `{}`)
	wantStatus(t, "POST /api/v1/trips without a token", r, http.StatusUnauthorized, "unauthorized")
}

func TestScopes(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	body := `{"truck":"T11985LA","origin":"APAPA","destination":"ECLAT","departure_time":"2025-11-27T08:00:00+01:00"}`
	r := f.do(t, "POST", "/api/v1/trips", f.read, body)
	e := wantStatus(t, "POST /api/v1/trips with a read token", r, http.StatusForbidden, "forbidden")
	if !strings.Contains(e.Error.Message, "write") {
		t.Errorf("403 message %q does not say a write token is needed", e.Error.Message)
	}
	if n := len(f.notes.All()); n != 0 {
		t.Errorf("a refused write queued %d notifications; want none", n)
	}
	r = f.do(t, "POST", "/api/v1/trips", f.write, body)
	wantStatus(t, "POST /api/v1/trips with a write token", r, http.StatusCreated, "")
}

func TestRevokedTokenStopsWorking(t *testing.T) {
	t.Parallel()
	f := newFixture(t) // the fixture does not cache tokens
	wantStatus(t, "before revoke", f.do(t, "GET", "/api/v1/sites", f.read, ""), http.StatusOK, "")
	if _, err := f.st.RevokeAPIToken(context.Background(), "portal", fleet.Actor{ID: "test"}); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, "after revoke", f.do(t, "GET", "/api/v1/sites", f.read, ""), http.StatusUnauthorized, "unauthorized")
}

func TestRateLimit(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	limited := func(d *api.Deps, _ *api.Config) { d.Limiter = api.NewLimiter(f.rdb, f.prefix, 60, 3) }
	f.serve(t, limited)
	first := f.ts
	f.serve(t, limited) // a second replica sharing Redis
	second := f.ts

	for i := range 3 {
		f.ts = []*httptest.Server{first, second}[i%2]
		r := f.do(t, "GET", "/api/v1/sites", f.read, "")
		wantStatus(t, "request "+strconv.Itoa(i+1)+" of the burst", r, http.StatusOK, "")
		if got := r.header.Get("X-RateLimit-Limit"); got != "60" {
			t.Errorf("X-RateLimit-Limit = %q; want 60", got)
		}
	}
	f.ts = second
	r := f.do(t, "GET", "/api/v1/sites", f.read, "")
	wantStatus(t, "request over the limit", r, http.StatusTooManyRequests, "rate_limited")
	retry, err := strconv.Atoi(r.header.Get("Retry-After"))
	if err != nil || retry < 1 || retry > 60 {
		t.Errorf("Retry-After = %q; want whole seconds from 1 to 60", r.header.Get("Retry-After"))
	}
	r = f.do(t, "GET", "/api/v1/sites", f.write, "")
	wantStatus(t, "another token", r, http.StatusOK, "")
	r = f.do(t, "GET", "/api/v1/openapi.json", "", "")
	wantStatus(t, "the public document", r, http.StatusOK, "")
}

func TestRateLimitFailsOpenWithoutRedis(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	down := func(d *api.Deps, _ *api.Config) {
		d.Limiter = api.NewLimiter(closedRedis(t), f.prefix, 60, 1)
	}
	f.serve(t, down)
	for i := range 3 {
		r := f.do(t, "GET", "/api/v1/sites", f.read, "")
		wantStatus(t, "request "+strconv.Itoa(i+1)+" with Redis down", r, http.StatusOK, "")
	}
}
