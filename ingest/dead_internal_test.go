package ingest

import (
	"errors"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/watchtower-ops/watchtower/fleet"
)

// TestIsTransient: database outages (including a failover's read-only window and a full disk)
// are waited out; errors in the entry itself are not.
func TestIsTransient(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want bool
	}{
		{"connection failure", &pgconn.PgError{Code: "08006"}, true},
		{"read-only during failover", &pgconn.PgError{Code: "25006"}, true},
		{"disk full", &pgconn.PgError{Code: "53100"}, true},
		{"too many connections", &pgconn.PgError{Code: "53300"}, true},
		{"lock not available", &pgconn.PgError{Code: "55P03"}, true},
		{"admin shutdown", &pgconn.PgError{Code: "57P01"}, true},
		{"deadlock, wrapped", fmt.Errorf("apply: %w", &pgconn.PgError{Code: "40P01"}), true},
		{"unavailable", fleet.Errorf(fleet.EUNAVAILABLE, "redis down"), true},
		{"check violation", &pgconn.PgError{Code: "23514"}, false},
		{"invalid input", &pgconn.PgError{Code: "22P02"}, false},
		{"plain error", errors.New("bad entry"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := isTransient(tt.err); got != tt.want {
				t.Errorf("isTransient(%v) = %v; want %v", tt.err, got, tt.want)
			}
		})
	}
}
