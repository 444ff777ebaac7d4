package main

import (
	"context"
	"fmt"

	"github.com/watchtower-ops/watchtower/bot/api/tokencli"
	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/ingest/envcfg"
	"github.com/watchtower-ops/watchtower/store"
)

// cmdToken runs create, list or revoke (tokencli.Usage) on the store of DATABASE_URL.
func cmdToken(ctx context.Context, env *environment, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintln(env.stderr, "Usage: watchtower token create|list|revoke\n\n"+tokencli.Usage)
		if len(args) == 0 {
			return envcfg.Usagef("token: say create, list or revoke")
		}
		return nil
	}
	c := tokencli.Command{Sub: args[0]}
	summary, ok := c.Summary()
	if !ok {
		return envcfg.Usagef("token: unknown subcommand %q; use create, list or revoke", c.Sub)
	}
	fs := envcfg.NewFlagSet(env.stderr, "token "+c.Sub, summary)
	if err := envcfg.ParseFlags(fs, c.Flags(fs, args[1:])); err != nil {
		return err
	}
	if err := c.Check(); err != nil {
		return &envcfg.UsageError{Msg: err.Error()}
	}
	by := fleet.Actor{ID: "cli", Name: env.getenv("USER"), Via: "cli"} // who the audit log names
	return withStore(ctx, env, func(s *store.Store) error { return c.Run(ctx, s, env.stdout, env.stderr, by) })
}
