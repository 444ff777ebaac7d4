package api

import (
	"context"
	"html/template"
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/time/rate"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/tools"
)

// Trucks answers the truck routes with the fleet functions. *tools.Registry satisfies it; the
// registry given must list every matching truck in FleetStatus (tools.Options.MaxListed at
// least the fleet's size), since GET /api/v1/trucks pages through that list.
type Trucks interface {
	// TruckLocation answers get_truck_location. It returns ENOTFOUND with suggestions.
	TruckLocation(ctx context.Context, truck string) (*tools.TruckLocation, error)
	// FleetStatus answers get_fleet_status. It returns EINVALID for an unknown filter and
	// ENOTFOUND for an unknown site.
	FleetStatus(ctx context.Context, a tools.FleetStatusArgs) (*tools.FleetStatus, error)
	// NearbyTrucks answers find_nearby_trucks. It returns EINVALID or ENOTFOUND.
	NearbyTrucks(ctx context.Context, a tools.NearbyArgs) (*tools.NearbyTrucks, error)
	// SiteStatus answers get_site_status. It returns ENOTFOUND "I don't know a site called …"
	// with suggestions, or ENOTFOUND for an unknown truck.
	SiteStatus(ctx context.Context, a tools.SiteStatusArgs) (*tools.SiteStatus, error)
}

// Trips answers the trip routes and the tracking page. *tools.Registry satisfies it.
type Trips interface {
	// TripDetails answers get_trip_details. It returns ENOTFOUND.
	TripDetails(ctx context.Context, ref string) (*tools.TripDetails, error)
	// CreateTrip answers create_trip: a pending_approval trip with its approval message. It
	// returns EINVALID, ENOTFOUND (with suggestions) or ECONFLICT.
	CreateTrip(ctx context.Context, a tools.CreateTripArgs, c tools.Caller) (*tools.TripCreated, error)
}

// Reports answers the analytics routes. *tools.Registry satisfies it.
type Reports interface {
	// DailySummary answers get_daily_summary for a day "YYYY-MM-DD". It returns EINVALID for
	// a day in the future.
	DailySummary(ctx context.Context, date string) (*tools.DailySummary, error)
}

// Catalog lists what the fleet functions do not: sites, and trips page by page (*store.Store).
type Catalog interface {
	// ListSites returns every site that is not archived, by code.
	ListSites(ctx context.Context) ([]fleet.Site, error)
	// TripsPage returns up to q.Limit trips matching q after its keyset position, by scheduled
	// departure then ID.
	TripsPage(ctx context.Context, q fleet.TripPage) ([]fleet.Trip, error)
}

// Deps are what the API calls. Every field is required except Metrics and Log.
type Deps struct {
	Trucks  Trucks
	Trips   Trips
	Reports Reports
	Catalog Catalog
	Roster  Roster
	Alerts  Alerts // nil: the alert routes answer 503
	Tokens  TokenStore
	Limiter *Limiter
	Metrics prometheus.Registerer // nil: metrics are kept but not exported
	Log     *slog.Logger
	// Feed is the positions stream of the live map; nil: the map page shows, its stream
	// answers 503. Drivers names drivers on the map; nil: no names.
	Feed    Feed
	Drivers Drivers
}

// Config tunes the API.
type Config struct {
	// TrackingSecret signs tracking links (TRACKING_SECRET); empty disables them: no links are
	// made and every /track page says the link expired.
	TrackingSecret []byte
	// PublicBaseURL is where customers reach this listener ("https://track.example.com"),
	// for tracking links.
	PublicBaseURL string
	Location      *time.Location   // business zone; nil: Africa/Lagos
	TokenCacheTTL time.Duration    // how long an authenticated token is trusted; 0: 10 s, < 0: never cached
	Now           func() time.Time // nil: time.Now
	// MapTileURL is the map tiles' URL template (MAP_TILE_URL, "{z}/{x}/{y}" and optional
	// "{s}"); empty: OpenStreetMap. MapTileAttribution credits them; empty with the default
	// URL: OpenStreetMap's credit.
	MapTileURL, MapTileAttribution string
	Stream                         StreamConfig // the live map stream
}

