package fleet

import (
	"cmp"
	"slices"
	"strings"
	"unicode"
)

// MaxSuggestions is how many close matches MatchPlate and MatchSite offer when a lookup fails.
const MaxSuggestions = 5

// Plate shape limits, on the normalised form.
const (
	MinPlateLen = 4
	MaxPlateLen = 12
)

// minDigitQuery is the shortest digits-only query MatchPlate resolves on its own ("985").
const minDigitQuery = 3

// NormalizePlate returns the canonical form of a plate as typed: upper case, with whitespace,
// dashes, dots and underscores removed ("t11985 la", "T-11985-LA" and "t11985la" all give
// "T11985LA"). Other characters are kept so that ValidPlate can reject them. It never fails.
func NormalizePlate(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || r == '-' || r == '.' || r == '_' {
			return -1
		}
		return unicode.ToUpper(r)
	}, s)
}

// ValidPlate reports whether s, once normalised, is a plausible plate: MinPlateLen to
// MaxPlateLen ASCII letters and digits with at least one of each. That accepts the Nigerian
// styles (T11985LA, ABC123XY, KJA-123-AB) and other registrations, and rejects site codes such as
// "ECLAT", bare numbers such as "11985" and free text. It never fails.
func ValidPlate(s string) bool {
	p := NormalizePlate(s)
	if len(p) < MinPlateLen || len(p) > MaxPlateLen {
		return false
	}
	var letters, digits int
	for i := 0; i < len(p); i++ {
		switch c := p[i]; {
		case c >= 'A' && c <= 'Z':
			letters++
		case c >= '0' && c <= '9':
			digits++
		default:
			return false
		}
	}
	return letters > 0 && digits > 0
}

// MatchPlate resolves what a user typed to one of the known plates. exact is the known plate
// (as given in known) whose normalised form equals the query's, or, when the query is only
// digits (at least three), the one plate whose digit run is exactly those digits or, failing
// that, the one plate containing them ("11985" → T11985LA). Otherwise exact is "" and
// suggestions holds up to MaxSuggestions close plates from SuggestPlates, best first; callers
// turn that into ENOTFOUND with the suggestions attached.
func MatchPlate(query string, known []string) (exact string, suggestions []string) {
	q := NormalizePlate(query)
	if q == "" {
		return "", nil
	}
	for _, k := range known {
		if NormalizePlate(k) == q {
			return k, nil
		}
	}
	if len(q) >= minDigitQuery && isDigits(q) {
		if k, ok := uniqueDigitMatch(q, known); ok {
			return k, nil
		}
	}
	return "", SuggestPlates(query, known, MaxSuggestions)
}

// uniqueDigitMatch finds the single known plate meant by a digits-only query: first among
// plates whose longest digit run equals q, then among plates containing q. Several distinct
// plates in the deciding tier make the query ambiguous.
func uniqueDigitMatch(q string, known []string) (string, bool) {
	for _, tier := range []func(string) bool{
		func(kn string) bool { return digitRun(kn) == q },
		func(kn string) bool { return strings.Contains(kn, q) },
	} {
		var found, foundNorm string
		n := 0
		for _, k := range known {
			kn := NormalizePlate(k)
			if !tier(kn) || (n > 0 && kn == foundNorm) {
				continue
			}
			found, foundNorm = k, kn
			n++
		}
		switch {
		case n == 1:
			return found, true
		case n > 1:
			return "", false
		}
	}
	return "", false
}

// SuggestPlates returns up to limit known plates close to query, best first. Closeness is the
// edit distance (with transpositions) between normalised forms, improved when the plate
// contains the query (more when it starts with it), when its digit run equals or contains the
// query's, or is one edit from it; so "T1198LA", "11985" and "11958" all suggest T11985LA.
// Plates are returned as given in known, each normalised plate at most once. It returns nil
// when nothing is close, limit ≤ 0, or the query is empty or far longer than a plate.
func SuggestPlates(query string, known []string, limit int) []string {
	q := NormalizePlate(query)
	if q == "" || limit <= 0 || len(q) > 2*MaxPlateLen {
		return nil
	}
	type candidate struct {
		plate, norm string
		score       float64
		dist        int
	}
	qd := digitRun(q)
	var buf []int
	var cands []candidate
	for _, k := range known {
		kn := NormalizePlate(k)
		if kn == "" {
			continue
		}
		if score, dist, ok := plateScore(q, qd, kn, &buf); ok {
			cands = append(cands, candidate{plate: k, norm: kn, score: score, dist: dist})
		}
	}
	slices.SortFunc(cands, func(a, b candidate) int {
		return cmp.Or(cmp.Compare(a.score, b.score), cmp.Compare(a.dist, b.dist), cmp.Compare(a.norm, b.norm))
	})
	out := make([]string, 0, min(limit, len(cands)))
	for i, c := range cands {
		if len(out) == limit {
			break
		}
		if i > 0 && slices.ContainsFunc(cands[:i], func(p candidate) bool { return p.norm == c.norm }) {
			continue
		}
		out = append(out, c.plate)
	}
	if len(out) == 0 {
		return nil
	}
	return out
}

// plateScore rates known plate k against query q (both normalised; qd is q's digit run).
// Lower scores are closer; ok says whether k is close enough to suggest at all.
func plateScore(q, qd, k string, buf *[]int) (score float64, dist int, ok bool) {
	dist = editDistance(q, k, buf)
	score = float64(dist)
	ok = dist <= plateTolerance(len(q))
	if len(q) >= minDigitQuery && strings.Contains(k, q) {
		ok = true
		score -= 2
		if strings.HasPrefix(k, q) {
			score--
		}
	}
	if len(qd) >= minDigitQuery {
		switch kd := digitRun(k); {
		case kd == qd:
			ok = true
			score -= 2
		case strings.Contains(kd, qd):
			score--
		case len(qd) >= 4 && editDistance(qd, kd, buf) == 1:
			ok = true
			score -= 0.5
		}
	}
	return score, dist, ok
}

// plateTolerance is how many edits a query of n characters may be from a plate it suggests.
func plateTolerance(n int) int { return (n + 1) / 4 }

// digitRun returns the longest run of ASCII digits in s (the first one on a tie).
func digitRun(s string) string {
	best, start := "", -1
	for i := 0; i <= len(s); i++ {
		if i < len(s) && s[i] >= '0' && s[i] <= '9' {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 && i-start > len(best) {
			best = s[start:i]
		}
		start = -1
	}
	return best
}

// isDigits reports whether s is non-empty and only ASCII digits.
func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// editDistance is the optimal-string-alignment distance between a and b (insertions, deletions,
// substitutions and adjacent transpositions each cost 1), byte-wise. buf is reused scratch.
func editDistance(a, b string, buf *[]int) int {
	if a == "" || b == "" {
		return max(len(a), len(b))
	}
	n := len(b) + 1
	if cap(*buf) < 3*n {
		*buf = make([]int, 3*n)
	}
	rows := (*buf)[:3*n]
	prev2, prev, cur := rows[:n], rows[n:2*n], rows[2*n:]
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j < n; j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[n-1]
}
