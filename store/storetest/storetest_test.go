package storetest_test

import (
	"context"
	"strings"
	"testing"

	"github.com/watchtower-ops/watchtower/store/storetest"
)

func TestNewDBIsolated(t *testing.T) {
	ctx := context.Background()
	a, b := storetest.NewDB(t), storetest.NewDB(t)
	if _, err := a.Exec(ctx, `INSERT INTO drivers (name) VALUES ('only in a')`); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := b.QueryRow(ctx, `SELECT count(*) FROM drivers`).Scan(&n); err != nil || n != 0 {
		t.Errorf("second database sees %d drivers (%v); want 0", n, err)
	}
	var db string
	if err := a.QueryRow(ctx, `SELECT current_database()`).Scan(&db); err != nil || !strings.HasPrefix(db, "wt_test_") {
		t.Errorf("current_database = %q (%v); want wt_test_…", db, err)
	}
}

func TestNewRedisCleansUp(t *testing.T) {
	ctx := context.Background()
	var prefix string
	t.Run("user", func(t *testing.T) {
		rdb, p := storetest.NewRedis(t)
		prefix = p
		for _, k := range []string{p + ":ingest", p + ":notify", p + ":x:y"} {
			if err := rdb.Set(ctx, k, "1", 0).Err(); err != nil {
				t.Fatal(err)
			}
		}
	})
	if prefix == "" {
		t.Skip("Redis unavailable")
	}
	rdb, _ := storetest.NewRedis(t)
	keys, err := rdb.Keys(ctx, prefix+"*").Result()
	if err != nil || len(keys) != 0 {
		t.Errorf("keys left under %s: %q (%v); want none", prefix, keys, err)
	}
}
