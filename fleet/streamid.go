package fleet

import (
	"strconv"
	"strings"
)

// StreamIDLess reports whether Redis stream entry ID a ("<ms>-<seq>") comes before b,
// comparing both parts as numbers (as strings, "999-0" would sort after "1000-0"). The
// consumers of the ingest and notify streams and the retention trim all order entries by it.
func StreamIDLess(a, b string) bool {
	am, as, _ := strings.Cut(a, "-")
	bm, bs, _ := strings.Cut(b, "-")
	ai, _ := strconv.ParseUint(am, 10, 64)
	bi, _ := strconv.ParseUint(bm, 10, 64)
	if ai != bi {
		return ai < bi
	}
	ac, _ := strconv.ParseUint(as, 10, 64)
	bc, _ := strconv.ParseUint(bs, 10, 64)
	return ac < bc
}
