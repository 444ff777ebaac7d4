package api_test

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/watchtower-ops/watchtower/bot/api"
	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/ingest"
	"github.com/watchtower-ops/watchtower/tools"
)

// driverNames is a fixed Drivers.
type driverNames map[string]string

func (d driverNames) DriverNames(context.Context) (map[string]string, error) { return d, nil }

// withMap gives the API the fixture's positions stream and starts its hub for the test.
func withMap(t testing.TB, f *fixture) option {
	return func(d *api.Deps, c *api.Config) {
		d.Feed = ingest.NewPositionStream(f.rdb, f.prefix)
		d.Drivers = driverNames{"T28737LA": "Musa Bello"}
		c.Stream = api.StreamConfig{Coalesce: 10 * time.Millisecond, Block: 200 * time.Millisecond}
	}
}

// newMapFixture is the fixture with the live map running on a second server (a replica) too.
func newMapFixture(t testing.TB, opts ...option) *fixture {
	f := newFixture(t)
	f.ts.Close()
	f.serve(t, append([]option{withMap(t, f)}, opts...)...)
	runHub(t, f.srv)
	return f
}

// runHub runs srv's hub until the test ends.
func runHub(t testing.TB, srv *api.Server) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Hub().Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("hub Run = %v; want nil", err)
		}
	})
}

// publish appends fixes of plate to the positions stream, as the ingest consumer does.
func (f *fixture) publish(t testing.TB, plate string, p fleet.Point, speed float64, at time.Time) {
	t.Helper()
	pos := &fleet.Position{Plate: plate, Point: p, SpeedKmh: speed, FixTime: at.UTC(), Ignition: true}
	if err := ingest.NewPositionStream(f.rdb, f.prefix).Publish(context.Background(), []fleet.Observation{{Position: pos}}); err != nil {
		t.Fatal(err)
	}
}

// mapToken returns a map token valid until exp.
func mapToken(t testing.TB, exp time.Time) string {
	t.Helper()
	tok, err := api.MapToken(trackingSecret, exp)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// sse is one received server-sent event.
type sse struct{ id, name, data string }

// eventStream is an open stream of the positions route.
type eventStream struct {
	resp   *http.Response
	events chan sse
	cancel context.CancelFunc
}

// openStream opens the stream at url (relative to base) with header values, failing t unless
// the answer is 200 text/event-stream.
func openStream(t testing.TB, base, path string, header map[string]string) *eventStream {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		cancel()
		t.Fatalf("GET %s = %d %s; want 200 text/event-stream\n%s", path, resp.StatusCode, resp.Header.Get("Content-Type"), b)
	}
	s := &eventStream{resp: resp, events: make(chan sse, 1000), cancel: cancel}
	go func() {
		defer close(s.events)
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		var ev sse
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if ev.name != "" {
					s.events <- ev
				}
				ev = sse{}
			case strings.HasPrefix(line, "id: "):
				ev.id = line[4:]
			case strings.HasPrefix(line, "event: "):
				ev.name = line[7:]
			case strings.HasPrefix(line, "data: "):
				ev.data = line[6:]
			}
		}
	}()
	t.Cleanup(s.close)
	return s
}

func (s *eventStream) close() { s.cancel(); s.resp.Body.Close() }

// next returns the next event named one of names, skipping others; it fails t when the stream
// ends first.
func (s *eventStream) next(t testing.TB, names ...string) sse {
	t.Helper()
	for ev := range s.events {
		for _, n := range names {
			if ev.name == n {
				return ev
			}
		}
	}
	t.Fatalf("stream ended before a %v event", names)
	return sse{}
}

// snapshotEvent is the "snapshot" event's body.
type snapshotEvent struct {
	Counts struct {
		Size   int            `json:"size"`
		States map[string]int `json:"states"`
	} `json:"counts"`
	Trucks []struct {
		Plate, Driver string
		State         string  `json:"status"`
		HasFix        bool    `json:"has_fix"`
		Lat           float64 `json:"lat"`
	} `json:"trucks"`
}

