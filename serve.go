package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/redis/go-redis/v9"
	"golang.org/x/sync/errgroup"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/ingest/envcfg"
	"github.com/watchtower-ops/watchtower/ingest/server"
	"github.com/watchtower-ops/watchtower/store"
)

// app holds the shared dependencies of a running Watch Tower. It is built once by openApp and
// closed last, after every component has returned.
type app struct {
	cfg      envcfg.Config
	log      *slog.Logger
	pool     *pgxpool.Pool
	store    *store.Store
	rdb      *redis.Client
	registry *prometheus.Registry
	mux      *http.ServeMux
}

// openApp loads the configuration, connects to Postgres and Redis, and applies migrations.
// A missing or malformed variable is an *envcfg.Error; an unreachable database or Redis says so
// in one line.
func openApp(ctx context.Context, env *environment) (*app, error) {
	cfg, pool, err := openDB(ctx, env)
	if err != nil {
		return nil, err
	}
	server.TuneGC(env.getenv("GOGC") != "", env.getenv("GOMEMLIMIT") != "")
	a := &app{cfg: cfg, log: cfg.Logger(env.stderr), pool: pool, store: store.New(pool)}
	if a.rdb, err = openRedis(ctx, cfg.RedisURL); err != nil {
		pool.Close()
		return nil, err
	}
	if err := store.Migrate(ctx, pool); err != nil {
		a.close()
		return nil, fmt.Errorf("migrate: %w", err)
	}
	a.registry = prometheus.NewRegistry()
	a.registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	a.mux = http.NewServeMux()
	return a, nil
}

// openDB loads the configuration and connects to Postgres, without migrating.
func openDB(ctx context.Context, env *environment) (envcfg.Config, *pgxpool.Pool, error) {
	cfg, err := loadConfig(env.getenv)
	if err == nil {
		err = cfg.RequireDatabase()
	}
	if err != nil {
		return envcfg.Config{}, nil, err
	}
	pool, err := store.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return envcfg.Config{}, nil, fmt.Errorf("%s", fleet.ErrorMessage(err))
	}
	return cfg, pool, nil
}

// openRedis connects to Redis and pings it, reporting an unreachable server in one line without
// the password.
func openRedis(ctx context.Context, rawURL string) (*redis.Client, error) {
	opts, err := redis.ParseURL(rawURL)
	if err != nil {
		return nil, &envcfg.Error{Var: "REDIS_URL", Reason: "is not a valid redis:// URL"}
	}
	rdb := redis.NewClient(opts)
	pingCtx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if err := rdb.Ping(pingCtx).Err(); err != nil {
		rdb.Close()
		return nil, fmt.Errorf("redis unreachable at %s: %v", opts.Addr, err)
	}
	return rdb, nil
}

func (a *app) close() {
	if a.rdb != nil {
		a.rdb.Close()
	}
	a.pool.Close()
}

func cmdServe(ctx context.Context, env *environment, args []string) error {
	fs := envcfg.NewFlagSet(env.stderr, "serve", `Runs Watch Tower: the LocoNav webhook listener on HTTP_ADDR with /healthz, /readyz, the
JSON API and the tracking pages; /metrics and profiling on ADMIN_ADDR; the ingest consumers, the Slack app (when SLACK_BOT_TOKEN and SLACK_APP_TOKEN are set)
and the scheduled jobs. Applies migrations first. Stops cleanly on SIGINT or SIGTERM.`)
	if err := envcfg.ParseFlags(fs, args); err != nil {
		return err
	}
	a, err := openApp(ctx, env)
	if err != nil {
		return err
	}
	defer a.close()
	_, comps, err := a.build(ctx)
	if err != nil {
		return err
	}
	return a.serve(ctx, comps)
}

// serve runs the HTTP listeners and comps until ctx is done or one of them fails.
func (a *app) serve(ctx context.Context, comps []component) error {
	g, ctx := errgroup.WithContext(ctx)
	ln, err := net.Listen("tcp", a.cfg.HTTPAddr)
	if err != nil {
		return fmt.Errorf("listen on HTTP_ADDR %s: %w", a.cfg.HTTPAddr, err)
	}
	adminLn, err := net.Listen("tcp", a.cfg.AdminAddr)
	if err != nil {
		ln.Close()
		return fmt.Errorf("listen on ADMIN_ADDR %s: %w", a.cfg.AdminAddr, err)
	}
	a.log.InfoContext(ctx, "http listening", "addr", ln.Addr().String(), "admin_addr", adminLn.Addr().String())
	g.Go(func() error { return server.Run(ctx, ln, a.mux, a.log) })
	g.Go(func() error { return server.RunAdmin(ctx, adminLn, a.registry, a.log) })
	for _, run := range comps {
		g.Go(func() error { return run(ctx) })
	}
	err = g.Wait()
	a.log.Info("watchtower stopped", "err", err)
	return err
}