// Server serves the JSON API and the tracking page. It is safe for concurrent use.
type Server struct {
	deps        Deps
	cfg         Config
	log         *slog.Logger
	now         func() time.Time
	loc         *time.Location
	tokens      *tokenCache
	tracker     *Tracker
	trackTmpl   *template.Template
	mapTmpl     *template.Template
	hub         *Hub
	tiles       tileConfig
	limiter     *Limiter
	limiterWarn rate.Sometimes
	metrics     *metrics
	mux         *http.ServeMux
	routes      []route
}

// New returns the API over deps. It returns an error when the metrics cannot be registered
// (another API already registered them).
func New(deps Deps, cfg Config) (*Server, error) {
	s := &Server{deps: deps, cfg: cfg, log: deps.Log, now: cfg.Now, loc: cfg.Location, limiter: deps.Limiter,
		limiterWarn: rate.Sometimes{Interval: time.Minute}}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.loc == nil {
		s.loc = fleet.Lagos()
	}
	ttl := cfg.TokenCacheTTL
	if ttl == 0 {
		ttl = 10 * time.Second
	}
	s.tokens = newTokenCache(ttl, 10_000)
	s.tracker = NewTracker(cfg.TrackingSecret, cfg.PublicBaseURL)
	s.trackTmpl = parseTrackTemplate()
	s.mapTmpl = parseMapTemplate()
	s.tiles = newTileConfig(cfg.MapTileURL, cfg.MapTileAttribution)
	if deps.Feed != nil {
		s.hub = NewHub(deps.Feed, deps.Trucks, deps.Drivers, cfg.Stream, s.log)
	}
	m, err := newMetrics(deps.Metrics)
	if err != nil {
		return nil, err
	}
	if err := registerHub(deps.Metrics, s.hub); err != nil {
		return nil, err
	}
	s.metrics = m
	s.routes = s.table()
	s.mux = http.NewServeMux()
	s.register(s.mux)
	s.mux.Handle(assetsPrefix, s.assets())
	return s, nil
}

// Hub returns the live map's fan-out, to Run alongside the server, or nil without a Feed.
func (s *Server) Hub() *Hub { return s.hub }

// Handler returns the handler of every API route and the tracking page.
func (s *Server) Handler() http.Handler { return s.mux }

// Mux is where routes are registered; *http.ServeMux satisfies it.
type Mux interface {
	Handle(pattern string, h http.Handler)
}

// Mount registers the API (/api/v1/), the tracking page (GET /track/{token}) and the live
// map (GET /map and its assets) on mux.
func (s *Server) Mount(mux Mux) {
	mux.Handle(apiPrefix, s.mux)
	mux.Handle(trackPattern, s.mux)
	mux.Handle(mapPattern, s.mux)
	mux.Handle(assetsPrefix, s.mux)
}

// register adds every route, the tracking page and the JSON fallback for unknown API paths.
func (s *Server) register(m Mux) {
	for _, rt := range s.routes {
		m.Handle(rt.pattern(), s.endpoint(rt))
	}
	m.Handle(trackPattern, s.instrument(trackPattern, http.HandlerFunc(s.trackPage)))
	m.Handle(mapPattern, s.instrument(mapPattern, http.HandlerFunc(s.mapPage)))
	m.Handle(streamPattern, s.instrument(streamPattern, http.HandlerFunc(s.streamPositions)))
	m.Handle(apiPrefix, s.instrument(apiPrefix, http.HandlerFunc(s.fallback)))
}

// routeOf names the route that matched r, for logs and metrics.
func routeOf(r *http.Request) string {
	if r.Pattern != "" {
		return r.Pattern
	}
	return r.Method + " " + r.URL.Path
}
