package fleet_test

import (
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/watchtower-ops/watchtower/fleet"
)

func TestErrorCodeAndMessage(t *testing.T) {
	notFound := fleet.Errorf(fleet.ENOTFOUND, "truck %s not found", "T11986LA")
	notFound.Suggestions = []string{"T11985LA"}
	tests := []struct {
		name     string
		err      error
		wantCode string
		wantMsg  string
		wantSugg []string
	}{
		{"nil", nil, "", "", nil},
		{"plain error", errors.New("dial tcp: connection refused"), fleet.EINTERNAL, "internal error", nil},
		{"domain error", notFound, fleet.ENOTFOUND, "truck T11986LA not found", []string{"T11985LA"}},
		{"wrapped", fmt.Errorf("load truck: %w", notFound), fleet.ENOTFOUND, "truck T11986LA not found", []string{"T11985LA"}},
		{"wrapped twice", fmt.Errorf("tool: %w", fmt.Errorf("store: %w", fleet.Errorf(fleet.ECONFLICT, "trip exists"))),
			fleet.ECONFLICT, "trip exists", nil},
		{"joined", errors.Join(errors.New("other"), fleet.Errorf(fleet.EUNAVAILABLE, "redis is down")),
			fleet.EUNAVAILABLE, "redis is down", nil},
		{"wrapped plain", fmt.Errorf("query: %w", errors.New("secret dsn")), fleet.EINTERNAL, "internal error", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := fleet.ErrorCode(tt.err); got != tt.wantCode {
				t.Errorf("ErrorCode(%v) = %q; want %q", tt.err, got, tt.wantCode)
			}
			if got := fleet.ErrorMessage(tt.err); got != tt.wantMsg {
				t.Errorf("ErrorMessage(%v) = %q; want %q", tt.err, got, tt.wantMsg)
			}
			if got := fleet.ErrorSuggestions(tt.err); !slices.Equal(got, tt.wantSugg) {
				t.Errorf("ErrorSuggestions(%v) = %q; want %q", tt.err, got, tt.wantSugg)
			}
		})
	}
}

func TestErrorString(t *testing.T) {
	err := fleet.Errorf(fleet.EINVALID, "bad plate %q", "X")
	if got, want := err.Error(), `bad plate "X"`; got != want {
		t.Errorf("Error() = %q; want %q", got, want)
	}
}
