package main

import (
	"bytes"
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/watchtower-ops/watchtower/bot/console"
	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/store"
	"github.com/watchtower-ops/watchtower/store/storetest"
	"github.com/watchtower-ops/watchtower/tools/openaifake"
)

// demoScript covers every command of the console: each slash command of the contract, free
// text through the offline parser, and the approve/reject lines that stand in for buttons.
const demoScript = `# the demo's own examples
/truck T11985LA
where is T28737LA?
create a trip for T28737LA from ESSLIBRA to ECLAT tomorrow 8am
/fleet
/near APAPA 5
# trips: the form, one typed out, details, the buttons
/trip
/trip T11985LA from APAPA to OTA at tomorrow 10am
/trip TRP-0001
approve TRP-0001
approve TRP-0001
reject TRP-0002 no driver today
/summary
/watchtower jobs
/watchtower run connectivity
/watchtower map
/watchtower help
/truck T11958LA
how many trucks are moving?
`

// demoRun runs `watchtower demo` in-process with args and stdin and returns its exit code,
// standard output and the log.
func demoRun(t *testing.T, env map[string]string, stdin string, args ...string) (code int, out, logText string) {
	t.Helper()
	logPath := filepath.Join(t.TempDir(), "demo.log")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	e := &environment{getenv: mapEnv(env), stdin: strings.NewReader(stdin), stdout: &stdout, stderr: &stderr}
	code = exitCode(e.stderr, run(ctx, e, append([]string{"demo", "--log", logPath}, args...)))
	b, _ := os.ReadFile(logPath)
	if stderr.Len() > 0 {
		t.Logf("stderr: %s", stderr.String())
	}
	return code, stdout.String(), string(b)
}

// answers splits a demo transcript into the answer to each line ("> line" then the answer up
// to the next line), leaving out event lines, which start with the time.
func answers(out string) map[string]string {
	got := map[string]string{}
	var line string
	var b strings.Builder
	flush := func() {
		if line != "" {
			got[line] += b.String()
		}
		b.Reset()
	}
	for _, l := range strings.Split(out, "\n") {
		if rest, ok := strings.CutPrefix(l, console.Prompt); ok {
			flush()
			line = rest
			continue
		}
		if len(l) > 6 && l[2] == ':' && l[5] == ' ' { // "14:05 …" is an event
			continue
		}
		b.WriteString(l + "\n")
	}
	flush()
	return got
}

func demoEnv(t *testing.T) (map[string]string, *store.Store) {
	pool := storetest.NewDB(t)
	_, prefix := storetest.NewRedis(t)
	return map[string]string{
		"DATABASE_URL": storetest.URL(pool), "REDIS_URL": testRedisURL(), "REDIS_PREFIX": prefix,
		"HTTP_ADDR": freeAddr(t), "ADMIN_ADDR": "127.0.0.1:0",
	}, store.New(pool)
}

