package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// adminWriteTimeout lets a CPU profile (/debug/pprof/profile?seconds=30, the default) finish.
const adminWriteTimeout = 2 * time.Minute

// adminHandler serves what is for operators only, on ADMIN_ADDR: /metrics (Prometheus) and
// net/http/pprof under /debug/pprof/. HTTP_ADDR never serves them.
func (a *app) adminHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(a.registry, promhttp.HandlerOpts{Registry: a.registry}))
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}

// listenAdmin opens ADMIN_ADDR. A port already taken is named by its variable.
func (a *app) listenAdmin() (net.Listener, error) {
	ln, err := net.Listen("tcp", a.cfg.AdminAddr)
	if err != nil {
		return nil, fmt.Errorf("listen on ADMIN_ADDR %s: %w", a.cfg.AdminAddr, err)
	}
	return ln, nil
}

// runAdmin serves the admin handler on ln until ctx is done, like runHTTP, with room for
// long profiles.
func (a *app) runAdmin(ctx context.Context, ln net.Listener) error {
	srv := newHTTPServer(a.adminHandler(), a.log)
	srv.WriteTimeout = adminWriteTimeout
	return serveUntilDone(ctx, ln, srv, "admin")
}
