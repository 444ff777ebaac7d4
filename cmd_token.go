package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/watchtower-ops/watchtower/bot/api"
	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/store"
)

const tokenUsage = `Manages bearer tokens of the JSON API (/api/v1, documented at /api/v1/openapi.json).

  watchtower token create --name NAME --scope read|write
      makes a token and prints it once, on stdout; only its hash is stored
  watchtower token list
      lists every token: name, scope, first characters, created, last used, revoked
  watchtower token revoke NAME   (or --name NAME)
      revokes a token; every replica refuses it within seconds

A read token may call every GET; a write token may also create trips (POST /api/v1/trips).
Writes are audited with the token's name.`

func cmdToken(ctx context.Context, env *environment, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintln(env.stderr, "Usage: watchtower token create|list|revoke\n\n"+tokenUsage)
		if len(args) == 0 {
			return &usageError{msg: "token: say create, list or revoke"}
		}
		return nil
	}
	sub, args := args[0], args[1:]
	run := map[string]func(context.Context, *environment, []string) error{
		"create": cmdTokenCreate, "list": cmdTokenList, "revoke": cmdTokenRevoke,
	}[sub]
	if run == nil {
		return &usageError{msg: fmt.Sprintf("token: unknown subcommand %q; use create, list or revoke", sub)}
	}
	return run(ctx, env, args)
}

// tokenError says what went wrong in one line: the safe message of a classified error, the
// whole chain of an internal one.
func tokenError(op string, err error) error {
	if code := fleet.ErrorCode(err); code != fleet.EINTERNAL {
		return fmt.Errorf("token %s: %s", op, fleet.ErrorMessage(err))
	}
	return fmt.Errorf("token %s: %w", op, err)
}

// cliActor is who the audit log names for a token command.
func cliActor(env *environment) fleet.Actor {
	return fleet.Actor{ID: "cli", Name: env.getenv("USER"), Via: "cli"}
}

func cmdTokenCreate(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "token create", "Makes an API token and prints it once on stdout. Only its SHA-256 is stored.")
	name := fs.String("name", "", "token name: who uses it, e.g. erp-sync (letters, digits, . _ -)")
	scope := fs.String("scope", "", "read (every GET) or write (also POST /api/v1/trips)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *name == "" {
		return &usageError{msg: "token create: --name is required"}
	}
	if *scope != fleet.ScopeRead && *scope != fleet.ScopeWrite {
		return &usageError{msg: "token create: --scope must be read or write"}
	}
	token, hash, prefix := api.NewToken()
	return withStore(ctx, env, func(s *store.Store) error {
		t, err := s.CreateAPIToken(ctx, *name, *scope, hash, prefix, cliActor(env))
		if err != nil {
			return tokenError("create", err)
		}
		fmt.Fprintf(env.stderr, "token %s (scope %s) created; it is shown once, store it now:\n", t.Name, t.Scope)
		fmt.Fprintln(env.stdout, token)
		return nil
	})
}

func cmdTokenList(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "token list", "Lists every API token, revoked ones included. Tokens themselves are never shown.")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	return withStore(ctx, env, func(s *store.Store) error {
		tokens, err := s.ListAPITokens(ctx)
		if err != nil {
			return tokenError("list", err)
		}
		printTokens(env.stdout, tokens)
		return nil
	})
}

func printTokens(w io.Writer, tokens []fleet.APIToken) {
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
	tw.Flush()
}

func cmdTokenRevoke(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "token revoke", "Revokes an API token by name: watchtower token revoke NAME.")
	name := fs.String("name", "", "the token's name")
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		*name, args = args[0], args[1:]
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *name == "" {
		return &usageError{msg: "token revoke: give the token's name"}
	}
	return withStore(ctx, env, func(s *store.Store) error {
		t, err := s.RevokeAPIToken(ctx, *name, cliActor(env))
		if err != nil {
			return tokenError("revoke", err)
		}
		fmt.Fprintf(env.stdout, "token %s revoked\n", t.Name)
		return nil
	})
}
