package fleet

import "time"

// SiteKind says what a site is for.
type SiteKind string

// Site kinds.
const (
	SiteTerminal    SiteKind = "terminal"     // port or container terminal
	SiteClient      SiteKind = "client"       // a customer's warehouse or factory
	SiteDepot       SiteKind = "depot"        // our yard or truck park
	SiteServiceArea SiteKind = "service_area" // rest area, workshop, fuel
)

// Valid reports whether k is a known site kind.
func (k SiteKind) Valid() bool {
	switch k {
	case SiteTerminal, SiteClient, SiteDepot, SiteServiceArea:
		return true
	}
	return false
}

// Site is a named circular geofence. Code is upper case and unique ("ESSLIBRA").
type Site struct {
	ID        int64
	Code      string
	Name      string
	Kind      SiteKind
	Point     Point
	RadiusM   float64 // 50–300 m
	Cell      int64   // H3 cell of Point at CellResolution
	CreatedAt time.Time
	UpdatedAt time.Time
	// ArchivedAt is when the site was retired (kept for the trips that used it, no longer a
	// geofence or a place for new trips); nil while in use.
	ArchivedAt *time.Time
}

// Site radius bounds, in metres.
const (
	MinSiteRadiusM = 50
	MaxSiteRadiusM = 300
)

// Contains reports whether p is inside the site's geofence.
func (s Site) Contains(p Point) bool { return DistanceM(s.Point, p) <= s.RadiusM }

// Validate checks a site before it is stored. It returns EINVALID naming the bad field.
func (s Site) Validate() error {
	switch {
	case s.Code == "":
		return Errorf(EINVALID, "site code is required")
	case s.Name == "":
		return Errorf(EINVALID, "site %s: name is required", s.Code)
	case !s.Kind.Valid():
		return Errorf(EINVALID, "site %s: unknown kind %q", s.Code, s.Kind)
	case !s.Point.Valid():
		return Errorf(EINVALID, "site %s: invalid coordinates %s", s.Code, s.Point)
	case !(s.RadiusM >= MinSiteRadiusM && s.RadiusM <= MaxSiteRadiusM): // NaN fails too
		return Errorf(EINVALID, "site %s: radius %.0f m is outside %d–%d m", s.Code, s.RadiusM, MinSiteRadiusM, MaxSiteRadiusM)
	}
	return nil
}

// NearestSite returns the site whose centre is closest to p and the distance to it in km.
// ok is false when sites is empty.
func NearestSite(sites []Site, p Point) (site Site, km float64, ok bool) {
	for i, s := range sites {
		d := DistanceKm(s.Point, p)
		if i == 0 || d < km {
			site, km, ok = s, d, true
		}
	}
	return site, km, ok
}
