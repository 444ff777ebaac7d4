package bot_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/slack-go/slack"

	"github.com/watchtower-ops/watchtower/bot"
	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/store/storetest"
)

// senderChildEnv carries the settings of a sender run in a child process by
// TestSenderTakesOverFromKilledReplica; the child is this test binary running
// TestSenderChild.
const senderChildEnv = "WATCHTOWER_TEST_SENDER_CHILD"

// senderChild is what the child needs to run a sender.
type senderChild struct {
	RedisURL, Prefix, SlackURL, Consumer string
}

// TestSenderChild is not a test: in a child process (senderChildEnv set) it runs a sender
// until it is killed.
func TestSenderChild(t *testing.T) {
	raw := os.Getenv(senderChildEnv)
	if raw == "" {
		t.Skip("only runs as the child process of TestSenderTakesOverFromKilledReplica")
	}
	var c senderChild
	if err := json.Unmarshal([]byte(raw), &c); err != nil {
		t.Fatal(err)
	}
	opts, err := redis.ParseURL(c.RedisURL)
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opts)
	defer rdb.Close()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	api := slack.New("xoxb-test", slack.OptionAPIURL(c.SlackURL))
	s := bot.NewSender(rdb, api, nil, nil, bot.NewRenderer(nil), bot.SenderConfig{Prefix: c.Prefix, Consumer: c.Consumer,
		Channels: map[fleet.Audience]string{fleet.AudienceAlerts: alertsCh}, PerSecond: 500, Burst: 50, Block: readBlock}, testLogger(t))
	if err := s.Run(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestSenderTakesOverFromKilledReplica: replica A is killed with SIGKILL in the middle of a
// Slack call, holding the entry's delivery lock (nothing unlocks it). Replica B, another
// consumer on the same Redis, takes the entry over and delivers it within the product's
// bound of 20 s after the kill — not after a long lock TTL — and exactly once.
func TestSenderTakesOverFromKilledReplica(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	keys := fleet.Keys{Prefix: e.prefix}
	if err := e.rdb.XGroupCreateMkStream(ctx, keys.Notify(), bot.NotifyGroup, "0").Err(); err != nil {
		t.Fatal(err)
	}
	e.fake.Inject(slackfakeHang)
	e.notify(t, fleet.Notification{ID: "n1", Kind: fleet.NotifySystem, Audience: fleet.AudienceAlerts, Text: "delivered once"})

	redisURL := os.Getenv(storetest.RedisURLEnv)
	if redisURL == "" {
		redisURL = "redis://127.0.0.1:6379/0"
	}
	raw, _ := json.Marshal(senderChild{RedisURL: redisURL, Prefix: e.prefix, SlackURL: e.fake.APIURL(), Consumer: "replica-a"})
	child := exec.Command(os.Args[0], "-test.run=^TestSenderChild$", "-test.count=1")
	child.Env = append(os.Environ(), senderChildEnv+"="+string(raw))
	if err := child.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = child.Process.Kill(); _ = child.Wait() })
	hanging := func() bool {
		for _, c := range e.fake.Calls("chat.postMessage") {
			if c.Fault == "hang" {
				return true
			}
		}
		return false
	}
	if err := e.fake.WaitTimeout(waitFor, "replica A in the middle of its Slack call", hanging); err != nil {
		t.Fatal(err)
	}
	if holder, err := e.rdb.Get(ctx, keys.NotifyLock("n1")).Result(); err != nil || holder != "replica-a" {
		t.Fatalf("delivery lock holder = %q, %v; want replica-a holding it mid-call", holder, err)
	}
	// Hold the call a few renewals long: a live holder keeps its lock past lockTTL.
	time.Sleep(8 * time.Second)
	if holder, _ := e.rdb.Get(ctx, keys.NotifyLock("n1")).Result(); holder != "replica-a" {
		t.Fatalf("delivery lock holder after 8 s of a slow call = %q; want replica-a still (renewed)", holder)
	}
	_ = child.Process.Kill() // SIGKILL: no unlock, no acknowledgement
	_ = child.Wait()
	killed := time.Now()

	runSender(t, e, bot.SenderConfig{Consumer: "replica-b", ClaimIdle: time.Second})
	const bound = 20 * time.Second
	if err := e.fake.WaitTimeout(bound, "the message from replica B", func() bool { return len(e.fake.Messages(alertsCh)) >= 1 }); err != nil {
		t.Fatalf("not delivered within %v of the kill: %v", bound, err)
	}
	took := time.Since(killed)
	t.Logf("kill -9 mid-delivery → delivered by another replica in %v", took.Round(time.Millisecond))
	if err := e.fake.WaitTimeout(waitFor, "the entry acknowledged", func() bool { return e.drained(t) }); err != nil {
		t.Fatal(err)
	}
	time.Sleep(500 * time.Millisecond) // give a wrong second post the time to show
	msgs := e.fake.Messages(alertsCh)
	if len(msgs) != 1 || !strings.Contains(msgs[0].Text, "delivered once") {
		t.Errorf("messages = %+v; want the notification exactly once", msgs)
	}
}
