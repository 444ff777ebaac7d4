package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/watchtower-ops/watchtower/bot/api"
	"github.com/watchtower-ops/watchtower/bot/slackfake"
	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/fleet/fleettest"
	"github.com/watchtower-ops/watchtower/store"
	"github.com/watchtower-ops/watchtower/store/storetest"
	"github.com/watchtower-ops/watchtower/tools"
)

// goValue matches what Go prints for values that are not sentences: %v of structs, maps,
// pointers, slices of plates, nil, time.Time and time.Duration, bad verbs, fleet.Error's
// internals, and the text of library errors (JSON, Postgres, Redis, network, strconv).
var goValue = regexp.MustCompile(strings.Join([]string{
	`<nil>`, `map\[`, `&\{`, `%!`, `\{[A-Z][A-Za-z]*:`, `\b0x[0-9a-f]{6,}`, // values
	`\[[A-Z0-9-]{5,}( [A-Z0-9-]{5,})+\]`,                              // a []string of plates or codes
	`\b\d+h\d+m[\d.]+s\b`, `\b\d+m\d+(\.\d+)?s\b`, `\b\d+\.\d{2,}s\b`, // time.Duration
	`\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(\.\d+)? [+-]\d{4}`, `\bm=[+-]\d`, ` UTC m=`, // time.Time
	`code=`, `message=`, `watchtower error`, // fleet.Error dumped
	`\bjson: `, `invalid character`, `SQLSTATE`, `\bpgx\b`, `\bpgconn\b`, `\bredis: `, `dial tcp`,
	`context deadline exceeded`, `context canceled`, `\bstrconv\.`, `parsing time `, `cannot unmarshal`,
	`invalid URL escape`, `invalid syntax`, `unexpected end of JSON`, `\bEOF\b`, `no such file or directory`,
	`\bgoroutine\b`, `runtime error`, `\(\*[a-z]+\.`, // panics and method names
}, "|"))

// goValues returns the Go values in text, one line of context each.
func goValues(text string) []string {
	var out []string
	for _, line := range strings.Split(text, "\n") {
		if goValue.MatchString(line) {
			out = append(out, strings.TrimSpace(line))
		}
	}
	return out
}

func TestGoValuePattern(t *testing.T) {
	for _, bad := range []string{"{Sites:13 Drivers:60}", "map[a:1]", "took 2h15m0s", "3m0s ago", "<nil>",
		"2026-12-08 21:00:00 +0000 UTC", "watchtower error: code=invalid message=x", "&{T1 2}",
		"json: cannot unmarshal string", "offline: [T11985LA T28737LA]", "dial tcp 127.0.0.1:5432: connect: refused"} {
		if !goValue.MatchString(bad) {
			t.Errorf("goValue does not match %q", bad)
		}
	}
	for _, good := range []string{"2 h 15 min", "Tue 8 Dec 21:00", "60 trucks: 38 moving", "`/near ESSLIBRA [moving|idle]`",
		"Trip TRP-0001 approved", "done in 1.2 s", "within 5.0 km", "fix 3 min ago", "at 6.450000,3.390000"} {
		if goValue.MatchString(good) {
			t.Errorf("goValue matches the sentence %q", good)
		}
	}
}

// slackSweep is what the Slack test types: every command, free text and the buttons, with
// the bad input a newcomer gives.
var slackSweep = []struct{ command, text string }{
	{"/truck", "T11985LA"}, {"/truck", ""}, {"/truck", "T11958LA"}, {"/truck", "!!"}, {"/truck", "KJA 999 ZZ"},
	{"/fleet", ""}, {"/fleet", "moving"}, {"/fleet", "maintenance"}, {"/fleet", "offline APAPA"}, {"/fleet", "bogus"},
	{"/near", "APAPA"}, {"/near", "APAPA 500"}, {"/near", "nowhere-at-all"}, {"/near", "91,200"}, {"/near", ""},
	{"/near", "APAPA 5 maintenance"}, {"/near", "T11985LA 0.01"},
	{"/trip", "TRP-9999"}, {"/trip", "T11985LA from APAPA to OTA at tomorrow 10am"},
	{"/trip", "T11985LA from APAPA to NOWHERE at tomorrow 10am"}, {"/trip", "T11985LA from APAPA to OTA at yesterday"},
	{"/trip", "T11985LA from APAPA to OTA at 32/13/2020 25:99"}, {"/trip", "TRP-0001"}, {"/trip", "T11958LA from APAPA to OTA"},
	{"/summary", ""}, {"/summary", "yesterday"}, {"/summary", "2020-02-30"}, {"/summary", "tomorrow"},
	{"/summary", "1999-01-01"}, {"/summary", "next week"},
	{"/alerts", ""}, {"/alerts", "bogus"}, {"/alerts", "T11985LA"}, {"/site", "APAPA"}, {"/site", "nope"}, {"/site", ""},
	{"/watchtower", "help"}, {"/watchtower", "jobs"}, {"/watchtower", "run nope"}, {"/watchtower", "run connectivity"},
	{"/watchtower", "bogus"}, {"/watchtower", "map"}, {"/watchtower", ""},
}

