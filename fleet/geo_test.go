package fleet_test

import (
	"math"
	"testing"

	"github.com/watchtower-ops/watchtower/fleet"
)

var (
	apapaPt = fleet.Point{Lat: 6.4478, Lng: 3.3680}
	eclatPt = fleet.Point{Lat: 6.6050, Lng: 3.3490}
)

// cosineLawKm is an independent reference: the spherical law of cosines on the same sphere.
func cosineLawKm(a, b fleet.Point) float64 {
	const rad = math.Pi / 180
	c := math.Sin(a.Lat*rad)*math.Sin(b.Lat*rad) + math.Cos(a.Lat*rad)*math.Cos(b.Lat*rad)*math.Cos((b.Lng-a.Lng)*rad)
	return fleet.EarthRadiusKm * math.Acos(math.Max(-1, math.Min(1, c)))
}

func TestDistanceKm(t *testing.T) {
	degKm := math.Pi * fleet.EarthRadiusKm / 180 // one degree of a great circle, 111.195 km
	tests := []struct {
		name string
		a, b fleet.Point
		want float64 // hand-computed; 0 means "use the law of cosines only"
	}{
		// By hand: Δlat 0.1572° × 111.195 = 17.480 km; Δlng 0.019° × cos 6.526° × 111.195 = 2.099 km;
		// √(17.480² + 2.099²) = 17.606 km.
		{"Apapa to Eclat", apapaPt, eclatPt, 17.606},
		{"one degree of longitude on the equator", fleet.Point{Lat: 0, Lng: 3}, fleet.Point{Lat: 0, Lng: 4}, degKm},
		{"one degree of latitude", fleet.Point{Lat: 6, Lng: 3.4}, fleet.Point{Lat: 7, Lng: 3.4}, degKm},
		{"pole to pole", fleet.Point{Lat: 90, Lng: 0}, fleet.Point{Lat: -90, Lng: 0}, 180 * degKm},
		{"antipodes on the equator", fleet.Point{Lat: 0, Lng: 10}, fleet.Point{Lat: 0, Lng: -170}, 180 * degKm},
		{"Lagos to Abuja", fleet.Point{Lat: 6.5244, Lng: 3.3792}, fleet.Point{Lat: 9.0765, Lng: 7.3986}, 0},
		{"across the antimeridian", fleet.Point{Lat: 1, Lng: 179.5}, fleet.Point{Lat: 1, Lng: -179.5}, 0},
		{"same point", apapaPt, apapaPt, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := fleet.DistanceKm(tt.a, tt.b)
			ref := cosineLawKm(tt.a, tt.b)
			if tt.want != 0 {
				ref = tt.want
			}
			if math.Abs(got-ref) > 0.005*ref+1e-9 {
				t.Errorf("DistanceKm(%v, %v) = %.4f; want %.4f within 0.5%%", tt.a, tt.b, got, ref)
			}
			if back := fleet.DistanceKm(tt.b, tt.a); math.Abs(back-got) > 1e-9 {
				t.Errorf("DistanceKm is not symmetric: %.9f vs %.9f", got, back)
			}
			if m := fleet.DistanceM(tt.a, tt.b); math.Abs(m-1000*got) > 1e-6 {
				t.Errorf("DistanceM = %.3f; want %.3f", m, 1000*got)
			}
		})
	}
	if got := fleet.DistanceKm(apapaPt, eclatPt); math.Abs(got-17.6) > 0.005*17.6 {
		t.Errorf("DistanceKm(Apapa, Eclat) = %.3f; want ≈ 17.6", got)
	}
}

func TestPointValid(t *testing.T) {
	tests := []struct {
		name string
		p    fleet.Point
		want bool
	}{
		{"Lagos", apapaPt, true},
		{"southern and western", fleet.Point{Lat: -33.9, Lng: -18.4}, true},
		{"corners", fleet.Point{Lat: 90, Lng: 180}, true},
		{"other corners", fleet.Point{Lat: -90, Lng: -180}, true},
		{"equator only", fleet.Point{Lat: 0, Lng: 3.3}, true},
		{"meridian only", fleet.Point{Lat: 6.4, Lng: 0}, true},
		{"null island", fleet.Point{}, false},
		{"lat too big", fleet.Point{Lat: 90.0001, Lng: 3}, false},
		{"lat too small", fleet.Point{Lat: -91, Lng: 3}, false},
		{"lng too big", fleet.Point{Lat: 6, Lng: 180.5}, false},
		{"lng too small", fleet.Point{Lat: 6, Lng: -181}, false},
		{"NaN", fleet.Point{Lat: math.NaN(), Lng: 3}, false},
		{"Inf", fleet.Point{Lat: 6, Lng: math.Inf(1)}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.p.Valid(); got != tt.want {
				t.Errorf("%v.Valid() = %v; want %v", tt.p, got, tt.want)
			}
		})
	}
}

func TestParsePoint(t *testing.T) {
	tests := []struct {
		in       string
		want     fleet.Point
		wantCode string
	}{
		{"6.4478,3.3680", apapaPt, ""},
		{" 6.4478 , 3.3680 ", apapaPt, ""},
		{"-33.9,18.4", fleet.Point{Lat: -33.9, Lng: 18.4}, ""},
		{"6,3", fleet.Point{Lat: 6, Lng: 3}, ""},
		{"", fleet.Point{}, fleet.EINVALID},
		{"6.4478", fleet.Point{}, fleet.EINVALID},
		{"6.4478 3.3680", fleet.Point{}, fleet.EINVALID},
		{"abc,def", fleet.Point{}, fleet.EINVALID},
		{"6.4,3.3,1", fleet.Point{}, fleet.EINVALID},
		{"0,0", fleet.Point{}, fleet.EINVALID},
		{"91,3", fleet.Point{}, fleet.EINVALID},
		{"6,181", fleet.Point{}, fleet.EINVALID},
		{"NaN,3", fleet.Point{}, fleet.EINVALID},
		{"Inf,3", fleet.Point{}, fleet.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := fleet.ParsePoint(tt.in)
			if code := fleet.ErrorCode(err); code != tt.wantCode {
				t.Fatalf("ParsePoint(%q) code = %q (err %v); want %q", tt.in, code, err, tt.wantCode)
			}
			if got != tt.want {
				t.Errorf("ParsePoint(%q) = %v; want %v", tt.in, got, tt.want)
			}
		})
	}
}

func TestPointFormats(t *testing.T) {
	if got, want := apapaPt.String(), "6.447800,3.368000"; got != want {
		t.Errorf("String() = %q; want %q", got, want)
	}
	if got, want := apapaPt.MapURL(), "https://www.google.com/maps?q=6.447800,3.368000"; got != want {
		t.Errorf("MapURL() = %q; want %q", got, want)
	}
	if back, err := fleet.ParsePoint(apapaPt.String()); err != nil || back != apapaPt {
		t.Errorf("ParsePoint(String()) = %v, %v; want %v", back, err, apapaPt)
	}
}

func BenchmarkDistanceKm(b *testing.B) {
	var sink float64
	for b.Loop() {
		sink += fleet.DistanceKm(apapaPt, eclatPt)
	}
	_ = sink
}
