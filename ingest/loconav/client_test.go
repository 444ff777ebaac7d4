package loconav_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/ingest/loconav"
	"github.com/watchtower-ops/watchtower/ingest/loconav/loconavfake"
)

const testToken = "tok-secret-123"

// newFake starts a fake LocoNav with n vehicles (T10001LA…, uuid-1…, IMEI 3560001…) and a
// client for it with short backoffs.
func newFake(t *testing.T, n int) (*loconavfake.Server, *loconav.Client) {
	t.Helper()
	fake := loconavfake.Start(testToken)
	t.Cleanup(fake.Close)
	for i := 1; i <= n; i++ {
		fake.AddVehicles(testVehicle(i))
	}
	return fake, newClient(t, fake.URL(), testToken)
}

func testVehicle(i int) loconavfake.Vehicle {
	return loconavfake.Vehicle{Number: fmt.Sprintf("T%05dLA", 10000+i), DisplayNumber: fmt.Sprintf("T %05d LA", 10000+i),
		UUID: fmt.Sprintf("uuid-%d", i), Serial: fmt.Sprintf("35600010%04d", i), Make: "MAN"}
}

func newClient(t *testing.T, baseURL, token string) *loconav.Client {
	t.Helper()
	c, err := loconav.New(loconav.Config{BaseURL: baseURL, Token: token, Rate: 1000, Burst: 100,
		Backoff: time.Millisecond, MaxWait: 2 * time.Second})
	if err != nil {
		t.Fatalf("loconav.New: %v", err)
	}
	return c
}

func TestAllVehiclesPaginates(t *testing.T) {
	fake, c := newFake(t, 25)
	got, err := c.AllVehicles(context.Background(), 10)
	if err != nil {
		t.Fatalf("AllVehicles: %v", err)
	}
	if len(got) != 25 {
		t.Fatalf("AllVehicles returned %d vehicles; want 25", len(got))
	}
	if got[24].VehicleUUID != "uuid-25" || got[24].Serial() != "356000100025" || got[0].Number != "T10001LA" {
		t.Errorf("AllVehicles last = %+v, first = %+v; want uuid-25 with its device, T10001LA", got[24], got[0])
	}
	reqs := fake.RequestsTo(loconavfake.RouteVehicles)
	if len(reqs) != 3 {
		t.Fatalf("GET /vehicles called %d times; want 3 pages", len(reqs))
	}
	for i, r := range reqs {
		if r.Query.Get("perPage") != "10" || r.Query.Get("page") != fmt.Sprint(i+1) {
			t.Errorf("request %d query = %v; want page=%d perPage=10", i, r.Query, i+1)
		}
		if r.Token != testToken {
			t.Errorf("request %d User-Authentication = %q; want the token", i, r.Token)
		}
	}
}

func TestRateLimitedThenSuccess(t *testing.T) {
	fake, c := newFake(t, 3)
	fake.Fail(loconavfake.RouteVehicles, 1, loconavfake.Fault{Status: http.StatusTooManyRequests, Header: http.Header{
		"Retry-After": {"1"}, "X-Rate-Limit-Limit": {"20"}, "X-Rate-Limit-Remaining": {"0"}}})
	got, err := c.AllVehicles(context.Background(), 10)
	if err != nil {
		t.Fatalf("AllVehicles after one 429: %v", err)
	}
	if len(got) != 3 {
		t.Errorf("AllVehicles returned %d vehicles; want 3", len(got))
	}
	if n := len(fake.RequestsTo(loconavfake.RouteVehicles)); n != 2 {
		t.Errorf("GET /vehicles called %d times; want 2 (the 429, then the retry)", n)
	}
}

func TestRateLimitedGivesUp(t *testing.T) {
	fake, c := newFake(t, 1)
	fake.Fail(loconavfake.RouteVehicles, 10, loconavfake.Fault{Status: http.StatusTooManyRequests,
		Header: http.Header{"Retry-After": {"0"}}})
	_, err := c.ListVehicles(context.Background(), 1, 10)
	if code := fleet.ErrorCode(err); code != fleet.ERATELIMITED {
		t.Fatalf("ListVehicles under constant 429: code = %s (%v); want %s", code, err, fleet.ERATELIMITED)
	}
	if !loconav.IsRetryable(err) {
		t.Errorf("IsRetryable(%v) = false; want true", err)
	}
	if n := len(fake.RequestsTo(loconavfake.RouteVehicles)); n != 1+loconav.DefaultMaxRetries {
		t.Errorf("GET /vehicles called %d times; want %d", n, 1+loconav.DefaultMaxRetries)
	}
}

func TestInvalidToken(t *testing.T) {
	fake, _ := newFake(t, 1)
	c := newClient(t, fake.URL(), "wrong-token")
	_, err := c.ListVehicles(context.Background(), 1, 10)
	if code := fleet.ErrorCode(err); code != fleet.EUNAUTHORIZED {
		t.Fatalf("ListVehicles with a bad token: code = %s (%v); want %s", code, err, fleet.EUNAUTHORIZED)
	}
	msg := fleet.ErrorMessage(err)
	if !strings.Contains(msg, "LOCONAV_API_TOKEN") || !strings.Contains(msg, "Authentication failed") {
		t.Errorf("message = %q; want it to name LOCONAV_API_TOKEN and LocoNav's reason", msg)
	}
	var le *loconav.Error
	if !errors.As(err, &le) || le.Status != http.StatusUnauthorized || !strings.Contains(err.Error(), "ListVehicles(page=1)") {
		t.Errorf("error %q: want a *loconav.Error with HTTP 401 naming the call", err)
	}
	if strings.Contains(err.Error(), "wrong-token") || strings.Contains(msg, "wrong-token") {
		t.Errorf("error %q leaks the token", err)
	}
	if loconav.IsRetryable(err) {
		t.Errorf("IsRetryable(bad token) = true; want false")
	}
	if n := len(fake.RequestsTo(loconavfake.RouteVehicles)); n != 1 {
		t.Errorf("GET /vehicles called %d times; want 1 (a 401 is not retried)", n)
	}
}

