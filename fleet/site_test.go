package fleet_test

import (
	"math"
	"testing"

	"github.com/watchtower-ops/watchtower/fleet"
)

func TestSiteValidate(t *testing.T) {
	good := fleet.Site{Code: "ECLAT", Name: "Eclat Warehouse", Kind: fleet.SiteClient, Point: eclatPt, RadiusM: 150}
	with := func(f func(*fleet.Site)) fleet.Site { s := good; f(&s); return s }
	tests := []struct {
		name     string
		s        fleet.Site
		wantCode string
	}{
		{"valid", good, ""},
		{"smallest radius", with(func(s *fleet.Site) { s.RadiusM = fleet.MinSiteRadiusM }), ""},
		{"largest radius", with(func(s *fleet.Site) { s.RadiusM = fleet.MaxSiteRadiusM }), ""},
		{"every kind: terminal", with(func(s *fleet.Site) { s.Kind = fleet.SiteTerminal }), ""},
		{"every kind: depot", with(func(s *fleet.Site) { s.Kind = fleet.SiteDepot }), ""},
		{"every kind: service area", with(func(s *fleet.Site) { s.Kind = fleet.SiteServiceArea }), ""},
		{"no code", with(func(s *fleet.Site) { s.Code = "" }), fleet.EINVALID},
		{"no name", with(func(s *fleet.Site) { s.Name = "" }), fleet.EINVALID},
		{"unknown kind", with(func(s *fleet.Site) { s.Kind = "mall" }), fleet.EINVALID},
		{"no kind", with(func(s *fleet.Site) { s.Kind = "" }), fleet.EINVALID},
		{"null island", with(func(s *fleet.Site) { s.Point = fleet.Point{} }), fleet.EINVALID},
		{"latitude out of range", with(func(s *fleet.Site) { s.Point.Lat = 91 }), fleet.EINVALID},
		{"radius too small", with(func(s *fleet.Site) { s.RadiusM = 49 }), fleet.EINVALID},
		{"radius too large", with(func(s *fleet.Site) { s.RadiusM = 301 }), fleet.EINVALID},
		{"radius NaN", with(func(s *fleet.Site) { s.RadiusM = math.NaN() }), fleet.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.s.Validate()
			if code := fleet.ErrorCode(err); code != tt.wantCode {
				t.Errorf("Validate() code = %q (err %v); want %q", code, err, tt.wantCode)
			}
		})
	}
}

func TestSiteContains(t *testing.T) {
	site := fleet.Site{Code: "ECLAT", Point: eclatPt, RadiusM: 150}
	tests := []struct {
		name    string
		distM   float64
		bearing float64
		want    bool
	}{
		{"centre", 0, 0, true},
		{"100 m north", 100, 0, true},
		{"149 m east", 149, math.Pi / 2, true},
		{"151 m south", 151, math.Pi, false},
		{"2 km west", 2000, 3 * math.Pi / 2, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := destination(site.Point, tt.distM/1000, tt.bearing)
			if got := site.Contains(p); got != tt.want {
				t.Errorf("Contains(%v) at %.1f m = %v; want %v", p, fleet.DistanceM(site.Point, p), got, tt.want)
			}
		})
	}
}

func TestNearestSite(t *testing.T) {
	tests := []struct {
		name     string
		p        fleet.Point
		sites    []fleet.Site
		wantCode string
		wantOK   bool
	}{
		{"no sites", apapaPt, nil, "", false},
		{"one site", apapaPt, lagosSites[3:4], "ECLAT", true},
		{"at Apapa", fleet.Point{Lat: 6.4479, Lng: 3.3681}, lagosSites, "APAPA", true},
		{"near Eclat", destination(eclatPt, 0.4, 1), lagosSites, "ECLAT", true},
		{"Orile", fleet.Point{Lat: 6.4875, Lng: 3.3480}, lagosSites, "ORILE", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			site, km, ok := fleet.NearestSite(tt.sites, tt.p)
			if ok != tt.wantOK || site.Code != tt.wantCode {
				t.Fatalf("NearestSite(%v) = %s, %v; want %s, %v", tt.p, site.Code, ok, tt.wantCode, tt.wantOK)
			}
			if ok {
				if want := fleet.DistanceKm(site.Point, tt.p); math.Abs(km-want) > 1e-9 {
					t.Errorf("NearestSite(%v) km = %.4f; want %.4f", tt.p, km, want)
				}
				for _, s := range tt.sites {
					if d := fleet.DistanceKm(s.Point, tt.p); d < km {
						t.Errorf("site %s is nearer (%.3f km) than %s (%.3f km)", s.Code, d, site.Code, km)
					}
				}
			}
		})
	}
}
