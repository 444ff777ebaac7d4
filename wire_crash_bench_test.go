package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/watchtower-ops/watchtower/bot/slackfake"
	"github.com/watchtower-ops/watchtower/store"
	"github.com/watchtower-ops/watchtower/store/seed"
	"github.com/watchtower-ops/watchtower/store/storetest"
)

// childEnv carries the environment of `serve` to a child process started by
// BenchmarkWebhookToSlackAfterKill; the child is this test binary running TestServeChild.
const childEnv = "WATCHTOWER_BENCH_SERVE_ENV"

// TestServeChild is not a test: in a child process started by
// BenchmarkWebhookToSlackAfterKill (childEnv set) it runs `serve` until it is killed.
func TestServeChild(t *testing.T) {
	raw := os.Getenv(childEnv)
	if raw == "" {
		t.Skip("only runs as the child process of BenchmarkWebhookToSlackAfterKill")
	}
	env := map[string]string{}
	if err := json.Unmarshal([]byte(raw), &env); err != nil {
		t.Fatal(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	e := &environment{getenv: mapEnv(env), stdin: strings.NewReader(""), stdout: io.Discard, stderr: os.Stderr}
	if err := run(ctx, e, []string{"serve"}); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkWebhookToSlackAfterKill measures a rule-breaking fix (a truck on a trip entering a
// site) reaching Slack when the process delivering it dies: `serve` runs in a child process;
// Slack answers 503 to the alert, so the entry is read and pending but not acknowledged; the
// child is killed with SIGKILL and a fresh one started under the same host name. The time is
// from the webhook to the alert's message in the fake Slack, the restart included.
func BenchmarkWebhookToSlackAfterKill(b *testing.B) {
	pool := storetest.NewDB(b)
	_, prefix := storetest.NewRedis(b)
	st := store.New(pool)
	if _, err := seed.Load(context.Background(), st); err != nil {
		b.Fatal(err)
	}
	fake := slackfake.New(slackfake.WithPingInterval(time.Second))
	b.Cleanup(fake.Close)
	addr := botFreeAddr(b)
	env, _ := json.Marshal(map[string]string{
		"DATABASE_URL": storetest.URL(pool), "REDIS_URL": testRedisURL(), "REDIS_PREFIX": prefix,
		"HTTP_ADDR": addr, "ADMIN_ADDR": "127.0.0.1:0", "LOG_LEVEL": "error", "LOCONAV_WEBHOOK_SECRET": botTestSecret,
		"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_APP_TOKEN": "xapp-test", "SLACK_API_URL": fake.APIURL(),
		"SLACK_ALERTS_CHANNEL": "CALERTS", "SLACK_SUMMARY_CHANNEL": "CSUMMARY", "SLACK_DISPATCH_CHANNEL": botDispatch,
		"SLACK_APPROVERS": "UAPPROVER", "GEOFENCE_DWELL": "1s",
	})
	s := &slackServe{fake: fake, st: st, base: "http://" + addr}
	trucks := scheduleTrips(b, st, min(b.N, 50))
	if b.N > len(trucks) {
		b.Fatalf("run with -benchtime=Nx, N ≤ %d (one truck per iteration)", len(trucks))
	}
	var worst time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		child := startChild(b, string(env), s)
		fake.Inject(slackfake.Fault{Method: "chat.postMessage", Channel: botDispatch, Status: http.StatusServiceUnavailable})
		failed := failedPosts(fake)
		b.StartTimer()
		t0 := time.Now()
		s.post(b, fixes(trucks[i].imei, trucks[i].plate, time.Now().Add(-30*time.Second), apapa, apapa))
		if err := fake.WaitTimeout(20*time.Second, "a refused post", func() bool { return failedPosts(fake) > failed }); err != nil {
			b.Fatal(err)
		}
		_ = child.Process.Kill() // SIGKILL: the entry is read, not acknowledged
		_ = child.Wait()
		fake.ClearFaults()
		killed := time.Since(t0)
		child = startChild(b, string(env), s)
		if err := fake.WaitTimeout(60*time.Second, "alert", func() bool { return enteredAlerts(fake) == i+1 }); err != nil {
			b.Fatal(err)
		}
		d := time.Since(t0)
		b.StopTimer()
		b.Logf("fix → Slack %v (killed after %v)", d.Round(time.Millisecond), killed.Round(time.Millisecond))
		worst = max(worst, d)
		_ = child.Process.Signal(syscall.SIGTERM)
		_ = child.Wait()
		b.StartTimer()
	}
	b.StopTimer()
	b.ReportMetric(float64(worst.Milliseconds()), "max_ms")
}

// failedPosts counts the posts the fake refused with an injected fault.
func failedPosts(fake *slackfake.Server) int {
	n := 0
	for _, c := range fake.Calls("chat.postMessage") {
		if c.Fault != "" {
			n++
		}
	}
	return n
}

// startChild starts `serve` in a child process and waits until it takes webhooks.
func startChild(b *testing.B, env string, s *slackServe) *exec.Cmd {
	b.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestServeChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), childEnv+"="+env)
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	botWaitHTTP(b, s.base+"/healthz")
	return cmd
}
