package tools

import (
	"fmt"
	"hash/fnv"
	"math"
	"strings"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
)

// compass turns a heading in degrees into one of eight compass points.
func compass(deg float64) string {
	points := [...]string{"N", "NE", "E", "SE", "S", "SW", "W", "NW"}
	i := int(math.Round(math.Mod(math.Mod(deg, 360)+360, 360)/45)) % 8
	return points[i]
}

// round rounds x to n decimals, for figures the model quotes.
func round(x float64, n int) float64 {
	p := math.Pow(10, float64(n))
	return math.Round(x*p) / p
}

// ptr returns a pointer to v.
func ptr[T any](v T) *T { return &v }

// lagos formats t in the business zone with fleet.FormatTime; "" for the zero time.
func (r *Registry) lagos(t time.Time) string { return fleet.FormatTime(t, r.loc) }

// siteRef names a site, with a distance when km ≥ 0.
func siteRef(s fleet.Site, km float64) SiteRef {
	ref := SiteRef{Code: s.Code, Name: s.Name}
	if km >= 0 {
		ref.DistanceKm = ptr(round(km, 2))
	}
	return ref
}

// siteByCode finds code among sites.
func siteByCode(sites []fleet.Site, code string) (fleet.Site, bool) {
	for _, s := range sites {
		if strings.EqualFold(s.Code, code) {
			return s, true
		}
	}
	return fleet.Site{}, false
}

// siteAt returns the site whose geofence contains p: the confirmed site code when set, else
// the first geofence containing p.
func siteAt(sites []fleet.Site, confirmed string, p fleet.Point) (fleet.Site, bool) {
	if confirmed != "" {
		if s, ok := siteByCode(sites, confirmed); ok {
			return s, true
		}
	}
	for _, s := range sites {
		if s.Contains(p) {
			return s, true
		}
	}
	return fleet.Site{}, false
}

// geofences finds the site containing a point among many sites through the points' H3 cells,
// for answers about the whole fleet: a site's res-9 cover is precomputed, so each truck costs
// one map lookup and a distance or two instead of a scan of every site.
type geofences struct {
	sites  []fleet.Site
	byCode map[string]int
	byCell map[int64][]int
}

func newGeofences(sites []fleet.Site) geofences {
	g := geofences{sites: sites, byCode: map[string]int{}, byCell: map[int64][]int{}}
	for i, s := range sites {
		g.byCode[s.Code] = i
		for _, c := range fleet.CoverCells(s.Point, s.RadiusM/1000, fleet.CellResolution) {
			g.byCell[c] = append(g.byCell[c], i)
		}
	}
	return g
}

// fences returns the geofences of sites, reusing the last ones built while the sites are
// unchanged (their covers cost some H3 work per site).
func (r *Registry) fences(sites []fleet.Site) geofences {
	h := fnv.New64a()
	for _, s := range sites {
		fmt.Fprintf(h, "%s|%d|%v|%v|%v;", s.Code, s.UpdatedAt.UnixNano(), s.Point.Lat, s.Point.Lng, s.RadiusM)
	}
	key := h.Sum64()
	r.fenceMu.Lock()
	defer r.fenceMu.Unlock()
	if r.fence == nil || r.fenceKey != key {
		g := newGeofences(sites)
		r.fence, r.fenceKey = &g, key
	}
	return *r.fence
}

// at is siteAt for a point in cell (its res-9 cell; 0 to compute it).
func (g geofences) at(confirmed string, p fleet.Point, cell int64) (fleet.Site, bool) {
	if i, ok := g.byCode[confirmed]; ok {
		return g.sites[i], true
	}
	if cell == 0 {
		cell = fleet.CellOf(p, fleet.CellResolution)
	}
	for _, i := range g.byCell[cell] {
		if g.sites[i].Contains(p) {
			return g.sites[i], true
		}
	}
	return fleet.Site{}, false
}

// callerID is who the audit log names for c.
func callerID(c Caller) string {
	switch {
	case c.UserID != "":
		return c.UserID
	case c.Via != "":
		return c.Via
	}
	return "unknown"
}

// describeSite is "ESSLIBRA (Esslibra Terminal)", or just the code when the name adds nothing.
func describeSite(s fleet.Site) string {
	if s.Name == "" || strings.EqualFold(s.Name, s.Code) {
		return s.Code
	}
	return s.Code + " (" + s.Name + ")"
}
