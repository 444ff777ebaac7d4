package api_test

import (
	"context"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/store/storetest"
)

// RequireBrowserEnv turns a missing Chromium from a skip into a failure (CI sets it).
const requireBrowserEnv = "WATCHTOWER_REQUIRE_BROWSER"

// artifactsEnv names where screenshots are kept; default $TMPDIR/watchtower-artifacts.
const artifactsEnv = "WATCHTOWER_ARTIFACTS_DIR"

// chromium returns the path of a headless-capable Chromium, skipping the test when there is
// none unless WATCHTOWER_REQUIRE_BROWSER=1.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv(requireBrowserEnv) == "1" {
		t.Fatalf("no Chromium on PATH and %s=1 (Debian: apt-get install chromium)", requireBrowserEnv)
	}
	t.Skipf("no Chromium on PATH (Debian: apt-get install chromium; set %s=1 to fail instead)", requireBrowserEnv)
	return ""
}

// TestMain runs the tests, several at a time (storetest.Main: they wait on Postgres), then
// stops the Chromium the browser tests shared.
func TestMain(m *testing.M) {
	code := storetest.Main(m)
	closeBrowser()
	os.Exit(code)
}

// renderPage loads url in the tab ctx with a w×h viewport and returns the DOM it rendered
// (what --dump-dom prints), keeping a screenshot as name.
func renderPage(t *testing.T, ctx context.Context, url string, w, h int, name string) string {
	t.Helper()
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(int64(w), int64(h)), chromedp.Navigate(url)); err != nil {
		t.Fatalf("load %s: %v", url, err)
	}
	dom, err := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("html")))
	if err != nil {
		t.Fatalf("render %s: %v", url, err)
	}
	writeShot(t, ctx, name, w, h)
	return dom
}

// artifactPath returns where to keep an artifact called name, creating the directory.
func artifactPath(t *testing.T, name string) string {
	t.Helper()
	dir := os.Getenv(artifactsEnv)
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "watchtower-artifacts")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, name)
}

// TestTrackPageInBrowser loads a customer's tracking page, served by the product's handler,
// in headless Chromium, checks what the customer sees, and keeps a screenshot.
func TestTrackPageInBrowser(t *testing.T) {
	t.Parallel()
	ctx := browser(t, 420, 1000)
	f := newFixture(t)
	addTrips(t, f)
	f.now = time.Date(2025, 11, 27, 9, 0, 0, 0, fleet.Lagos())
	departTrip(t, f, "TRP-0002", fleet.Point{Lat: 6.5200, Lng: 3.3600})
	url := f.ts.URL + linkPath(t, "TRP-0002", f.now.Add(72*time.Hour))

	dom := renderPage(t, ctx, url, 420, 1000, "track-page.png")
	for _, want := range []string{
		`<h1>Trip TRP-0002</h1>`,
		`id="status">On the way<`,
		`<span>Apapa Port Complex</span>`,
		`<span>Eclat Warehouse Ikeja</span>`,
		`id="truck">T28737LA<`,
		`id="fix-age">4 min ago`,
		`id="distance">`,
		`id="eta">Thu 27 Nov`,
		`href="https://www.google.com/maps?q=6.520000,3.360000"`,
		`http-equiv="refresh" content="60"`,
	} {
		if !strings.Contains(dom, want) {
			t.Errorf("the page Chromium rendered lacks %s", want)
		}
	}
	if t.Failed() {
		t.Logf("DOM:\n%s", dom)
	}
	// The route map sits below the trip's header and facts, not over them.
	covered, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => {
		const m = document.getElementById("map").getBoundingClientRect();
		const h = document.querySelector("h1").getBoundingClientRect();
		return m.height > 0 && m.top < h.bottom;
	})()`))
	if err != nil || covered {
		t.Errorf("the route map covers the page header (err %v); see track-page.png", err)
	}

	expired := f.ts.URL + linkPath(t, "TRP-0002", f.now.Add(-time.Minute))
	dom = renderPage(t, ctx, expired, 420, 600, "track-expired.png")
	if !strings.Contains(dom, "This link has expired") || strings.Contains(dom, "TRP-0002") {
		t.Errorf("an expired link rendered something other than the link expired page:\n%s", dom)
	}
}

// checkScreenshot fails t unless path is a PNG of w×h that is not a blank page.
func checkScreenshot(t *testing.T, path string, w, h int) {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	defer fh.Close()
	img, err := png.Decode(fh)
	if err != nil {
		t.Fatalf("screenshot %s: %v", path, err)
	}
	if b := img.Bounds(); b.Dx() != w || b.Dy() != h {
		t.Errorf("screenshot is %dx%d; want %dx%d", b.Dx(), b.Dy(), w, h)
	}
	if n := colours(img, 64); n < 8 {
		t.Errorf("screenshot has %d colours; want a rendered page, not a blank one", n)
	}
}

// colours counts distinct colours in img, stopping at limit.
func colours(img image.Image, limit int) int {
	seen := map[[4]uint32]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 3 {
		for x := b.Min.X; x < b.Max.X; x += 3 {
			r, g, bl, a := img.At(x, y).RGBA()
			seen[[4]uint32{r, g, bl, a}] = true
			if len(seen) >= limit {
				return len(seen)
			}
		}
	}
	return len(seen)
}
