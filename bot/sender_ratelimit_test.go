package bot_test

import (
	"context"
	"testing"
	"time"

	"github.com/go-redis/redis_rate/v10"

	"github.com/watchtower-ops/watchtower/bot"
	"github.com/watchtower-ops/watchtower/fleet"
)

// TestSenderLocksOnlyOnceAdmitted: a notification waiting for its channel's rate limit (here
// spent by another replica, through the shared bucket in Redis) does not hold its delivery
// lock, so a replica that dies while waiting leaves nothing for the others to wait out.
func TestSenderLocksOnlyOnceAdmitted(t *testing.T) {
	e := newEnv(t)
	keys := fleet.Keys{Prefix: e.prefix}
	limit := redis_rate.Limit{Rate: 1, Burst: 1, Period: time.Minute}
	if _, err := redis_rate.NewLimiter(e.rdb).Allow(context.Background(), keys.SlackRate(alertsCh), limit); err != nil {
		t.Fatal(err) // the other replica's message: the next one waits about a minute
	}
	runSender(t, e, bot.SenderConfig{PerSecond: 1.0 / 60, Burst: 1})
	e.notify(t, fleet.Notification{ID: "n1", Kind: fleet.NotifySystem, Audience: fleet.AudienceAlerts, Text: "waiting"})
	read := func() bool {
		groups, err := e.rdb.XInfoGroups(context.Background(), keys.Notify()).Result()
		return err == nil && len(groups) == 1 && groups[0].Pending == 1
	}
	if err := e.fake.WaitTimeout(waitFor, "the sender to read the entry", read); err != nil {
		t.Fatal(err)
	}
	for range 20 {
		n, err := e.rdb.Exists(context.Background(), keys.NotifyLock("n1")).Result()
		if err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Fatalf("the delivery lock is held while the message waits for the rate limit")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if got := len(e.fake.TopLevel(alertsCh)); got != 0 {
		t.Errorf("messages posted = %d; want 0 until the rate limit admits one", got)
	}
}
