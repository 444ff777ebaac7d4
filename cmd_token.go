package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/watchtower-ops/watchtower/bot/api/tokencli"
	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/store"
)

// The store is what the token commands keep tokens in.
var _ tokencli.Store = (*store.Store)(nil)

// cmdToken dispatches create, list and revoke (tokencli.Usage).
func cmdToken(ctx context.Context, env *environment, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintln(env.stderr, "Usage: watchtower token create|list|revoke\n\n"+tokencli.Usage)
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

// cliActor is who the audit log names for a token command.
func cliActor(env *environment) fleet.Actor {
	return fleet.Actor{ID: "cli", Name: env.getenv("USER"), Via: "cli"}
}

func cmdTokenCreate(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "token create", "Makes an API token and prints it once on stdout. Only its SHA-256 is stored.")
	name := fs.String("name", "", "token name: who uses it, e.g. erp-sync (letters, digits, . _ -)")
	scope := fs.String("scope", "", "read (every GET, /ask), write (also changes) or admin (also any trip, the audit log)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *name == "" {
		return &usageError{msg: "token create: --name is required"}
	}
	if !fleet.ValidScope(*scope) {
		return &usageError{msg: "token create: --scope must be read, write or admin"}
	}
	return withStore(ctx, env, func(s *store.Store) error {
		return tokencli.Create(ctx, s, env.stdout, env.stderr, *name, *scope, cliActor(env))
	})
}

func cmdTokenList(ctx context.Context, env *environment, args []string) error {
	fs := newFlagSet(env, "token list", "Lists every API token, revoked ones included. Tokens themselves are never shown.")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	return withStore(ctx, env, func(s *store.Store) error { return tokencli.List(ctx, s, env.stdout) })
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
		return tokencli.Revoke(ctx, s, env.stdout, *name, cliActor(env))
	})
}
