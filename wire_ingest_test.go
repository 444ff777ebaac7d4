package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/watchtower-ops/watchtower/ingest"
	"github.com/watchtower-ops/watchtower/store"
	"github.com/watchtower-ops/watchtower/store/storetest"
)

// TestServeIngestsWebhooks posts signed and token webhooks to a running serve and waits for
// the truck state its consumers write: the wiring of listener, stream, consumers and store.
func TestServeIngestsWebhooks(t *testing.T) {
	pool := storetest.NewDB(t)
	_, prefix := storetest.NewRedis(t)
	addr, admin := freeAddr(t), freeAddr(t)
	env := map[string]string{
		"DATABASE_URL": storetest.URL(pool), "REDIS_URL": testRedisURL(), "REDIS_PREFIX": prefix, "HTTP_ADDR": addr, "ADMIN_ADDR": admin,
		"LOG_LEVEL": "error", "LOCONAV_WEBHOOK_SECRET": "wire-secret", "LOCONAV_WEBHOOK_TOKEN": "wire-token",
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		e := &environment{getenv: mapEnv(env), stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard}
		done <- run(ctx, e, []string{"serve"})
	}()
	base := "http://" + addr
	waitFor(t, base+"/healthz")
	fix := time.Now().Add(-time.Minute).UTC().Truncate(time.Second)
	body := func(plate string) string {
		return fmt.Sprintf(`{"imei":"9%s","vehiclenumber":%q,"gpstime":%q,"latitude":6.45,"longitude":3.36,"speed":12,"ignition":"1"}`,
			plate, plate, fix.Format(time.RFC3339))
	}
	signed := body("T11111LA")
	req, _ := http.NewRequest(http.MethodPost, base+"/webhooks/loconav", strings.NewReader(signed))
	req.Header.Set(ingest.SignatureHeader, ingest.Sign("wire-secret", []byte(signed)))
	for _, r := range []*http.Request{req, mustRequest(t, base+"/webhooks/loconav/wire-token", body("T22222LA"))} {
		res, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusAccepted {
			t.Fatalf("POST %s = %d; want 202", r.URL.Path, res.StatusCode)
		}
	}
	st := store.New(pool)
	deadline := time.Now().Add(30 * time.Second)
	for _, plate := range []string{"T11111LA", "T22222LA"} {
		for {
			if s, err := st.TruckState(context.Background(), plate); err == nil && s.FixTime.Equal(fix) {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("no truck state for %s from serve's consumers", plate)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	if !strings.Contains(adminMetrics(t, admin), `watchtower_ingest_requests_total{code="202"} 2`) {
		t.Errorf("/metrics lacks the two accepted webhooks")
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve = %v; want a clean stop", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop within 20 s")
	}
}

func mustRequest(t *testing.T, url, body string) *http.Request {
	t.Helper()
	r, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return r
}
