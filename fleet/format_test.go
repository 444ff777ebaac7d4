package fleet_test

import (
	"testing"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
)

func TestFormatTime(t *testing.T) {
	tests := []struct {
		t    time.Time
		loc  *time.Location
		want string
	}{
		{time.Date(2026, 12, 8, 20, 0, 0, 0, time.UTC), nil, "Tue 8 Dec 21:00"},
		{time.Date(2025, 11, 25, 23, 30, 0, 0, time.UTC), nil, "Wed 26 Nov 00:30"},
		{time.Date(2026, 1, 1, 0, 0, 0, 0, time.FixedZone("CET", 3600)), nil, "Thu 1 Jan 00:00"},
		{time.Date(2026, 12, 8, 20, 0, 0, 0, time.UTC), time.UTC, "Tue 8 Dec 20:00"},
		{time.Time{}, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := fleet.FormatTime(tt.t, tt.loc); got != tt.want {
				t.Errorf("FormatTime(%v) = %q; want %q", tt.t, got, tt.want)
			}
		})
	}
}

func TestFormatDuration(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{0, "0 min"},
		{-time.Minute, "0 min"},
		{29 * time.Second, "0 min"},
		{45 * time.Minute, "45 min"},
		{2 * time.Hour, "2 h"},
		{2*time.Hour + 15*time.Minute, "2 h 15 min"},
		{2*time.Hour + 59*time.Minute + 40*time.Second, "3 h"},
		{47*time.Hour + 5*time.Minute, "47 h 5 min"},
		{48 * time.Hour, "2 days"},
		{76 * time.Hour, "3 days 4 h"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := fleet.FormatDuration(tt.d); got != tt.want {
				t.Errorf("FormatDuration(%v) = %q; want %q", tt.d, got, tt.want)
			}
		})
	}
}

func TestFormatAge(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{10 * time.Second, "just now"},
		{4 * time.Minute, "4 min ago"},
		{2*time.Hour + 5*time.Minute, "2 h 5 min ago"},
		{80 * time.Hour, "3 days 8 h ago"},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := fleet.FormatAge(tt.d); got != tt.want {
				t.Errorf("FormatAge(%v) = %q; want %q", tt.d, got, tt.want)
			}
		})
	}
}

func TestFormatElapsed(t *testing.T) {
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{-time.Second, "0 s"}, {0, "0.0 s"}, {1234 * time.Millisecond, "1.2 s"}, {12400 * time.Millisecond, "12 s"},
		{59 * time.Second, "59 s"}, {90 * time.Second, "2 min"}, {135 * time.Minute, "2 h 15 min"},
	} {
		if got := fleet.FormatElapsed(tc.d); got != tc.want {
			t.Errorf("FormatElapsed(%s) = %q; want %q", tc.d, got, tc.want)
		}
	}
}
