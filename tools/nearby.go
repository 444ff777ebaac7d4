package tools

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
)

// find_nearby_trucks limits.
const (
	DefaultNearbyRadiusKm = 5.0
	MaxNearbyRadiusKm     = 50.0
	MinNearbyRadiusKm     = 0.05
	DefaultNearbyLimit    = 10
	MaxNearbyLimit        = 50
)

// NearbyArgs are find_nearby_trucks' arguments.
type NearbyArgs struct {
	Near     string   `json:"near" desc:"What to search around: a site code or name (ESSLIBRA, \"Apapa port\"), a truck plate (T11985LA), or coordinates \"lat,lng\" (6.4474,3.3903)."`
	RadiusKm *float64 `json:"radius_km" desc:"Search radius in km, 0.05 to 50; null = 5."`
	Status   *string  `json:"status" enum:"moving,idle,parked,offline,maintenance" desc:"Only trucks in this state; null = any state."`
	Limit    *int     `json:"limit" desc:"How many trucks to list, nearest first, 1 to 50; null = 10."`
}

func (r *Registry) nearbyTool() Tool {
	return Tool{
		Name: ToolNearbyTrucks,
		Description: "The trucks nearest to a site, a truck or a coordinate, within a radius, nearest first, with " +
			"straight-line distance, state, speed, the site each is at and the age of its fix. Use it for \"who is near " +
			"Apapa\", \"closest truck to ECLAT\", \"idle trucks within 3 km of T11985LA\".",
		Parameters: strictSchema(NearbyArgs{}),
		ReadOnly:   true,
		run: func(ctx context.Context, raw json.RawMessage, _ Caller) (any, error) {
			var a NearbyArgs
			if err := decodeArgs(raw, &a); err != nil {
				return nil, err
			}
			return r.NearbyTrucks(ctx, a)
		},
	}
}

// NearbyTrucks answers find_nearby_trucks: the H3 cells covering the circle are looked up
// (fleet.CoverCells at fleet.ResolutionForRadius), then every candidate is kept only if its
// exact great-circle distance is within the radius. The reference truck itself is left out,
// and so are retired trucks (outside the fleet); each truck's state is fleet.StateOf, the one
// every other surface shows.
// It returns EINVALID for a bad radius, limit or status, and ENOTFOUND with suggestions when
// near names no site, truck or coordinate, or names a truck that never reported.
func (r *Registry) NearbyTrucks(ctx context.Context, a NearbyArgs) (*NearbyTrucks, error) {
	radius, limit, status, err := nearbyBounds(a)
	if err != nil {
		return nil, err
	}
	out := &NearbyTrucks{RadiusKm: radius, StatusOnly: status,
		Distances: "straight-line (great-circle) distance from the reference point"}
	if err := r.resolveNear(ctx, strings.TrimSpace(a.Near), out); err != nil {
		return nil, err
	}
	out.MapURL = out.Center.MapURL()
	res := fleet.ResolutionForRadius(radius)
	cells := fleet.CoverCells(out.Center, radius, res)
	if cells == nil {
		return nil, fleet.Errorf(fleet.EINVALID, "cannot search %.1f km around %s", radius, out.Near)
	}
	out.Resolution = res
	now := r.nowIn()
	top, err := r.scan(ctx, out, cells, res == fleet.CoarseResolution, status, limit, now)
	if err != nil {
		return nil, err
	}
	for _, c := range top.sorted() {
		out.Trucks = append(out.Trucks, NearbyTruck{Plate: c.state.Plate, DistanceKm: round(c.km, 2),
			Status: fleet.StateOf(fleet.Truck{Plate: c.state.Plate, Status: c.truck}, &c.state, now, r.th), SpeedKmh: round(c.state.SpeedKmh, 1), Site: c.state.SiteCode,
			FixAge: fleet.FormatAge(c.state.Age(now)), FixTime: c.state.FixTime.UTC(), Lat: c.state.Point.Lat, Lng: c.state.Point.Lng})
	}
	if out.Trucks == nil {
		out.Trucks = []NearbyTruck{}
	}
	out.Truncated = out.Count > len(out.Trucks)
	return out, nil
}

