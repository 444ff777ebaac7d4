package loconav_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/redis/go-redis/v9"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/ingest"
	"github.com/watchtower-ops/watchtower/ingest/loconav"
	"github.com/watchtower-ops/watchtower/ingest/loconav/loconavfake"
	"github.com/watchtower-ops/watchtower/store"
	"github.com/watchtower-ops/watchtower/store/storetest"
)

// Compile-time checks: the real store and streams satisfy the interfaces this package declares.
var (
	_ loconav.RosterStore = (*store.Store)(nil)
	_ loconav.PollStore   = (*store.Store)(nil)
	_ loconav.PushStore   = (*store.Store)(nil)
	_ loconav.Enqueuer    = (*ingest.Producer)(nil)
	_ loconav.Notifier    = (*ingest.NotifyStream)(nil)
)

// env is a fake LocoNav, a client for it, a migrated database and a Redis key space.
type env struct {
	fake   *loconavfake.Server
	client *loconav.Client
	store  *store.Store
	rdb    *redis.Client
	prefix string
	logs   *syncBuffer
	log    *slog.Logger
}

func newEnv(t *testing.T, vehicles ...loconavfake.Vehicle) *env {
	t.Helper()
	fake := loconavfake.Start(testToken)
	t.Cleanup(fake.Close)
	fake.AddVehicles(vehicles...)
	rdb, prefix := storetest.NewRedis(t)
	e := &env{fake: fake, client: newClient(t, fake.URL(), testToken), store: store.New(storetest.NewDB(t)),
		rdb: rdb, prefix: prefix, logs: &syncBuffer{}}
	e.log = slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	t.Cleanup(func() {
		if strings.Contains(e.logs.String(), testToken) {
			t.Errorf("the logs contain the LocoNav token:\n%s", e.logs.String())
		}
		if t.Failed() {
			t.Logf("logs:\n%s", e.logs.String())
		}
	})
	return e
}

// importRoster links the fake's vehicles to trucks.
func (e *env) importRoster(t *testing.T) loconav.RosterReport {
	t.Helper()
	rep, err := loconav.NewRoster(e.client, e.store, 10, e.log).Sync(context.Background())
	if err != nil {
		t.Fatalf("Roster.Sync: %v", err)
	}
	return rep
}

// notifications returns the notifications on the notify stream, oldest first.
func (e *env) notifications(t *testing.T) []fleet.Notification {
	t.Helper()
	msgs, err := e.rdb.XRange(context.Background(), fleet.Keys{Prefix: e.prefix}.Notify(), "-", "+").Result()
	if err != nil {
		t.Fatalf("XRANGE notify: %v", err)
	}
	out := make([]fleet.Notification, 0, len(msgs))
	for _, m := range msgs {
		var n fleet.Notification
		if err := json.Unmarshal([]byte(m.Values[ingest.NotifyField].(string)), &n); err != nil {
			t.Fatalf("notification %s: %v", m.ID, err)
		}
		out = append(out, n)
	}
	return out
}

// syncBuffer is a bytes.Buffer safe for the logger's concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
