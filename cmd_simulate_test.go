package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/watchtower-ops/watchtower/ingest"
)

func TestSimulatePostsSignedWebhooks(t *testing.T) {
	var good, bad atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.Header.Get(ingest.SignatureHeader) != ingest.Sign("sim-secret", body) || !strings.Contains(string(body), `"gpstime"`) {
			bad.Add(1)
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		good.Add(1)
		w.WriteHeader(http.StatusAccepted)
	}))
	defer srv.Close()
	code, stdout, stderr := runCmd(t, nil, "simulate", "--url", srv.URL+"/webhooks/loconav", "--secret", "sim-secret",
		"--trucks", "5", "--rate", "50", "--batch", "2", "--duration", "1s")
	if code != 0 || good.Load() == 0 || bad.Load() != 0 {
		t.Fatalf("simulate = exit %d, %d good and %d bad requests; stderr %s", code, good.Load(), bad.Load(), stderr)
	}
	for _, want := range []string{"req/s", "positions/s", "p50", "p90", "p99"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("report lacks %q:\n%s", want, stdout)
		}
	}
}

func TestSimulateUsage(t *testing.T) {
	for _, args := range [][]string{
		{"simulate", "--url", "http://127.0.0.1:1/x"}, // no secret or token
		{"simulate", "--secret", "s", "--trucks", "0"},
		{"simulate", "--secret", "s", "--url", "ftp://x"},
		{"simulate", "--secret", "s", "--batch", "5000"},
	} {
		if code, _, _ := runCmd(t, nil, args...); code != 2 {
			t.Errorf("%v exit code = %d; want 2", args, code)
		}
	}
}
