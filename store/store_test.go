package store_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/store"
	"github.com/watchtower-ops/watchtower/store/storetest"
)

// newStore returns a Store on a fresh migrated database.
func newStore(t testing.TB) (*store.Store, *pgxpool.Pool) {
	t.Helper()
	pool := storetest.NewDB(t)
	return store.New(pool), pool
}

// wantCode fails t unless err carries code.
func wantCode(t testing.TB, what string, err error, code string) {
	t.Helper()
	if got := fleet.ErrorCode(err); got != code {
		t.Fatalf("%s code = %q (err %v); want %q", what, got, err, code)
	}
}

// must fails t on err.
func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestMigrateTwice(t *testing.T) {
	ctx := context.Background()
	s, pool := newStore(t)
	for i := range 2 {
		if err := store.Migrate(ctx, pool); err != nil {
			t.Fatalf("Migrate #%d: %v", i+1, err)
		}
	}
	must(t, s.Ping(ctx))
}

// TestMigrateConcurrent migrates an empty schema from two pools at once: the advisory lock
// makes one wait for the other and both succeed.
func TestMigrateConcurrent(t *testing.T) {
	ctx := context.Background()
	_, pool := newStore(t)
	if _, err := pool.Exec(ctx, "CREATE SCHEMA fresh"); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range errs {
		cfg := pool.Config().Copy()
		cfg.ConnConfig.RuntimeParams["search_path"] = "fresh"
		p, err := pgxpool.NewWithConfig(ctx, cfg)
		must(t, err)
		defer p.Close()
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = store.Migrate(ctx, p)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("Migrate #%d: %v", i+1, err)
		}
	}
	var n int
	must(t, pool.QueryRow(ctx, `SELECT count(*) FROM fresh.goose_db_version WHERE version_id = 1`).Scan(&n))
	if n != 1 {
		t.Errorf("migration 1 applied %d times; want 1", n)
	}
}

func TestOpen(t *testing.T) {
	ctx := context.Background()
	t.Run("reachable", func(t *testing.T) {
		storetest.NewDB(t) // skips when Postgres is down
		pool, err := store.Open(ctx, "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable")
		must(t, err)
		pool.Close()
	})
	for _, tc := range []struct {
		name, url, code, want string
	}{
		{"refused", "postgres://watch:s3cretpw@127.0.0.1:1/fleetdb?sslmode=disable", fleet.EUNAVAILABLE,
			"database unreachable at 127.0.0.1:1/fleetdb: connection refused"},
		{"unknown host", "postgres://watch:s3cretpw@no-such-host.invalid:5432/fleetdb?sslmode=disable", fleet.EUNAVAILABLE,
			"database unreachable at no-such-host.invalid:5432/fleetdb: no such host"},
		{"missing database", "postgres://postgres:s3cretpw@127.0.0.1:5432/wt_no_such_db?sslmode=disable", fleet.EUNAVAILABLE,
			`database unreachable at 127.0.0.1:5432/wt_no_such_db: database "wt_no_such_db" does not exist`},
		{"malformed", "postgres://watch:s3cretpw@127.0.0.1:notaport/fleetdb", fleet.EINVALID, "DATABASE_URL is not a valid Postgres URL: invalid port"},
		{"malformed keywords", "host=127.0.0.1 password=s3cretpw port=abc", fleet.EINVALID, "DATABASE_URL"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "missing database" {
				storetest.NewDB(t)
			}
			pool, err := store.Open(ctx, tc.url)
			if err == nil {
				pool.Close()
				t.Fatalf("Open(%q) succeeded; want %s", tc.url, tc.code)
			}
			wantCode(t, "Open", err, tc.code)
			msg := fleet.ErrorMessage(err)
			if !strings.Contains(msg, tc.want) {
				t.Errorf("Open message = %q; want it to contain %q", msg, tc.want)
			}
			if strings.Contains(err.Error(), "s3cretpw") || strings.Contains(msg, "s3cretpw") {
				t.Errorf("Open error %q leaks the password", err)
			}
			if strings.Contains(msg, "\n") || strings.Contains(msg, "goroutine") {
				t.Errorf("Open message %q is not one short line", msg)
			}
		})
	}
}

func TestAuditList(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	actor := fleet.Actor{ID: "U123", Name: "Ada", Via: "slack"}
	for i := range 3 {
		must(t, s.Audit(ctx, nil, store.AuditEntry{Actor: actor, Action: fmt.Sprintf("truck.note%d", i), Subject: "T11985LA",
			At: time.Date(2026, 1, 1, 10, i, 0, 0, time.UTC), Details: []byte(`{"n":1}`)}))
	}
	err := s.Audit(ctx, nil, store.AuditEntry{Action: "x"})
	wantCode(t, "Audit without actor", err, fleet.EINVALID)
	got, err := s.ListAudit(ctx, "T11985LA")
	must(t, err)
	if len(got) != 3 || got[0].Action != "truck.note0" || got[2].Actor != actor || string(got[1].Details) != `{"n": 1}` {
		t.Errorf("ListAudit = %+v", got)
	}
}
