package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/watchtower-ops/watchtower/store/storetest"
)

// runCmd runs the binary's entry point in-process with a map environment and returns the exit
// code and both streams.
func runCmd(t *testing.T, env map[string]string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out, errb bytes.Buffer
	e := &environment{getenv: mapEnv(env), stdin: strings.NewReader(""), stdout: &out, stderr: &errb}
	code = exitCode(e.stderr, run(ctx, e, args))
	return code, out.String(), errb.String()
}

func TestExitCodes(t *testing.T) {
	tests := []struct {
		name     string
		env      map[string]string
		args     []string
		wantCode int
		wantErr  string
	}{
		{"serve without DATABASE_URL", nil, []string{"serve"}, 2, "DATABASE_URL"},
		{"default command is serve", nil, nil, 2, "DATABASE_URL"},
		{"migrate without DATABASE_URL", nil, []string{"migrate"}, 2, "DATABASE_URL"},
		{"malformed DATABASE_URL", map[string]string{"DATABASE_URL": "mysql://x"}, []string{"serve"}, 2, "DATABASE_URL"},
		{"malformed ADMIN_ADDR", map[string]string{"DATABASE_URL": "postgres://h/x", "ADMIN_ADDR": "9090"}, []string{"serve"}, 2, "ADMIN_ADDR"},
		{"ADMIN_ADDR on HTTP_ADDR", map[string]string{"DATABASE_URL": "postgres://h/x", "ADMIN_ADDR": ":8080"}, []string{"serve"}, 2, "ADMIN_ADDR"},
		{"malformed HTTP_ADDR", map[string]string{"DATABASE_URL": "postgres://h/x", "HTTP_ADDR": "http://0.0.0.0:8080"}, []string{"serve"}, 2, "HTTP_ADDR"},
		{"malformed REDIS_URL", map[string]string{"DATABASE_URL": "postgres://h/x", "REDIS_URL": "127.0.0.1:6379"}, []string{"serve"}, 2, "REDIS_URL"},
		{"unknown command", nil, []string{"frobnicate"}, 2, "unknown command"},
		{"bad flag", nil, []string{"version", "--nope"}, 2, "flag provided but not defined"},
		{"help", nil, []string{"serve", "--help"}, 0, "Usage: watchtower serve"},
		{"unreachable database", map[string]string{"DATABASE_URL": "postgres://wt:topsecret@127.0.0.1:1/wt?connect_timeout=2"}, []string{"migrate"}, 1, "database unreachable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCmd(t, tt.env, tt.args...)
			if code != tt.wantCode {
				t.Errorf("exit code = %d; want %d (stderr %q)", code, tt.wantCode, stderr)
			}
			if !strings.Contains(stderr, tt.wantErr) {
				t.Errorf("stderr = %q; want it to mention %q", stderr, tt.wantErr)
			}
			if strings.Contains(stderr, "topsecret") {
				t.Errorf("stderr leaks the password: %q", stderr)
			}
			if tt.wantCode == 2 && strings.Count(strings.TrimSpace(lastLine(stderr)), "\n") > 0 {
				t.Errorf("config error spans lines: %q", stderr)
			}
		})
	}
}

