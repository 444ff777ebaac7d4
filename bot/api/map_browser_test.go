package api_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/watchtower-ops/watchtower/bot/api"
	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/tools"
)

// shared is the one headless Chromium of the package's browser tests, started by the first
// of them and closed by TestMain; each test gets its own tab. The tests take turns (tab
// holds mu), so no page runs in a throttled background tab, while the tests that need no
// browser run alongside.
var shared struct {
	once    sync.Once
	mu      sync.Mutex
	ctx     context.Context
	cancel  context.CancelFunc
	err     error
	profile string
}

// browser returns a fresh tab of the shared headless Chromium (skipped without Chromium unless
// WATCHTOWER_REQUIRE_BROWSER=1) with a w×h viewport, bounded to 90 s. The tab is the test's
// alone until it ends; the test should call t.Parallel first.
func browser(t *testing.T, w, h int) context.Context {
	t.Helper()
	bin := chromium(t)
	shared.once.Do(func() {
		shared.profile, shared.err = os.MkdirTemp("", "watchtower-chromium-")
		opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(bin), chromedp.NoSandbox,
			chromedp.DisableGPU, chromedp.Flag("disable-dev-shm-usage", true), chromedp.Flag("no-proxy-server", true),
			chromedp.UserDataDir(shared.profile))
		actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
		bctx, cancelBrowser := chromedp.NewContext(actx)
		shared.ctx, shared.cancel = bctx, func() { cancelBrowser(); cancelAlloc(); os.RemoveAll(shared.profile) }
		if shared.err == nil {
			shared.err = chromedp.Do(bctx) // starts Chromium with its first tab
		}
	})
	if shared.err != nil {
		t.Fatalf("start Chromium: %v", shared.err)
	}
	shared.mu.Lock()
	tab, cancelTab := chromedp.NewContext(shared.ctx)
	ctx, cancel := context.WithTimeout(tab, 90*time.Second)
	t.Cleanup(func() { cancel(); cancelTab(); shared.mu.Unlock() })
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(w), int64(h))); err != nil {
		t.Fatalf("open a tab: %v", err)
	}
	return ctx
}

// closeBrowser stops the shared Chromium, if a test started it.
func closeBrowser() {
	if shared.cancel != nil {
		shared.cancel()
	}
}

// tileServer serves every tile as a plain PNG, or fails every request when down.
func tileServer(t *testing.T, down bool) string {
	img := image.NewRGBA(image.Rect(0, 0, 256, 256))
	for y := range 256 {
		for x := range 256 {
			img.Set(x, y, color.RGBA{R: 200, G: 220, B: 200, A: 255})
		}
	}
	var buf bytes.Buffer
	png.Encode(&buf, img)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if down {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "image/png")
		w.Write(buf.Bytes())
	}))
	t.Cleanup(ts.Close)
	return ts.URL + "/{z}/{x}/{y}.png"
}

// withTiles points the map at tiles.
func withTiles(tiles string) option {
	return func(_ *api.Deps, c *api.Config) { c.MapTileURL, c.MapTileAttribution = tiles, "Test tiles" }
}

// markerLat is the expression reading the latitude of plate's marker on the live map.
func markerLat(plate string) string {
	return fmt.Sprintf(`window.watchtowerMap.trucks[%q].marker.getLatLng().lat`, plate)
}

// legendCounts reads the legend's counts.
func legendCounts(ctx context.Context) (map[string]int, error) {
	got := map[string]int{}
	for _, st := range []string{"moving", "idle", "parked", "offline", "maintenance"} {
		text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#count-"+st)))
		if err != nil {
			return nil, err
		}
		n, err := strconv.Atoi(text)
		if err != nil {
			return nil, fmt.Errorf("legend %s = %q: %w", st, text, err)
		}
		got[st] = n
	}
	return got, nil
}

// TestMapInBrowser opens the live map in headless Chromium: a marker for every truck that has
// reported, the legend with /fleet's counts, a new fix moving its marker without a reload, the
// state filter and the plate search; and keeps screenshots on a wall screen and a phone.
func TestMapInBrowser(t *testing.T) {
	t.Parallel()
	ctx := browser(t, 1600, 900)
	f := newMapFixture(t, withTiles(tileServer(t, false)))
	url := f.ts.URL + "/map?t=" + mapToken(t, f.now.Add(time.Hour))

	if err := chromedp.Do(ctx, chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS(`path.truck[data-plate="T28737LA"]`))); err != nil {
		t.Fatalf("load the map: %v", err)
	}
	plates := evaluate[[]string](t, ctx, `Array.from(document.querySelectorAll('path.truck')).map(p => p.getAttribute('data-plate')).sort()`)
	if want := []string{"KJA123AB", "T11985LA", "T28737LA", "T55501LA"}; fmt.Sprint(plates) != fmt.Sprint(want) {
		t.Errorf("markers = %v; want %v (every truck that reported)", plates, want)
	}
	checkLegend(t, ctx, f)

	loadID := evaluate[string](t, ctx, `window.watchtowerMap.loadID = Math.random().toString(); window.watchtowerMap.loadID`)
	before := evaluate[string](t, ctx, `document.querySelector('path.truck[data-plate="T28737LA"]').getAttribute('d')`)
	f.publish(t, "T28737LA", fleet.Point{Lat: 6.5050, Lng: 3.3900}, 51, f.now)
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](markerLat("T28737LA")+` === 6.505`, chromedp.WithPollingTimeout(30*time.Second))); err != nil {
		t.Fatalf("wait for the fix to move the marker: %v", err)
	}
	after := evaluate[string](t, ctx, `document.querySelector('path.truck[data-plate="T28737LA"]').getAttribute('d')`)
	sameLoad := evaluate[string](t, ctx, `window.watchtowerMap.loadID`)
	if after == before || sameLoad != loadID {
		t.Errorf("after a fix: marker path %q → %q, page load %q → %q; want the marker moved without a reload", before, after, loadID, sameLoad)
	}

	writeShot(t, ctx, "map-wall.png", 1600, 900)

	// The server drops every connection; a fix arrives meanwhile. The page reconnects by
	// itself, resumes after the last event it saw, and moves the marker, still without a reload.
	f.ts.CloseClientConnections()
	f.publish(t, "T28737LA", fleet.Point{Lat: 6.5150, Lng: 3.4000}, 47, f.now.Add(30*time.Second))
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](markerLat("T28737LA")+` === 6.515`, chromedp.WithPollingTimeout(30*time.Second))); err != nil {
		t.Fatalf("wait for the page to reconnect and move the marker: %v", err)
	}
	if got := evaluate[string](t, ctx, `window.watchtowerMap.loadID`); got != loadID {
		t.Errorf("the page reloaded to reconnect (load %q → %q); want it to reconnect in place", loadID, got)
	}

	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#filter-moving"))); err != nil {
		t.Fatal(err)
	}
	if visible := evaluate[int](t, ctx, `document.querySelectorAll('path.truck').length`); visible != 3 {
		t.Errorf("with moving unticked %d markers show; want 3", visible)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS("#filter-moving")), chromedp.SendKeys(chromedp.CSS("#search"), "kja 123")); err != nil {
		t.Fatal(err)
	}
	if visible := evaluate[int](t, ctx, `document.querySelectorAll('path.truck').length`); visible != 1 {
		t.Errorf("searching \"kja 123\" shows %d markers; want 1", visible)
	}
}

