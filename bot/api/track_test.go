package api_test

import (
	"context"
	"encoding/base64"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/watchtower-ops/watchtower/bot/api"
	"github.com/watchtower-ops/watchtower/fleet"
)

func TestTrackingToken(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 11, 26, 9, 0, 0, 0, time.UTC)
	exp := now.Add(48 * time.Hour)
	tok, err := api.TrackingToken(trackingSecret, "TRP-0042", exp)
	if err != nil {
		t.Fatal(err)
	}
	code, gotExp, err := api.ParseTrackingToken(trackingSecret, tok, now)
	if err != nil || code != "TRP-0042" || !gotExp.Equal(exp) {
		t.Fatalf("ParseTrackingToken = %q, %v, %v; want TRP-0042 expiring %v", code, gotExp, err, exp)
	}
	if again, _ := api.TrackingToken(trackingSecret, "trp 42", exp); again != tok {
		t.Errorf("the same trip and expiry gave %q then %q; want one stable link", tok, again)
	}
	raw, _ := base64.RawURLEncoding.DecodeString(tok)
	flip := func(i int) string {
		b := append([]byte(nil), raw...)
		b[i] ^= 1
		return base64.RawURLEncoding.EncodeToString(b)
	}
	other, _ := api.TrackingToken([]byte("another secret of the same length....."), "TRP-0042", exp)
	forever, _ := api.TrackingToken([]byte("attacker"), "TRP-0043", exp.AddDate(10, 0, 0))
	tests := []struct {
		name, token string
		at          time.Time
		code        string
	}{
		{"expired", tok, exp, fleet.EFORBIDDEN},
		{"trip number changed", flip(1), now, fleet.ENOTFOUND},
		{"expiry changed", flip(3), now, fleet.ENOTFOUND},
		{"signature changed", flip(len(raw) - 1), now, fleet.ENOTFOUND},
		{"another secret", other, now, fleet.ENOTFOUND},
		{"signed by someone else", forever, now, fleet.ENOTFOUND},
		{"truncated", tok[:len(tok)-4], now, fleet.ENOTFOUND},
		{"empty", "", now, fleet.ENOTFOUND},
		{"not base64", "!!!!", now, fleet.ENOTFOUND},
		{"too long", strings.Repeat("A", 200), now, fleet.ENOTFOUND},
		{"padding bits changed", tok[:len(tok)-1] + string(tok[len(tok)-1]^1), now, fleet.ENOTFOUND},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, err := api.ParseTrackingToken(trackingSecret, tc.token, tc.at)
			if fleet.ErrorCode(err) != tc.code || code != "" {
				t.Errorf("ParseTrackingToken(%s) = %q, code %q; want no trip, code %s", tc.name, code, fleet.ErrorCode(err), tc.code)
			}
		})
	}
	if _, _, err := api.ParseTrackingToken(nil, tok, now); fleet.ErrorCode(err) != fleet.ENOTFOUND {
		t.Errorf("ParseTrackingToken without a secret: %v; want ENOTFOUND", err)
	}
	if _, err := api.TrackingToken(nil, "TRP-0042", exp); fleet.ErrorCode(err) != fleet.EINVALID {
		t.Errorf("TrackingToken without a secret: %v; want EINVALID", err)
	}
}