// scan visits the candidates in cells, counts those within out.RadiusKm of out.Center in the
// wanted state into out.Count, and keeps the limit nearest.
func (r *Registry) scan(ctx context.Context, out *NearbyTrucks, cells []int64, coarse bool, status string, limit int, now time.Time) (*nearest, error) {
	top := newNearest(limit)
	near := newProximity(out.Center, out.RadiusKm)
	err := r.nearby.VisitCells(ctx, cells, coarse, func(t *fleet.Truck, s *fleet.TruckState) {
		if s.Plate == out.Excluded {
			return
		}
		est, sure := near.estimate(s.Point)
		if est > near.hi {
			return // surely outside: most of the cells' over-cover ends here
		}
		if !fleet.InFleet(*t) || status != "" && string(fleet.StateOf(*t, s, now, r.th)) != status {
			return // the state is asked here only when filtering; the listed ones get it below
		}
		if sure && est < near.lo && top.full() && est > top.worst()*(1+near.eps) {
			out.Count++ // surely inside, surely not among the nearest: no exact distance needed
			return
		}
		km := fleet.DistanceKm(out.Center, s.Point)
		if km > out.RadiusKm {
			return
		}
		out.Count++
		top.offer(s, t.Status, km)
	})
	return top, err
}

// nearbyBounds checks and defaults the radius, limit and status.
func nearbyBounds(a NearbyArgs) (radius float64, limit int, status string, err error) {
	radius, limit, status = DefaultNearbyRadiusKm, DefaultNearbyLimit, strings.ToLower(str(a.Status))
	if a.RadiusKm != nil {
		radius = *a.RadiusKm
	}
	if a.Limit != nil {
		limit = *a.Limit
	}
	switch {
	case !(radius >= MinNearbyRadiusKm && radius <= MaxNearbyRadiusKm):
		return 0, 0, "", fleet.Errorf(fleet.EINVALID, "radius must be between %.2f and %.0f km", MinNearbyRadiusKm, MaxNearbyRadiusKm)
	case limit < 1 || limit > MaxNearbyLimit:
		return 0, 0, "", fleet.Errorf(fleet.EINVALID, "limit must be between 1 and %d", MaxNearbyLimit)
	case status != "" && !slices.Contains(fleet.States, fleet.State(status)):
		return 0, 0, "", fleet.Errorf(fleet.EINVALID, "unknown status %q; use moving, idle, parked, offline or maintenance", status)
	}
	return radius, limit, status, nil
}

// resolveNear sets the center of out from a coordinate, a truck or a site. Plate-like
// references are tried as trucks first, everything else as sites first.
func (r *Registry) resolveNear(ctx context.Context, near string, out *NearbyTrucks) error {
	if near == "" {
		return fleet.Errorf(fleet.EINVALID, "near what? give a site, a truck plate or lat,lng")
	}
	if p, err := fleet.ParsePoint(near); err == nil {
		out.Near, out.NearKind, out.Center = p.String(), "point", p
		return nil
	}
	asTruck := func() error { return r.nearTruck(ctx, near, out) }
	asSite := func() error { return r.nearSite(ctx, near, out) }
	first, second := asSite, asTruck
	if fleet.ValidPlate(near) || isDigits(near) {
		first, second = asTruck, asSite
	}
	err1 := first()
	if fleet.ErrorCode(err1) != fleet.ENOTFOUND {
		return err1
	}
	err2 := second()
	if fleet.ErrorCode(err2) != fleet.ENOTFOUND {
		return err2
	}
	e := fleet.Errorf(fleet.ENOTFOUND, "no site or truck called %s", near)
	e.Suggestions = append(fleet.ErrorSuggestions(err1), fleet.ErrorSuggestions(err2)...)
	return e
}

// nearSite centers out on a site.
func (r *Registry) nearSite(ctx context.Context, near string, out *NearbyTrucks) error {
	s, err := r.fleet.FindSite(ctx, near)
	if err != nil {
		return err
	}
	out.Near, out.NearKind, out.Center = describeSite(s), "site", s.Point
	return nil
}