// checkLegend compares the page's legend with get_fleet_status, as /fleet shows it.
func checkLegend(t *testing.T, ctx context.Context, f *fixture) {
	t.Helper()
	all := tools.FilterAll
	fs, err := f.reg.FleetStatus(context.Background(), tools.FleetStatusArgs{Filter: &all})
	if err != nil {
		t.Fatal(err)
	}
	got, err := legendCounts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"moving": fs.States.Moving, "idle": fs.States.Idle, "parked": fs.States.Parked, "offline": fs.States.Offline}
	sum := 0
	for st, n := range got {
		sum += n
		if w, ok := want[st]; ok && n != w {
			t.Errorf("legend %s = %d; /fleet says %d", st, n, w)
		}
	}
	total, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#total")))
	if err != nil {
		t.Fatal(err)
	}
	if sum != fs.TrucksTotal || total != fmt.Sprintf("%d trucks", fs.TrucksTotal) {
		t.Errorf("legend adds up to %d, total %q; /fleet has %d trucks", sum, total, fs.TrucksTotal)
	}
}

// TestMapTilesDown serves no tiles at all, on a phone-sized screen: the markers and the legend
// still show, and the page says the tiles are missing.
func TestMapTilesDown(t *testing.T) {
	t.Parallel()
	ctx := browser(t, 390, 800)
	f := newMapFixture(t, withTiles(tileServer(t, true)))
	if err := chromedp.Do(ctx, chromedp.Navigate(f.ts.URL+"/map?t="+mapToken(t, f.now.Add(time.Hour))),
		chromedp.WaitVisible(chromedp.CSS(`path.truck[data-plate="T11985LA"]`)), chromedp.WaitVisible(chromedp.CSS(`#tiles-note`))); err != nil {
		t.Fatalf("load the map without tiles: %v", err)
	}
	markers := evaluate[int](t, ctx, `document.querySelectorAll('path.truck').length`)
	note := evaluate[bool](t, ctx, `!document.getElementById('tiles-note').hidden`)
	if markers != 4 || !note {
		t.Errorf("without tiles: %d markers, tiles note shown %v; want 4 and true", markers, note)
	}
	checkLegend(t, ctx, f)
	writeShot(t, ctx, "map-phone-no-tiles.png", 390, 800)
}

// TestTrackMapInBrowser checks that the tracking page draws its route and truck with the map
// code of the live map.
func TestTrackMapInBrowser(t *testing.T) {
	t.Parallel()
	ctx := browser(t, 420, 1000)
	f := newFixture(t, withTiles(tileServer(t, true)))
	addTrips(t, f)
	f.now = time.Date(2025, 11, 27, 9, 0, 0, 0, fleet.Lagos())
	departTrip(t, f, "TRP-0002", fleet.Point{Lat: 6.5200, Lng: 3.3600})
	if err := chromedp.Do(ctx, chromedp.Navigate(f.ts.URL+linkPath(t, "TRP-0002", f.now.Add(72*time.Hour))),
		chromedp.WaitVisible(chromedp.CSS(`path.truck`)), chromedp.WaitVisible(chromedp.CSS(`path.route`))); err != nil {
		t.Fatalf("load the tracking page's map: %v", err)
	}
	plate := evaluate[string](t, ctx, `document.querySelector('path.truck').getAttribute('data-plate')`)
	sites := evaluate[int](t, ctx, `document.querySelectorAll('path.site').length`)
	if plate != "T28737LA" || sites != 2 {
		t.Errorf("trip map truck = %q, sites = %d; want T28737LA and its two sites", plate, sites)
	}
}

// evaluate runs a JavaScript expression in the page and returns its value.
func evaluate[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// writeShot keeps a screenshot of the page as name and checks it is a w×h rendered page.
func writeShot(t *testing.T, ctx context.Context, name string, w, h int) {
	t.Helper()
	b, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Fatal(err)
	}
	path := artifactPath(t, name)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	checkScreenshot(t, path, w, h)
	t.Logf("screenshot: %s", path)
}
