package bot_test

import (
	"context"
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/slack-go/slack"

	"github.com/watchtower-ops/watchtower/bot"
	"github.com/watchtower-ops/watchtower/bot/slackfake"
	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/store/seed"
	"github.com/watchtower-ops/watchtower/tools"
	"github.com/watchtower-ops/watchtower/tools/openaifake"
)

// streamNotifier appends notifications to the notify stream the way ingest's producer does
// (one entry, field "n"), for the fleet functions' trip approvals.
type streamNotifier struct {
	rdb    *redis.Client
	prefix string
}

func (s streamNotifier) Notify(ctx context.Context, n fleet.Notification) error {
	b, err := json.Marshal(n)
	if err != nil {
		return err
	}
	return s.rdb.XAdd(ctx, &redis.XAddArgs{Stream: fleet.Keys{Prefix: s.prefix}.Notify(), Values: map[string]any{"n": string(b)}}).Err()
}

// harness is the whole Slack side running against the fake Slack, real Postgres (seeded with
// the demo fleet) and Redis, and the fake OpenAI when the model is on.
type harness struct {
	*env
	oai        *openaifake.Server
	reg        *tools.Registry
	handler    *bot.Handler
	api        *slack.Client
	channels   map[fleet.Audience]string
	stopSender func(t testing.TB) // stops the running sender, as a crash or restart would
	digest     bool
}

type harnessOpts struct {
	model         bool // answer free text with the (fake) model instead of the offline parser
	answerWorkers int
	digest        bool // info alerts come in digests (ALERT_DIGEST_EVERY > 0)
}

func newHarness(t testing.TB, o harnessOpts) *harness {
	t.Helper()
	e := newEnv(t)
	ctx := context.Background()
	if _, err := seed.Load(ctx, e.st); err != nil {
		t.Fatal(err)
	}
	h := &harness{env: e, digest: o.digest}
	log := testLogger(t)
	h.reg = tools.NewRegistry(e.st, streamNotifier{e.rdb, e.prefix}, tools.Options{Logger: log})
	cfg := tools.AgentConfig{MaxRetries: -1}
	if o.model {
		h.oai = openaifake.New()
		t.Cleanup(h.oai.Close)
		cfg.APIKey, cfg.BaseURL, cfg.Model = "sk-test", h.oai.BaseURL(), "gpt-test"
	}
	agent := tools.NewAgent(h.reg, tools.NewRedisMemory(e.rdb, e.prefix, time.Hour), cfg, log)
	api := slack.New("xoxb-test", slack.OptionAppLevelToken("xapp-test"), slack.OptionAPIURL(e.fake.APIURL()))
	e.fake.AddUserGroup("S0ONCALL", "UOPS1", "UOPS2", "UOPS3", "UOPS4") // the on-call group escalations mention
	handler := bot.NewHandler(bot.HandlerDeps{Lookups: h.reg, Desk: h.reg, Asker: agent, Trips: e.st, Alerts: h.reg, Trucks: e.st, History: e.st,
		Approvers: bot.Approvers{"UAPPROVER", "UAPPROVER2"}, OnCall: bot.NewOnCall("S0ONCALL", api), Log: log})
	channels := map[fleet.Audience]string{fleet.AudienceAlerts: alertsCh, fleet.AudienceSummary: summaryCh, fleet.AudienceDispatch: dispatchCh}
	app := bot.NewApp(bot.Config{Channels: channels, Prefix: e.prefix, PingInterval: 5 * time.Second,
		AnswerWorkers: o.answerWorkers}, api, handler, e.st, e.rdb, log)
	h.api, h.channels, h.handler = api, channels, handler
	h.run(t, app.Run)
	h.startSender(t)
	if err := e.fake.WaitTimeout(waitFor, "the app to connect", func() bool { return e.fake.Connections() > 0 }); err != nil {
		t.Fatal(err)
	}
	return h
}

// run starts the components until the test ends; each must return nil on shutdown.
func (h *harness) run(t testing.TB, comps ...func(context.Context) error) {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for _, c := range comps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := c(ctx); err != nil {
				t.Errorf("component returned %v", err)
			}
		}()
	}
	t.Cleanup(func() { cancel(); wg.Wait() })
}

// placeTruck records a fresh fix for plate at p.
func (h *harness) placeTruck(t testing.TB, plate string, p fleet.Point, speed float64) {
	t.Helper()
	now := time.Now().Add(-3 * time.Minute)
	st := fleet.TruckState{Plate: plate, FixTime: now, ReceivedAt: now, Point: p, SpeedKmh: speed, Ignition: speed > 0}
	if _, err := h.st.UpsertTruckState(context.Background(), nil, st); err != nil {
		t.Fatal(err)
	}
}

// ackOf waits for the ack of an envelope and checks it came once.
func (h *harness) ackOf(t *testing.T, envelopeID string) slackfake.Ack {
	t.Helper()
	a, err := h.fake.WaitAck(waitFor, envelopeID)
	if err != nil {
		t.Fatal(err)
	}
	if n := h.fake.AckCount(envelopeID); n != 1 {
		t.Errorf("envelope %s acked %d times; want once", envelopeID, n)
	}
	return a
}

// responses waits for n posts to response URLs and returns them.
func (h *harness) responses(t *testing.T, n int) []slackfake.ResponsePost {
	t.Helper()
	if err := h.fake.WaitTimeout(waitFor, "response_url posts", func() bool { return len(h.fake.ResponsePosts()) >= n }); err != nil {
		t.Fatal(err)
	}
	return h.fake.ResponsePosts()
}

// startSender starts a new sender (a fresh process as far as memory goes) until stopSender or
// the end of the test.
func (h *harness) startSender(t testing.TB) {
	sender := bot.NewSender(h.rdb, h.api, h.st, h.st, bot.NewRenderer(nil),
		bot.SenderConfig{Prefix: h.prefix, Channels: h.channels, PerSecond: 500, Burst: 50, Block: readBlock,
			Oncall: "S0ONCALL", DigestInfo: h.digest, Routes: fleet.AlertRoutes{Kinds: map[fleet.AlertKind]string{fleet.AlertHarshDriving: summaryCh},
				Severities: map[fleet.Severity]string{fleet.SeverityCritical: dispatchCh}}}, testLogger(t))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- sender.Run(ctx) }()
	var once sync.Once
	stop := func(t testing.TB) {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("sender returned %v", err)
			}
		})
	}
	h.stopSender = stop
	t.Cleanup(func() { stop(t) })
}
