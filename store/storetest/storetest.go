// Package storetest gives tests real, isolated Postgres databases and Redis key spaces.
//
// NewDB clones a fresh database per test from one migrated template (built once per migrations
// content, shared by every test binary) and drops it when the test ends. NewRedis hands out a
// unique key prefix per test and deletes its keys afterwards. Both skip the test when the
// server is unreachable, unless WATCHTOWER_REQUIRE_INTEGRATION=1 (CI), which fails it instead.
//
// storetest returns pools and clients, not a *store.Store, so store's own tests can use it.
//
// It imports migrations only: store's row, without store itself.
package storetest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net"
	"net/url"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/watchtower-ops/watchtower/migrations"
)

// Environment variables read by this package (tests only; the product reads none).
const (
	DatabaseURLEnv        = "WATCHTOWER_TEST_DATABASE_URL"
	RedisURLEnv           = "WATCHTOWER_TEST_REDIS_URL"
	RequireIntegrationEnv = "WATCHTOWER_REQUIRE_INTEGRATION"

	defaultDatabaseURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
	defaultRedisURL    = "redis://127.0.0.1:6379/0"
)

// templateLockID is the advisory lock that serialises template builds across test binaries.
const templateLockID = 0x77745f746d706c // "wt_tmpl"

// unavailable skips t, or fails it when integration tests are required.
func unavailable(t testing.TB, what string, err error) {
	t.Helper()
	if os.Getenv(RequireIntegrationEnv) == "1" {
		t.Fatalf("%s unavailable and %s=1: %v", what, RequireIntegrationEnv, err)
	}
	t.Skipf("%s unavailable (set %s=1 to fail instead): %v", what, RequireIntegrationEnv, err)
}

// randomSuffix returns 16 random hex characters.
func randomSuffix() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// templates records the template databases this process has made sure of, by name.
var templates sync.Map

// NewDB returns a pool on a new database cloned from the migrated template, dropped (with
// FORCE) and closed when t ends. It connects to WATCHTOWER_TEST_DATABASE_URL (default local
// postgres, user postgres).
func NewDB(t testing.TB) *pgxpool.Pool {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	adminURL := os.Getenv(DatabaseURLEnv)
	if adminURL == "" {
		adminURL = defaultDatabaseURL
	}
	cfg, err := pgx.ParseConfig(adminURL)
	if err != nil {
		t.Fatalf("storetest: %s: %v", DatabaseURLEnv, err)
	}
	admin, err := connect(ctx, cfg, cfg.Database)
	if err != nil {
		unavailable(t, "Postgres", err)
	}
	defer admin.Close(context.Background())

	tmpl, err := ensureTemplate(ctx, admin, cfg)
	if err != nil {
		t.Fatalf("storetest: template database: %v", err)
	}
	name := "wt_test_" + randomSuffix()
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+ident(name)+" TEMPLATE "+ident(tmpl)); err != nil {
		t.Fatalf("storetest: create %s: %v", name, err)
	}
	t.Cleanup(func() {
		if !drops.async {
			dropDatabase(t, cfg, name)
			return
		}
		drops.Add(1) // Main waits for the drop; the test's slot is free meanwhile
		go func() { defer drops.Done(); dropDatabase(nil, cfg, name) }()
	})

	poolCfg, err := pgxpool.ParseConfig(adminURL)
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	poolCfg.ConnConfig.Database = name
	pool, err := pgxpool.NewWithConfig(ctx, poolCfg)
	if err != nil {
		t.Fatalf("storetest: pool on %s: %v", name, err)
	}
	t.Cleanup(pool.Close) // runs before the drop: cleanups run last-in first-out
	return pool
}

// connect opens one connection to database db of cfg, failing fast when the server is down.
func connect(ctx context.Context, cfg *pgx.ConnConfig, db string) (*pgx.Conn, error) {
	c := cfg.Copy()
	c.Database = db
	c.ConnectTimeout = 5 * time.Second
	return pgx.ConnectConfig(ctx, c)
}

// ident quotes a database name.
func ident(name string) string { return pgx.Identifier{name}.Sanitize() }

// migrationsHash is a short hash of every embedded migration's name and content.
func migrationsHash() (string, error) {
	h := sha256.New()
	err := fs.WalkDir(migrations.FS, ".", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(migrations.FS, path)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s\x00%d\x00", path, len(b))
		h.Write(b)
		return nil
	})
	return hex.EncodeToString(h.Sum(nil))[:12], err
}

