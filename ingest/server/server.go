// Package server runs Watch Tower's HTTP listeners: the public one (HTTP_ADDR) with /healthz
// and /readyz, and the admin one (ADMIN_ADDR) with /metrics and net/http/pprof, each shut down
// gracefully when its context ends. It also holds the process's garbage-collector defaults.
//
// It owns no feature: handlers are mounted by the packages that own them. It imports no
// project package.
package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"runtime/debug"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// ShutdownTimeout bounds how long a listener gets to drain once its context ends.
const ShutdownTimeout = 10 * time.Second

// adminWriteTimeout lets a CPU profile (/debug/pprof/profile?seconds=30, the default) finish.
const adminWriteTimeout = 2 * time.Minute

// Run serves h on ln until ctx is done, then shuts down gracefully within ShutdownTimeout.
// It returns nil after a clean shutdown.
func Run(ctx context.Context, ln net.Listener, h http.Handler, log *slog.Logger) error {
	return serveUntilDone(ctx, ln, newHTTPServer(h, log), "http")
}

// RunAdmin serves what is for operators only on ln, like Run, with room for long profiles:
// /metrics (Prometheus, from reg) and net/http/pprof under /debug/pprof/. The public listener
// never serves them.
func RunAdmin(ctx context.Context, ln net.Listener, reg *prometheus.Registry, log *slog.Logger) error {
	srv := newHTTPServer(AdminHandler(reg), log)
	srv.WriteTimeout = adminWriteTimeout
	return serveUntilDone(ctx, ln, srv, "admin")
}

// AdminHandler is the admin listener's handler: /metrics and /debug/pprof/.
func AdminHandler(reg *prometheus.Registry) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}

// newHTTPServer returns a server for h with the listener's timeouts, logging through log.
func newHTTPServer(h http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

// serveUntilDone runs srv on ln until ctx is done, then shuts it down within ShutdownTimeout.
// It returns nil after a clean shutdown; name labels its errors.
func serveUntilDone(ctx context.Context, ln net.Listener, srv *http.Server, name string) error {
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("%s server: %w", name, err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("%s shutdown: %w", name, err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("%s server: %w", name, err)
	}
	return nil
}

// MountHealth registers GET /healthz (the process is up) and GET /readyz (postgres and redis
// answer their pings within 2 s; 503 otherwise) on mux.
func MountHealth(mux *http.ServeMux, postgres, redis func(context.Context) error) {
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"status":"ok"}`+"\n")
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		pg, rd := "ok", "ok"
		if err := postgres(ctx); err != nil {
			pg = "unreachable"
		}
		if err := redis(ctx); err != nil {
			rd = "unreachable"
		}
		w.Header().Set("Content-Type", "application/json")
		if pg != "ok" || rd != "ok" {
			w.WriteHeader(http.StatusServiceUnavailable)
		}
		fmt.Fprintf(w, `{"postgres":%q,"redis":%q}`+"\n", pg, rd)
	})
}

// Garbage-collector defaults for a long-running Watch Tower. The webhook path allocates a
// little per request at thousands of requests a second; with Go's default GOGC=100 the
// collector runs so often that it dominates the listener's tail latency on two cores (p99 at
// 5,000 requests/s went from 11–24 ms to 6–8 ms with 400; docs/benchmarks.md). The heap stays
// small (tens of MiB), and the soft memory limit makes the collector work harder long before
// the process could grow large.
const (
	gcPercent   = 400
	memoryLimit = 1 << 30 // 1 GiB
)

// TuneGC applies the defaults above, each unless the operator set its variable (GOGC,
// GOMEMLIMIT), which then wins.
func TuneGC(gogcSet, memLimitSet bool) {
	if !gogcSet {
		debug.SetGCPercent(gcPercent)
	}
	if !memLimitSet {
		debug.SetMemoryLimit(memoryLimit)
	}
}

// ProbeUsage is the help of `watchtower healthcheck`, the command line of Probe.
const ProbeUsage = `Asks the Watch Tower listening on HTTP_ADDR (on this machine) whether it is up: GET /healthz,
or /readyz with --ready (Postgres and Redis reachable). Exits 0 when it answers 200, 1
otherwise. For container HEALTHCHECKs and service managers, where no curl is installed.

  watchtower healthcheck [--ready]`

// Probe asks the listener at url for a 200 within 3 s: nil when it answers 200, else an error
// saying that it did not answer or what it answered.
func Probe(ctx context.Context, url string) error {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("%s did not answer", url)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s answered %s", url, resp.Status)
	}
	return nil
}