// slackSweepText is free text for the offline parser, in a mention and a direct message.
var slackSweepText = []string{
	"where is T11985LA?", "what's the weather in Lagos?", "create a trip for T28737LA from ESSLIBRA to ECLAT tomorrow 8am",
	"create a trip for T28737LA from ESSLIBRA to ECLAT yesterday", "how did we do last week?", "trucks near Apapa",
	"hello", "how many trucks are in maintenance?", "show me trip TRP-0042", "summary for 31 February",
}

// TestNoGoValuesInSlack runs serve against the fake Slack, types every command and free text
// with good and bad input, presses the approval buttons as an approver, as someone else and on
// a trip that does not exist, and checks that nothing the app sent to Slack holds a Go value.
func TestNoGoValuesInSlack(t *testing.T) {
	s := startSlackServe(t, map[string]string{"GEOFENCE_DWELL": "1s"})
	f := s.fake
	// Alerts: a truck on a trip enters a site, another speeds.
	trucks := scheduleTrips(t, s.st, 2)
	s.post(t, fixes(trucks[0].imei, trucks[0].plate, time.Now().Add(-time.Minute), apapa, apapa))
	s.post(t, speeding(trucks[1].imei, trucks[1].plate, time.Now().Add(-2*time.Minute)))
	for _, job := range []string{"daily-summary", "weekly-report", "analytics", "connectivity", "trip-monitor", "alert-upkeep", "cleanup"} {
		f.SlashCommand("UAPPROVER", "CGENERAL", "/watchtower", "run "+job)
	}
	f.SlashCommand("UAPPROVER", "CGENERAL", "/watchtower", "jobs")
	for _, c := range slackSweep {
		f.SlashCommand("UDISPATCH", "CGENERAL", c.command, c.text)
	}
	for _, text := range slackSweepText {
		f.Mention("UDISPATCH", "CGENERAL", text, "")
		f.DirectMessage("UDISPATCH", "DDISPATCH", text)
	}
	settle(t, f)
	for _, m := range f.TopLevel(botDispatch) { // the approval messages of the trips asked for
		f.Click("UDISPATCH", botDispatch, m.TS, "trip_approve", "TRP-0001")
		f.Click("UAPPROVER", botDispatch, m.TS, "trip_approve", "TRP-0001")
		f.Click("UAPPROVER", botDispatch, m.TS, "trip_approve", "TRP-0001") // twice
		f.Click("UAPPROVER", botDispatch, m.TS, "trip_reject", "TRP-9999")
	}
	settle(t, f)
	var leaks []string
	for _, c := range f.Calls("") {
		leaks = append(leaks, goValuesIn(c.Form, c.JSON)...)
	}
	if len(leaks) > 0 {
		t.Errorf("Slack got Go values in %d lines:\n%s", len(leaks), strings.Join(leaks, "\n"))
	}
	if n := len(f.Calls("")); n < len(slackSweep)+len(slackSweepText) {
		t.Errorf("%d calls to Slack; want at least one answer to each of the %d inputs", n, len(slackSweep)+2*len(slackSweepText))
	}
}

