package store_test

import (
	"context"
	"slices"
	"testing"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/store"
)

// lagosSites is a few real-looking sites for tests.
var lagosSites = []fleet.Site{
	{Code: "ESSLIBRA", Name: "ESSLIBRA Terminal Ibeshe", Kind: fleet.SiteTerminal, Point: fleet.Point{Lat: 6.556389, Lng: 3.475556}, RadiusM: 300},
	{Code: "ECLAT", Name: "Eclat Warehouse Ikeja", Kind: fleet.SiteClient, Point: fleet.Point{Lat: 6.6050, Lng: 3.3490}, RadiusM: 150},
	{Code: "TINCAN", Name: "Tin Can Island Port", Kind: fleet.SiteTerminal, Point: fleet.Point{Lat: 6.4383, Lng: 3.3436}, RadiusM: 300},
	{Code: "APAPA", Name: "Apapa Port Complex", Kind: fleet.SiteTerminal, Point: fleet.Point{Lat: 6.4478, Lng: 3.3680}, RadiusM: 300},
}

func addSites(t testing.TB, s *store.Store) {
	t.Helper()
	for _, st := range lagosSites {
		if _, err := s.UpsertSite(context.Background(), st); err != nil {
			t.Fatalf("UpsertSite(%s): %v", st.Code, err)
		}
	}
}

func TestSites(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	addSites(t, s)
	got, err := s.SiteByCode(ctx, "eclat")
	must(t, err)
	if got.Cell != fleet.CellOf(got.Point, fleet.CellResolution) || got.Cell == 0 || got.Kind != fleet.SiteClient {
		t.Errorf("SiteByCode = %+v; want its res-9 cell", got)
	}
	again, err := s.UpsertSite(ctx, lagosSites[1])
	must(t, err)
	if !again.UpdatedAt.Equal(got.UpdatedAt) {
		t.Errorf("unchanged UpsertSite moved updated_at %v → %v", got.UpdatedAt, again.UpdatedAt)
	}
	bad := lagosSites[0]
	bad.RadiusM = 5000
	_, err = s.UpsertSite(ctx, bad)
	wantCode(t, "UpsertSite radius 5000", err, fleet.EINVALID)

	_, err = s.SiteByCode(ctx, "ECLAAT")
	wantCode(t, "SiteByCode(ECLAAT)", err, fleet.ENOTFOUND)
	if sug := fleet.ErrorSuggestions(err); !slices.Contains(sug, "ECLAT") {
		t.Errorf("SiteByCode(ECLAAT) suggestions = %q; want ECLAT", sug)
	}

	for _, tc := range []struct{ query, want, code string }{
		{"tin can", "TINCAN", ""},
		{"Eclat warehouse", "ECLAT", ""},
		{"esslibra termnal", "ESSLIBRA", ""},
		{"Kano", "", fleet.ENOTFOUND},
	} {
		t.Run(tc.query, func(t *testing.T) {
			got, err := s.FindSite(ctx, tc.query)
			wantCode(t, "FindSite", err, tc.code)
			if got.Code != tc.want {
				t.Errorf("FindSite(%q) = %q; want %q", tc.query, got.Code, tc.want)
			}
		})
	}
	all, err := s.ListSites(ctx)
	must(t, err)
	if len(all) != len(lagosSites) || all[0].Code != "APAPA" {
		t.Errorf("ListSites = %d sites starting %q; want %d by code", len(all), all[0].Code, len(lagosSites))
	}
}
