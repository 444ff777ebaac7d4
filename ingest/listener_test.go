package ingest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/ingest"
	"github.com/watchtower-ops/watchtower/store/storetest"
)

const (
	testSecret = "s3cret-hmac-key"
	testToken  = "tok-0123456789"
)

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// newServer serves a Listener writing to rdb under prefix.
func newServer(t testing.TB, rdb *redis.Client, prefix string) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	l := ingest.NewListener(ingest.NewProducer(rdb, prefix), ingest.ListenerConfig{
		Secrets: []string{testSecret}, Token: testToken, Zone: fleet.Lagos()}, nil, quietLog())
	l.Mount(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// fixBody is one location push of truck plate at fix.
func fixBody(plate string, fix time.Time, lat float64) string {
	return fmt.Sprintf(`{"imei":"IMEI-%s","vehiclenumber":%q,"gpstime":%q,"latitude":%f,"longitude":3.38,"speed":30,"orientation":90,"ignition":"1"}`,
		plate, plate, fix.UTC().Format(time.RFC3339Nano), lat)
}

type reply struct {
	code int
	body map[string]any
}

func post(t testing.TB, url, body string, hdr map[string]string) reply {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	json.NewDecoder(res.Body).Decode(&out)
	return reply{res.StatusCode, out}
}

func signed(body string) map[string]string {
	return map[string]string{ingest.SignatureHeader: ingest.Sign(testSecret, []byte(body))}
}

func xlen(t testing.TB, rdb *redis.Client, key string) int64 {
	t.Helper()
	n, err := rdb.XLen(context.Background(), key).Result()
	if err != nil && err != redis.Nil {
		t.Fatal(err)
	}
	return n
}

func TestListenerAcceptsAndDeduplicates(t *testing.T) {
	rdb, prefix := storetest.NewRedis(t)
	srv := newServer(t, rdb, prefix)
	url := srv.URL + "/webhooks/loconav"
	now := time.Now()
	one := fixBody("T11985LA", now.Add(-time.Minute), 6.47)
	batch := "[" + fixBody("T11985LA", now.Add(-50*time.Second), 6.47) + "," + fixBody("T28737LA", now, 6.48) + "," +
		fixBody("T28737LA", now, 6.48) + "]"
	on, off := now.Add(-time.Hour).UTC().Format(time.RFC3339), now.Add(-time.Minute).UTC().Format(time.RFC3339)
	alertOn := `{"id":7,"kind":"IgnitionAlert","vehicle_number":"T11985LA","active_event_time":"` + on + `"}`
	alertOff := `{"id":7,"kind":"IgnitionAlert","vehicle_number":"T11985LA","active_event_time":"` + on + `","inactive_event_time":"` + off + `"}`
	steps := []struct {
		name           string
		url, body      string
		hdr            map[string]string
		accepted, dups float64
		wantLen        int64
	}{
		{"one signed position", url, one, signed(one), 1, 0, 1},
		{"the same position again is a duplicate", url, one, signed(one), 0, 1, 1},
		{"the same position through the token door too", url + "/" + testToken, one, nil, 0, 1, 1},
		{"a batch with a repeat inside", url, batch, signed(batch), 2, 1, 3},
		{"an alert's active phase", url + "/" + testToken, alertOn, nil, 1, 0, 4},
		{"its inactive phase is new", url + "/" + testToken, alertOff, nil, 1, 0, 5},
		{"its inactive phase again is not", url + "/" + testToken, alertOff, nil, 0, 1, 5},
	}
	for _, s := range steps {
		r := post(t, s.url, s.body, s.hdr)
		if r.code != http.StatusAccepted || r.body["accepted"] != s.accepted || r.body["duplicates"] != s.dups {
			t.Errorf("%s: %d %v; want 202 accepted %v duplicates %v", s.name, r.code, r.body, s.accepted, s.dups)
		}
		if n := xlen(t, rdb, fleet.Keys{Prefix: prefix}.Ingest()); n != s.wantLen {
			t.Errorf("%s: stream has %d entries; want %d", s.name, n, s.wantLen)
		}
	}
}

func TestListenerRejects(t *testing.T) {
	rdb, prefix := storetest.NewRedis(t)
	srv := newServer(t, rdb, prefix)
	url := srv.URL + "/webhooks/loconav"
	good := fixBody("T11985LA", time.Now(), 6.47)
	bad := "[" + good + `,{"imei":"1","gpstime":"2026-11-26T08:00:00Z","latitude":95,"longitude":3.4}]`
	huge := "[" + strings.Repeat(good+",", (1<<20)/len(good)+1) + good + "]"
	tests := []struct {
		name      string
		url, body string
		hdr       map[string]string
		wantCode  int
		wantField string
	}{
		{"no signature", url, good, nil, 401, ""},
		{"signature of another body", url, good, signed(good + " "), 401, ""},
		{"signature with another key", url, good, map[string]string{ingest.SignatureHeader: ingest.Sign("other", []byte(good))}, 401, ""},
		{"malformed signature", url, good, map[string]string{ingest.SignatureHeader: "sha256=zz"}, 401, ""},
		{"signature without the scheme", url, good, map[string]string{ingest.SignatureHeader: strings.TrimPrefix(ingest.Sign(testSecret, []byte(good)), "sha256=")}, 401, ""},
		{"wrong token", url + "/nope", good, nil, 401, ""},
		{"malformed JSON", url, `{"imei":`, signed(`{"imei":`), 400, ""},
		{"one bad element rejects the array", url, bad, signed(bad), 400, "latitude"},
		{"over 1 MiB", url, huge, signed(huge), 413, ""},
		{"over 1 MiB through the token door", url + "/" + testToken, huge, nil, 413, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := post(t, tt.url, tt.body, tt.hdr)
			if r.code != tt.wantCode {
				t.Errorf("status = %d (%v); want %d", r.code, r.body, tt.wantCode)
			}
			if tt.wantField != "" && (r.body["field"] != tt.wantField || r.body["index"] != float64(1)) {
				t.Errorf("body = %v; want index 1 field %q", r.body, tt.wantField)
			}
			if n := xlen(t, rdb, fleet.Keys{Prefix: prefix}.Ingest()); n != 0 {
				t.Errorf("stream has %d entries; want nothing enqueued", n)
			}
		})
	}
}