// speeding is a location push of a truck at 95 km/h for a minute, from at.
func speeding(imei, plate string, at time.Time) []byte {
	parts := make([]string, 3)
	for i := range parts {
		parts[i] = fmt.Sprintf(`{"imei":%q,"vehiclenumber":%q,"gpstime":%q,"latitude":%f,"longitude":3.36,"speed":95,"orientation":0,"ignition":"1"}`,
			imei, plate, at.Add(time.Duration(i)*30*time.Second).UTC().Format("2006-01-02T15:04:05Z"), 6.50+float64(i)/100)
	}
	return []byte("[" + strings.Join(parts, ",") + "]")
}

// settle waits until the fake Slack has received no call for a second.
func settle(t *testing.T, f *slackfake.Server) {
	t.Helper()
	last, since := -1, time.Now()
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if n := len(f.Calls("")); n != last {
			last, since = n, time.Now()
		} else if time.Since(since) > 1500*time.Millisecond {
			return
		}
	}
	t.Fatal("Slack kept receiving calls for 60 s")
}

// goValuesIn returns the Go values in every string of a Slack call: form fields, and JSON
// (a body, or a blocks/attachments field) decoded, so escapes do not hide them.
func goValuesIn(form url.Values, body []byte) []string {
	var out []string
	var walk func(v any)
	walk = func(v any) {
		switch x := v.(type) {
		case string:
			var inner any
			if (strings.HasPrefix(x, "[") || strings.HasPrefix(x, "{")) && json.Unmarshal([]byte(x), &inner) == nil {
				walk(inner)
				return
			}
			out = append(out, goValues(x)...)
		case []any:
			for _, e := range x {
				walk(e)
			}
		case map[string]any:
			for k, e := range x {
				if k == "token" || k == "response_url" || k == "trigger_id" || k == "ts" || k == "thread_ts" {
					continue
				}
				walk(e)
			}
		}
	}
	for k, vs := range form {
		if k == "token" {
			continue
		}
		for _, v := range vs {
			walk(v)
		}
	}
	if len(body) > 0 {
		var v any
		if json.Unmarshal(body, &v) == nil {
			walk(v)
		} else {
			out = append(out, goValues(string(body))...)
		}
	}
	return out
}

