// Package loconavfake is a fake LocoNav Integration API on httptest for tests and local runs.
// It speaks the wire format of LocoNav's published Postman collection ("[PROD] Loconav
// Developer APIs"): the User-Authentication header, {"success", "data"} envelopes, each
// endpoint's own pagination members, error bodies with string or {message, code} entries,
// and the X-Rate-Limit-Limit / X-Rate-Limit-Remaining headers. It serves GET /vehicles,
// POST /vehicles/telematics/last_known, GET and POST /trips, DELETE /trips/{id} and
// GET /trips/{id}/track_url below /integration/api/v1, records every request, and can be told
// to fail the next calls of a route (429 with rate-limit headers, 500, …).
//
// It imports no Watch Tower package.
package loconavfake

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
)

// BasePath is where the fake mounts the API, as LocoNav does.
const BasePath = "/integration/api/v1"

// Routes, as given to Fail and found in Request.Route.
const (
	RouteVehicles  = "GET /vehicles"
	RouteLastKnown = "POST /vehicles/telematics/last_known"
	RouteListTrips = "GET /trips"
	RouteCreate    = "POST /trips"
	RouteDelete    = "DELETE /trips/{id}"
	RouteTrackURL  = "GET /trips/{id}/track_url"
)

// Vehicle is a vehicle of the fake fleet.
type Vehicle struct {
	Number        string
	DisplayNumber string // Number when empty
	UUID          string
	Serial        string // device serial (IMEI); "" for no device
	Make          string
	VehicleType   string // "truck_generic" when empty
}

// Location is the last known GPS state of a vehicle.
type Location struct {
	Lat, Lng  float64
	SpeedKmh  float64
	Heading   float64
	Ignition  bool
	FixTime   time.Time // timestamp of the coordinates
	SpeedTime time.Time // timestamp of speed and orientation; FixTime when zero
}

// Trip is a trip created in the fake.
type Trip struct {
	ID            int64
	UniqueID      string
	VehicleNumber string
	ShouldStartAt int64
	Body          json.RawMessage // the "trip" object as posted
	Deleted       bool
}

// Request is one request the fake received.
type Request struct {
	Route string // e.g. RouteVehicles; "" for an unknown path
	Query url.Values
	Body  []byte
	Token string // the User-Authentication header as sent
}

// Fault is a canned failure answer.
type Fault struct {
	Status int
	Header http.Header // e.g. Retry-After, X-Rate-Limit-Remaining
	Body   string      // LocoNav-style error body when empty
}

// Server is a running fake. It is safe for concurrent use.
type Server struct {
	srv   *httptest.Server
	token string

	mu       sync.Mutex
	vehicles []Vehicle
	location map[string]Location // by vehicle UUID
	trips    []*Trip
	nextID   int64
	faults   map[string][]Fault
	requests []Request
}

// Start runs a fake that accepts token in User-Authentication. Close stops it.
func Start(token string) *Server {
	s := &Server{token: token, location: map[string]Location{}, faults: map[string][]Fault{}, nextID: 4982600}
	mux := http.NewServeMux()
	s.handle(mux, RouteVehicles, s.listVehicles)
	s.handle(mux, RouteLastKnown, s.lastKnown)
	s.handle(mux, RouteListTrips, s.listTrips)
	s.handle(mux, RouteCreate, s.createTrip)
	s.handle(mux, RouteDelete, s.deleteTrip)
	s.handle(mux, RouteTrackURL, s.trackURL)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.record(r, "", nil)
		writeError(w, http.StatusNotFound, "not_found", "route not found")
	})
	s.srv = httptest.NewServer(mux)
	return s
}

// URL returns the API base URL for LOCONAV_API_URL: the server plus BasePath.
func (s *Server) URL() string { return s.srv.URL + BasePath }

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// AddVehicles adds vehicles to the fleet, listed in this order.
func (s *Server) AddVehicles(vs ...Vehicle) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.vehicles = append(s.vehicles, vs...)
}

// SetLocation sets the last known location of the vehicle with uuid.
func (s *Server) SetLocation(uuid string, l Location) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.location[uuid] = l
}

// Fail makes the next times calls of route answer f instead of the normal answer.
func (s *Server) Fail(route string, times int, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range times {
		s.faults[route] = append(s.faults[route], f)
	}
}

// Requests returns every request received so far, oldest first.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

// RequestsTo returns the requests received for route, oldest first.
func (s *Server) RequestsTo(route string) []Request {
	var out []Request
	for _, r := range s.Requests() {
		if r.Route == route {
			out = append(out, r)
		}
	}
	return out
}

// Trips returns copies of every trip created so far, deleted ones included.
func (s *Server) Trips() []Trip {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Trip, 0, len(s.trips))
	for _, t := range s.trips {
		out = append(out, *t)
	}
	return out
}

// handle mounts h for route below BasePath behind recording, faults and authentication.
func (s *Server) handle(mux *http.ServeMux, route string, h func(http.ResponseWriter, *http.Request, []byte)) {
	method, path, _ := strings.Cut(route, " ")
	mux.HandleFunc(method+" "+BasePath+path, func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		s.record(r, route, body)
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("X-Rate-Limit-Limit", "20")
		w.Header().Set("X-Rate-Limit-Remaining", "19")
		if f, ok := s.nextFault(route); ok {
			writeFault(w, f)
			return
		}
		if r.Header.Get("User-Authentication") != s.token || s.token == "" {
			writeJSON(w, http.StatusUnauthorized, map[string]any{"success": false,
				"data": map[string]any{"errors": []string{"Authentication failed"}}})
			return
		}
		h(w, r, body)
	})
}

func (s *Server) record(r *http.Request, route string, body []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = append(s.requests, Request{Route: route, Query: r.URL.Query(), Body: body,
		Token: r.Header.Get("User-Authentication")})
}

func (s *Server) nextFault(route string) (Fault, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	q := s.faults[route]
	if len(q) == 0 {
		return Fault{}, false
	}
	s.faults[route] = q[1:]
	return q[0], true
}

func writeFault(w http.ResponseWriter, f Fault) {
	for k, vs := range f.Header {
		for _, v := range vs {
			w.Header().Set(k, v)
		}
	}
	if f.Body != "" {
		w.WriteHeader(f.Status)
		io.WriteString(w, f.Body)
		return
	}
	msg := http.StatusText(f.Status)
	if f.Status == http.StatusTooManyRequests {
		msg = "Rate limit exceeded. Try again later."
	}
	writeError(w, f.Status, "error", msg)
}

// writeError writes LocoNav's error envelope with one {message, code} entry.
func writeError(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]any{"success": false,
		"data": map[string]any{"errors": []map[string]string{{"message": msg, "code": code}}}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// pageParams reads page and perPage with LocoNav's defaults (1 and 10).
func pageParams(q url.Values) (page, perPage int) {
	page, perPage = 1, 10
	if n, err := strconv.Atoi(q.Get("page")); err == nil && n > 0 {
		page = n
	}
	if n, err := strconv.Atoi(q.Get("perPage")); err == nil && n > 0 {
		perPage = n
	}
	return page, perPage
}

// window returns the [from, to) bounds of page within n items.
func window(n, page, perPage int) (from, to int) {
	from = min((page-1)*perPage, n)
	return from, min(from+perPage, n)
}
