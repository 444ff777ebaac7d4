package sim

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
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

// LocalDatabaseURL is the database of `make demo` and scripts/services.sh; only the local
// try-out falls back to it (serve without DATABASE_URL exits 2).
const LocalDatabaseURL = "postgres://postgres:postgres@127.0.0.1:5432/watchtower?sslmode=disable"

// localDefaults are the settings of the local try-out where the environment sets nothing: the
// local database, a loopback listener, readable logs, and thresholds and job schedules short
// enough that offline and idle alerts show within minutes.
var localDefaults = map[string]string{
	"DATABASE_URL":          LocalDatabaseURL,
	"HTTP_ADDR":             "127.0.0.1:8080",
	"LOG_FORMAT":            "text",
	"OFFLINE_AFTER":         "3m",
	"IDLE_AFTER":            "5m",
	"SCHEDULE_CONNECTIVITY": "* * * * *",
	"SCHEDULE_TRIP_MONITOR": "* * * * *",
}

// LocalEnv wraps getenv with the settings of the local try-out (`watchtower demo`), where the
// simulator posts to the process's own listener: the defaults above, a webhook secret made up
// now when neither LOCONAV_WEBHOOK_SECRET nor LOCONAV_WEBHOOK_TOKEN is set (the simulator is
// the only sender), a TRACKING_SECRET for this run's links, and PUBLIC_BASE_URL pointing at
// the listener. What the environment sets wins.
func LocalEnv(getenv func(string) string) func(string) string {
	own := map[string]string{}
	for k, v := range localDefaults {
		if getenv(k) == "" {
			own[k] = v
		}
	}
	if getenv("LOCONAV_WEBHOOK_SECRET") == "" && getenv("LOCONAV_WEBHOOK_TOKEN") == "" {
		own["LOCONAV_WEBHOOK_SECRET"] = randomHex()
	}
	if getenv("TRACKING_SECRET") == "" {
		own["TRACKING_SECRET"] = randomHex()
	}
	addr := getenv("HTTP_ADDR")
	if addr == "" {
		addr = own["HTTP_ADDR"]
	}
	if getenv("PUBLIC_BASE_URL") == "" {
		own["PUBLIC_BASE_URL"] = "http://" + Loopback(addr)
	}
	return func(k string) string {
		if v := getenv(k); v != "" {
			return v
		}
		return own[k]
	}
}

// randomHex is 32 random bytes in hex.
func randomHex() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Local is the configuration of the local try-out's simulator: the trucks vs, posting to the
// listener on addr, signed with secret (or through token when there is no secret), one fix
// per truck every 10 s, movement sped up speedup times, gpstime in zone. It returns an error
// when neither secret nor token is set.
func Local(addr, secret, token string, zone *time.Location, speedup float64, vs []Vehicle) (Config, error) {
	c := Config{URL: "http://" + Loopback(addr) + "/webhooks/loconav", Zone: zone,
		Speedup: speedup, Concurrency: 4, Vehicles: vs, Trucks: len(vs)}
	return c, c.UseCredentials(secret, token)
}

// UseCredentials makes c sign with secret, or else use token, when no flag chose either
// (LOCONAV_WEBHOOK_SECRET and LOCONAV_WEBHOOK_TOKEN). It returns an error when c has neither.
func (c *Config) UseCredentials(secret, token string) error {
	if c.Secret == "" && c.Token == "" {
		c.Secret, c.Token = secret, token
		if c.Secret != "" {
			c.Token = ""
		}
	}
	if c.Secret == "" && c.Token == "" {
		return errors.New("the simulator needs a webhook secret or token")
	}
	return nil
}