// ensureTemplate returns the name of the migrated template database for the current
// migrations, building it if no process has yet. Builders are serialised by an advisory lock
// held on admin; a template is built under a temporary name and renamed only when complete,
// so a crashed build never leaves a half-migrated template behind.
func ensureTemplate(ctx context.Context, admin *pgx.Conn, cfg *pgx.ConnConfig) (string, error) {
	hash, err := migrationsHash()
	if err != nil {
		return "", err
	}
	name := "wt_tmpl_" + hash
	if _, ok := templates.Load(name); ok {
		return name, nil
	}
	if _, err := admin.Exec(ctx, "SELECT pg_advisory_lock($1)", templateLockID); err != nil {
		return "", err
	}
	defer admin.Exec(context.Background(), "SELECT pg_advisory_unlock($1)", templateLockID)

	var exists bool
	if err := admin.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)", name).Scan(&exists); err != nil {
		return "", err
	}
	if !exists {
		if err := buildTemplate(ctx, admin, cfg, name); err != nil {
			return "", err
		}
	}
	templates.Store(name, true)
	return name, nil
}

// buildTemplate creates and migrates a template database called name.
func buildTemplate(ctx context.Context, admin *pgx.Conn, cfg *pgx.ConnConfig, name string) error {
	building := name + "_building"
	if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+ident(building)+" WITH (FORCE)"); err != nil {
		return err
	}
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+ident(building)); err != nil {
		return err
	}
	if err := migrate(ctx, cfg, building); err != nil {
		return fmt.Errorf("migrate %s: %w", building, err)
	}
	for _, sql := range []string{
		"ALTER DATABASE " + ident(building) + " RENAME TO " + ident(name),
		// Nobody may connect to a template: CREATE DATABASE … TEMPLATE fails while anyone is.
		"ALTER DATABASE " + ident(name) + " WITH IS_TEMPLATE true ALLOW_CONNECTIONS false",
	} {
		if _, err := admin.Exec(ctx, sql); err != nil {
			return err
		}
	}
	return nil
}

// migrate applies the migrations to database db with goose, as store.Migrate does (storetest
// cannot import store: store's tests import storetest).
func migrate(ctx context.Context, cfg *pgx.ConnConfig, db string) error {
	pcfg, err := pgxpool.ParseConfig("")
	if err != nil {
		return err
	}
	pcfg.ConnConfig = cfg.Copy()
	pcfg.ConnConfig.Database = db
	pool, err := pgxpool.NewWithConfig(ctx, pcfg)
	if err != nil {
		return err
	}
	defer pool.Close()
	locker, err := lock.NewPostgresSessionLocker(lock.WithLockTimeout(1, 60))
	if err != nil {
		return err
	}
	p, err := goose.NewProvider(goose.DialectPostgres, stdlib.OpenDBFromPool(pool), migrations.FS,
		goose.WithSessionLocker(locker), goose.WithDisableGlobalRegistry(true))
	if err != nil {
		return err
	}
	defer p.Close()
	_, err = p.Up(ctx)
	return err
}

// dropDatabase drops a test database, forcing out connections a test leaked.
func dropDatabase(t testing.TB, cfg *pgx.ConnConfig, name string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin, err := connect(ctx, cfg, cfg.Database)
	if err == nil {
		defer admin.Close(ctx)
		_, err = admin.Exec(ctx, "DROP DATABASE IF EXISTS "+ident(name)+" WITH (FORCE)")
	}
	switch {
	case err == nil:
	case t != nil:
		t.Errorf("storetest: drop %s: %v", name, err)
	default:
		drops.failed.Store(true)
		fmt.Fprintf(os.Stderr, "storetest: drop %s: %v\n", name, err)
	}
}

// URL returns a postgres:// URL for the database behind pool, for code under test that takes
// DATABASE_URL rather than a pool (the binary's subcommands).
func URL(pool *pgxpool.Pool) string {
	c := pool.Config().ConnConfig
	u := url.URL{
		Scheme:   "postgres",
		User:     url.UserPassword(c.User, c.Password),
		Host:     net.JoinHostPort(c.Host, strconv.Itoa(int(c.Port))),
		Path:     "/" + c.Database,
		RawQuery: "sslmode=disable",
	}
	return u.String()
}
