package schedule

import (
	"context"
	"testing"
	"time"
)

// TestDefaultSchedulesInLagos checks Next of every default schedule, through Jobs, which reads
// the specs in the business zone whatever the zone of now.
func TestDefaultSchedulesInLagos(t *testing.T) {
	s := New(newMemLedger(), Options{Location: lagos})
	for _, d := range Definitions() {
		must(t, s.Add(Job{Name: d.Name, Spec: d.Spec, Run: func(context.Context, time.Time) error { return nil }}))
	}
	for _, tc := range []struct {
		name string
		now  time.Time
		want map[string]time.Time
	}{
		{"monday before dawn", at(2025, 11, 24, 5, 30), map[string]time.Time{
			JobCleanup: at(2025, 11, 25, 2, 0), JobLoconavRoster: at(2025, 11, 25, 5, 0),
			JobAnalytics: at(2025, 11, 24, 6, 0), JobDailySummary: at(2025, 11, 24, 7, 0),
			JobWeeklyReport: at(2025, 11, 24, 8, 0), JobConnectivity: at(2025, 11, 24, 5, 35),
			JobTripMonitor: at(2025, 11, 24, 5, 35), JobLoconavPoll: at(2025, 11, 24, 5, 35),
			JobSheetsSync: at(2025, 11, 24, 5, 40),
		}},
		{"monday at eight", at(2025, 11, 24, 8, 0), map[string]time.Time{
			JobCleanup: at(2025, 11, 25, 2, 0), JobAnalytics: at(2025, 11, 25, 6, 0),
			JobDailySummary: at(2025, 11, 25, 7, 0), JobWeeklyReport: at(2025, 12, 1, 8, 0),
			JobConnectivity: at(2025, 11, 24, 8, 5), JobSheetsSync: at(2025, 11, 24, 8, 10),
		}},
		{"sunday night in july, given in UTC", at(2026, 7, 5, 23, 58).UTC(), map[string]time.Time{
			JobCleanup: at(2026, 7, 6, 2, 0), JobWeeklyReport: at(2026, 7, 6, 8, 0),
			JobTripMonitor: at(2026, 7, 6, 0, 0),
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			infos, err := s.Jobs(context.Background(), tc.now)
			must(t, err)
			for _, info := range infos {
				want, ok := tc.want[info.Name]
				if !ok {
					continue
				}
				if !info.Next.Equal(want) || info.Next.Location() != lagos {
					t.Errorf("%s: Next(%v) = %v; want %v (Lagos)", info.Name, tc.now, info.Next, want)
				}
			}
		})
	}
}

// TestSlotOf: every replica derives the same slot from its own clock, on time, late or skewed.
func TestSlotOf(t *testing.T) {
	for _, tc := range []struct {
		name, spec string
		now, want  time.Time
	}{
		{"on time", "0 6 * * *", at(2025, 11, 24, 6, 0).Add(3 * time.Millisecond), at(2025, 11, 24, 6, 0)},
		{"late in the minute", "0 6 * * *", at(2025, 11, 24, 6, 0).Add(59 * time.Second), at(2025, 11, 24, 6, 0)},
		{"forty minutes late", "0 6 * * *", at(2025, 11, 24, 6, 40), at(2025, 11, 24, 6, 0)},
		{"clock a second behind", "0 6 * * *", at(2025, 11, 24, 5, 59).Add(59 * time.Second), at(2025, 11, 24, 6, 0)},
		{"five-minute job late", "*/5 * * * *", at(2025, 11, 24, 6, 7).Add(30 * time.Second), at(2025, 11, 24, 6, 5)},
		{"weekly", "0 8 * * MON", at(2025, 11, 24, 8, 0).Add(time.Second), at(2025, 11, 24, 8, 0)},
		{"hours late falls back to the minute", "0 6 * * *", at(2025, 11, 24, 9, 30).Add(20 * time.Second), at(2025, 11, 24, 9, 30)},
		{"every is aligned to its period", "@every 10m", at(2025, 11, 24, 6, 7), at(2025, 11, 24, 6, 0)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sched, err := ParseSpec(tc.spec)
			must(t, err)
			if got := slotOf(sched, tc.now); !got.Equal(tc.want) {
				t.Errorf("slotOf(%q, %v) = %v; want %v", tc.spec, tc.now, got, tc.want)
			}
		})
	}
}