func TestTrackerLink(t *testing.T) {
	t.Parallel()
	dep := time.Date(2025, 11, 27, 7, 0, 0, 0, time.UTC)
	trip := fleet.Trip{Code: "TRP-0007", ScheduledDeparture: dep, PlannedArrival: dep.Add(150 * time.Minute)}
	tr := api.NewTracker(trackingSecret, "https://track.example.com/")
	link := tr.Link(trip)
	if !strings.HasPrefix(link, "https://track.example.com/track/") {
		t.Fatalf("Link = %q; want https://track.example.com/track/<token>", link)
	}
	code, exp, err := api.ParseTrackingToken(trackingSecret, strings.TrimPrefix(link, "https://track.example.com/track/"), dep)
	if wantExp := time.Date(2025, 12, 4, 10, 0, 0, 0, time.UTC); err != nil || code != "TRP-0007" || !exp.Equal(wantExp) {
		t.Errorf("link names %q expiring %v (%v); want TRP-0007 expiring %v (7 days after arrival, on the hour)", code, exp, err, wantExp)
	}
	trip.TrackingURL = "https://loconav.example/t/abc"
	if got := tr.Link(trip); got != trip.TrackingURL {
		t.Errorf("Link with LocoNav's URL = %q; want LocoNav's", got)
	}
	if got := api.NewTracker(nil, "https://x").Link(fleet.Trip{Code: "TRP-0007"}); got != "" {
		t.Errorf("Link without a secret = %q; want none", got)
	}
}