func TestStreamAuth(t *testing.T) {
	t.Parallel()
	f := newMapFixture(t)
	trackTok, err := api.TrackingToken(trackingSecret, "TRP-0001", f.now.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, path, bearer string
		want               int
	}{
		{"no token", "/api/v1/stream/positions", "", http.StatusUnauthorized},
		{"bad bearer", "/api/v1/stream/positions", "wt_nope", http.StatusUnauthorized},
		{"expired map token", "/api/v1/stream/positions?t=" + mapToken(t, f.now.Add(-time.Second)), "", http.StatusUnauthorized},
		{"tracking token is not a map token", "/api/v1/stream/positions?t=" + trackTok, "", http.StatusUnauthorized},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := f.do(t, "GET", c.path, c.bearer, "")
			wantStatus(t, c.name, r, c.want, "unauthorized")
		})
	}
	t.Run("read bearer", func(t *testing.T) {
		s := openStream(t, f.ts.URL, "/api/v1/stream/positions", map[string]string{"Authorization": "Bearer " + f.read})
		s.next(t, "snapshot")
	})
	t.Run("map token", func(t *testing.T) {
		s := openStream(t, f.ts.URL, "/api/v1/stream/positions?t="+mapToken(t, f.now.Add(time.Hour)), nil)
		s.next(t, "snapshot")
	})
}

// TestStreamSnapshotMatchesFleet checks that the map's legend counts are /fleet's.
func TestStreamSnapshotMatchesFleet(t *testing.T) {
	t.Parallel()
	f := newMapFixture(t)
	s := openStream(t, f.ts.URL, "/api/v1/stream/positions?t="+mapToken(t, f.now.Add(time.Hour)), nil)
	var snap snapshotEvent
	if err := json.Unmarshal([]byte(s.next(t, "snapshot").data), &snap); err != nil {
		t.Fatal(err)
	}
	all := tools.FilterAll
	fs, err := f.reg.FleetStatus(context.Background(), tools.FleetStatusArgs{Filter: &all})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"moving": fs.States.Moving, "idle": fs.States.Idle, "parked": fs.States.Parked, "offline": fs.States.Offline}
	for st, n := range want {
		if got := snap.Counts.States[st]; got != n {
			t.Errorf("snapshot count %s = %d; /fleet says %d", st, got, n)
		}
	}
	if snap.Counts.Size != fs.TrucksTotal || len(snap.Trucks) != fs.TrucksTotal {
		t.Errorf("snapshot size = %d with %d trucks; /fleet says %d", snap.Counts.Size, len(snap.Trucks), fs.TrucksTotal)
	}
	for _, tr := range snap.Trucks {
		if tr.Plate == "T28737LA" && (tr.Driver != "Musa Bello" || tr.State != "moving" || !tr.HasFix) {
			t.Errorf("T28737LA = %+v; want moving, driven by Musa Bello", tr)
		}
	}
}

// TestStreamFixesAndResume sends live fixes, then resumes a second connection after the first
// fix by Last-Event-ID, on another replica: it gets the fixes it missed and not the one it saw.
func TestStreamFixesAndResume(t *testing.T) {
	t.Parallel()
	f := newMapFixture(t)
	path := "/api/v1/stream/positions?t=" + mapToken(t, f.now.Add(time.Hour))
	s := openStream(t, f.ts.URL, path, nil)
	s.next(t, "snapshot")

	f.publish(t, "T28737LA", fleet.Point{Lat: 6.48, Lng: 3.36}, 40, f.now)
	first := s.next(t, "fix")
	var fx struct {
		Plate string  `json:"plate"`
		Lat   float64 `json:"lat"`
	}
	if err := json.Unmarshal([]byte(first.data), &fx); err != nil || fx.Plate != "T28737LA" || fx.Lat != 6.48 || first.id == "" {
		t.Fatalf("first fix = %+v (%v); want T28737LA at 6.48 with an ID", first, err)
	}
	s.close()

	f.publish(t, "T28737LA", fleet.Point{Lat: 6.49, Lng: 3.36}, 40, f.now.Add(30*time.Second))
	replica := newMapFixtureOn(t, f) // another process over the same Redis
	r := openStream(t, replica.URL, path, map[string]string{"Last-Event-ID": first.id})
	r.next(t, "snapshot")
	missed := r.next(t, "fix")
	if err := json.Unmarshal([]byte(missed.data), &fx); err != nil || fx.Lat != 6.49 {
		t.Fatalf("after Last-Event-ID %s the replica sent %+v; want the fix at 6.49 it missed", first.id, missed)
	}
	f.publish(t, "T11985LA", fleet.Point{Lat: 6.45, Lng: 3.37}, 0, f.now.Add(time.Minute))
	live := r.next(t, "fix")
	if err := json.Unmarshal([]byte(live.data), &fx); err != nil || fx.Plate != "T11985LA" {
		t.Fatalf("live fix on the replica = %+v; want T11985LA", live)
	}
}

