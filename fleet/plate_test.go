package fleet_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/watchtower-ops/watchtower/fleet"
)

func TestNormalizePlate(t *testing.T) {
	tests := []struct{ in, want string }{
		{"t11985 la", "T11985LA"},
		{"T-11985-LA", "T11985LA"},
		{"t11985la", "T11985LA"},
		{"T11985LA", "T11985LA"},
		{" T.11985_LA ", "T11985LA"},
		{"t\t11985\nla", "T11985LA"},
		{"t 11 985 - la", "T11985LA"},
		{"kja-123-ab", "KJA123AB"},
		{"abc 123 xy", "ABC123XY"},
		{"KJA.123.AB", "KJA123AB"},
		{"", ""},
		{" - . _ ", ""},
		{"T11985/LA", "T11985/LA"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := fleet.NormalizePlate(tt.in); got != tt.want {
				t.Errorf("NormalizePlate(%q) = %q; want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestValidPlate(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"T11985LA", true},
		{"t11985 la", true},
		{"ABC123XY", true},
		{"abc-123-xy", true},
		{"KJA-123-AB", true},
		{"LND 123 AB", true},
		{"AB12", true},
		{"ABCDEF123456", true},
		{"", false},
		{"ECLAT", false},
		{"11985", false},
		{"AB1", false},
		{"ABCDEFG1234567", false},
		{"T11985LA!", false},
		{"T11985/LA", false},
		{"TË1985LA", false},
		{"where is T11985LA", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			if got := fleet.ValidPlate(tt.in); got != tt.want {
				t.Errorf("ValidPlate(%q) = %v; want %v", tt.in, got, tt.want)
			}
		})
	}
}

var knownPlates = []string{
	"T11985LA", "T28737LA", "T21985LA", "T11895LA", "ABC123XY", "KJA123AB", "T30012LA", "T45000LA", "EPE512XA",
}

func TestSuggestPlates(t *testing.T) {
	tests := []struct {
		name      string
		query     string
		known     []string
		limit     int
		wantFirst string // "" when no suggestion is wanted
		wantAlso  []string
	}{
		{"missing digit", "T1198LA", knownPlates, 5, "T11985LA", nil},
		{"digits only", "11985", knownPlates, 5, "T11985LA", nil},
		{"transposed digits", "11958", knownPlates, 5, "T11985LA", nil},
		{"wrong suffix letter", "T11985LB", knownPlates, 5, "T11985LA", nil},
		{"spaced and lower case", "t 28737 l", knownPlates, 5, "T28737LA", nil},
		{"Nigerian style typo", "KJA 123 AC", knownPlates, 5, "KJA123AB", []string{"ABC123XY"}},
		{"prefix", "T2873", knownPlates, 5, "T28737LA", nil},
		{"exact ranks first", "T21985LA", knownPlates, 5, "T21985LA", []string{"T11985LA"}},
		{"nothing close", "ZZZ999QQ", knownPlates, 5, "", nil},
		{"too short", "T", knownPlates, 5, "", nil},
		{"empty", "", knownPlates, 5, "", nil},
		{"zero limit", "T11985LA", knownPlates, 0, "", nil},
		{"no known plates", "T11985LA", nil, 5, "", nil},
		{"duplicates in known", "T1198LA", []string{"T11985LA", "t11985 la", "T11985LA"}, 5, "T11985LA", nil},
		{"known kept as given", "T1198LA", []string{"t-11985-la"}, 5, "t-11985-la", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := fleet.SuggestPlates(tt.query, tt.known, tt.limit)
			if tt.wantFirst == "" {
				if got != nil {
					t.Errorf("SuggestPlates(%q) = %q; want nil", tt.query, got)
				}
				return
			}
			if len(got) == 0 || got[0] != tt.wantFirst {
				t.Fatalf("SuggestPlates(%q) = %q; want %q first", tt.query, got, tt.wantFirst)
			}
			for _, p := range tt.wantAlso {
				if !slices.Contains(got, p) {
					t.Errorf("SuggestPlates(%q) = %q; want it to include %q", tt.query, got, p)
				}
			}
			if len(got) > tt.limit {
				t.Errorf("SuggestPlates(%q) returned %d plates; want at most %d", tt.query, len(got), tt.limit)
			}
			seen := map[string]bool{}
			for _, p := range got {
				if n := fleet.NormalizePlate(p); seen[n] {
					t.Errorf("SuggestPlates(%q) = %q; %s appears twice", tt.query, got, n)
				} else {
					seen[n] = true
				}
			}
		})
	}
}

func TestSuggestPlatesLimit(t *testing.T) {
	got := fleet.SuggestPlates("985", knownPlates, 1)
	if len(got) != 1 {
		t.Errorf("SuggestPlates(%q, limit 1) = %q; want one plate", "985", got)
	}
}

func TestMatchPlate(t *testing.T) {
	tests := []struct {
		name      string
		query     string
		known     []string
		wantExact string
		wantSugg  []string // each must be among the suggestions
	}{
		{"exact", "T11985LA", knownPlates, "T11985LA", nil},
		{"spelling variant", "t-11985 la", knownPlates, "T11985LA", nil},
		{"digits unique", "11985", knownPlates, "T11985LA", nil},
		{"digits unique other", "45000", knownPlates, "T45000LA", nil},
		{"digits spaced", "11 985", knownPlates, "T11985LA", nil},
		{"short digits unique", "512", knownPlates, "EPE512XA", nil},
		{"digit run beats substring", "1198", []string{"T1198LA", "T11985LA"}, "T1198LA", nil},
		{"digits contained once", "1985", []string{"T11985LA", "T28737LA"}, "T11985LA", nil},
		{"ambiguous digit run", "123", knownPlates, "", []string{"ABC123XY", "KJA123AB"}},
		{"ambiguous substring", "985", knownPlates, "", []string{"T11985LA", "T21985LA"}},
		{"two digits are not enough", "98", []string{"T11985LA"}, "", nil},
		{"unknown plate suggests", "T11986LA", knownPlates, "", []string{"T11985LA"}},
		{"unknown digits suggest", "11986", knownPlates, "", []string{"T11985LA"}},
		{"empty", "", knownPlates, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			exact, sugg := fleet.MatchPlate(tt.query, tt.known)
			if exact != tt.wantExact {
				t.Fatalf("MatchPlate(%q) exact = %q (suggestions %q); want %q", tt.query, exact, sugg, tt.wantExact)
			}
			if exact != "" && sugg != nil {
				t.Errorf("MatchPlate(%q) suggestions = %q with an exact match; want nil", tt.query, sugg)
			}
			for _, p := range tt.wantSugg {
				if !slices.Contains(sugg, p) {
					t.Errorf("MatchPlate(%q) suggestions = %q; want them to include %q", tt.query, sugg, p)
				}
			}
			if len(sugg) > fleet.MaxSuggestions {
				t.Errorf("MatchPlate(%q) gave %d suggestions; want at most %d", tt.query, len(sugg), fleet.MaxSuggestions)
			}
		})
	}
}

// fleetPlates returns n distinct Lagos-style plates from a fixed seed.
func fleetPlates(n int) []string {
	r := rand.New(rand.NewPCG(7, 11))
	seen := map[string]bool{}
	out := make([]string, 0, n)
	for len(out) < n {
		var p string
		if r.IntN(2) == 0 {
			p = fmt.Sprintf("T%05d%s", r.IntN(100000), []string{"LA", "KJ", "EP"}[r.IntN(3)])
		} else {
			p = fmt.Sprintf("%c%c%c%03d%c%c", 'A'+r.IntN(26), 'A'+r.IntN(26), 'A'+r.IntN(26), r.IntN(1000), 'A'+r.IntN(26), 'A'+r.IntN(26))
		}
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out
}

func BenchmarkSuggestPlates(b *testing.B) {
	plates := fleetPlates(1000)
	query := plates[500][:len(plates[500])-1] // one character missing
	b.ReportAllocs()
	for b.Loop() {
		fleet.SuggestPlates(query, plates, fleet.MaxSuggestions)
	}
}