func mapEnv(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

func TestVersion(t *testing.T) {
	code, out, _ := runCmd(t, nil, "version")
	if code != 0 || !strings.HasPrefix(out, "watchtower ") {
		t.Errorf("version = %d %q; want 0 \"watchtower …\"", code, out)
	}
}

func TestMigrateTwiceAndSeed(t *testing.T) {
	pool := storetest.NewDB(t)
	env := map[string]string{"DATABASE_URL": storetest.URL(pool)}
	for i := range 2 {
		if code, _, stderr := runCmd(t, env, "migrate"); code != 0 {
			t.Fatalf("migrate run %d: exit %d, stderr %q", i+1, code, stderr)
		}
	}
	for i := range 2 {
		code, out, stderr := runCmd(t, env, "seed")
		if code != 0 {
			t.Fatalf("seed run %d: exit %d, stderr %q", i+1, code, stderr)
		}
		if !strings.Contains(out, "demo fleet loaded: ") || !strings.Contains(out, " trucks") || strings.ContainsAny(out, "{}") {
			t.Errorf("seed output = %q; want a summary", out)
		}
	}
	var trucks int
	if err := pool.QueryRow(context.Background(), "SELECT count(*) FROM trucks").Scan(&trucks); err != nil {
		t.Fatal(err)
	}
	if trucks < 40 {
		t.Errorf("trucks after seed = %d; want at least 40", trucks)
	}
}

func TestServeHealthAndShutdown(t *testing.T) {
	pool := storetest.NewDB(t)
	_, prefix := storetest.NewRedis(t)
	addr, adminAddr := freeAddr(t), freeAddr(t)
	env := map[string]string{
		"DATABASE_URL": storetest.URL(pool),
		"REDIS_URL":    testRedisURL(),
		"REDIS_PREFIX": prefix,
		"HTTP_ADDR":    addr,
		"ADMIN_ADDR":   adminAddr,
		"LOG_LEVEL":    "warn",
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		e := &environment{getenv: mapEnv(env), stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard}
		done <- run(ctx, e, []string{"serve"})
	}()
	base, admin := "http://"+addr, "http://"+adminAddr
	waitFor(t, base+"/healthz")
	// Operators' endpoints answer on ADMIN_ADDR only; the public listener never serves them.
	tests := []struct {
		url  string
		want int
	}{
		{base + "/healthz", http.StatusOK},
		{base + "/readyz", http.StatusOK},
		{base + "/metrics", http.StatusNotFound},
		{base + "/debug/pprof/", http.StatusNotFound},
		{admin + "/metrics", http.StatusOK},
		{admin + "/debug/pprof/", http.StatusOK},
		{admin + "/debug/pprof/heap?debug=1", http.StatusOK},
		{admin + "/healthz", http.StatusNotFound},
	}
	for _, tt := range tests {
		resp, err := http.Get(tt.url)
		if err != nil {
			t.Fatalf("GET %s: %v", tt.url, err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.want {
			t.Errorf("GET %s = %d; want %d", tt.url, resp.StatusCode, tt.want)
		}
		if strings.HasSuffix(tt.url, "/metrics") && tt.want == http.StatusOK && !strings.Contains(string(body), "go_goroutines") {
			t.Errorf("GET %s has no Go runtime metrics", tt.url)
		}
	}
	for _, args := range [][]string{{"healthcheck"}, {"healthcheck", "--ready"}} {
		if code, out, stderr := runCmd(t, env, args...); code != 0 || !strings.HasPrefix(out, "ok ") {
			t.Errorf("%v = exit %d, %q %q; want 0 ok", args, code, out, stderr)
		}
	}
	if code, _, stderr := runCmd(t, map[string]string{"HTTP_ADDR": freeAddr(t)}, "healthcheck"); code != 1 || !strings.Contains(stderr, "did not answer") {
		t.Errorf("healthcheck with nothing listening = exit %d, %q; want 1 and a reason", code, stderr)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve after SIGTERM-equivalent = %v; want nil (clean shutdown)", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop within 20 s of cancellation")
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func testRedisURL() string {
	if u := os.Getenv("WATCHTOWER_TEST_REDIS_URL"); u != "" {
		return u
	}
	return "redis://127.0.0.1:6379/0"
}

func waitFor(t *testing.T, url string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s did not answer within 15 s", url)
}

// adminMetrics returns the Prometheus text on the admin listener at addr, failing the test
// unless it answers 200.
func adminMetrics(t *testing.T, addr string) string {
	t.Helper()
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s/metrics = %d; want 200", addr, resp.StatusCode)
	}
	return string(body)
}
