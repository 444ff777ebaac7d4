package fleet_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	h3 "github.com/uber/h3-go/v4"
	"github.com/watchtower-ops/watchtower/fleet"
)

// destination returns the point distKm from p along bearing (radians clockwise from north) on
// the sphere of fleet.EarthRadiusKm.
func destination(p fleet.Point, distKm, bearing float64) fleet.Point {
	const rad = math.Pi / 180
	d := distKm / fleet.EarthRadiusKm
	lat1, lng1 := p.Lat*rad, p.Lng*rad
	lat2 := math.Asin(math.Sin(lat1)*math.Cos(d) + math.Cos(lat1)*math.Sin(d)*math.Cos(bearing))
	lng2 := lng1 + math.Atan2(math.Sin(bearing)*math.Sin(d)*math.Cos(lat1), math.Cos(d)-math.Sin(lat1)*math.Sin(lat2))
	return fleet.Point{Lat: lat2 / rad, Lng: math.Remainder(lng2/rad, 360)}
}

// coverSample draws n points around c for radius r: 72 probes just inside the circle, then 70%
// on the rim (0.9R–R) and 30% uniformly over the disc.
func coverSample(rng *rand.Rand, c fleet.Point, r float64, n int) []fleet.Point {
	pts := make([]fleet.Point, 0, n+72)
	for i := range 72 {
		pts = append(pts, destination(c, r*(1-1e-9), float64(i)*2*math.Pi/72))
	}
	for range n {
		d := r * math.Sqrt(rng.Float64())
		if rng.Float64() < 0.7 {
			d = r * (0.9 + 0.1*rng.Float64())
		}
		pts = append(pts, destination(c, d, rng.Float64()*2*math.Pi))
	}
	return pts
}

// misses returns how many points within r of c have a cell at res outside CoverCells.
func misses(t testing.TB, c fleet.Point, r float64, res int, pts []fleet.Point) (missed, checked int) {
	cover := fleet.CoverCells(c, r, res)
	if len(cover) == 0 {
		t.Fatalf("CoverCells(%v, %g, %d) is empty", c, r, res)
	}
	set := make(map[int64]struct{}, len(cover))
	for _, cell := range cover {
		set[cell] = struct{}{}
	}
	for _, p := range pts {
		if fleet.DistanceKm(c, p) > r {
			continue
		}
		checked++
		if _, ok := set[fleet.CellOf(p, res)]; !ok {
			missed++
		}
	}
	return missed, checked
}

// runZeroMiss checks CoverCells over centres random in greater Lagos (lat 6.35–6.75, lng
// 3.0–3.75) for every radius and resolution, with perCase sampled points each.
func runZeroMiss(t *testing.T, seed uint64, centres, perCase int) {
	rng := rand.New(rand.NewPCG(seed, 2026))
	total := 0
	for range centres {
		c := fleet.Point{Lat: 6.35 + 0.4*rng.Float64(), Lng: 3.0 + 0.75*rng.Float64()}
		for _, res := range []int{fleet.CoarseResolution, fleet.CellResolution} {
			for _, r := range []float64{0.5, 1, 2, 5, 10, 25} {
				pts := coverSample(rng, c, r, perCase)
				missed, checked := misses(t, c, r, res, pts)
				total += checked
				if missed > 0 {
					t.Errorf("CoverCells(%v, %g km, res %d) k=%d missed %d of %d points; want 0",
						c, r, res, fleet.RadiusK(c, r, res), missed, checked)
				}
			}
		}
	}
	t.Logf("checked %d points within radius: zero misses required", total)
}

func TestCoverCellsZeroMiss(t *testing.T) {
	runZeroMiss(t, 1, 24, 150) // 24 centres × 12 cases × (72 + 150) ≈ 64,000 points
}

func TestCoverCellsZeroMissLarge(t *testing.T) {
	if testing.Short() {
		t.Skip("larger sample skipped in -short")
	}
	runZeroMiss(t, 2, 50, 600) // ≈ 400,000 more points
}

