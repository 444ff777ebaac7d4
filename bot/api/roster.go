package api

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
)

// Roster adds, changes and retires trucks and sites (*store.Store). Its rules (checks,
// normalisation, what retiring means, the audit) are the store's and fleet's, shared with
// every other surface; the API only translates JSON.
type Roster interface {
	// AddTruck registers a truck. It returns EINVALID naming the field, ECONFLICT for a plate
	// that exists.
	AddTruck(ctx context.Context, plate string, c fleet.TruckChange, who fleet.Actor, now time.Time) (fleet.Truck, error)
	// UpdateTruck changes a truck. It returns EINVALID, ENOTFOUND, or ECONFLICT when retired.
	UpdateTruck(ctx context.Context, plate string, c fleet.TruckChange, who fleet.Actor, now time.Time) (fleet.Truck, error)
	// RetireTruck retires a truck. It returns ENOTFOUND, or ECONFLICT when already retired or
	// on open trips.
	RetireTruck(ctx context.Context, plate string, who fleet.Actor) (fleet.Truck, error)
	// SiteByCode returns a site, retired or not. It returns ENOTFOUND with suggestions.
	SiteByCode(ctx context.Context, code string) (fleet.Site, error)
	// AddSite defines a site. It returns EINVALID naming the field, ECONFLICT for a code that
	// exists.
	AddSite(ctx context.Context, st fleet.Site, who fleet.Actor) (fleet.Site, error)
	// UpdateSite changes a site. It returns EINVALID, ENOTFOUND, or ECONFLICT when retired.
	UpdateSite(ctx context.Context, code string, c fleet.SiteChange, who fleet.Actor) (fleet.Site, error)
	// RetireSite retires a site. It returns ENOTFOUND, or ECONFLICT when already retired or on
	// open trips.
	RetireSite(ctx context.Context, code string, who fleet.Actor) (fleet.Site, error)
}

// actor is who the request acts as in the audit log: its token's name, via the API.
func actor(r *http.Request) fleet.Actor {
	tok := tokenOf(r.Context())
	return fleet.Actor{ID: tok.Name, Name: tok.Name, Via: "api"}
}

// TruckBody is the body of POST /api/v1/trucks (Plate required) and PATCH
// /api/v1/trucks/{plate} (no Plate). State is the first release's name of Status. A field left
// out is unchanged; "" clears driver_name, driver_phone, site and notes.
type TruckBody struct {
	Plate            *string `json:"plate"`
	DriverName       *string `json:"driver_name"`
	DriverPhone      *string `json:"driver_phone"`
	Status           *string `json:"status"`
	State            *string `json:"state"`
	MaintenanceUntil *string `json:"maintenance_until"`
	Site             *string `json:"site"`
	Notes            *string `json:"notes"`
}

// change turns the body into a fleet.TruckChange. It returns EINVALID naming the field for a
// malformed time or both status and state.
func (b TruckBody) change() (fleet.TruckChange, error) {
	c := fleet.TruckChange{DriverName: b.DriverName, DriverPhone: b.DriverPhone, HomeSite: b.Site, Notes: b.Notes}
	status, err := oneSpelling("status", b.Status, "state", b.State)
	if err != nil {
		return c, err
	}
	if status != nil {
		st := fleet.TruckStatus(*status)
		c.Status = &st
	}
	if b.MaintenanceUntil != nil {
		t, err := time.Parse(time.RFC3339, strings.TrimSpace(*b.MaintenanceUntil))
		if err != nil {
			return c, badParam("maintenance_until", "maintenance_until must be an RFC 3339 time such as 2026-12-10T08:00:00+01:00, not %q", *b.MaintenanceUntil)
		}
		c.MaintenanceUntil = &t
	}
	return c, nil
}

// oneSpelling returns the value given under name or under its first-release alias old. It
// returns EINVALID naming old when both are given.
func oneSpelling[T any](name string, v *T, old string, ov *T) (*T, error) {
	if v != nil && ov != nil {
		return nil, badParam(old, "give %s or %s, not both (%s is the older name)", name, old, old)
	}
	if v != nil {
		return v, nil
	}
	return ov, nil
}

// createTruck serves POST /api/v1/trucks.
func (s *Server) createTruck(w http.ResponseWriter, r *http.Request, _ *query) (int, any, error) {
	var b TruckBody
	if err := decodeBody(w, r, &b); err != nil {
		return 0, nil, err
	}
	if b.Plate == nil || strings.TrimSpace(*b.Plate) == "" {
		return 0, nil, badParam("plate", "plate is required")
	}
	c, err := b.change()
	if err != nil {
		return 0, nil, err
	}
	t, err := s.deps.Roster.AddTruck(r.Context(), *b.Plate, c, actor(r), s.now())
	if err != nil {
		return 0, nil, err
	}
	loc, err := s.deps.Trucks.TruckLocation(r.Context(), t.Plate)
	if err != nil {
		return 0, nil, err
	}
	w.Header().Set("Location", "/api/v1/trucks/"+t.Plate)
	return http.StatusCreated, loc, nil
}

// updateTruck serves PATCH /api/v1/trucks/{plate}.
func (s *Server) updateTruck(w http.ResponseWriter, r *http.Request, _ *query) (int, any, error) {
	var b TruckBody
	if err := decodeBody(w, r, &b); err != nil {
		return 0, nil, err
	}
	if b.Plate != nil {
		return 0, nil, badParam("plate", "the plate identifies the truck and cannot be changed; retire it and add the new plate")
	}
	c, err := b.change()
	if err != nil {
		return 0, nil, err
	}
	t, err := s.deps.Roster.UpdateTruck(r.Context(), r.PathValue("plate"), c, actor(r), s.now())
	if err != nil {
		return 0, nil, err
	}
	loc, err := s.deps.Trucks.TruckLocation(r.Context(), t.Plate)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, loc, nil
}

