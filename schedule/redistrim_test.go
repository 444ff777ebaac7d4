package schedule

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/store/storetest"
)

// TestTrimKeepsUndeliveredNotifications: after a long Slack outage the notify stream holds
// entries older than the retention that the slack group has not delivered (or has delivered
// but not acknowledged); trimming keeps them and drops only what the group is done with.
func TestTrimKeepsUndeliveredNotifications(t *testing.T) {
	ctx := context.Background()
	rdb, prefix := storetest.NewRedis(t)
	key := fleet.Keys{Prefix: prefix}.Notify()
	now := time.Date(2025, 11, 24, 2, 0, 0, 0, time.UTC)
	old := now.Add(-10 * day)
	var ids []string
	for i := range 4 {
		id := strconv.FormatInt(old.Add(time.Duration(i)*time.Minute).UnixMilli(), 10) + "-0"
		if err := rdb.XAdd(ctx, &redis.XAddArgs{Stream: key, ID: id, Values: map[string]any{"n": "{}"}}).Err(); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	if err := rdb.XGroupCreate(ctx, key, "slack", "0").Err(); err != nil {
		t.Fatal(err)
	}
	// The group read and acknowledged the first entry, read the second (pending), and has not
	// seen the last two.
	got, err := rdb.XReadGroup(ctx, &redis.XReadGroupArgs{Group: "slack", Consumer: "c", Streams: []string{key, ">"}, Count: 2}).Result()
	if err != nil || len(got[0].Messages) != 2 {
		t.Fatalf("XREADGROUP = %v, %v", got, err)
	}
	if err := rdb.XAck(ctx, key, "slack", ids[0]).Err(); err != nil {
		t.Fatal(err)
	}
	tr := RedisTrimmer{RDB: rdb, Prefix: prefix}
	if _, err := tr.Trim(ctx, Retention{Streams: 7 * day, DeadLetters: 30 * day}, now); err != nil {
		t.Fatalf("Trim: %v", err)
	}
	left, err := rdb.XRange(ctx, key, "-", "+").Result()
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != 3 || left[0].ID != ids[1] {
		t.Errorf("notify stream after trim = %d entries from %v; want the 3 the group still needs, from %s", len(left), left, ids[1])
	}
}
