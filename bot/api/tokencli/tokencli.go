// Package tokencli is the body of `watchtower token`: it makes, lists and revokes the bearer
// tokens of the JSON API and prints what it did. Command is what the command line asks; main
// parses it with its flag set and hands it the store. tokencli imports fleet and bot/api
// only, never store.
package tokencli

import (
	"context"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/watchtower-ops/watchtower/bot/api"
	"github.com/watchtower-ops/watchtower/fleet"
)

// Usage is the help of `watchtower token`.
const Usage = `Manages bearer tokens of the JSON API (/api/v1, documented at /api/v1/openapi.json).

  watchtower token create --name NAME --scope read|write|admin
      makes a token and prints it once, on stdout; only its hash is stored
  watchtower token list
      lists every token: name, scope, first characters, created, last used, revoked
  watchtower token revoke NAME   (or --name NAME)
      revokes a token; every replica refuses it within seconds

A read token may call every GET and ask questions (POST /api/v1/ask); a write token may also
change things: request trips, and cancel or change the trips it requested itself; an admin
token may also cancel or change any trip (like a dispatch approver) and read the audit log
(GET /api/v1/audit). Writes are audited with the token's name.`

// Store keeps API tokens, auditing each change by actor (*store.Store).
type Store interface {
	// CreateAPIToken stores a token by its SHA-256 and first characters. It returns EINVALID
	// for a bad name or scope and ECONFLICT when the name is taken.
	CreateAPIToken(ctx context.Context, name, scope string, hash []byte, prefix string, actor fleet.Actor) (fleet.APIToken, error)
	// ListAPITokens returns every token, revoked ones included, by name.
	ListAPITokens(ctx context.Context) ([]fleet.APIToken, error)
	// RevokeAPIToken revokes the token called name. It returns ENOTFOUND.
	RevokeAPIToken(ctx context.Context, name string, actor fleet.Actor) (fleet.APIToken, error)
}

// Create makes a token called name with scope, prints it once on stdout (only its hash is
// stored) and says so on stderr.
func Create(ctx context.Context, s Store, stdout, stderr io.Writer, name, scope string, by fleet.Actor) error {
	token, hash, prefix := api.NewToken()
	t, err := s.CreateAPIToken(ctx, name, scope, hash, prefix, by)
	if err != nil {
		return opError("create", err)
	}
	fmt.Fprintf(stderr, "token %s (scope %s) created; it is shown once, store it now:\n", t.Name, t.Scope)
	fmt.Fprintln(stdout, token)
	return nil
}

// List prints every token as a table: name, scope, first characters, created, last used and
// status. Tokens themselves are never shown.
func List(ctx context.Context, s Store, w io.Writer) error {
	tokens, err := s.ListAPITokens(ctx)
	if err != nil {
		return opError("list", err)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tSCOPE\tTOKEN\tCREATED\tLAST USED\tSTATUS")
	when := func(t *time.Time) string {
		if t == nil {
			return "never"
		}
		return t.UTC().Format("2006-01-02 15:04Z")
	}
	for _, t := range tokens {
		status := "active"
		if t.RevokedAt != nil {
			status = "revoked " + when(t.RevokedAt)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s…\t%s\t%s\t%s\n", t.Name, t.Scope, t.Prefix, when(&t.CreatedAt), when(t.LastUsedAt), status)
	}
	return tw.Flush()
}

// Revoke revokes the token called name and says so on w.
func Revoke(ctx context.Context, s Store, w io.Writer, name string, by fleet.Actor) error {
	t, err := s.RevokeAPIToken(ctx, name, by)
	if err != nil {
		return opError("revoke", err)
	}
	fmt.Fprintf(w, "token %s revoked\n", t.Name)
	return nil
}

// opError says what went wrong in one line: the safe message of a classified error, the
// whole chain of an internal one.
func opError(op string, err error) error {
	if code := fleet.ErrorCode(err); code != fleet.EINTERNAL {
		return fmt.Errorf("token %s: %s", op, fleet.ErrorMessage(err))
	}
	return fmt.Errorf("token %s: %w", op, err)
}