func TestServerErrorsAreRetriedForReads(t *testing.T) {
	fake, c := newFake(t, 2)
	fake.Fail(loconavfake.RouteVehicles, 2, loconavfake.Fault{Status: http.StatusBadGateway})
	if _, err := c.ListVehicles(context.Background(), 1, 10); err != nil {
		t.Fatalf("ListVehicles after two 502s: %v", err)
	}
	fake.Fail(loconavfake.RouteCreate, 1, loconavfake.Fault{Status: http.StatusInternalServerError})
	_, err := c.CreateTrip(context.Background(), loconav.NewTrip{Vehicle: loconav.TripVehicle{Number: "T10001LA"},
		UniqueID: "TRP-0001", ShouldStartAt: 1, Source: loconav.TripPlace{Coordinates: "6.4,3.4", Address: "x"}})
	if code := fleet.ErrorCode(err); code != fleet.EUNAVAILABLE {
		t.Errorf("CreateTrip on a 500: code = %s (%v); want %s without a retry", code, err, fleet.EUNAVAILABLE)
	}
	if n := len(fake.RequestsTo(loconavfake.RouteCreate)); n != 1 {
		t.Errorf("POST /trips called %d times; want 1 (creates are not retried blindly)", n)
	}
}

func TestUnreachable(t *testing.T) {
	fake, _ := newFake(t, 0)
	url := fake.URL()
	fake.Close()
	c, err := loconav.New(loconav.Config{BaseURL: url, Token: testToken, MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.ListVehicles(context.Background(), 1, 10)
	if code := fleet.ErrorCode(err); code != fleet.EUNAVAILABLE {
		t.Errorf("ListVehicles against a closed server: code = %s (%v); want %s", code, err, fleet.EUNAVAILABLE)
	}
}

func TestNewValidates(t *testing.T) {
	for _, tc := range []struct{ name, url, token string }{
		{"relative url", "/integration/api/v1", "t"},
		{"ftp url", "ftp://x/y", "t"},
		{"empty token", "https://api.a.loconav.com/integration/api/v1", " "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := loconav.New(loconav.Config{BaseURL: tc.url, Token: tc.token})
			if code := fleet.ErrorCode(err); code != fleet.EINVALID {
				t.Errorf("New(%q) code = %s; want %s", tc.url, code, fleet.EINVALID)
			}
		})
	}
}

func TestLastKnownBatchAndFix(t *testing.T) {
	fake, c := newFake(t, 30)
	fix := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	fake.SetLocation("uuid-7", loconavfake.Location{Lat: 6.45, Lng: 3.39, SpeedKmh: 42, Heading: 270, Ignition: true,
		FixTime: fix, SpeedTime: fix.Add(time.Minute)})
	ids := make([]string, 25)
	for i := range ids {
		ids[i] = fmt.Sprintf("uuid-%d", i+1)
	}
	got, err := c.LastKnown(context.Background(), ids)
	if err != nil {
		t.Fatalf("LastKnown: %v", err)
	}
	if len(got) != 25 {
		t.Fatalf("LastKnown returned %d answers; want 25 (a default page of 10 would truncate)", len(got))
	}
	req := fake.RequestsTo(loconavfake.RouteLastKnown)[0]
	if req.Query.Get("perPage") != "25" || req.Query.Get("page") != "1" {
		t.Errorf("last_known query = %v; want page=1 perPage=25", req.Query)
	}
	f, ok := got[6].Fix()
	want := loconav.Fix{Point: fleet.Point{Lat: 6.45, Lng: 3.39}, Time: fix, SpeedKmh: 42, Heading: 270, Ignition: true}
	if diff := cmp.Diff(want, f); !ok || diff != "" {
		t.Errorf("Fix() ok = %v, -want +got (the coordinates' timestamp, not the speed's):\n%s", ok, diff)
	}
	if _, ok := got[0].Fix(); ok {
		t.Errorf("Fix() of a vehicle without coordinates: ok = true; want false")
	}
}

func TestSuccessFalseIsRefused(t *testing.T) {
	fake, c := newFake(t, 1)
	fake.Fail(loconavfake.RouteVehicles, 1, loconavfake.Fault{Status: http.StatusOK,
		Body: `{"success": false, "data": {"errors": [{"message": "vehicle not found!", "code": "not_found"}]}}`})
	_, err := c.ListVehicles(context.Background(), 1, 10)
	if code := fleet.ErrorCode(err); code != fleet.EINVALID {
		t.Fatalf("ListVehicles answered success false: code = %s (%v); want %s", code, err, fleet.EINVALID)
	}
	var le *loconav.Error
	if !errors.As(err, &le) || le.Code != "not_found" || le.Message != "vehicle not found!" {
		t.Errorf("error = %#v; want LocoNav's code and message", le)
	}
}
