package sim

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"time"
)

// RateText says how fast c posts: "8.4 positions/s", "full speed", "500 positions/s in
// bodies of 100".
func (c Config) RateText() string {
	switch {
	case c.Rate < 0:
		return "full speed"
	case c.Rate == 0:
		return fmt.Sprintf("%.1f positions/s", float64(c.Trucks)/10)
	}
	return fmt.Sprintf("%.0f positions/s in bodies of %d", c.Rate, c.Batch)
}

// RunLocal is the demo's data source: it lets the listener of this process start (one
// second), then runs c until ctx is done and logs what it sent. It returns nil when ctx is
// done, and Run's error otherwise.
func RunLocal(ctx context.Context, c Config, log *slog.Logger) error {
	select {
	case <-ctx.Done():
		return nil
	case <-time.After(time.Second):
	}
	rep, err := Run(ctx, c)
	if err != nil {
		return err
	}
	log.InfoContext(ctx, "simulator stopped", "requests", rep.Requests, "positions", rep.Positions, "errors", rep.Errors)
	return nil
}

// Loopback turns a listen address (":8080", "0.0.0.0:8080") into one to dial on this host.
func Loopback(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}
