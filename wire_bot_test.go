package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/watchtower-ops/watchtower/bot/slackfake"
	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/ingest"
	"github.com/watchtower-ops/watchtower/store"
	"github.com/watchtower-ops/watchtower/store/seed"
	"github.com/watchtower-ops/watchtower/store/storetest"
)

const (
	botTestSecret = "bot-test-secret"
	botDispatch   = "CDISPATCH" // geofence alerts of trucks on a trip go to dispatch
)

// slackServe is `watchtower serve` with Slack on, against the fake Slack, real Postgres
// (seeded with the demo fleet) and Redis.
type slackServe struct {
	fake *slackfake.Server
	st   *store.Store
	base string // http://127.0.0.1:N
}

func startSlackServe(tb testing.TB, extra map[string]string) *slackServe {
	tb.Helper()
	pool := storetest.NewDB(tb)
	_, prefix := storetest.NewRedis(tb)
	st := store.New(pool)
	if _, err := seed.Load(context.Background(), st); err != nil {
		tb.Fatal(err)
	}
	fake := slackfake.New(slackfake.WithPingInterval(time.Second))
	tb.Cleanup(fake.Close)
	addr := botFreeAddr(tb)
	env := map[string]string{
		"DATABASE_URL": storetest.URL(pool), "REDIS_URL": testRedisURL(), "REDIS_PREFIX": prefix,
		"HTTP_ADDR": addr, "ADMIN_ADDR": "127.0.0.1:0", "LOG_LEVEL": "error", "LOCONAV_WEBHOOK_SECRET": botTestSecret,
		"SLACK_BOT_TOKEN": "xoxb-test", "SLACK_APP_TOKEN": "xapp-test", "SLACK_API_URL": fake.APIURL(),
		"SLACK_ALERTS_CHANNEL": "CALERTS", "SLACK_SUMMARY_CHANNEL": "CSUMMARY", "SLACK_DISPATCH_CHANNEL": botDispatch,
		"SLACK_APPROVERS": "UAPPROVER",
	}
	for k, v := range extra {
		env[k] = v
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		e := &environment{getenv: mapEnv(env), stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard}
		done <- run(ctx, e, []string{"serve"})
	}()
	tb.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				tb.Errorf("serve = %v; want a clean stop", err)
			}
		case <-time.After(30 * time.Second):
			tb.Error("serve did not stop within 30 s")
		}
	})
	s := &slackServe{fake: fake, st: st, base: "http://" + addr}
	botWaitHTTP(tb, s.base+"/healthz")
	if err := fake.WaitTimeout(20*time.Second, "the Slack app to connect", func() bool { return fake.Connections() > 0 }); err != nil {
		tb.Fatal(err)
	}
	return s
}

