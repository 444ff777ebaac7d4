package fleet

import (
	"cmp"
	"slices"
	"strings"
	"unicode"
)

// Site matching thresholds: a fuzzy score (0–1) at or above siteMatchMin that beats the
// runner-up by siteMatchMargin is a match; scores at or above siteSuggestMin are suggested.
const (
	siteMatchMin    = 0.75
	siteMatchMargin = 0.1
	siteSuggestMin  = 0.3
	genericWeight   = 0.25 // weight of generic words ("port", "warehouse") in a query
)

// genericWord reports whether w describes what a site is rather than which one it is
// ("port", "warehouse"), so it counts little when matching.
func genericWord(w string) bool {
	switch w {
	case "port", "terminal", "terminals", "warehouse", "depot", "yard", "site", "park", "plant",
		"factory", "office", "the", "at", "of", "and", "ltd", "limited", "plc", "nigeria", "lagos",
		"area", "gate":
		return true
	}
	return false
}

// MatchSite resolves what a user typed to one of sites. It matches, in order: the code with
// case, spaces and punctuation ignored ("tin can" → TINCAN, "eclat" → ECLAT); the full name the
// same way ("apapa port" → the site named "Apapa Port"); then the best fuzzy match on the words
// of names and codes ("Eclat warehouse", "esslibra termnal"), when it is clearly better than the
// runner-up. ok is false when nothing matches clearly; suggestions then lists the codes of up to
// MaxSuggestions close sites, best first (empty when none is close), and callers turn that into
// ENOTFOUND with the suggestions attached.
func MatchSite(query string, sites []Site) (site Site, suggestions []string, ok bool) {
	key := siteKey(query)
	if key == "" || len(sites) == 0 {
		return Site{}, nil, false
	}
	for _, s := range sites {
		if siteKey(s.Code) == key {
			return s, nil, true
		}
	}
	for _, s := range sites {
		if siteKey(s.Name) == key {
			return s, nil, true
		}
	}
	type candidate struct {
		i     int
		score float64
	}
	words := siteWords(query)
	var buf []int
	var cands []candidate
	for i, s := range sites {
		if sc := siteScore(key, words, s, &buf); sc >= siteSuggestMin {
			cands = append(cands, candidate{i, sc})
		}
	}
	slices.SortStableFunc(cands, func(a, b candidate) int {
		return cmp.Or(cmp.Compare(b.score, a.score), cmp.Compare(sites[a.i].Code, sites[b.i].Code))
	})
	if len(cands) > 0 && cands[0].score >= siteMatchMin &&
		(len(cands) == 1 || cands[0].score-cands[1].score >= siteMatchMargin) {
		return sites[cands[0].i], nil, true
	}
	for _, c := range cands {
		if len(suggestions) == MaxSuggestions {
			break
		}
		if code := sites[c.i].Code; !slices.Contains(suggestions, code) {
			suggestions = append(suggestions, code)
		}
	}
	return Site{}, suggestions, false
}

// siteScore rates how well a query (its key and words) names site s, from 0 to 1.
func siteScore(key string, words []string, s Site, buf *[]int) float64 {
	code, name := siteKey(s.Code), siteKey(s.Name)
	best := 0.0
	if len(key) >= 3 && (strings.HasPrefix(code, key) || strings.HasPrefix(name, key)) {
		best = 0.9
	}
	// A near miss on the whole code or name ("ESLIBRA") scores by its share of edits.
	for _, whole := range []string{code, name} {
		if whole == "" {
			continue
		}
		d := editDistance(key, whole, buf)
		if sim := 1 - float64(d)/float64(max(len(key), len(whole))); d <= plateTolerance(len(key)) {
			best = max(best, 0.8)
		} else if sim >= 0.5 {
			best = max(best, sim*0.6)
		}
	}
	tokens := append(siteWords(s.Name), strings.ToLower(code))
	return max(best, wordScore(words, tokens, buf))
}

// wordScore is the weighted share of query words that some site token matches; generic words
// weigh genericWeight, and a query of only generic words scores at most 0.7.
func wordScore(words, tokens []string, buf *[]int) float64 {
	var sum, weight float64
	specific := false
	for _, w := range words {
		wt := 1.0
		if genericWord(w) {
			wt = genericWeight
		} else {
			specific = true
		}
		best := 0.0
		for _, t := range tokens {
			best = max(best, tokenSimilarity(w, t, buf))
		}
		sum += wt * best
		weight += wt
	}
	if weight == 0 {
		return 0
	}
	if !specific {
		return 0.7 * sum / weight
	}
	return sum / weight
}

// tokenSimilarity rates one query word w against one site token t (both lower case).
func tokenSimilarity(w, t string, buf *[]int) float64 {
	switch {
	case w == t:
		return 1
	case len(w) >= 3 && strings.HasPrefix(t, w):
		return 0.9
	case len(t) >= 3 && strings.HasPrefix(w, t):
		return 0.8
	}
	if len(w) < 4 {
		return 0
	}
	switch d := editDistance(w, t, buf); {
	case d <= 1:
		return 0.8
	case d <= 2 && len(w) >= 7:
		return 0.7
	}
	return 0
}

// siteKey is s upper-cased with everything but letters and digits removed.
func siteKey(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return unicode.ToUpper(r)
		}
		return -1
	}, s)
}

// siteWords splits s into lower-case words of letters and digits.
func siteWords(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}
