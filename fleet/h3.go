package fleet

import (
	h3 "github.com/uber/h3-go/v4"
)

// H3 resolutions used across Watch Tower. Res 9 cells (~0.1 km² in Lagos) index positions and
// sites; res 7 cells (~4 km²) index the latest truck state for wide radius searches.
const (
	CellResolution   = 9
	CoarseResolution = 7
)

// CellOf returns the H3 cell of p at res as an int64 (it fits a signed BIGINT), or 0 when p is
// not a valid point. h3-go v4.1.0 drops C errors, so the result is checked with IsValid.
func CellOf(p Point, res int) int64 {
	if !p.Valid() {
		return 0
	}
	c := h3.LatLngToCell(h3.NewLatLng(p.Lat, p.Lng), res)
	if !c.IsValid() {
		return 0
	}
	return int64(c)
}
