package main

import (
	"strings"
	"testing"

	"github.com/watchtower-ops/watchtower/bot/api"
	"github.com/watchtower-ops/watchtower/store/storetest"
)

func TestTokenCommands(t *testing.T) {
	pool := storetest.NewDB(t)
	env := map[string]string{"DATABASE_URL": storetest.URL(pool), "USER": "ops"}

	code, out, stderr := runCmd(t, env, "token", "create", "--name", "erp-sync", "--scope", "write")
	token := strings.TrimSpace(out)
	if code != 0 || !strings.HasPrefix(token, api.TokenPrefix) || strings.Count(out, "\n") != 1 {
		t.Fatalf("token create = %d, stdout %q, stderr %q; want 0 and the token alone on stdout", code, out, stderr)
	}
	if !strings.Contains(stderr, "shown once") || strings.Contains(stderr, token) {
		t.Errorf("token create stderr = %q; want the warning without the token", stderr)
	}
	var stored []byte
	if err := pool.QueryRow(t.Context(), `SELECT token_hash FROM api_tokens WHERE name = 'erp-sync'`).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if string(stored) != string(api.HashToken(token)) {
		t.Error("the stored hash is not the SHA-256 of the printed token")
	}

	code, out, _ = runCmd(t, env, "token", "list")
	if code != 0 || !strings.Contains(out, "erp-sync") || !strings.Contains(out, "write") || !strings.Contains(out, "active") ||
		strings.Contains(out, token) || !strings.Contains(out, token[:10]) {
		t.Errorf("token list = %d %q; want erp-sync write active, its first characters only", code, out)
	}

	code, out, stderr = runCmd(t, env, "token", "create", "--name", "auditor", "--scope", "admin")
	if code != 0 || !strings.HasPrefix(strings.TrimSpace(out), api.TokenPrefix) || !strings.Contains(stderr, "scope admin") {
		t.Errorf("token create --scope admin = %d, stdout %q, stderr %q; want 0, a token and its scope", code, out, stderr)
	}

	code, out, _ = runCmd(t, env, "token", "revoke", "erp-sync")
	if code != 0 || !strings.Contains(out, "revoked") {
		t.Errorf("token revoke = %d %q; want 0 and revoked", code, out)
	}
	code, out, _ = runCmd(t, env, "token", "list")
	if code != 0 || !strings.Contains(out, "revoked ") {
		t.Errorf("token list after revoke = %q; want the token marked revoked", out)
	}

	tests := []struct {
		name    string
		args    []string
		code    int
		wantErr string
	}{
		{"no subcommand", []string{"token"}, 2, "create, list or revoke"},
		{"unknown subcommand", []string{"token", "rotate"}, 2, "unknown subcommand"},
		{"no name", []string{"token", "create", "--scope", "read"}, 2, "--name"},
		{"bad scope", []string{"token", "create", "--name", "x", "--scope", "root"}, 2, "--scope"},
		{"name taken", []string{"token", "create", "--name", "erp-sync", "--scope", "read"}, 1, "already exists"},
		{"bad name", []string{"token", "create", "--name", "no spaces", "--scope", "read"}, 1, "token name"},
		{"revoke twice", []string{"token", "revoke", "--name", "erp-sync"}, 1, "already revoked"},
		{"revoke unknown", []string{"token", "revoke", "nobody"}, 1, "no token called nobody"},
		{"revoke without name", []string{"token", "revoke"}, 2, "name"},
		{"help", []string{"token", "--help"}, 0, "token create --name NAME --scope read|write|admin"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCmd(t, env, tc.args...)
			if code != tc.code || !strings.Contains(stderr, tc.wantErr) {
				t.Errorf("%v = %d, stderr %q; want %d mentioning %q", tc.args, code, stderr, tc.code, tc.wantErr)
			}
		})
	}
}
