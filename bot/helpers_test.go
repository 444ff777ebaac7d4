package bot_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/watchtower-ops/watchtower/bot/slackfake"
	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/store"
	"github.com/watchtower-ops/watchtower/store/storetest"
)

// Channels of the fake workspace.
const (
	alertsCh   = "CALERTS"
	summaryCh  = "CSUMMARY"
	dispatchCh = "CDISPATCH"
)

// waitFor is how long a test waits for something asynchronous before failing.
const waitFor = 20 * time.Second

// readBlock is how long the senders' stream reads wait in tests: short, so a stopped sender
// returns at once instead of after the production default of a second.
const readBlock = 20 * time.Millisecond

// testLogger discards logs unless the test runs with -v.
func testLogger(t testing.TB) *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

type tWriter struct{ t testing.TB }

func (w tWriter) Write(p []byte) (int, error) {
	w.t.Logf("%s", p)
	return len(p), nil
}

// env is a test's real Postgres and Redis plus the fake Slack.
type env struct {
	st     *store.Store
	rdb    *redis.Client
	prefix string
	fake   *slackfake.Server
}

func newEnv(t testing.TB) *env {
	t.Helper()
	if tt, ok := t.(*testing.T); ok {
		tt.Parallel() // every env has its own database, Redis prefix and fake Slack
	}
	pool := storetest.NewDB(t)
	rdb, prefix := storetest.NewRedis(t)
	fake := slackfake.New(slackfake.WithPingInterval(200 * time.Millisecond))
	t.Cleanup(fake.Close)
	for _, ch := range []string{alertsCh, summaryCh, dispatchCh} {
		fake.AddChannel(ch, ch)
	}
	fake.AddUser("UAPPROVER", "ada", "Ada Okafor")
	fake.AddUser("UDISPATCH", "tunde", "Tunde Bello")
	fake.AddUser("UOTHER", "kemi", "Kemi Ade")
	fake.AddUser("UAPPROVER2", "bola", "Bola Ige")
	return &env{st: store.New(pool), rdb: rdb, prefix: prefix, fake: fake}
}

// notify appends n to the notify stream as the producers do.
func (e *env) notify(t testing.TB, n fleet.Notification) {
	t.Helper()
	b, err := json.Marshal(n)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.rdb.XAdd(context.Background(), &redis.XAddArgs{Stream: fleet.Keys{Prefix: e.prefix}.Notify(), Values: map[string]any{"n": string(b)}}).Err(); err != nil {
		t.Fatal(err)
	}
}

// drained reports whether the sender acknowledged every entry of the notify stream.
func (e *env) drained(t testing.TB) bool {
	ctx := context.Background()
	groups, err := e.rdb.XInfoGroups(ctx, fleet.Keys{Prefix: e.prefix}.Notify()).Result()
	if err != nil || len(groups) == 0 {
		return false
	}
	return groups[0].Pending == 0 && groups[0].Lag == 0
}

// seedFleet stores two sites and three trucks.
func (e *env) seedFleet(t testing.TB) {
	t.Helper()
	ctx := context.Background()
	sites := []fleet.Site{
		{Code: "ESSLIBRA", Name: "Esslibra Terminal", Kind: fleet.SiteTerminal, Point: fleet.Point{Lat: 6.4470, Lng: 3.3690}, RadiusM: 200},
		{Code: "ECLAT", Name: "Eclat Warehouse", Kind: fleet.SiteClient, Point: fleet.Point{Lat: 6.6050, Lng: 3.3500}, RadiusM: 150},
	}
	for _, s := range sites {
		if _, err := e.st.UpsertSite(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range []string{"T11985LA", "T28737LA", "KJA123AB"} {
		if _, err := e.st.CreateTruck(ctx, fleet.Truck{Plate: p, Status: fleet.TruckOperational}); err != nil {
			t.Fatal(err)
		}
	}
}

type redisXAdd = redis.XAddArgs

var slackFault503 = slackfake.Fault{Method: "chat.postMessage", Times: 2, Status: 503}

type redisXReadGroup = redis.XReadGroupArgs

var slackfakeHang = slackfake.Fault{Method: "chat.postMessage", Times: 1, Hang: true}
