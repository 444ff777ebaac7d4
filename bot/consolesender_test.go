package bot_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/watchtower-ops/watchtower/bot"
	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/store/storetest"
)

// lines collects what a ConsoleSender prints.
type lines struct {
	mu  sync.Mutex
	got []string
}

func (l *lines) print(s string) {
	l.mu.Lock()
	l.got = append(l.got, s)
	l.mu.Unlock()
}

func (l *lines) snapshot() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.got...)
}

// waitLines waits until n lines were printed and returns them.
func (l *lines) waitLines(t *testing.T, n int) []string {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	for time.Now().Before(deadline) {
		if got := l.snapshot(); len(got) >= n {
			return got
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("console printed %q; want %d lines", l.snapshot(), n)
	return nil
}

// runConsole runs a ConsoleSender until stop is called or the test ends.
func runConsole(t *testing.T, rdb *redis.Client, prefix string, backlog int) (*bot.ConsoleSender, *lines, func()) {
	t.Helper()
	out := &lines{}
	c := bot.NewConsoleSender(rdb, bot.NewRenderer(fleet.Lagos()), bot.ConsoleConfig{Prefix: prefix, Backlog: backlog, Block: readBlock}, out.print, testLogger(t))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- c.Run(ctx) }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			cancel()
			if err := <-done; err != nil {
				t.Errorf("ConsoleSender.Run = %v; want nil", err)
			}
		})
	}
	t.Cleanup(stop)
	return c, out, stop
}

func xadd(t *testing.T, rdb *redis.Client, prefix string, n fleet.Notification) {
	t.Helper()
	b, err := json.Marshal(n)
	if err != nil {
		t.Fatal(err)
	}
	if err := rdb.XAdd(context.Background(), &redis.XAddArgs{Stream: fleet.Keys{Prefix: prefix}.Notify(), Values: map[string]any{"n": string(b)}}).Err(); err != nil {
		t.Fatal(err)
	}
}