// newMapFixtureOn serves a second API (a replica) over f's database and Redis, with its own hub.
func newMapFixtureOn(t testing.TB, f *fixture) *struct{ URL string } {
	g := &fixture{st: f.st, reg: f.reg, notes: f.notes, rdb: f.rdb, prefix: f.prefix, now: f.now, doc: f.doc}
	g.serve(t, withMap(t, g))
	runHub(t, g.srv)
	return &struct{ URL string }{g.ts.URL}
}

func TestMapPage(t *testing.T) {
	t.Parallel()
	f := newMapFixture(t, func(_ *api.Deps, c *api.Config) { c.MapTileURL = "https://{s}.tiles.example.com/{z}/{x}/{y}.png" })
	trackTok, _ := api.TrackingToken(trackingSecret, "TRP-0001", f.now.Add(time.Hour))
	for _, c := range []struct {
		name, query string
		status      int
		want        string
	}{
		{"valid", "?t=" + mapToken(t, f.now.Add(time.Hour)), 200, `data-stream="/api/v1/stream/positions?t=`},
		{"no token", "", 401, "This map link is not valid."},
		{"forged", "?t=AAAAAAAAAAAAAAAAAAAAAAAAAAAA", 401, "This map link is not valid."},
		{"tracking token", "?t=" + trackTok, 401, "This map link is not valid."},
		{"expired", "?t=" + mapToken(t, f.now.Add(-time.Minute)), 401, "This map link has expired."},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := f.do(t, "GET", "/map"+c.query, "", "")
			if r.status != c.status || !strings.Contains(string(r.body), c.want) {
				t.Fatalf("GET /map%s = %d; want %d containing %q\n%s", c.query, r.status, c.status, c.want, r.body)
			}
			if csp := r.header.Get("Content-Security-Policy"); !strings.Contains(csp, "https://*.tiles.example.com") || strings.Contains(csp, "unpkg") {
				t.Errorf("CSP = %q; want the tile server and nothing else outside", csp)
			}
		})
	}
	for _, asset := range []string{"/map/assets/map.js", "/map/assets/map.css", "/map/assets/vendor/leaflet/leaflet.js",
		"/map/assets/vendor/leaflet/leaflet.css", "/map/assets/vendor/leaflet/LICENSE", "/map/assets/vendor/leaflet/images/marker-icon.png"} {
		if r := f.do(t, "GET", asset, "", ""); r.status != 200 || len(r.body) == 0 {
			t.Errorf("GET %s = %d (%d bytes); want the embedded file", asset, r.status, len(r.body))
		}
	}
}

