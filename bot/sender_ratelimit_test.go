package bot_test

import (
	"context"
	"strings"
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

// TestSenderTakesBackItsOwnLock: a replica killed mid-delivery leaves its entry pending and
// its delivery lock set; restarted under the same name it delivers at once, while a lock
// another replica holds is still respected.
func TestSenderTakesBackItsOwnLock(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	keys := fleet.Keys{Prefix: e.prefix}
	if err := e.rdb.XGroupCreateMkStream(ctx, keys.Notify(), bot.NotifyGroup, "0").Err(); err != nil {
		t.Fatal(err)
	}
	e.notify(t, fleet.Notification{ID: "mine", Kind: fleet.NotifySystem, Text: "left by my previous run"})
	e.notify(t, fleet.Notification{ID: "theirs", Kind: fleet.NotifySystem, Text: "being sent by replica-b"})
	if err := e.rdb.XReadGroup(ctx, &redisXReadGroup{Group: bot.NotifyGroup, Consumer: "replica-a",
		Streams: []string{keys.Notify(), ">"}, Count: 2}).Err(); err != nil {
		t.Fatal(err)
	}
	e.rdb.Set(ctx, keys.NotifyLock("mine"), "replica-a", 2*time.Minute)
	e.rdb.Set(ctx, keys.NotifyLock("theirs"), "replica-b", 2*time.Minute)
	runSender(t, e, bot.SenderConfig{Consumer: "replica-a", ClaimIdle: time.Hour})
	if err := e.fake.WaitTimeout(waitFor, "the own entry", func() bool { return len(e.fake.Messages(alertsCh)) >= 1 }); err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond) // give a wrong second post the time to show
	msgs := e.fake.Messages(alertsCh)
	if len(msgs) != 1 || !strings.Contains(msgs[0].Text, "left by my previous run") {
		t.Errorf("messages = %+v; want only the entry under this replica's own lock", msgs)
	}
}
