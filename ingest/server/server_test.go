package server

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

func TestMountHealth(t *testing.T) {
	down := func(context.Context) error { return errors.New("down") }
	up := func(context.Context) error { return nil }
	tests := []struct {
		name          string
		path          string
		postgres, rdb func(context.Context) error
		wantCode      int
		wantBody      string
	}{
		{"healthz", "/healthz", down, down, 200, `{"status":"ok"}` + "\n"},
		{"ready", "/readyz", up, up, 200, `{"postgres":"ok","redis":"ok"}` + "\n"},
		{"redis down", "/readyz", up, down, 503, `{"postgres":"ok","redis":"unreachable"}` + "\n"},
		{"postgres down", "/readyz", down, up, 503, `{"postgres":"unreachable","redis":"ok"}` + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mux := http.NewServeMux()
			MountHealth(mux, tt.postgres, tt.rdb)
			rec := httptest.NewRecorder()
			mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, tt.path, nil))
			if got := rec.Code; got != tt.wantCode {
				t.Errorf("GET %s = %d; want %d", tt.path, got, tt.wantCode)
			}
			if got := rec.Body.String(); got != tt.wantBody {
				t.Errorf("GET %s body = %q; want %q", tt.path, got, tt.wantBody)
			}
		})
	}
}

// TestRunAdminServesMetricsAndStops checks that the admin listener serves the registry's
// metrics and returns nil once its context ends.
func TestRunAdminServesMetricsAndStops(t *testing.T) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(prometheus.NewCounter(prometheus.CounterOpts{Name: "wt_test_total", Help: "test"}))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- RunAdmin(ctx, ln, reg, slog.New(slog.DiscardHandler)) }()
	resp, err := http.Get("http://" + ln.Addr().String() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "wt_test_total 0") {
		t.Errorf("GET /metrics = %d %q; want 200 with wt_test_total", resp.StatusCode, body)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("RunAdmin after cancel = %v; want nil", err)
	}
}

func TestProbe(t *testing.T) {
	mux := http.NewServeMux()
	MountHealth(mux, func(context.Context) error { return errors.New("down") }, func(context.Context) error { return nil })
	srv := httptest.NewServer(mux)
	defer srv.Close()
	if err := Probe(context.Background(), srv.URL+"/healthz"); err != nil {
		t.Errorf("Probe(/healthz) = %v; want nil", err)
	}
	if err := Probe(context.Background(), srv.URL+"/readyz"); err == nil || !strings.Contains(err.Error(), "503") {
		t.Errorf("Probe(/readyz) = %v; want an error saying 503", err)
	}
	srv.Close()
	if err := Probe(context.Background(), srv.URL+"/healthz"); err == nil || !strings.Contains(err.Error(), "did not answer") {
		t.Errorf("Probe(closed) = %v; want \"did not answer\"", err)
	}
}