func TestMapToken(t *testing.T) {
	now := baseNow
	tok := mapToken(t, now.Add(api.MapValidFor))
	if exp, err := api.ParseMapToken(trackingSecret, tok, now); err != nil || !exp.Equal(now.Add(api.MapValidFor).UTC()) {
		t.Errorf("ParseMapToken(fresh) = %v, %v; want the expiry", exp, err)
	}
	if _, err := api.ParseMapToken(trackingSecret, tok, now.Add(api.MapValidFor)); fleet.ErrorCode(err) != fleet.EUNAUTHORIZED || !strings.Contains(fleet.ErrorMessage(err), "expired") {
		t.Errorf("ParseMapToken(after 12 h) = %v; want EUNAUTHORIZED saying expired", err)
	}
	if _, err := api.ParseMapToken([]byte("another-secret-0123456789abcdefgh"), tok, now); fleet.ErrorCode(err) != fleet.EUNAUTHORIZED {
		t.Errorf("ParseMapToken(other secret) = %v; want EUNAUTHORIZED", err)
	}
	if _, _, err := api.ParseTrackingToken(trackingSecret, tok, now); err == nil {
		t.Errorf("ParseTrackingToken(map token) accepted it; want a map token never to open a trip")
	}
	link, exp, err := api.NewMapLinker(trackingSecret, "https://wt.example.com/", func() time.Time { return now }).MapLink()
	if err != nil || !strings.HasPrefix(link, "https://wt.example.com/map?t=") || !exp.Equal(now.Add(12*time.Hour)) {
		t.Errorf("MapLink() = %q, %v, %v; want a /map link valid 12 h", link, exp, err)
	}
	if _, _, err := api.NewMapLinker(nil, "https://wt.example.com", nil).MapLink(); fleet.ErrorCode(err) != fleet.EINVALID {
		t.Errorf("MapLink() without a secret = %v; want EINVALID", err)
	}
}

// TestStreamStateChange sends a truck's new state, and the new legend, once the fleet
// functions see it.
func TestStreamStateChange(t *testing.T) {
	t.Parallel()
	f := newMapFixture(t, func(_ *api.Deps, c *api.Config) { c.Stream.Tick = 50 * time.Millisecond })
	s := openStream(t, f.ts.URL, "/api/v1/stream/positions?t="+mapToken(t, f.now.Add(time.Hour)), nil)
	var before snapshotEvent
	if err := json.Unmarshal([]byte(s.next(t, "snapshot").data), &before); err != nil {
		t.Fatal(err)
	}
	f.setState(t, "T11985LA", fleet.Point{Lat: 6.46, Lng: 3.37}, f.now, 35, true, "") // parked → moving
	var change snapshotEvent
	if err := json.Unmarshal([]byte(s.next(t, "state").data), &change); err != nil {
		t.Fatal(err)
	}
	if len(change.Trucks) != 1 || change.Trucks[0].Plate != "T11985LA" || change.Trucks[0].State != "moving" {
		t.Errorf("state event trucks = %+v; want T11985LA moving only", change.Trucks)
	}
	for st, d := range map[string]int{"moving": 1, "parked": -1} {
		if got, want := change.Counts.States[st], before.Counts.States[st]+d; got != want {
			t.Errorf("count %s = %d; want %d", st, got, want)
		}
	}
}

// TestStreamOutlivesServerTimeouts serves the stream from a server with short read and write
// timeouts, as serve has (30 s): a stream open longer than both still gets its fixes.
func TestStreamOutlivesServerTimeouts(t *testing.T) {
	t.Parallel()
	f := newMapFixture(t)
	mux := http.NewServeMux()
	f.srv.Mount(mux)
	ts := httptest.NewUnstartedServer(mux)
	ts.Config.ReadTimeout, ts.Config.WriteTimeout = 300*time.Millisecond, 300*time.Millisecond
	ts.Start()
	t.Cleanup(ts.Close)
	s := openStream(t, ts.URL, "/api/v1/stream/positions?t="+mapToken(t, f.now.Add(time.Hour)), nil)
	s.next(t, "snapshot")
	time.Sleep(time.Second) // past both timeouts
	f.publish(t, "T28737LA", fleet.Point{Lat: 6.47, Lng: 3.36}, 40, f.now)
	if ev := s.next(t, "fix"); !strings.Contains(ev.data, `"T28737LA"`) {
		t.Errorf("fix after the timeouts = %+v; want T28737LA's", ev)
	}
}