func botFreeAddr(tb testing.TB) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func botWaitHTTP(tb testing.TB, url string) {
	tb.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(url); err == nil {
			resp.Body.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	tb.Fatalf("%s did not answer within 20 s", url)
}

// post sends a signed LocoNav webhook and checks it was accepted.
func (s *slackServe) post(tb testing.TB, body []byte) {
	tb.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.base+"/webhooks/loconav", bytes.NewReader(body))
	req.Header.Set(ingest.SignatureHeader, ingest.Sign(botTestSecret, body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	msg, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		tb.Fatalf("webhook = %d %s; want 202", resp.StatusCode, msg)
	}
}

// fixes is a location push body: truck (imei, plate) at each point, one second apart from at.
func fixes(imei, plate string, at time.Time, points ...fleet.Point) []byte {
	parts := make([]string, len(points))
	for i, p := range points {
		parts[i] = fmt.Sprintf(`{"imei":%q,"vehiclenumber":%q,"gpstime":%q,"latitude":%f,"longitude":%f,"speed":0,"orientation":0,"ignition":"1"}`,
			imei, plate, at.Add(time.Duration(i)*time.Second).UTC().Format("2006-01-02T15:04:05Z"), p.Lat, p.Lng)
	}
	return []byte("[" + strings.Join(parts, ",") + "]")
}

// tripTruck is a truck with an approved trip, so crossing into a site raises an alert.
type tripTruck struct{ plate, imei string }

func scheduleTrips(tb testing.TB, st *store.Store, n int) []tripTruck {
	tb.Helper()
	ctx := context.Background()
	trucks, err := st.ListTrucks(ctx, store.TruckFilter{Status: fleet.TruckOperational})
	if err != nil {
		tb.Fatal(err)
	}
	if len(trucks) < n {
		tb.Fatalf("the demo fleet has %d operational trucks; %d asked for", len(trucks), n)
	}
	out := make([]tripTruck, 0, n)
	for _, tr := range trucks[:n] {
		_, err := st.CreateTrip(ctx, fleet.Trip{Plate: tr.Plate, Origin: "ESSLIBRA", Destination: "ECLAT", Status: fleet.TripScheduled,
			ScheduledDeparture: time.Now().Add(3 * time.Hour), RequestedBy: "UDISPATCH", RequestedVia: "slack"},
			fleet.Actor{ID: "UDISPATCH", Via: "slack"})
		if err != nil {
			tb.Fatal(err)
		}
		out = append(out, tripTruck{plate: tr.Plate, imei: tr.IMEI})
	}
	return out
}

var apapa = fleet.Point{Lat: 6.4478, Lng: 3.3680}

// enteredAlerts counts the parent messages in the dispatch channel announcing a site entry.
func enteredAlerts(fake *slackfake.Server) int {
	n := 0
	for _, m := range fake.TopLevel(botDispatch) {
		if strings.Contains(m.Text, "entered") {
			n++
		}
	}
	return n
}

// TestServeSlackEndToEnd runs serve with Slack on: a truck on a trip crossing into a site
// through the real webhook listener ends as an alert in the dispatch channel, /truck is
// answered from the fleet functions and /watchtower jobs from the scheduler.
func TestServeSlackEndToEnd(t *testing.T) {
	s := startSlackServe(t, map[string]string{"GEOFENCE_DWELL": "1s"})
	tr := scheduleTrips(t, s.st, 1)[0]
	s.post(t, fixes(tr.imei, tr.plate, time.Now().Add(-time.Minute), apapa, apapa))
	if err := s.fake.WaitTimeout(20*time.Second, "the geofence alert", func() bool { return enteredAlerts(s.fake) == 1 }); err != nil {
		t.Fatalf("%v; dispatch channel = %+v", err, s.fake.Messages(botDispatch))
	}
	in := s.fake.SlashCommand("UDISPATCH", "CGENERAL", "/truck", tr.plate)
	if _, err := s.fake.WaitAck(10*time.Second, in.EnvelopeID); err != nil {
		t.Fatal(err)
	}
	err := s.fake.WaitTimeout(20*time.Second, "the /truck answer", func() bool {
		rp := s.fake.ResponsePosts()
		return len(rp) == 1 && strings.Contains(string(rp[0].Blocks), tr.plate) && strings.Contains(string(rp[0].Blocks), "APAPA")
	})
	if err != nil {
		t.Fatalf("%v; posts = %+v", err, s.fake.ResponsePosts())
	}
	s.fake.SlashCommand("UDISPATCH", "CGENERAL", "/watchtower", "jobs")
	err = s.fake.WaitTimeout(20*time.Second, "the job list", func() bool {
		rp := s.fake.ResponsePosts()
		return len(rp) == 2 && strings.Contains(string(rp[1].Blocks), "daily-summary") && strings.Contains(string(rp[1].Blocks), "sheets-sync")
	})
	if err != nil {
		t.Fatalf("%v; posts = %+v", err, s.fake.ResponsePosts())
	}
}

// BenchmarkWebhookGeofenceToSlack measures a truck on a trip crossing into a site — a signed
// webhook with two fixes inside APAPA, through the listener, the ingest stream, the consumer
// and its detection, the notify stream and the sender — to the alert's parent message in the
// fake Slack. Each iteration uses its own truck and waits 1.1 s first, so Slack's per-channel
// limit (about one message per second, which the sender honours) is not what is measured.
// Run with -benchtime=Nx, N at most 50.
func BenchmarkWebhookGeofenceToSlack(b *testing.B) {
	s := startSlackServe(b, map[string]string{"GEOFENCE_DWELL": "1s"})
	trucks := scheduleTrips(b, s.st, min(b.N, 50))
	if b.N > len(trucks) {
		b.Fatalf("run with -benchtime=Nx, N ≤ %d (one truck per iteration)", len(trucks))
	}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		time.Sleep(1100 * time.Millisecond)
		body := fixes(trucks[i].imei, trucks[i].plate, time.Now().Add(-30*time.Second), apapa, apapa)
		b.StartTimer()
		t0 := time.Now()
		s.post(b, body)
		if err := s.fake.WaitTimeout(20*time.Second, "alert", func() bool { return enteredAlerts(s.fake) == i+1 }); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	b.StopTimer()
	slices.Sort(lat)
	q := func(p float64) float64 {
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) / 1000
	}
	b.ReportMetric(q(0.5), "p50_ms")
	b.ReportMetric(q(0.99), "p99_ms")
	b.ReportMetric(float64(lat[len(lat)-1].Microseconds())/1000, "max_ms")
}
