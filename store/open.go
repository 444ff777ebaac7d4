package store

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/migrations"
)

// connectTimeout bounds Open's first connection and Ping, so a wrong host fails fast.
const connectTimeout = 5 * time.Second

// Open connects a pool to the Postgres database at url (DATABASE_URL) and checks that it
// answers. It returns EINVALID naming DATABASE_URL when url is malformed and EUNAVAILABLE
// ("database unreachable at host:port/db: connection refused") when the database cannot be
// reached. Neither message contains the password.
func Open(ctx context.Context, url string) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fleet.Errorf(fleet.EINVALID, "DATABASE_URL is not a valid Postgres URL%s", parseCause(err))
	}
	if cfg.ConnConfig.ConnectTimeout == 0 || cfg.ConnConfig.ConnectTimeout > connectTimeout {
		cfg.ConnConfig.ConnectTimeout = connectTimeout
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fleet.Errorf(fleet.EINVALID, "DATABASE_URL is not usable%s", parseCause(err))
	}
	pctx, cancel := context.WithTimeout(ctx, connectTimeout)
	defer cancel()
	if err := pool.Ping(pctx); err != nil {
		pool.Close()
		return nil, unavailable(cfg.ConnConfig.Host, cfg.ConnConfig.Port, cfg.ConnConfig.Database, err)
	}
	return pool, nil
}

// parseCause returns ": <reason>" ("invalid port") for a parse error, keeping out everything
// that could quote the URL and so the password.
func parseCause(err error) string {
	var pe *pgconn.ParseConfigError
	if errors.As(err, &pe) {
		msg := pe.Error()
		if inner := pe.Unwrap(); inner != nil {
			msg = strings.TrimSuffix(msg, " ("+inner.Error()+")")
		}
		if i := strings.LastIndex(msg, "`: "); i >= 0 && !strings.Contains(msg[i:], pe.ConnString) {
			return ": " + msg[i+3:]
		}
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return ": " + ue.Err.Error()
	}
	return ""
}

// unavailable classifies a failure to reach the database as EUNAVAILABLE with a short,
// password-free cause.
func unavailable(host string, port uint16, db string, err error) error {
	return fleet.Errorf(fleet.EUNAVAILABLE, "database unreachable at %s:%d/%s: %s", host, port, db, shortCause(err))
}

// shortCause reduces a connection error to its root reason: "connection refused", "no such
// host", "timed out", or the server's own message (`database "x" does not exist`).
func shortCause(err error) string {
	var (
		pe  *pgconn.PgError
		dns *net.DNSError
		sys *os.SyscallError
	)
	switch {
	case errors.As(err, &pe):
		return pe.Message
	case errors.As(err, &dns):
		return dns.Err
	case errors.As(err, &sys):
		return sys.Err.Error()
	case errors.Is(err, context.DeadlineExceeded) || pgconn.Timeout(err):
		return "timed out"
	case errors.Is(err, context.Canceled):
		return "canceled"
	}
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		// "failed to connect to `user=… database=…`:\n\thost:port (host): <cause>": keep the
		// last attempt's cause.
		lines := strings.Split(ce.Error(), "\n")
		last := lines[len(lines)-1]
		if i := strings.Index(last, "): "); i >= 0 {
			last = last[i+3:]
		}
		if len(last) > 100 {
			last = last[:100] + "…"
		}
		return strings.TrimSpace(last)
	}
	return "connection failed"
}

// Migrate applies every pending migration of package migrations with goose. Running it again
// changes nothing. Two processes migrating at once are serialised by a Postgres session
// advisory lock (the second waits up to five minutes, then fails).
func Migrate(ctx context.Context, pool *pgxpool.Pool) (err error) {
	defer wrap(&err, "Migrate")
	locker, err := lock.NewPostgresSessionLocker(lock.WithLockTimeout(1, 300))
	if err != nil {
		return err
	}
	db := stdlib.OpenDBFromPool(pool)
	p, err := goose.NewProvider(goose.DialectPostgres, db, migrations.FS,
		goose.WithSessionLocker(locker), goose.WithDisableGlobalRegistry(true),
		// Features land as numbered files in parallel; a lower number that arrives after a
		// higher one was applied must still apply rather than stop the service.
		goose.WithAllowOutofOrder(true))
	if err != nil {
		db.Close()
		return err
	}
	defer p.Close() // closes db, which hands its connections back to pool
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("apply migrations: %w", err)
	}
	return nil
}
