package fleet_test

import (
	"testing"

	"github.com/watchtower-ops/watchtower/fleet"
)

func TestAPITokenAllows(t *testing.T) {
	tests := []struct {
		scope, need string
		want        bool
	}{
		{fleet.ScopeRead, fleet.ScopeRead, true},
		{fleet.ScopeRead, fleet.ScopeWrite, false},
		{fleet.ScopeRead, fleet.ScopeAdmin, false},
		{fleet.ScopeWrite, fleet.ScopeRead, true},
		{fleet.ScopeWrite, fleet.ScopeWrite, true},
		{fleet.ScopeWrite, fleet.ScopeAdmin, false},
		{fleet.ScopeAdmin, fleet.ScopeRead, true},
		{fleet.ScopeAdmin, fleet.ScopeWrite, true},
		{fleet.ScopeAdmin, fleet.ScopeAdmin, true},
		{"", fleet.ScopeRead, false},
		{"root", fleet.ScopeRead, false},
		{fleet.ScopeAdmin, "root", false},
	}
	for _, tt := range tests {
		if got := (fleet.APIToken{Scope: tt.scope}).Allows(tt.need); got != tt.want {
			t.Errorf("APIToken{Scope: %q}.Allows(%q) = %v; want %v", tt.scope, tt.need, got, tt.want)
		}
	}
	for _, s := range []string{"read", "write", "admin"} {
		if !fleet.ValidScope(s) {
			t.Errorf("ValidScope(%q) = false; want true", s)
		}
	}
	for _, s := range []string{"", "Admin", "superuser"} {
		if fleet.ValidScope(s) {
			t.Errorf("ValidScope(%q) = true; want false", s)
		}
	}
}
