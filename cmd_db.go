package main

import (
	"context"
	"fmt"

	"github.com/watchtower-ops/watchtower/ingest/envcfg"
	"github.com/watchtower-ops/watchtower/store"
	"github.com/watchtower-ops/watchtower/store/seed"
)

func cmdMigrate(ctx context.Context, env *environment, args []string) error {
	fs := envcfg.NewFlagSet(env.stderr, "migrate", "Applies the embedded database migrations to DATABASE_URL and exits. Safe to run again.")
	if err := envcfg.ParseFlags(fs, args); err != nil {
		return err
	}
	return withStore(ctx, env, func(*store.Store) error {
		fmt.Fprintln(env.stdout, "migrations applied")
		return nil
	})
}

func cmdSeed(ctx context.Context, env *environment, args []string) error {
	fs := envcfg.NewFlagSet(env.stderr, "seed", `Loads the demo fleet in Lagos (sites, trucks and drivers) into DATABASE_URL, migrating
first. Running it again changes nothing.`)
	if err := envcfg.ParseFlags(fs, args); err != nil {
		return err
	}
	return withStore(ctx, env, func(s *store.Store) error {
		counts, err := seed.Load(ctx, s)
		if err != nil {
			return fmt.Errorf("seed: %w", err)
		}
		fmt.Fprintf(env.stdout, "demo fleet loaded: %s.\n", counts)
		return nil
	})
}

// withStore opens DATABASE_URL, applies the migrations and runs fn on the store, for the
// commands that need the database but not Redis (migrate, seed, token).
func withStore(ctx context.Context, env *environment, fn func(*store.Store) error) error {
	_, pool, err := openDB(ctx, env)
	if err != nil {
		return err
	}
	defer pool.Close()
	if err := store.Migrate(ctx, pool); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	return fn(store.New(pool))
}