// nearTruck centers out on a truck's last fix and leaves the truck out of the answer.
func (r *Registry) nearTruck(ctx context.Context, near string, out *NearbyTrucks) error {
	t, err := r.fleet.FindTruck(ctx, near)
	if err != nil {
		return err
	}
	st, hasFix, err := r.state(ctx, t.Plate)
	if err != nil {
		return err
	}
	if !hasFix {
		return fleet.Errorf(fleet.EINVALID, "truck %s has not reported a position yet, so nothing can be near it", t.Plate)
	}
	out.Near, out.NearKind, out.Center, out.Excluded = fmt.Sprintf("%s (fix %s)", t.Plate, fleet.FormatAge(st.Age(r.now()))), "truck", st.Point, t.Plate
	return nil
}

// candidate is a truck within the radius.
type candidate struct {
	state fleet.TruckState
	truck fleet.TruckStatus // the truck's status, for fleet.StateOf
	km    float64
}

// nearest keeps the limit nearest candidates offered, as a bounded sorted slice: limit is at
// most MaxNearbyLimit, so insertion is cheaper than a heap and the visitor never allocates
// once it is full.
type nearest struct {
	limit int
	best  []candidate
}

func newNearest(limit int) *nearest { return &nearest{limit: limit, best: make([]candidate, 0, limit)} }

// offer considers s, of a truck with status truck, at km; s is copied only when it makes the
// cut.
func (n *nearest) offer(s *fleet.TruckState, truck fleet.TruckStatus, km float64) {
	if len(n.best) == n.limit && !less(km, s.Plate, n.best[n.limit-1]) {
		return
	}
	i, _ := slices.BinarySearchFunc(n.best, candidate{km: km, state: fleet.TruckState{Plate: s.Plate}}, compareCandidates)
	if len(n.best) < n.limit {
		n.best = append(n.best, candidate{})
	}
	copy(n.best[i+1:], n.best[i:len(n.best)-1])
	n.best[i] = candidate{state: *s, truck: truck, km: km}
}

func (n *nearest) sorted() []candidate { return n.best }

// full reports whether limit candidates are kept; worst is then the farthest one's distance.
func (n *nearest) full() bool { return len(n.best) == n.limit }

func (n *nearest) worst() float64 { return n.best[len(n.best)-1].km }

// proximity estimates distances from a center cheaply: an equirectangular projection scaled
// at the center's latitude is within eps (relative) of the great-circle distance over the
// search radius, so candidates can be ruled in or out without the trigonometry of the exact
// formula, which is kept for the ones that matter (near the edge, or among the nearest).
type proximity struct {
	c        fleet.Point
	kmPerDeg float64 // km per degree of latitude
	cosLat   float64
	eps      float64 // relative error bound of estimate within the radius
	lo, hi   float64 // radius·(1−eps), radius·(1+eps)
}

func newProximity(c fleet.Point, radiusKm float64) proximity {
	lat := c.Lat * math.Pi / 180
	// The projection's error grows with the change of cos(latitude) across the radius.
	eps := 0.01 + 2*math.Abs(math.Tan(lat))*radiusKm/fleet.EarthRadiusKm
	return proximity{c: c, kmPerDeg: fleet.EarthRadiusKm * math.Pi / 180, cosLat: math.Cos(lat), eps: eps,
		lo: radiusKm * (1 - eps), hi: radiusKm * (1 + eps)}
}

// estimate returns the estimated distance in km to p; sure is false when the estimate cannot
// be trusted (across the antimeridian, near a pole), and est is then 0 so callers fall
// through to the exact distance.
func (x proximity) estimate(p fleet.Point) (est float64, sure bool) {
	dLng := p.Lng - x.c.Lng
	if dLng > 90 || dLng < -90 || x.cosLat < 0.1 {
		return 0, false
	}
	dy := (p.Lat - x.c.Lat) * x.kmPerDeg
	dx := dLng * x.kmPerDeg * x.cosLat
	return math.Sqrt(dx*dx + dy*dy), true
}

func less(km float64, plate string, c candidate) bool {
	return km < c.km || km == c.km && plate < c.state.Plate
}

func compareCandidates(a, b candidate) int {
	return cmp.Or(cmp.Compare(a.km, b.km), cmp.Compare(a.state.Plate, b.state.Plate))
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