func TestListenerWithoutSecretRefusesSigned(t *testing.T) {
	rdb, prefix := storetest.NewRedis(t)
	mux := http.NewServeMux()
	ingest.NewListener(ingest.NewProducer(rdb, prefix), ingest.ListenerConfig{}, nil, quietLog()).Mount(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	body := fixBody("T11985LA", time.Now(), 6.47)
	for _, url := range []string{srv.URL + "/webhooks/loconav", srv.URL + "/webhooks/loconav/anything"} {
		hdr := map[string]string{ingest.SignatureHeader: ingest.Sign("", []byte(body))}
		if r := post(t, url, body, hdr); r.code != http.StatusUnauthorized {
			t.Errorf("POST %s with no secret or token configured = %d; want 401", url, r.code)
		}
	}
}

// closedAddr returns a loopback address nothing listens on.
func closedAddr(t testing.TB) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func TestListenerRedisDown(t *testing.T) {
	rdb := redis.NewClient(&redis.Options{Addr: closedAddr(t), MaxRetries: -1, DialTimeout: 200 * time.Millisecond})
	defer rdb.Close()
	srv := newServer(t, rdb, "wt_down")
	body := fixBody("T11985LA", time.Now(), 6.47)
	r := post(t, srv.URL+"/webhooks/loconav", body, signed(body))
	if r.code != http.StatusServiceUnavailable {
		t.Errorf("status with Redis down = %d (%v); want 503", r.code, r.body)
	}
	if msg, _ := r.body["error"].(string); strings.Contains(msg, "127.0.0.1") || msg == "" {
		t.Errorf("error = %q; want a safe message", msg)
	}
}

func TestNotifyStreamIsIdempotent(t *testing.T) {
	rdb, prefix := storetest.NewRedis(t)
	ns := ingest.NewNotifyStream(rdb, prefix)
	ctx := context.Background()
	n := fleet.Notification{ID: "alert:overspeed:T1:1:alert.opened", Kind: fleet.NotifyAlertOpened, Text: "speeding"}
	for range 3 {
		if err := ns.Notify(ctx, n); err != nil {
			t.Fatal(err)
		}
	}
	if err := ns.Notify(ctx, fleet.Notification{Kind: fleet.NotifySystem}); fleet.ErrorCode(err) != fleet.EINVALID {
		t.Errorf("Notify without ID code = %q; want %q", fleet.ErrorCode(err), fleet.EINVALID)
	}
	msgs, err := rdb.XRange(ctx, fleet.Keys{Prefix: prefix}.Notify(), "-", "+").Result()
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 1 {
		t.Fatalf("notify stream has %d entries; want 1", len(msgs))
	}
	var got fleet.Notification
	if err := json.Unmarshal([]byte(msgs[0].Values[ingest.NotifyField].(string)), &got); err != nil || got.ID != n.ID {
		t.Errorf("entry field n = %v (%v); want the notification's JSON", msgs[0].Values, err)
	}
	down := redis.NewClient(&redis.Options{Addr: closedAddr(t), MaxRetries: -1})
	defer down.Close()
	err = ingest.NewNotifyStream(down, prefix).Notify(ctx, n)
	if fleet.ErrorCode(err) != fleet.EUNAVAILABLE {
		t.Errorf("Notify with Redis down code = %q; want %q", fleet.ErrorCode(err), fleet.EUNAVAILABLE)
	}
}

func TestListenerLargeBatchAcrossScriptTurns(t *testing.T) {
	rdb, prefix := storetest.NewRedis(t)
	srv := newServer(t, rdb, prefix)
	var parts []string
	t0 := time.Now().Add(-time.Hour)
	for i := range 1000 {
		parts = append(parts, fixBody(fmt.Sprintf("T%05dLA", i%50), t0.Add(time.Duration(i)*time.Second), 6.47))
	}
	body := "[" + strings.Join(parts, ",") + "," + parts[0] + "]"
	r := post(t, srv.URL+"/webhooks/loconav", body, signed(body))
	if r.code != 202 || r.body["accepted"] != float64(1000) || r.body["duplicates"] != float64(1) {
		t.Errorf("1,001 events = %d %v; want 202 with 1000 accepted and 1 duplicate", r.code, r.body)
	}
	if n := xlen(t, rdb, fleet.Keys{Prefix: prefix}.Ingest()); n != 1000 {
		t.Errorf("stream has %d entries; want 1000", n)
	}
}
