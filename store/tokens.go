package store

import (
	"context"
	"regexp"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/watchtower-ops/watchtower/fleet"
)

// tokenNameRE mirrors the CHECK of api_tokens.name.
var tokenNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{0,62}$`)

// NormalizeTokenName lower-cases and trims a token name.
func NormalizeTokenName(name string) string { return strings.ToLower(strings.TrimSpace(name)) }

const tokenCols = `id, name, scope, token_prefix, created_at, last_used_at, revoked_at`

func scanToken(row pgx.Row) (fleet.APIToken, error) {
	var t fleet.APIToken
	if err := row.Scan(&t.ID, &t.Name, &t.Scope, &t.Prefix, &t.CreatedAt, &t.LastUsedAt, &t.RevokedAt); err != nil {
		return fleet.APIToken{}, err
	}
	t.CreatedAt, t.LastUsedAt, t.RevokedAt = t.CreatedAt.UTC(), utcPtr(t.LastUsedAt), utcPtr(t.RevokedAt)
	return t, nil
}

const insertTokenSQL = `
INSERT INTO api_tokens (name, scope, token_hash, token_prefix) VALUES ($1, $2, $3, $4)
RETURNING ` + tokenCols

// CreateAPIToken stores a token called name with scope, by its SHA-256 hash (32 bytes) and
// its first characters, and audits "api_token.create" by actor in the same transaction. It
// returns EINVALID for a bad name (letters, digits, '.', '_' or '-', at most 63), scope or
// hash, and ECONFLICT when a token (even a revoked one) already has the name.
func (s *Store) CreateAPIToken(ctx context.Context, name, scope string, hash []byte, prefix string, actor fleet.Actor) (_ fleet.APIToken, err error) {
	name = NormalizeTokenName(name)
	defer wrap(&err, "CreateAPIToken(%q)", name)
	switch {
	case !tokenNameRE.MatchString(name):
		return fleet.APIToken{}, fleet.Errorf(fleet.EINVALID, "token name %q must be 1 to 63 letters, digits, '.', '_' or '-', starting with a letter or digit", name)
	case !fleet.ValidScope(scope):
		return fleet.APIToken{}, fleet.Errorf(fleet.EINVALID, "token scope %q must be read, write or admin", scope)
	case len(hash) != 32:
		return fleet.APIToken{}, fleet.Errorf(fleet.EINVALID, "token hash must be 32 bytes (SHA-256)")
	}
	var tok fleet.APIToken
	err = s.InTx(ctx, func(tx pgx.Tx) error {
		var err error
		if tok, err = scanToken(tx.QueryRow(ctx, insertTokenSQL, name, scope, hash, prefix)); err != nil {
			if pgError(err, pgUniqueViolation) != nil {
				return fleet.Errorf(fleet.ECONFLICT, "a token called %s already exists", name)
			}
			return err
		}
		return s.Audit(ctx, tx, AuditEntry{Actor: orSystem(actor), Action: "api_token.create", Subject: "token:" + name,
			Details: auditDetails(map[string]string{"scope": scope, "prefix": prefix})})
	})
	return tok, err
}

// authTokenSQL finds a valid token by hash and notes its use, at most once a minute so a busy
// client does not write on every request.
const authTokenSQL = `
WITH t AS (
	SELECT ` + tokenCols + ` FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL
), used AS (
	UPDATE api_tokens SET last_used_at = now()
	WHERE id = (SELECT id FROM t) AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')
)
SELECT ` + tokenCols + ` FROM t`

// AuthenticateAPIToken returns the valid (not revoked) token whose SHA-256 is hash and records
// that it was used (the LastUsedAt returned is the use before this one). It returns ENOTFOUND
// for an unknown or revoked token.
func (s *Store) AuthenticateAPIToken(ctx context.Context, hash []byte) (_ fleet.APIToken, err error) {
	defer wrap(&err, "AuthenticateAPIToken")
	tok, err := scanToken(s.pool.QueryRow(ctx, authTokenSQL, hash))
	if isNoRows(err) {
		return fleet.APIToken{}, fleet.Errorf(fleet.ENOTFOUND, "unknown or revoked token")
	}
	return tok, err
}

// ListAPITokens returns every token, revoked ones included, by name.
func (s *Store) ListAPITokens(ctx context.Context) (_ []fleet.APIToken, err error) {
	defer wrap(&err, "ListAPITokens")
	rows, err := s.pool.Query(ctx, `SELECT `+tokenCols+` FROM api_tokens ORDER BY name`)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (fleet.APIToken, error) { return scanToken(r) })
}

const revokeTokenSQL = `
UPDATE api_tokens SET revoked_at = now() WHERE name = $1 AND revoked_at IS NULL
RETURNING ` + tokenCols

// RevokeAPIToken revokes the token called name and audits "api_token.revoke" by actor in the
// same transaction; the token stops working at once. It returns ENOTFOUND for an unknown name
// and ECONFLICT when the token is already revoked.
func (s *Store) RevokeAPIToken(ctx context.Context, name string, actor fleet.Actor) (_ fleet.APIToken, err error) {
	name = NormalizeTokenName(name)
	defer wrap(&err, "RevokeAPIToken(%q)", name)
	var tok fleet.APIToken
	err = s.InTx(ctx, func(tx pgx.Tx) error {
		var err error
		tok, err = scanToken(tx.QueryRow(ctx, revokeTokenSQL, name))
		if isNoRows(err) {
			var revoked bool
			err = tx.QueryRow(ctx, `SELECT true FROM api_tokens WHERE name = $1`, name).Scan(&revoked)
			if isNoRows(err) {
				return fleet.Errorf(fleet.ENOTFOUND, "no token called %s", name)
			}
			if err == nil {
				return fleet.Errorf(fleet.ECONFLICT, "token %s is already revoked", name)
			}
		}
		if err != nil {
			return err
		}
		return s.Audit(ctx, tx, AuditEntry{Actor: orSystem(actor), Action: "api_token.revoke", Subject: "token:" + name})
	})
	return tok, err
}
