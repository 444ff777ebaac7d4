package storetest

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// NewRedis returns a client on WATCHTOWER_TEST_REDIS_URL (default local Redis, db 0) and a key
// prefix unique to this test ("wt_test_<random>", to use as REDIS_PREFIX). When t ends every
// key under the prefix is deleted and the client is closed.
func NewRedis(t testing.TB) (*redis.Client, string) {
	t.Helper()
	url := os.Getenv(RedisURLEnv)
	if url == "" {
		url = defaultRedisURL
	}
	opts, err := redis.ParseURL(url)
	if err != nil {
		t.Fatalf("storetest: %s: %v", RedisURLEnv, err)
	}
	opts.DialTimeout = 5 * time.Second
	rdb := redis.NewClient(opts)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := rdb.Ping(ctx).Err(); err != nil {
		rdb.Close()
		unavailable(t, "Redis", err)
	}
	prefix := "wt_test_" + randomSuffix()
	t.Cleanup(func() {
		defer rdb.Close()
		if err := deletePrefix(context.Background(), rdb, prefix); err != nil {
			t.Errorf("storetest: delete Redis keys %s*: %v", prefix, err)
		}
	})
	return rdb, prefix
}

// deletePrefix deletes every key starting with prefix, SCAN by SCAN.
func deletePrefix(ctx context.Context, rdb *redis.Client, prefix string) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	var cursor uint64
	for {
		keys, next, err := rdb.Scan(ctx, cursor, prefix+"*", 500).Result()
		if err != nil {
			return err
		}
		if len(keys) > 0 {
			if err := rdb.Del(ctx, keys...).Err(); err != nil {
				return err
			}
		}
		if cursor = next; cursor == 0 {
			return nil
		}
	}
}
