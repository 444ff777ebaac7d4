package fleet_test

import (
	"testing"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
)

func TestDayBoundsLagos(t *testing.T) {
	wat := fleet.Lagos()
	tests := []struct {
		name      string
		t         time.Time
		loc       *time.Location
		wantStart time.Time
	}{
		{"23:30 UTC on the 25th is the 26th in Lagos", time.Date(2025, 11, 25, 23, 30, 0, 0, time.UTC), wat,
			time.Date(2025, 11, 26, 0, 0, 0, 0, wat)},
		{"22:59 UTC on the 25th is still the 25th", time.Date(2025, 11, 25, 22, 59, 0, 0, time.UTC), wat,
			time.Date(2025, 11, 25, 0, 0, 0, 0, wat)},
		{"midnight Lagos starts its own day", time.Date(2025, 11, 26, 0, 0, 0, 0, wat), wat,
			time.Date(2025, 11, 26, 0, 0, 0, 0, wat)},
		{"year end", time.Date(2025, 12, 31, 23, 15, 0, 0, time.UTC), wat, time.Date(2026, 1, 1, 0, 0, 0, 0, wat)},
		{"nil location means Lagos", time.Date(2025, 11, 25, 23, 30, 0, 0, time.UTC), nil,
			time.Date(2025, 11, 26, 0, 0, 0, 0, wat)},
		{"UTC location", time.Date(2025, 11, 25, 23, 30, 0, 0, time.UTC), time.UTC,
			time.Date(2025, 11, 25, 0, 0, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start, end := fleet.DayBounds(tt.t, tt.loc)
			if !start.Equal(tt.wantStart) || !end.Equal(tt.wantStart.AddDate(0, 0, 1)) {
				t.Errorf("DayBounds(%v) = [%v, %v); want [%v, %v)", tt.t, start, end, tt.wantStart, tt.wantStart.AddDate(0, 0, 1))
			}
			if end.Sub(start) != 24*time.Hour {
				t.Errorf("day length = %v; want 24h", end.Sub(start))
			}
			if tt.t.Before(start) || !tt.t.Before(end) {
				t.Errorf("%v is outside its own day [%v, %v)", tt.t, start, end)
			}
			if day := fleet.Day(tt.t, tt.loc); !day.Equal(start) {
				t.Errorf("Day(%v) = %v; want %v", tt.t, day, start)
			}
		})
	}
	if _, off := time.Date(2025, 11, 26, 12, 0, 0, 0, wat).Zone(); off != 3600 {
		t.Errorf("Lagos offset = %d s; want 3600 (WAT)", off)
	}
}