// waitGroup waits until the console group exists, so entries added after it are new to it.
func waitGroup(t *testing.T, rdb *redis.Client, prefix string) {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	for time.Now().Before(deadline) {
		groups, _ := rdb.XInfoGroups(context.Background(), fleet.Keys{Prefix: prefix}.Notify()).Result()
		for _, g := range groups {
			if g.Name == bot.ConsoleGroup {
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("the console group was not created")
}

func consolePtr[T any](v T) *T { return &v }

var consoleAt = time.Date(2026, 11, 26, 13, 5, 0, 0, time.UTC) // 14:05 in Lagos

func overspeed(plate string) fleet.Alert {
	return fleet.Alert{ID: 7, Kind: fleet.AlertOverspeed, Plate: plate, Severity: fleet.SeverityWarning,
		Message: "78 km/h on Third Mainland Bridge", OpenedAt: consoleAt}
}

// TestConsoleSenderPrintsLive checks that each notification becomes one line, in order, that
// an entry which is not a notification is skipped, and that the Slack sender's group is left
// with every entry still to deliver.
func TestConsoleSenderPrintsLive(t *testing.T) {
	rdb, prefix := storetest.NewRedis(t)
	ctx := context.Background()
	if err := rdb.XGroupCreateMkStream(ctx, fleet.Keys{Prefix: prefix}.Notify(), bot.NotifyGroup, "$").Err(); err != nil {
		t.Fatal(err)
	}
	c, out, _ := runConsole(t, rdb, prefix, 0)
	waitGroup(t, rdb, prefix)
	trip := fleet.Trip{Code: "TRP-0042", Plate: "T28737LA", Origin: "ESSLIBRA", Destination: "ECLAT",
		Status: fleet.TripPendingApproval, ScheduledDeparture: consoleAt.Add(20 * time.Hour)}
	xadd(t, rdb, prefix, fleet.Notification{ID: "a", Kind: fleet.NotifyAlertOpened, Alert: consolePtr(overspeed("T11985LA")), CreatedAt: consoleAt})
	if err := rdb.XAdd(ctx, &redis.XAddArgs{Stream: fleet.Keys{Prefix: prefix}.Notify(), Values: map[string]any{"junk": "1"}}).Err(); err != nil {
		t.Fatal(err)
	}
	xadd(t, rdb, prefix, fleet.Notification{ID: "b", Kind: fleet.NotifyTripApproval, Trip: &trip, CreatedAt: consoleAt})
	got := out.waitLines(t, 2)
	want := [][]string{
		{"14:05 ", "Overspeed T11985LA: 78 km/h on Third Mainland Bridge"},
		{"14:05 ", "Trip TRP-0042 needs approval", "type 'approve TRP-0042' or 'reject TRP-0042 [reason]'"},
	}
	for i, parts := range want {
		for _, p := range parts {
			if !strings.Contains(got[i], p) {
				t.Errorf("line %d = %q; want it to contain %q", i+1, got[i], p)
			}
		}
		if strings.Contains(got[i], "\n") {
			t.Errorf("line %d = %q; want one line", i+1, got[i])
		}
	}
	waitCaughtUp(t, c)
	if got := out.snapshot(); len(got) != 2 {
		t.Errorf("console printed %d lines %q; want 2 (the junk entry skipped)", len(got), got)
	}
	groups, err := rdb.XInfoGroups(ctx, fleet.Keys{Prefix: prefix}.Notify()).Result()
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range groups {
		if g.Name == bot.NotifyGroup && (g.Lag != 3 || g.Pending != 0) {
			t.Errorf("slack group lag %d pending %d; want 3 and 0 (the console takes nothing from it)", g.Lag, g.Pending)
		}
	}
}

func waitCaughtUp(t *testing.T, c *bot.ConsoleSender) {
	t.Helper()
	deadline := time.Now().Add(waitFor)
	for time.Now().Before(deadline) {
		ok, err := c.CaughtUp(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if ok {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("CaughtUp stayed false")
}

// TestConsoleSenderBacklog checks what a console prints of the notifications that arrived
// while none ran: none with Backlog 0, else the newest Backlog after one line saying how many
// older ones it skipped.
func TestConsoleSenderBacklog(t *testing.T) {
	tests := []struct {
		name    string
		backlog int
		want    []string
	}{
		{"none", 0, nil},
		{"all of a short backlog", 5, []string{"T00000LA", "T00001LA", "T00002LA"}},
		{"the newest two", 2, []string{"1 older notification from", "T00001LA", "T00002LA"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rdb, prefix := storetest.NewRedis(t)
			_, _, stop := runConsole(t, rdb, prefix, 0)
			waitGroup(t, rdb, prefix)
			stop()
			for i := range 3 {
				xadd(t, rdb, prefix, fleet.Notification{ID: fmt.Sprint(i), Kind: fleet.NotifyAlertOpened,
					Alert: consolePtr(overspeed(fmt.Sprintf("T%05dLA", i))), CreatedAt: consoleAt})
			}
			c, out, _ := runConsole(t, rdb, prefix, tt.backlog)
			if len(tt.want) > 0 {
				out.waitLines(t, len(tt.want))
			}
			waitCaughtUp(t, c)
			got := out.snapshot()
			if len(got) != len(tt.want) {
				t.Fatalf("console printed %q; want %d lines like %q", got, len(tt.want), tt.want)
			}
			for i, w := range tt.want {
				if !strings.Contains(got[i], w) {
					t.Errorf("line %d = %q; want it to contain %q", i+1, got[i], w)
				}
			}
		})
	}
}

// TestConsoleSenderLine checks the line of each kind of notification.
func TestConsoleSenderLine(t *testing.T) {
	c := bot.NewConsoleSender(nil, bot.NewRenderer(fleet.Lagos()), bot.ConsoleConfig{}, func(string) {}, testLogger(t))
	resolved := overspeed("T11985LA")
	resolvedAt := consoleAt.Add(4 * time.Minute)
	resolved.ResolvedAt = &resolvedAt
	decided := fleet.Trip{Code: "TRP-0042", Plate: "T28737LA", Status: fleet.TripScheduled, DecidedBy: "console", DecidedAt: &consoleAt}
	tests := []struct {
		name string
		n    fleet.Notification
		want []string
	}{
		{"alert opened", fleet.Notification{Kind: fleet.NotifyAlertOpened, Alert: consolePtr(overspeed("T11985LA"))}, []string{"⚠️", "Overspeed T11985LA"}},
		{"alert resolved", fleet.Notification{Kind: fleet.NotifyAlertResolved, Alert: &resolved}, []string{"✅", "Resolved — Overspeed T11985LA"}},
		{"trip decided", fleet.Notification{Kind: fleet.NotifyTripDecided, Trip: &decided}, []string{"Trip TRP-0042 approved by console"}},
		{"trip event", fleet.Notification{Kind: fleet.NotifyTripEvent, Trip: &decided,
			Event: &fleet.Event{Kind: fleet.EventTripDeparted, SiteCode: "ESSLIBRA", At: consoleAt}}, []string{"TRP-0042 (T28737LA) departed at ESSLIBRA"}},
		{"system", fleet.Notification{Kind: fleet.NotifySystem, Text: "ingest is behind"}, []string{"⚙️", "ingest is behind"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.n.CreatedAt = consoleAt
			got := c.Line(tt.n)
			if !strings.HasPrefix(got, "14:05 ") {
				t.Errorf("Line = %q; want it to start with the Lagos time 14:05", got)
			}
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("Line = %q; want it to contain %q", got, w)
				}
			}
		})
	}
}