// TestNoGoValuesInTheDemo runs the demo console over every command with good and bad input
// and checks that its transcript holds no Go value.
func TestNoGoValuesInTheDemo(t *testing.T) {
	env, _ := demoEnv(t)
	var script strings.Builder
	script.WriteString(demoScript)
	for _, c := range slackSweep {
		fmt.Fprintf(&script, "%s %s\n", c.command, c.text)
	}
	for _, text := range slackSweepText {
		script.WriteString(text + "\n")
	}
	script.WriteString("approve TRP-9999\nreject TRP-0001\napprove\nreject TRP-0003 \n")
	path := filepath.Join(t.TempDir(), "sweep.txt")
	if err := os.WriteFile(path, []byte(script.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, logText := demoRun(t, env, "", "--script", path)
	if code != 0 {
		t.Fatalf("demo exit code = %d; want 0\n%s\nlog:\n%s", code, out, logText)
	}
	if leaks := goValues(out); len(leaks) > 0 {
		t.Errorf("the demo printed Go values in %d lines:\n%s", len(leaks), strings.Join(leaks, "\n"))
	}
}

// TestNoGoValuesInTheCLI runs the command line's commands, good and bad, and checks that
// what they print holds no Go value; log lines (time=…), which keep the detail, are left out.
func TestNoGoValuesInTheCLI(t *testing.T) {
	env, _ := demoEnv(t)
	down := map[string]string{"DATABASE_URL": "postgres://x:y@127.0.0.1:1/x?connect_timeout=1", "REDIS_URL": "redis://127.0.0.1:1/0"}
	for _, args := range [][]string{
		{"version"}, {"help"}, {"nope"}, {"seed"}, {"seed"}, {"migrate"}, {"seed", "--bogus"},
		{"run-job"}, {"run-job", "nope"}, {"run-job", "cleanup"}, {"run-job", "connectivity"}, {"run-job", "sheets-sync"},
		{"token"}, {"token", "list"}, {"token", "create"}, {"token", "create", "--name", "ci", "--scope", "root"},
		{"token", "create", "--name", "ci", "--scope", "read"}, {"token", "list"}, {"token", "revoke", "nope"},
		{"demo", "--script", "/nonexistent/demo.txt"}, {"simulate", "--trucks", "-1"}, {"healthcheck"},
	} {
		for name, e := range map[string]map[string]string{"up": env, "down": down} {
			if name == "down" && (args[0] == "version" || args[0] == "help") {
				continue
			}
			code, stdout, stderr := runCmd(t, e, args...)
			var printed []string
			for _, line := range strings.Split(stdout+"\n"+stderr, "\n") {
				if !strings.HasPrefix(line, "time=") {
					printed = append(printed, line)
				}
			}
			if leaks := goValues(strings.Join(printed, "\n")); len(leaks) > 0 {
				t.Errorf("watchtower %s (%s, exit %d) printed Go values:\n%s", strings.Join(args, " "), name, code, strings.Join(leaks, "\n"))
			}
		}
	}
}

// TestNoGoValuesInTheAPI sends the JSON API good and bad requests and checks that no answer,
// error messages included, holds a Go value.
func TestNoGoValuesInTheAPI(t *testing.T) {
	ctx := context.Background()
	pool := storetest.NewDB(t)
	rdb, prefix := storetest.NewRedis(t)
	st := store.New(pool)
	reg := tools.NewRegistry(st, &fleettest.Recorder{}, tools.Options{})
	buildFleet(t, ctx, st, reg, time.Now())
	token, hash, tokPrefix := api.NewToken()
	if _, err := st.CreateAPIToken(ctx, "sweep", fleet.ScopeWrite, hash, tokPrefix, fleet.Actor{ID: "test"}); err != nil {
		t.Fatal(err)
	}
	srv, err := api.New(api.Deps{Trucks: reg, Trips: reg, Reports: reg, Catalog: st, Tokens: st,
		Limiter: api.NewLimiter(rdb, prefix, 6000, 1000)}, api.Config{})
	if err != nil {
		t.Fatal(err)
	}
	for _, rq := range []struct{ method, path, body, auth string }{
		{"GET", "/api/v1/fleet", "", token}, {"GET", "/api/v1/fleet", "", ""}, {"GET", "/api/v1/fleet", "", "wt_nope"},
		{"GET", "/api/v1/trucks?state=bogus", "", token}, {"GET", "/api/v1/trucks?%zz", "", token},
		{"GET", "/api/v1/trucks?limit=abc", "", token}, {"GET", "/api/v1/trucks?cursor=!!", "", token},
		{"GET", "/api/v1/trucks/NOPE", "", token}, {"GET", "/api/v1/trucks/T11958LA", "", token},
		{"GET", "/api/v1/trucks/near?near=nowhere", "", token}, {"GET", "/api/v1/trucks/near?near=APAPA&radius_km=abc", "", token},
		{"GET", "/api/v1/trucks/near?near=APAPA&status=maintenance", "", token},
		{"GET", "/api/v1/trips/TRP-9999", "", token}, {"GET", "/api/v1/trips?from=yesterday", "", token},
		{"GET", "/api/v1/analytics/daily?from=2020-02-30", "", token}, {"GET", "/api/v1/analytics/daily", "", token},
		{"GET", "/api/v1/alerts?since=soon", "", token}, {"POST", "/api/v1/alerts/nope/ack", "", token},
		{"POST", "/api/v1/trips", "{", token}, {"POST", "/api/v1/trips", "", token}, {"POST", "/api/v1/trips", `{"truck": 5}`, token},
		{"POST", "/api/v1/trips", `{"truck": "T11985LA", "colour": "red"}`, token},
		{"POST", "/api/v1/trips", `{"truck": "T11985LA", "origin": "APAPA", "destination": "OTA", "departure": "yesterday"}`, token},
		{"POST", "/api/v1/trips", `{"truck": "T11985LA", "origin": "APAPA", "destination": "OTA", "departure": "2020-13-45T99:00"}`, token},
	} {
		req := httptest.NewRequest(rq.method, rq.path, strings.NewReader(rq.body))
		if rq.auth != "" {
			req.Header.Set("Authorization", "Bearer "+rq.auth)
		}
		rec := httptest.NewRecorder()
		srv.Handler().ServeHTTP(rec, req)
		if leaks := goValuesIn(nil, rec.Body.Bytes()); len(leaks) > 0 {
			t.Errorf("%s %s = %d with Go values:\n%s", rq.method, rq.path, rec.Code, strings.Join(leaks, "\n"))
		}
	}
}