// retireTruck serves DELETE /api/v1/trucks/{plate}: the truck is retired, not erased.
func (s *Server) retireTruck(_ http.ResponseWriter, r *http.Request, _ *query) (int, any, error) {
	t, err := s.deps.Roster.RetireTruck(r.Context(), r.PathValue("plate"), actor(r))
	if err != nil {
		return 0, nil, err
	}
	loc, err := s.deps.Trucks.TruckLocation(r.Context(), t.Plate)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, loc, nil
}

// SiteItem is a site as the API shows it.
type SiteItem struct {
	Code      string         `json:"code"`
	Name      string         `json:"name"`
	Kind      fleet.SiteKind `json:"kind"`
	Lat       float64        `json:"lat"`
	Lng       float64        `json:"lng"`
	RadiusM   float64        `json:"radius_m"`
	RetiredAt *time.Time     `json:"retired_at"` // nil while in use
}

func siteItem(st fleet.Site) SiteItem {
	return SiteItem{Code: st.Code, Name: st.Name, Kind: st.Kind, Lat: st.Point.Lat, Lng: st.Point.Lng, RadiusM: st.RadiusM,
		RetiredAt: st.ArchivedAt}
}

// SiteBody is the body of POST /api/v1/sites (every field but the alias pairs required) and
// PATCH /api/v1/sites/{code} (no code; what is left out is unchanged). Latitude and Longitude
// are the first release's names of Lat and Lng.
type SiteBody struct {
	Code      *string  `json:"code"`
	Name      *string  `json:"name"`
	Kind      *string  `json:"kind"`
	Lat       *float64 `json:"lat"`
	Lng       *float64 `json:"lng"`
	Latitude  *float64 `json:"latitude"`
	Longitude *float64 `json:"longitude"`
	RadiusM   *float64 `json:"radius_m"`
}

// change turns the body into a fleet.SiteChange. It returns EINVALID naming the field when a
// coordinate is given under both spellings.
func (b SiteBody) change() (fleet.SiteChange, error) {
	lat, err := oneSpelling("lat", b.Lat, "latitude", b.Latitude)
	if err != nil {
		return fleet.SiteChange{}, err
	}
	lng, err := oneSpelling("lng", b.Lng, "longitude", b.Longitude)
	if err != nil {
		return fleet.SiteChange{}, err
	}
	c := fleet.SiteChange{Name: b.Name, Lat: lat, Lng: lng, RadiusM: b.RadiusM}
	if b.Kind != nil {
		k := fleet.SiteKind(*b.Kind)
		c.Kind = &k
	}
	return c, nil
}

// getSite serves GET /api/v1/sites/{code}; a retired site is shown with its retired_at.
func (s *Server) getSite(_ http.ResponseWriter, r *http.Request, _ *query) (int, any, error) {
	st, err := s.deps.Roster.SiteByCode(r.Context(), r.PathValue("code"))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, siteItem(st), nil
}

// createSite serves POST /api/v1/sites.
func (s *Server) createSite(w http.ResponseWriter, r *http.Request, _ *query) (int, any, error) {
	var b SiteBody
	if err := decodeBody(w, r, &b); err != nil {
		return 0, nil, err
	}
	c, err := b.change()
	if err != nil {
		return 0, nil, err
	}
	for _, f := range []struct {
		name string
		set  bool
	}{{"code", b.Code != nil}, {"name", c.Name != nil}, {"kind", c.Kind != nil}, {"lat", c.Lat != nil}, {"lng", c.Lng != nil}, {"radius_m", c.RadiusM != nil}} {
		if !f.set {
			return 0, nil, badParam(f.name, "%s is required", f.name)
		}
	}
	st, err := s.deps.Roster.AddSite(r.Context(), fleet.Site{Code: *b.Code, Name: *c.Name, Kind: *c.Kind,
		Point: fleet.Point{Lat: *c.Lat, Lng: *c.Lng}, RadiusM: *c.RadiusM}, actor(r))
	if err != nil {
		return 0, nil, err
	}
	w.Header().Set("Location", "/api/v1/sites/"+st.Code)
	return http.StatusCreated, siteItem(st), nil
}

// updateSite serves PATCH /api/v1/sites/{code}.
func (s *Server) updateSite(w http.ResponseWriter, r *http.Request, _ *query) (int, any, error) {
	var b SiteBody
	if err := decodeBody(w, r, &b); err != nil {
		return 0, nil, err
	}
	if b.Code != nil {
		return 0, nil, badParam("code", "the code identifies the site and cannot be changed; retire it and add the new code")
	}
	c, err := b.change()
	if err != nil {
		return 0, nil, err
	}
	st, err := s.deps.Roster.UpdateSite(r.Context(), r.PathValue("code"), c, actor(r))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, siteItem(st), nil
}

// retireSite serves DELETE /api/v1/sites/{code}: the site is retired, not erased.
func (s *Server) retireSite(_ http.ResponseWriter, r *http.Request, _ *query) (int, any, error) {
	st, err := s.deps.Roster.RetireSite(r.Context(), r.PathValue("code"), actor(r))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, siteItem(st), nil
}
