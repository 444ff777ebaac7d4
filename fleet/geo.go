package fleet

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// EarthRadiusKm is the mean Earth radius (IUGG) used for great-circle distances.
const EarthRadiusKm = 6371.0088

// Point is a WGS84 coordinate in decimal degrees.
type Point struct {
	Lat float64 `json:"lat"`
	Lng float64 `json:"lng"`
}

// Valid reports whether p is a plausible GPS fix: latitude and longitude in range and not the
// 0,0 that broken devices report.
func (p Point) Valid() bool {
	if math.IsNaN(p.Lat) || math.IsNaN(p.Lng) {
		return false
	}
	if p.Lat < -90 || p.Lat > 90 || p.Lng < -180 || p.Lng > 180 {
		return false
	}
	return !(p.Lat == 0 && p.Lng == 0)
}

// String formats p as "lat,lng" with six decimals (about 10 cm).
func (p Point) String() string { return fmt.Sprintf("%.6f,%.6f", p.Lat, p.Lng) }

// MapURL returns a link that opens p on a map.
func (p Point) MapURL() string {
	return "https://www.google.com/maps?q=" + strconv.FormatFloat(p.Lat, 'f', 6, 64) + "," + strconv.FormatFloat(p.Lng, 'f', 6, 64)
}

// ParsePoint parses "lat,lng" (spaces allowed). It returns EINVALID when s is not two numbers
// or the point is not a valid fix.
func ParsePoint(s string) (Point, error) {
	a, b, ok := strings.Cut(s, ",")
	if !ok {
		return Point{}, Errorf(EINVALID, "%q is not a lat,lng pair", s)
	}
	lat, err1 := strconv.ParseFloat(strings.TrimSpace(a), 64)
	lng, err2 := strconv.ParseFloat(strings.TrimSpace(b), 64)
	if err1 != nil || err2 != nil {
		return Point{}, Errorf(EINVALID, "%q is not a lat,lng pair", s)
	}
	p := Point{Lat: lat, Lng: lng}
	if !p.Valid() {
		return Point{}, Errorf(EINVALID, "%q is not a valid coordinate", s)
	}
	return p, nil
}

// DistanceKm returns the great-circle (haversine) distance between a and b in kilometres.
func DistanceKm(a, b Point) float64 {
	const rad = math.Pi / 180
	dLat := (b.Lat - a.Lat) * rad
	dLng := (b.Lng - a.Lng) * rad
	s := math.Sin(dLat/2)*math.Sin(dLat/2) +
		math.Cos(a.Lat*rad)*math.Cos(b.Lat*rad)*math.Sin(dLng/2)*math.Sin(dLng/2)
	return 2 * EarthRadiusKm * math.Asin(math.Min(1, math.Sqrt(s)))
}

// DistanceM returns the great-circle distance between a and b in metres.
func DistanceM(a, b Point) float64 { return DistanceKm(a, b) * 1000 }

// MaxLegKmh is the fastest a truck can go between two fixes: a faster leg is a GPS jump, not
// driving, and counts no distance.
const MaxLegKmh = 200

// LegKm returns the distance driven from fix a to fix b taken dt apart, and false (and 0)
// when the leg is an impossible jump (faster than MaxLegKmh; dt counts as at least a second).
// Distance summaries of every surface count legs with it.
func LegKm(a, b Point, dt time.Duration) (float64, bool) {
	km := DistanceKm(a, b)
	if km > MaxLegKmh*max(dt.Seconds(), 1)/3600 {
		return 0, false
	}
	return km, true
}

// Idling reports whether the time after a fix of speedKmh with the ignition as given counts
// as idle: stopped (at or below MovingKmh) with the ignition on.
func (th Thresholds) Idling(speedKmh float64, ignition bool) bool {
	return ignition && speedKmh <= th.MovingKmh
}

// IdleSpan is the idle time a leg of length dt after such a fix adds: dt, capped at
// OfflineAfter (a longer silence is not idling); 0 when the fix was not idling.
func (th Thresholds) IdleSpan(speedKmh float64, ignition bool, dt time.Duration) time.Duration {
	if !th.Idling(speedKmh, ignition) || dt <= 0 {
		return 0
	}
	return min(dt, th.OfflineAfter)
}
