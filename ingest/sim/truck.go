package sim

import (
	"math"
	"math/rand/v2"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
)

// truck is one simulated vehicle: it dwells at a site (parked, or loading with the engine on),
// drives a bent route to the next site with traffic stops and the odd overspeed stretch, and
// dwells again. Time is simulated time.
type truck struct {
	plate, imei string
	rng         *rand.Rand
	sites       []fleet.Site
	site        int           // site it is at or last left
	route       []fleet.Point // waypoints while driving; nil while dwelling
	leg         int           // index of the waypoint it drives towards
	pos         fleet.Point
	heading     float64
	speed       float64 // km/h
	ign         bool
	until       time.Time // end of the dwell, traffic stop or overspeed stretch
	stopped     bool      // in a traffic stop
	speeding    bool
	last        time.Time // simulated time of the last advance
	lastFix     time.Time // wall time of the last fix reported (kept increasing)
	silentAfter time.Time // wall time after which it stops reporting; zero: never
}

func newTruck(plate, imei string, sites []fleet.Site, rng *rand.Rand, now time.Time) *truck {
	t := &truck{plate: plate, imei: imei, rng: rng, sites: sites, site: rng.IntN(len(sites)), last: now}
	t.pos = jitter(sites[t.site].Point, sites[t.site].RadiusM/3, rng)
	if rng.IntN(2) == 0 {
		t.depart(now)
	} else {
		t.dwell(now, time.Duration(rng.IntN(20))*time.Minute)
	}
	return t
}

// nextSite picks where to go from the current site: terminals to clients, clients to depots or
// terminals, depots and service areas to terminals.
func (t *truck) nextSite() int {
	want := map[fleet.SiteKind][]fleet.SiteKind{
		fleet.SiteTerminal: {fleet.SiteClient}, fleet.SiteClient: {fleet.SiteDepot, fleet.SiteTerminal},
		fleet.SiteDepot: {fleet.SiteTerminal}, fleet.SiteServiceArea: {fleet.SiteTerminal, fleet.SiteDepot},
	}[t.sites[t.site].Kind]
	var options []int
	for i, s := range t.sites {
		for _, k := range want {
			if s.Kind == k && i != t.site {
				options = append(options, i)
			}
		}
	}
	if len(options) == 0 {
		return (t.site + 1 + t.rng.IntN(len(t.sites)-1)) % len(t.sites)
	}
	return options[t.rng.IntN(len(options))]
}

func (t *truck) dwell(now time.Time, d time.Duration) {
	t.route, t.speed, t.stopped, t.speeding = nil, 0, false, false
	t.ign = t.rng.IntN(10) < 3 // loading with the engine running
	t.until = now.Add(d)
}

func (t *truck) depart(now time.Time) {
	dest := t.nextSite()
	to := jitter(t.sites[dest].Point, t.sites[dest].RadiusM/4, t.rng)
	mid := fleet.Point{Lat: (t.pos.Lat + to.Lat) / 2, Lng: (t.pos.Lng + to.Lng) / 2}
	bend := (t.rng.Float64() - 0.5) * 0.3 // up to 15% of the leg sideways: roads are not straight
	mid.Lat += (to.Lng - t.pos.Lng) * bend
	mid.Lng -= (to.Lat - t.pos.Lat) * bend
	t.route, t.leg, t.site = []fleet.Point{mid, to}, 0, dest
	t.ign, t.speed, t.until = true, 25+t.rng.Float64()*20, now
}

// advance moves the truck to simulated time now.
func (t *truck) advance(now time.Time) {
	dt := now.Sub(t.last)
	t.last = now
	if t.route == nil {
		if now.After(t.until) {
			t.depart(now)
		}
		return
	}
	t.drive(now)
	metres := t.speed / 3.6 * dt.Seconds()
	for metres > 0 && t.route != nil {
		target := t.route[t.leg]
		left := fleet.DistanceM(t.pos, target)
		if metres < left {
			t.pos = toward(t.pos, target, metres/left)
			t.heading = bearing(t.pos, target)
			return
		}
		t.pos, metres = target, metres-left
		if t.leg++; t.leg == len(t.route) {
			t.dwell(now, time.Duration(8+t.rng.IntN(35))*time.Minute)
		}
	}
}

// drive varies the speed: traffic stops, overspeed stretches, and a wandering cruise speed.
func (t *truck) drive(now time.Time) {
	switch {
	case (t.stopped || t.speeding) && now.Before(t.until):
		return
	case t.stopped || t.speeding:
		t.stopped, t.speeding, t.speed = false, false, 30
	case t.rng.IntN(400) == 0:
		t.stopped, t.speed, t.until = true, 0, now.Add(time.Duration(60+t.rng.IntN(180))*time.Second)
	case t.rng.IntN(600) == 0:
		t.speeding, t.speed, t.until = true, 66+t.rng.Float64()*16, now.Add(time.Duration(45+t.rng.IntN(90))*time.Second)
	default:
		t.speed = math.Max(12, math.Min(55, t.speed+(t.rng.Float64()-0.5)*6))
	}
}

func jitter(p fleet.Point, metres float64, rng *rand.Rand) fleet.Point {
	d := metres * math.Sqrt(rng.Float64()) / 111_195
	a := rng.Float64() * 2 * math.Pi
	return fleet.Point{Lat: p.Lat + d*math.Cos(a), Lng: p.Lng + d*math.Sin(a)/math.Cos(p.Lat*math.Pi/180)}
}

func toward(a, b fleet.Point, f float64) fleet.Point {
	return fleet.Point{Lat: a.Lat + (b.Lat-a.Lat)*f, Lng: a.Lng + (b.Lng-a.Lng)*f}
}

func bearing(a, b fleet.Point) float64 {
	const rad = math.Pi / 180
	y := math.Sin((b.Lng-a.Lng)*rad) * math.Cos(b.Lat*rad)
	x := math.Cos(a.Lat*rad)*math.Sin(b.Lat*rad) - math.Sin(a.Lat*rad)*math.Cos(b.Lat*rad)*math.Cos((b.Lng-a.Lng)*rad)
	return math.Mod(math.Atan2(y, x)/rad+360, 360)
}
