package fleet_test

import (
	"math"
	"testing"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
)

func ptr[T any](v T) *T { return &v }

func TestTruckChangeNormalize(t *testing.T) {
	now := time.Date(2025, 11, 26, 10, 0, 0, 0, fleet.Lagos())
	tests := []struct {
		name  string
		c     fleet.TruckChange
		field string // "" when accepted
	}{
		{"empty", fleet.TruckChange{}, ""},
		{"driver", fleet.TruckChange{DriverName: ptr(" Musa "), DriverPhone: ptr("0803 123-4567")}, ""},
		{"international phone", fleet.TruckChange{DriverPhone: ptr("+234 803 123 4567")}, ""},
		{"phone of words", fleet.TruckChange{DriverPhone: ptr("call me")}, "driver_phone"},
		{"phone too short", fleet.TruckChange{DriverPhone: ptr("12345")}, "driver_phone"},
		{"phone without the name cleared", fleet.TruckChange{DriverName: ptr(""), DriverPhone: ptr("08031234567")}, "driver_name"},
		{"name too long", fleet.TruckChange{DriverName: ptr(string(make([]byte, 101)))}, "driver_name"},
		{"maintenance", fleet.TruckChange{Status: ptr(fleet.TruckMaintenance), MaintenanceUntil: ptr(now.Add(time.Hour))}, ""},
		{"active means operational", fleet.TruckChange{Status: ptr(fleet.TruckStatus("Active"))}, ""},
		{"retired is not a status", fleet.TruckChange{Status: ptr(fleet.TruckRetired)}, "status"},
		{"unrostered is not set by people", fleet.TruckChange{Status: ptr(fleet.TruckUnrostered)}, "status"},
		{"until without maintenance", fleet.TruckChange{MaintenanceUntil: ptr(now.Add(time.Hour))}, "maintenance_until"},
		{"until passed", fleet.TruckChange{Status: ptr(fleet.TruckMaintenance), MaintenanceUntil: ptr(now)}, "maintenance_until"},
		{"site code", fleet.TruckChange{HomeSite: ptr(" apapa ")}, ""},
		{"site of words", fleet.TruckChange{HomeSite: ptr("the port")}, "site"},
		{"notes too long", fleet.TruckChange{Notes: ptr(string(make([]rune, fleet.MaxNotesLen+1)))}, "notes"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.c.Normalize(now)
			if got := fleet.ErrorField(err); got != tc.field || (tc.field != "") != (fleet.ErrorCode(err) == fleet.EINVALID) {
				t.Errorf("Normalize = %v (field %q); want field %q", err, got, tc.field)
			}
		})
	}
	c, err := fleet.TruckChange{DriverName: ptr(" Musa "), DriverPhone: ptr("0803 123-4567"), Status: ptr(fleet.TruckStatus("active")),
		HomeSite: ptr(" apapa ")}.Normalize(now)
	if err != nil || *c.DriverName != "Musa" || *c.DriverPhone != "08031234567" || *c.Status != fleet.TruckOperational || *c.HomeSite != "APAPA" {
		t.Errorf("Normalize = %+v, %v; want trimmed name, clean phone, operational, APAPA", c, err)
	}
}

func TestCheckSite(t *testing.T) {
	good := fleet.Site{Code: " ikeja-depot ", Name: " Ikeja park ", Kind: "Depot", Point: fleet.Point{Lat: 6.6, Lng: 3.35}, RadiusM: 200}
	with := func(f func(*fleet.Site)) fleet.Site { s := good; f(&s); return s }
	tests := []struct {
		name  string
		s     fleet.Site
		field string
	}{
		{"valid", good, ""},
		{"code with a space", with(func(s *fleet.Site) { s.Code = "IKEJA DEPOT" }), "code"},
		{"code of one letter", with(func(s *fleet.Site) { s.Code = "I" }), "code"},
		{"no name", with(func(s *fleet.Site) { s.Name = " " }), "name"},
		{"unknown kind", with(func(s *fleet.Site) { s.Kind = "mall" }), "kind"},
		{"lat above 90", with(func(s *fleet.Site) { s.Point.Lat = 90.5 }), "lat"},
		{"lat below -90", with(func(s *fleet.Site) { s.Point.Lat = -91 }), "lat"},
		{"lat NaN", with(func(s *fleet.Site) { s.Point.Lat = math.NaN() }), "lat"},
		{"lng beyond 180", with(func(s *fleet.Site) { s.Point.Lng = 181 }), "lng"},
		{"null island", with(func(s *fleet.Site) { s.Point = fleet.Point{} }), "lat"},
		{"radius too small", with(func(s *fleet.Site) { s.RadiusM = 49 }), "radius_m"},
		{"radius too large", with(func(s *fleet.Site) { s.RadiusM = 301 }), "radius_m"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := fleet.CheckSite(tc.s)
			if got := fleet.ErrorField(err); got != tc.field {
				t.Errorf("CheckSite = %v (field %q); want field %q", err, got, tc.field)
			}
		})
	}
	s, err := fleet.CheckSite(good)
	if err != nil || s.Code != "IKEJA-DEPOT" || s.Name != "Ikeja park" || s.Kind != fleet.SiteDepot {
		t.Errorf("CheckSite = %+v, %v; want code upper case, name trimmed, kind depot", s, err)
	}
	moved, err := fleet.SiteChange{Lat: ptr(6.61), RadiusM: ptr(100.0)}.Apply(s)
	if err != nil || moved.Point.Lat != 6.61 || moved.Point.Lng != 3.35 || moved.RadiusM != 100 || moved.Name != s.Name {
		t.Errorf("Apply = %+v, %v; want lat and radius changed, the rest kept", moved, err)
	}
	if _, err := (fleet.SiteChange{Lat: ptr(95.0)}).Apply(s); fleet.ErrorField(err) != "lat" {
		t.Errorf("Apply(lat 95) = %v; want an error about lat", err)
	}
}

func TestWithField(t *testing.T) {
	nf := fleet.Errorf(fleet.ENOTFOUND, "site X not found")
	err := fleet.WithField("destination", nf)
	if fleet.ErrorField(err) != "destination" || fleet.ErrorCode(err) != fleet.ENOTFOUND || nf.Field != "" {
		t.Errorf("WithField = %v (field %q); want destination on a copy", err, fleet.ErrorField(err))
	}
	if got := fleet.ErrorField(fleet.WithField("origin", err)); got != "destination" {
		t.Errorf("WithField over a field = %q; want the first kept", got)
	}
}