func TestCoverCellsShape(t *testing.T) {
	c := fleet.Point{Lat: 6.52, Lng: 3.38}
	for _, res := range []int{7, 8, 9} {
		for _, r := range []float64{0, 0.3, 2, 10} {
			t.Run(fmt.Sprintf("res%d/R%gkm", res, r), func(t *testing.T) {
				cover := fleet.CoverCells(c, r, res)
				k := fleet.RadiusK(c, r, res)
				if want := 3*k*(k+1) + 1; len(cover) != want {
					t.Errorf("len(CoverCells) = %d; want 3k(k+1)+1 = %d for k = %d", len(cover), want, k)
				}
				seen := map[int64]bool{}
				for _, cell := range cover {
					if hc := h3.Cell(cell); !hc.IsValid() || hc.Resolution() != res || seen[cell] {
						t.Fatalf("cell %x: valid %v, res %d, duplicate %v; want valid, res %d, once",
							cell, hc.IsValid(), hc.Resolution(), seen[cell], res)
					}
					seen[cell] = true
				}
				if origin := fleet.CellOf(c, res); !seen[origin] {
					t.Errorf("CoverCells lacks the centre's own cell %x", origin)
				}
			})
		}
	}
}

func TestCoverCellsTypicalK(t *testing.T) {
	c := fleet.Point{Lat: 6.52, Lng: 3.38}
	tests := []struct {
		res      int
		r        float64
		min, max int
	}{
		{7, 2, 3, 4}, {7, 10, 8, 9}, {9, 2, 10, 11}, {9, 0.5, 3, 5},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("res%d/R%gkm", tt.res, tt.r), func(t *testing.T) {
			if k := fleet.RadiusK(c, tt.r, tt.res); k < tt.min || k > tt.max {
				t.Errorf("RadiusK(Lagos, %g, %d) = %d; want %d–%d", tt.r, tt.res, k, tt.min, tt.max)
			}
		})
	}
}

func TestCoverCellsBadInput(t *testing.T) {
	lagos := fleet.Point{Lat: 6.52, Lng: 3.38}
	tests := []struct {
		name   string
		c      fleet.Point
		r      float64
		res    int
		wantK  bool // RadiusK is not -1 (the disk is only too wide)
		wantNK int
	}{
		{"invalid point", fleet.Point{}, 2, 9, false, 0},
		{"out of range point", fleet.Point{Lat: 95, Lng: 3}, 2, 9, false, 0},
		{"negative radius", lagos, -1, 9, false, 0},
		{"NaN radius", lagos, math.NaN(), 9, false, 0},
		{"infinite radius", lagos, math.Inf(1), 9, false, 0},
		{"resolution too fine", lagos, 2, 16, false, 0},
		{"negative resolution", lagos, 2, -1, false, 0},
		{"disk too wide", lagos, 1000, 9, true, 0},
		{"huge radius saturates", lagos, 1e300, 9, true, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := fleet.CoverCells(tt.c, tt.r, tt.res); got != nil {
				t.Errorf("CoverCells(%v, %g, %d) has %d cells; want nil", tt.c, tt.r, tt.res, len(got))
			}
			k := fleet.RadiusK(tt.c, tt.r, tt.res)
			if tt.wantK && k <= fleet.MaxCoverK {
				t.Errorf("RadiusK(%v, %g, %d) = %d; want > %d", tt.c, tt.r, tt.res, k, fleet.MaxCoverK)
			}
			if !tt.wantK && k != -1 {
				t.Errorf("RadiusK(%v, %g, %d) = %d; want -1", tt.c, tt.r, tt.res, k)
			}
		})
	}
}

