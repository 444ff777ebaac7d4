// Package store is Watch Tower's Postgres layer, through pgx v5. It owns the schema (applied by
// Migrate from package migrations) and every SQL statement: the roster (trucks, drivers,
// sites), trips and their transitions, the partitioned position history, the latest truck
// state, alerts, daily metrics, the audit log and scheduled job claims. One file per noun, the
// SQL as a const next to the function that runs it.
//
// Errors are classified here, once: a missing row is fleet ENOTFOUND, a unique violation is
// ECONFLICT, bad input is EINVALID, an unreachable database is EUNAVAILABLE. Every other error
// is wrapped with the call that failed and is internal.
//
// It imports fleet and migrations only, never ingest, tools, schedule or bot: it returns
// fleet records, and the consumers' interfaces are shaped so *Store satisfies them as it is.
package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Store runs Watch Tower's queries on a pgx pool. It is safe for concurrent use.
type Store struct {
	pool *pgxpool.Pool

	mu         sync.Mutex
	partitions map[string]bool // position partitions known to exist, by day "20060102"
}

// New returns a Store using pool. The caller closes the pool.
func New(pool *pgxpool.Pool) *Store {
	return &Store{pool: pool, partitions: make(map[string]bool)}
}

// Querier runs SQL: a *pgxpool.Pool, a *pgx.Conn or a pgx.Tx.
type Querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// q returns tx, or the pool when tx is nil, so the methods that take a transaction also run on
// their own.
func (s *Store) q(tx pgx.Tx) Querier {
	if tx == nil {
		return s.pool
	}
	return tx
}

// Ping checks that the database answers within five seconds. It returns EUNAVAILABLE when it
// does not.
func (s *Store) Ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := s.pool.Ping(ctx); err != nil {
		cfg := s.pool.Config().ConnConfig
		return unavailable(cfg.Host, cfg.Port, cfg.Database, err)
	}
	return nil
}

// InTx runs fn in a transaction, committing when fn returns nil and rolling back otherwise.
// fn's error is returned as is.
func (s *Store) InTx(ctx context.Context, fn func(pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, s.pool, fn)
}

// wrap adds the failing call to *errp, keeping the chain so fleet.ErrorCode still finds a
// classified error: defer wrap(&err, "TruckByPlate(%q)", plate).
func wrap(errp *error, format string, args ...any) {
	if *errp != nil {
		*errp = fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), *errp)
	}
}

// Postgres error codes the store classifies.
const (
	pgUniqueViolation     = "23505"
	pgForeignKeyViolation = "23503"
	pgCheckViolation      = "23514"
	pgDuplicateTable      = "42P07"
)

// pgError returns the Postgres error in err's chain with the given code, or nil.
func pgError(err error, code string) *pgconn.PgError {
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == code {
		return pe
	}
	return nil
}

// isNoRows reports whether err says a query returned no row.
func isNoRows(err error) bool { return errors.Is(err, pgx.ErrNoRows) }

// nullText maps "" to NULL for nullable unique columns.
func nullText(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// nullTime maps the zero time to NULL.
func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// textOf reads a nullable text column.
func textOf(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// timeOf reads a nullable timestamp column as the zero time when NULL.
func timeOf(p *time.Time) time.Time {
	if p == nil {
		return time.Time{}
	}
	return p.UTC()
}

// utcPtr normalises a nullable timestamp to UTC.
func utcPtr(p *time.Time) *time.Time {
	if p == nil {
		return nil
	}
	t := p.UTC()
	return &t
}

// orNow returns t, or the current time when t is zero.
func orNow(t time.Time) time.Time {
	if t.IsZero() {
		return time.Now().UTC()
	}
	return t
}
