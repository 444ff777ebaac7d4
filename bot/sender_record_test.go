package bot_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"

	"github.com/watchtower-ops/watchtower/bot"
	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/store"
)

// flakyThreads fails SetAlertSlack a number of times before passing it to the store.
type flakyThreads struct {
	*store.Store
	mu    sync.Mutex
	fails int
}

func (f *flakyThreads) SetAlertSlack(ctx context.Context, id int64, ch, ts string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fails > 0 {
		f.fails--
		return fleet.Errorf(fleet.EUNAVAILABLE, "database blip")
	}
	return f.Store.SetAlertSlack(ctx, id, ch, ts)
}

// TestAlertParentRecordedAfterBlip: one failed write of the parent's ts is retried, without a
// second parent message, so a later resolution on any replica threads under the first.
func TestAlertParentRecordedAfterBlip(t *testing.T) {
	e := newEnv(t)
	api := slack.New("xoxb-test", slack.OptionAPIURL(e.fake.APIURL()))
	s := bot.NewSender(e.rdb, api, &flakyThreads{Store: e.st, fails: 1}, e.st, bot.NewRenderer(nil),
		bot.SenderConfig{Prefix: e.prefix, PerSecond: 500, Burst: 50, MaxBackoff: 50 * time.Millisecond, Block: readBlock,
			Channels: map[fleet.Audience]string{fleet.AudienceAlerts: alertsCh}}, testLogger(t))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { s.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	a := openAlert(t, e, 1)
	e.notify(t, fleet.Notification{ID: "open-1", Kind: fleet.NotifyAlertOpened, Alert: &a, CreatedAt: time.Now()})
	e.waitDrained(t)
	stored, err := e.st.AlertByID(context.Background(), a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if stored.SlackTS == "" {
		t.Errorf("alert slack_ts never recorded after one transient SetAlertSlack failure")
	}
	if n := len(e.fake.Messages(alertsCh)); n != 1 {
		t.Errorf("alert messages = %d; want 1 parent (the retry must not post again)", n)
	}
}

// TestUpdateWaitsForParentFromAnotherReplica: an incident update that reaches this replica
// before the incident's first alert was posted (by another replica) waits for that parent and
// replies in its thread instead of starting a second thread.
func TestUpdateWaitsForParentFromAnotherReplica(t *testing.T) {
	e := newEnv(t)
	runSender(t, e, bot.SenderConfig{MaxBackoff: 200 * time.Millisecond})
	a := openAlert(t, e, 1)
	e.notify(t, fleet.Notification{ID: "u", Kind: fleet.NotifyAlertUpdated, Alert: &a, Text: "now 85 km/h", CreatedAt: time.Now()})
	time.Sleep(1500 * time.Millisecond) // the other replica is still posting the parent
	const parentTS = "1690000000.000100"
	if err := e.st.SetAlertSlack(context.Background(), a.ID, alertsCh, parentTS); err != nil {
		t.Fatal(err)
	}
	e.waitDrained(t)
	if top := e.fake.TopLevel(alertsCh); len(top) != 0 {
		t.Errorf("top-level messages = %+v; want none (the update belongs in the other replica's thread)", top)
	}
	posts := e.fake.Calls("chat.postMessage")
	if len(posts) != 1 || posts[0].Form.Get("thread_ts") != parentTS {
		t.Errorf("posts = %+v; want one reply in thread %s", posts, parentTS)
	}
}