func TestCoverCellsNearPentagon(t *testing.T) {
	for _, res := range []int{fleet.CoarseResolution, fleet.CellResolution} {
		for i, p := range h3.Pentagons(res)[:4] {
			t.Run(fmt.Sprintf("res%d/pentagon%d", res, i), func(t *testing.T) {
				ll := p.LatLng()
				c := fleet.Point{Lat: ll.Lat, Lng: ll.Lng}
				cover := fleet.CoverCells(c, 2, res)
				if len(cover) == 0 {
					t.Fatalf("CoverCells at pentagon %s is empty", p)
				}
				found := false
				for _, cell := range cover {
					if !h3.Cell(cell).IsValid() {
						t.Fatalf("CoverCells at pentagon %s holds invalid cell %x", p, cell)
					}
					found = found || h3.Cell(cell) == p
				}
				if !found {
					t.Errorf("CoverCells at pentagon %s lacks the pentagon", p)
				}
				if k := fleet.RadiusK(c, 2, res); len(cover) >= 3*k*(k+1)+1 {
					t.Errorf("disk at a pentagon has %d cells; want fewer than a hexagon's %d", len(cover), 3*k*(k+1)+1)
				}
				rng := rand.New(rand.NewPCG(uint64(res), uint64(i)))
				if missed, checked := misses(t, c, 2, res, coverSample(rng, c, 2, 300)); missed > 0 {
					t.Errorf("CoverCells at pentagon %s missed %d of %d points; want 0", p, missed, checked)
				}
			})
		}
	}
}

func TestResolutionForRadius(t *testing.T) {
	tests := []struct {
		r    float64
		want int
	}{
		{0.1, 9}, {1, 9}, {2, 9}, {2.01, 7}, {5, 7}, {10, 7}, {50, 7}, {0, 9}, {-1, 9}, {math.NaN(), 9},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.r), func(t *testing.T) {
			if got := fleet.ResolutionForRadius(tt.r); got != tt.want {
				t.Errorf("ResolutionForRadius(%g) = %d; want %d", tt.r, got, tt.want)
			}
		})
	}
}

func TestResolutionForRadiusKeepsDiskSmall(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for range 20 {
		c := fleet.Point{Lat: 6.35 + 0.4*rng.Float64(), Lng: 3.0 + 0.75*rng.Float64()}
		for _, r := range []float64{0.2, 0.5, 1, 2, 2.5, 5, 10, 15} {
			res := fleet.ResolutionForRadius(r)
			if n := len(fleet.CoverCells(c, r, res)); n == 0 || n > 400 {
				t.Errorf("CoverCells(%v, %g, res %d) has %d cells; want 1–400", c, r, res, n)
			}
		}
	}
}

func TestCellOf(t *testing.T) {
	tests := []struct {
		name string
		p    fleet.Point
		res  int
		want bool // a valid cell is wanted
	}{
		{"Lagos res 9", apapaPt, 9, true},
		{"Lagos res 7", apapaPt, 7, true},
		{"invalid point", fleet.Point{}, 9, false},
		{"bad resolution", apapaPt, 16, false},
		{"negative resolution", apapaPt, -1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := fleet.CellOf(tt.p, tt.res)
			if valid := got != 0 && h3.Cell(got).IsValid() && h3.Cell(got).Resolution() == tt.res; valid != tt.want {
				t.Errorf("CellOf(%v, %d) = %x; want valid %v", tt.p, tt.res, got, tt.want)
			}
			if !tt.want && got != 0 {
				t.Errorf("CellOf(%v, %d) = %x; want 0", tt.p, tt.res, got)
			}
		})
	}
}

func BenchmarkCoverCells(b *testing.B) {
	c := fleet.Point{Lat: 6.52, Lng: 3.38}
	for _, bc := range []struct {
		res int
		r   float64
	}{{9, 2}, {7, 10}} {
		b.Run(fmt.Sprintf("res%d_R%gkm", bc.res, bc.r), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if len(fleet.CoverCells(c, bc.r, bc.res)) == 0 {
					b.Fatal("empty cover")
				}
			}
		})
	}
}