// TestDemoScript runs the demo over a script covering every command and checks each answer,
// then runs it again, piped, to check that it continues where it stopped.
func TestDemoScript(t *testing.T) {
	env, st := demoEnv(t)
	script := filepath.Join(t.TempDir(), "demo.txt")
	if err := os.WriteFile(script, []byte(demoScript), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, logText := demoRun(t, env, "", "--script", script)
	if code != 0 {
		t.Fatalf("demo --script exit code = %d; want 0\n%s\nlog:\n%s", code, out, logText)
	}
	checkDemoGreeting(t, out)
	got := answers(out)
	for _, tt := range demoWant {
		ans, ok := got[tt.line]
		if !ok {
			t.Errorf("no answer to %q in the transcript:\n%s", tt.line, out)
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(ans, w) {
				t.Errorf("answer to %q = %q; want it to contain %q", tt.line, ans, w)
			}
		}
	}
	for _, w := range []string{"Trip TRP-0001 needs approval", "'approve TRP-0001'", "Trip TRP-0002 rejected by console"} {
		if !strings.Contains(out, w) {
			t.Errorf("transcript lacks the event %q:\n%s", w, out)
		}
	}
	checkDemoTrips(t, st)
	if strings.Contains(logText, env["DATABASE_URL"]) {
		t.Error("the log holds the database URL with its password")
	}

	demoAgain(t, env)
}

// demoAgain runs the demo a second time, on piped standard input and with a (fake) model: it
// continues where the first run stopped, and free text goes to the model.
func demoAgain(t *testing.T, env map[string]string) {
	fake := openaifake.New()
	defer fake.Close()
	fake.Script(openaifake.Step{Calls: []openaifake.Call{{Name: "get_truck_location", Arguments: `{"truck":"T11985LA"}`}}},
		openaifake.Step{Text: "T11985LA is on the move near Ilupeju."})
	env["OPENAI_API_KEY"], env["OPENAI_BASE_URL"] = "sk-test", fake.BaseURL()
	code, out, logText := demoRun(t, env, "/trip TRP-0001\nwhere is T11985LA?\n")
	if code != 0 {
		t.Fatalf("second run: exit code %d; want 0\n%s\nlog:\n%s", code, out, logText)
	}
	got := answers(out)
	if !strings.Contains(out, "answers    the model gpt-5.4-mini at "+fake.BaseURL()) {
		t.Errorf("greeting does not name the model:\n%s", out)
	}
	if a := got["/trip TRP-0001"]; !strings.Contains(a, "Scheduled") {
		t.Errorf("second run, /trip TRP-0001 = %q; want the trip approved in the first run (Scheduled)", a)
	}
	if a := got["where is T11985LA?"]; !strings.Contains(a, "on the move near Ilupeju") || !strings.Contains(a, "── 🚚 T11985LA ──") {
		t.Errorf("second run, free text = %q; want the model's words and the truck card", a)
	}
}

// demoWant is what the answer to each script line must contain.
var demoWant = []struct {
	line string
	want []string
}{
	{"/truck T11985LA", []string{"── 🚚 T11985LA ──", "Last fix:", "just now"}},
	{"where is T28737LA?", []string{"── 🚚 T28737LA ──", "Last fix:"}},
	{"create a trip for T28737LA from ESSLIBRA to ECLAT tomorrow 8am", []string{"Trip TRP-0001 requested", "Pending approval", "ESSLIBRA", "ECLAT"}},
	{"/fleet", []string{"Fleet status", "Moving:", "Idle:", "Parked:", "Offline:", "T11985LA"}},
	{"/near APAPA 5", []string{"Near APAPA", "within 5.0 km", "1. "}},
	{"/trip", []string{"The trip form is Slack's", "/trip T11985LA from ESSLIBRA to ECLAT"}},
	{"/trip T11985LA from APAPA to OTA at tomorrow 10am", []string{"Trip TRP-0002 requested", "Pending approval"}},
	{"/trip TRP-0001", []string{"TRP-0001 · T28737LA", "Pending approval", "Departure:"}},
	{"approve TRP-0001", []string{"Trip TRP-0001 approved", "Approved by console"}},
	{"reject TRP-0002 no driver today", []string{"Trip TRP-0002 rejected", "Rejected by console", "no driver today"}},
	{"/summary", []string{"Daily summary", "Trips: 2 created"}},
	{"/watchtower jobs", []string{"Scheduled jobs", "daily-summary", "connectivity", "GOOGLE_SHEETS_ID is not set"}},
	{"/watchtower run connectivity", []string{"connectivity", "done in"}},
	{"/watchtower map", []string{"Live fleet map, valid until", "/map?t="}},
	{"/watchtower help", []string{"/truck T11985LA", "/near", "/summary", "'approve TRP-…'"}},
	{"/truck T11958LA", []string{"not found", "Did you mean T11985LA?"}},
	{"how many trucks are moving?", []string{"Fleet status — moving", "Moving:"}},
}

func checkDemoGreeting(t *testing.T, out string) {
	t.Helper()
	for _, w := range []string{"60 trucks at 13 sites", "the offline intent parser", "All 60 trucks reported", "/near APAPA 5"} {
		if !strings.Contains(out, w) {
			t.Errorf("greeting lacks %q:\n%s", w, out)
		}
	}
	if got := answers(out)["approve TRP-0001"]; strings.Count(out, "already approved by console") != 1 || got == "" {
		t.Errorf("the second 'approve TRP-0001' should say it was already approved:\n%s", out)
	}
}

// checkDemoTrips checks what the script left in the database.
func checkDemoTrips(t *testing.T, st *store.Store) {
	t.Helper()
	for code, want := range map[string]fleet.TripStatus{"TRP-0001": fleet.TripScheduled, "TRP-0002": fleet.TripRejected} {
		trip, err := st.TripByCode(context.Background(), code)
		if err != nil {
			t.Fatalf("TripByCode(%q) = %v", code, err)
		}
		if trip.Status != want || trip.DecidedBy != console.Caller().UserID {
			t.Errorf("%s status %s decided by %q; want %s by %q", code, trip.Status, trip.DecidedBy, want, console.Caller().UserID)
		}
	}
}

// TestDemoBadUsage checks the demo's usage errors: they exit 2 naming what is wrong.
func TestDemoBadUsage(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		args []string
		want string
	}{
		{"missing script", map[string]string{"DATABASE_URL": "postgres://x@127.0.0.1:1/x"}, []string{"--script", "/nonexistent/demo.txt"}, "--script"},
		{"bad speedup", nil, []string{"--speedup", "0"}, "--speedup"},
		{"bad admin address", map[string]string{"ADMIN_ADDR": "localhost"}, nil, "ADMIN_ADDR"},
		{"port taken", map[string]string{"DATABASE_URL": "postgres://x@127.0.0.1:1/x"}, nil, "HTTP_ADDR"},
		{"admin port taken", map[string]string{"DATABASE_URL": "postgres://x@127.0.0.1:1/x", "HTTP_ADDR": "127.0.0.1:0"}, nil, "ADMIN_ADDR"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if v := map[string]string{"port taken": "HTTP_ADDR", "admin port taken": "ADMIN_ADDR"}[tt.name]; v != "" {
				addr := freeAddr(t)
				ln, err := net.Listen("tcp", addr)
				if err != nil {
					t.Fatal(err)
				}
				defer ln.Close()
				tt.env[v] = addr
			}
			args := append([]string{"demo", "--log", filepath.Join(t.TempDir(), "demo.log")}, tt.args...)
			code, _, stderr := runCmd(t, tt.env, args...)
			if code != 2 || !strings.Contains(stderr, tt.want) {
				t.Errorf("demo %v = exit %d, stderr %q; want 2 naming %s", tt.args, code, stderr, tt.want)
			}
		})
	}
}
