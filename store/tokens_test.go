package store_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/watchtower-ops/watchtower/fleet"
)

var operator = fleet.Actor{ID: "ops", Name: "Ops desk", Via: "cli"}

func tokenHash(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

func TestAPITokens(t *testing.T) {
	ctx := context.Background()
	s, pool := newStore(t)

	tok, err := s.CreateAPIToken(ctx, " ERP-Sync ", fleet.ScopeWrite, tokenHash("wt_secret1"), "wt_secr", operator)
	must(t, err)
	want := fleet.APIToken{Name: "erp-sync", Scope: fleet.ScopeWrite, Prefix: "wt_secr"}
	if diff := cmp.Diff(want, tok, cmpopts.IgnoreFields(fleet.APIToken{}, "ID", "CreatedAt")); diff != "" {
		t.Errorf("CreateAPIToken: want erp-sync, write, prefix kept, not revoked (-want +got):\n%s", diff)
	}
	var stored []byte
	must(t, pool.QueryRow(ctx, `SELECT token_hash FROM api_tokens WHERE name = 'erp-sync'`).Scan(&stored))
	if !bytes.Equal(stored, tokenHash("wt_secret1")) {
		t.Errorf("stored hash = %x; want the SHA-256 of the token", stored)
	}

	for _, tc := range []struct {
		name, token, scope string
		hash               []byte
		code               string
	}{
		{"same name", "erp-sync", fleet.ScopeRead, tokenHash("other"), fleet.ECONFLICT},
		{"same hash", "other", fleet.ScopeRead, tokenHash("wt_secret1"), fleet.ECONFLICT},
		{"empty name", "", fleet.ScopeRead, tokenHash("x"), fleet.EINVALID},
		{"name with space", "erp sync", fleet.ScopeRead, tokenHash("x"), fleet.EINVALID},
		{"bad scope", "portal", "root", tokenHash("x"), fleet.EINVALID},
		{"short hash", "portal", fleet.ScopeRead, []byte("x"), fleet.EINVALID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.CreateAPIToken(ctx, tc.token, tc.scope, tc.hash, "wt_", operator)
			wantCode(t, "CreateAPIToken", err, tc.code)
		})
	}

	got, err := s.AuthenticateAPIToken(ctx, tokenHash("wt_secret1"))
	must(t, err)
	if got.ID != tok.ID || got.Name != "erp-sync" || got.Scope != fleet.ScopeWrite {
		t.Errorf("AuthenticateAPIToken = %+v; want token %d", got, tok.ID)
	}
	var used bool
	must(t, pool.QueryRow(ctx, `SELECT last_used_at IS NOT NULL FROM api_tokens WHERE name = 'erp-sync'`).Scan(&used))
	if !used {
		t.Error("last_used_at not set after AuthenticateAPIToken")
	}
	_, err = s.AuthenticateAPIToken(ctx, tokenHash("wt_wrong"))
	wantCode(t, "AuthenticateAPIToken(unknown)", err, fleet.ENOTFOUND)

	_, err = s.CreateAPIToken(ctx, "portal", fleet.ScopeRead, tokenHash("wt_secret2"), "wt_secr", operator)
	must(t, err)
	revoked, err := s.RevokeAPIToken(ctx, "ERP-SYNC", operator)
	must(t, err)
	if revoked.RevokedAt == nil {
		t.Errorf("RevokeAPIToken = %+v; want revoked_at set", revoked)
	}
	_, err = s.AuthenticateAPIToken(ctx, tokenHash("wt_secret1"))
	wantCode(t, "AuthenticateAPIToken(revoked)", err, fleet.ENOTFOUND)
	_, err = s.RevokeAPIToken(ctx, "erp-sync", operator)
	wantCode(t, "RevokeAPIToken(again)", err, fleet.ECONFLICT)
	_, err = s.RevokeAPIToken(ctx, "nobody", operator)
	wantCode(t, "RevokeAPIToken(unknown)", err, fleet.ENOTFOUND)

	list, err := s.ListAPITokens(ctx)
	must(t, err)
	if len(list) != 2 || list[0].Name != "erp-sync" || list[0].RevokedAt == nil || list[1].Name != "portal" || list[1].RevokedAt != nil {
		t.Errorf("ListAPITokens = %+v; want erp-sync (revoked), portal", list)
	}
	audit, err := s.ListAudit(ctx, "token:erp-sync")
	must(t, err)
	if len(audit) != 2 || audit[0].Action != "api_token.create" || audit[1].Action != "api_token.revoke" || audit[0].Actor != operator {
		t.Errorf("audit of token:erp-sync = %+v; want create then revoke by the operator", audit)
	}
}
