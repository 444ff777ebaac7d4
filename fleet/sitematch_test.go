package fleet_test

import (
	"slices"
	"testing"

	"github.com/watchtower-ops/watchtower/fleet"
)

var lagosSites = []fleet.Site{
	{Code: "APAPA", Name: "Apapa Port", Kind: fleet.SiteTerminal, Point: fleet.Point{Lat: 6.4478, Lng: 3.3680}, RadiusM: 300},
	{Code: "TINCAN", Name: "Tin Can Island Port", Kind: fleet.SiteTerminal, Point: fleet.Point{Lat: 6.4400, Lng: 3.3380}, RadiusM: 300},
	{Code: "APMT", Name: "APM Terminals Apapa", Kind: fleet.SiteTerminal, Point: fleet.Point{Lat: 6.4430, Lng: 3.3610}, RadiusM: 250},
	{Code: "ECLAT", Name: "Eclat Healthcare Warehouse", Kind: fleet.SiteClient, Point: fleet.Point{Lat: 6.6050, Lng: 3.3490}, RadiusM: 150},
	{Code: "ESSLIBRA", Name: "Esslibra Logistics", Kind: fleet.SiteClient, Point: fleet.Point{Lat: 6.5120, Lng: 3.3710}, RadiusM: 200},
	{Code: "ORILE", Name: "Orile Truck Park", Kind: fleet.SiteDepot, Point: fleet.Point{Lat: 6.4870, Lng: 3.3490}, RadiusM: 300},
}

func TestMatchSite(t *testing.T) {
	tests := []struct {
		query    string
		wantCode string   // "" when no match is wanted
		wantSugg []string // each must be among the suggestions
	}{
		{"ECLAT", "ECLAT", nil},
		{"eclat", "ECLAT", nil},
		{"  Eclat ", "ECLAT", nil},
		{"Eclat warehouse", "ECLAT", nil},
		{"eclat healthcare", "ECLAT", nil},
		{"ecla", "ECLAT", nil},
		{"eclta", "ECLAT", nil},
		{"apapa", "APAPA", nil},
		{"apapa port", "APAPA", nil},
		{"Apapa Port", "APAPA", nil},
		{"tin can", "TINCAN", nil},
		{"Tin-Can", "TINCAN", nil},
		{"tincan port", "TINCAN", nil},
		{"Tin Can Island", "TINCAN", nil},
		{"esslibra", "ESSLIBRA", nil},
		{"eslibra", "ESSLIBRA", nil},
		{"esslibra logistcs", "ESSLIBRA", nil},
		{"APM", "APMT", nil},
		{"apm terminals", "APMT", nil},
		{"orile park", "ORILE", nil},
		{"port", "", []string{"APAPA", "TINCAN"}},
		{"apa", "", []string{"APAPA", "APMT"}},
		{"ikeja", "", nil},
		{"", "", nil},
		{"!!!", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			site, sugg, ok := fleet.MatchSite(tt.query, lagosSites)
			if ok != (tt.wantCode != "") || site.Code != tt.wantCode {
				t.Fatalf("MatchSite(%q) = %s, %q, %v; want %q", tt.query, site.Code, sugg, ok, tt.wantCode)
			}
			if ok && sugg != nil {
				t.Errorf("MatchSite(%q) suggestions = %q with a match; want nil", tt.query, sugg)
			}
			for _, c := range tt.wantSugg {
				if !slices.Contains(sugg, c) {
					t.Errorf("MatchSite(%q) suggestions = %q; want them to include %s", tt.query, sugg, c)
				}
			}
			if len(sugg) > fleet.MaxSuggestions {
				t.Errorf("MatchSite(%q) gave %d suggestions; want at most %d", tt.query, len(sugg), fleet.MaxSuggestions)
			}
		})
	}
}

func TestMatchSiteNoSites(t *testing.T) {
	if site, sugg, ok := fleet.MatchSite("eclat", nil); ok || sugg != nil || site.Code != "" {
		t.Errorf("MatchSite(eclat, nil) = %s, %q, %v; want no match", site.Code, sugg, ok)
	}
}

func TestMatchSiteIkejaSuggestsNothingFar(t *testing.T) {
	_, sugg, ok := fleet.MatchSite("ikeja", lagosSites)
	if ok || len(sugg) != 0 {
		t.Errorf("MatchSite(ikeja) = %q, %v; want no match and no suggestions", sugg, ok)
	}
}
