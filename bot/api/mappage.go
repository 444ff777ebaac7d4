package api

import (
	"embed"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"strings"
)

// The map's assets: its page, script and style, and Leaflet (vendored from npm by
// scripts/leaflet.sh, licence included), all served by the binary: no CDN.
//
//go:embed web/map.html web/map.js web/map.css web/vendor/leaflet
var webFS embed.FS

// assetsPrefix is where the map's script, style and Leaflet are served.
const assetsPrefix = "GET /map/assets/"

// Default tiles: OpenStreetMap's standard layer, with the credit its tile policy asks for.
const (
	defaultTileURL         = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
	defaultTileAttribution = `&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors`
)

// tileConfig is where map tiles come from.
type tileConfig struct {
	url, attribution string
	origin           string // for the Content-Security-Policy: "https://tile.openstreetmap.org"
}

// newTileConfig returns the tiles of rawURL (MAP_TILE_URL; "": OpenStreetMap).
func newTileConfig(rawURL, attribution string) tileConfig {
	if rawURL == "" {
		rawURL = defaultTileURL
		if attribution == "" {
			attribution = defaultTileAttribution
		}
	}
	tc := tileConfig{url: rawURL, attribution: attribution}
	if u, err := url.Parse(strings.ReplaceAll(rawURL, "{s}", "s")); err == nil && u.Host != "" {
		host := u.Host
		if strings.Contains(rawURL, "://{s}.") {
			host = "*" + strings.TrimPrefix(host, "s")
		}
		tc.origin = u.Scheme + "://" + host
	}
	return tc
}

// csp is the Content-Security-Policy of a page with the map: scripts and styles from this
// server only (Leaflet positions its elements with inline styles), images from here and the
// tile server, the stream from here.
func (tc tileConfig) csp() string {
	img := "'self' data:"
	if tc.origin != "" {
		img += " " + tc.origin
	}
	return "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src " + img +
		"; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
}

// parseMapTemplate parses the map page.
func parseMapTemplate() *template.Template {
	return template.Must(template.ParseFS(webFS, "web/map.html"))
}

// mapPageView is what the map page template shows.
type mapPageView struct {
	Title       string
	Denied      string // why the link does not open the map; "" when it does
	Stream      string // the stream URL with the map token
	Expires     int64  // the token's expiry, Unix milliseconds
	Now         int64  // the server's clock, Unix milliseconds
	TileURL     string
	Attribution string
}

// mapPage serves GET /map?t=<token>: the live fleet map, or a 401 page saying the link is not
// valid or has expired.
func (s *Server) mapPage(w http.ResponseWriter, r *http.Request) {
	tok := r.URL.Query().Get("t")
	exp, err := ParseMapToken(s.cfg.TrackingSecret, tok, s.now())
	if err != nil {
		msg := "This map link is not valid."
		if !exp.IsZero() {
			msg = "This map link has expired."
		}
		s.renderMap(w, r, http.StatusUnauthorized, mapPageView{Title: "Map link not valid", Denied: msg})
		return
	}
	s.renderMap(w, r, http.StatusOK, mapPageView{Title: "Watch Tower · live fleet map",
		Stream: streamPath + "?t=" + url.QueryEscape(tok), Expires: exp.UnixMilli(), Now: s.now().UnixMilli(),
		TileURL: s.tiles.url, Attribution: s.tiles.attribution})
}

// renderMap writes the live map page.
func (s *Server) renderMap(w http.ResponseWriter, r *http.Request, status int, v mapPageView) {
	s.renderPage(w, r, status, s.mapTmpl, "map", v)
}

// assets serves the map's script, style and Leaflet from the binary.
func (s *Server) assets() http.Handler {
	sub, err := fs.Sub(webFS, "web")
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	files := http.StripPrefix("/map/assets/", http.FileServerFS(sub))
	return s.instrument(assetsPrefix, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") || strings.HasSuffix(r.URL.Path, ".html") {
			http.NotFound(w, r) // no listings, and the page is served by /map only
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=3600")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		files.ServeHTTP(w, r)
	}))
}