// trackPage loads a tracking page.
func (f *fixture) trackPage(t testing.TB, path string) (int, string, http.Header) {
	t.Helper()
	resp, err := f.ts.Client().Get(f.ts.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

// linkPath is the path of trip code's tracking link expiring at exp.
func linkPath(t testing.TB, code string, exp time.Time) string {
	t.Helper()
	tok, err := api.TrackingToken(trackingSecret, code, exp)
	if err != nil {
		t.Fatal(err)
	}
	return "/track/" + tok
}

// departTrip approves and departs trip code and moves its truck to p.
func departTrip(t testing.TB, f *fixture, code string, p fleet.Point) {
	t.Helper()
	ctx := context.Background()
	for _, step := range []func(fleet.Trip) (fleet.Trip, error){
		func(tr fleet.Trip) (fleet.Trip, error) { return tr.Approve("U0BOSS", f.now.Add(-2*time.Hour)) },
		func(tr fleet.Trip) (fleet.Trip, error) { return tr.Depart(f.now.Add(-30 * time.Minute)) },
	} {
		if _, err := f.st.TransitionTrip(ctx, code, fleet.Actor{ID: "U0BOSS"}, "trip.step", step); err != nil {
			t.Fatal(err)
		}
	}
	trip, _ := f.st.TripByCode(ctx, code)
	f.setState(t, trip.Plate, p, f.now.Add(-4*time.Minute), 38, true, "")
}

func TestTrackPage(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	d, err := f.st.CreateDriver(ctx, fleet.Driver{Name: "Musa Ibrahim Bello", Phone: "08031234567"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.AssignDriver(ctx, "T28737LA", d.ID); err != nil {
		t.Fatal(err)
	}
	addTrips(t, f) // TRP-0001 T11985LA scheduled; TRP-0002 T28737LA pending
	// The trip of T28737LA leaves APAPA at 08:00 on the 27th: move the clock there and depart.
	f.now = time.Date(2025, 11, 27, 9, 0, 0, 0, fleet.Lagos())
	departTrip(t, f, "TRP-0002", fleet.Point{Lat: 6.5200, Lng: 3.3600})
	exp := f.now.Add(72 * time.Hour)

	status, page, h := f.trackPage(t, linkPath(t, "TRP-0002", exp))
	if status != http.StatusOK {
		t.Fatalf("tracking page status %d; want 200\n%s", status, page)
	}
	for _, want := range []string{"Trip TRP-0002", "On the way", "Apapa Port Complex", "Eclat Warehouse Ikeja", "T28737LA",
		"4 min ago", "Distance left", "Expected arrival", "https://www.google.com/maps?q=6.520000,3.360000", `http-equiv="refresh"`, `<dd id="driver">Musa</dd>`} {
		if !strings.Contains(page, want) {
			t.Errorf("tracking page lacks %q", want)
		}
	}
	for _, secret := range []string{"U0DISPATCH", "U0BOSS", "slack", "T11985LA", "Ibrahim", "08031234567"} {
		if strings.Contains(page, secret) {
			t.Errorf("tracking page shows %q, which is not the customer's business", secret)
		}
	}
	for k, want := range map[string]string{"Cache-Control": "no-store", "Referrer-Policy": "no-referrer", "X-Robots-Tag": "noindex, nofollow"} {
		if got := h.Get(k); got != want {
			t.Errorf("%s = %q; want %q", k, got, want)
		}
	}
	if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("Content-Security-Policy = %q; want default-src 'none'", csp)
	}

	status, page, _ = f.trackPage(t, linkPath(t, "TRP-0001", exp))
	if status != http.StatusOK || !strings.Contains(page, "Scheduled") || strings.Contains(page, "Last position") {
		t.Errorf("scheduled trip page (%d) should say Scheduled without the truck's position:\n%s", status, page)
	}
}

func TestTrackPageExpired(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	addTrips(t, f)
	good := linkPath(t, "TRP-0001", f.now.Add(time.Hour))
	tok := strings.TrimPrefix(good, "/track/")
	raw, _ := base64.RawURLEncoding.DecodeString(tok)
	raw[1]++ // TRP-0001 → TRP-0002 without the key: must not show trip 2
	forged := "/track/" + base64.RawURLEncoding.EncodeToString(raw)
	otherKey, _ := api.TrackingToken([]byte("a different secret entirely, same length"), "TRP-0002", f.now.Add(time.Hour))
	tests := []struct {
		name, path string
		status     int
	}{
		{"expired", linkPath(t, "TRP-0001", f.now.Add(-time.Second)), http.StatusGone},
		{"forged trip number", forged, http.StatusNotFound},
		{"signed with another key", "/track/" + otherKey, http.StatusNotFound},
		{"garbage", "/track/not-a-token", http.StatusNotFound},
		{"unknown trip", linkPath(t, "TRP-0999", f.now.Add(time.Hour)), http.StatusNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, page, _ := f.trackPage(t, tc.path)
			if status != tc.status || !strings.Contains(page, "This link has expired") {
				t.Errorf("%s: status %d; want %d and the link expired page:\n%s", tc.name, status, tc.status, page)
			}
			for _, leak := range []string{"TRP-0001", "TRP-0002", "T11985LA", "T28737LA", "Apapa"} {
				if strings.Contains(page, leak) {
					t.Errorf("%s: the expired page shows %q", tc.name, leak)
				}
			}
		})
	}
	f.serve(t, func(_ *api.Deps, c *api.Config) { c.TrackingSecret = nil })
	if status, page, _ := f.trackPage(t, good); status != http.StatusNotFound || !strings.Contains(page, "This link has expired") {
		t.Errorf("without TRACKING_SECRET: status %d; want 404 and the link expired page", status)
	}
}

func TestTrackPageAfterTheTripEnds(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	addTrips(t, f)
	ctx := context.Background()
	if _, err := f.st.TransitionTrip(ctx, "TRP-0002", fleet.Actor{ID: "U0BOSS"}, "trip.cancel", func(tr fleet.Trip) (fleet.Trip, error) {
		return tr.Cancel("U0BOSS", "customer cancelled", f.now)
	}); err != nil {
		t.Fatal(err)
	}
	path := linkPath(t, "TRP-0002", f.now.Add(30*24*time.Hour))
	if status, page, _ := f.trackPage(t, path); status != http.StatusOK || !strings.Contains(page, "Cancelled") || strings.Contains(page, "http-equiv") {
		t.Errorf("just cancelled: status %d; want 200 saying Cancelled, not refreshing:\n%s", status, page)
	}
	f.now = f.now.Add(api.TrackingAfterEnd + time.Minute)
	if status, page, _ := f.trackPage(t, path); status != http.StatusGone || !strings.Contains(page, "This link has expired") {
		t.Errorf("cancelled two days ago: status %d; want 410 and the link expired page", status)
	}
}
