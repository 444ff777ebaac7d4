package intent

import (
	"strings"
	"testing"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
)

// now is Wednesday 26 November 2025, 10:00 in Lagos.
var now = time.Date(2025, 11, 26, 10, 0, 0, 0, fleet.Lagos())

func at(mo time.Month, d, h, m int) time.Time {
	return time.Date(2025, mo, d, h, m, 0, 0, fleet.Lagos())
}

func TestParseTime(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want time.Time
	}{
		{"tomorrow 8am", at(11, 27, 8, 0)},
		{"Tomorrow at 8 AM", at(11, 27, 8, 0)},
		{"tomorrow 8 a.m.", at(11, 27, 8, 0)},
		{"tmrw 6:30pm", at(11, 27, 18, 30)},
		{"today 14:30", at(11, 26, 14, 30)},
		{"today 2.30pm", at(11, 26, 14, 30)},
		{"14h30", at(11, 26, 14, 30)},
		{"in 3 hours", at(11, 26, 13, 0)},
		{"in 90 min", at(11, 26, 11, 30)},
		{"in 2h", at(11, 26, 12, 0)},
		{"in an hour", at(11, 26, 11, 0)},
		{"in half an hour", at(11, 26, 10, 30)},
		{"Monday 7:30", at(12, 1, 7, 30)},
		{"on Monday at 7:30", at(12, 1, 7, 30)},
		{"wednesday 9am", at(12, 3, 9, 0)}, // today is Wednesday: the next one
		{"next friday at noon", at(11, 28, 12, 0)},
		{"friday evening 7", at(11, 28, 19, 0)},
		{"tonight 9", at(11, 26, 21, 0)},
		{"9 tonight", at(11, 26, 21, 0)},
		{"tonite 10:30", at(11, 26, 22, 30)},
		{"tonight 12", at(11, 27, 0, 0)},
		{"tonight 2", at(11, 27, 2, 0)},
		{"by 6 tomorrow morning", at(11, 27, 6, 0)},
		{"9 in the night", at(11, 26, 21, 0)},
		{"9 for night", at(11, 26, 21, 0)},
		{"tomorrow afternoon 3", at(11, 27, 15, 0)},
		{"2130hrs", at(11, 26, 21, 30)},
		{"0600hrs tomorrow", at(11, 27, 6, 0)},
		{"at 2130", at(11, 26, 21, 30)},
		{"21:00", at(11, 26, 21, 0)},
		{"9pm", at(11, 26, 21, 0)},
		{"09:00", at(11, 27, 9, 0)},
		{"noon", at(11, 26, 12, 0)},
		{"midnight", at(11, 27, 0, 0)},
		{"tomorrow 6pm sharp", at(11, 27, 18, 0)},
		{"2moro 7am", at(11, 27, 7, 0)},
		{"8am", at(11, 27, 8, 0)},     // already past today: tomorrow
		{"11:15", at(11, 26, 11, 15)}, // still ahead today
		{"27/11 08:00", at(11, 27, 8, 0)},
		{"27 Nov 8am", at(11, 27, 8, 0)},
		{"Nov 27th at 8am", at(11, 27, 8, 0)},
		{"5 jan 7am", time.Date(2026, 1, 5, 7, 0, 0, 0, fleet.Lagos())}, // past this year: next year
		{"day after tomorrow 6am", at(11, 28, 6, 0)},
		{"2025-11-27 08:00", at(11, 27, 8, 0)},
		{"2025-11-27T08:00:00+01:00", at(11, 27, 8, 0)},
		{"2025-11-27T07:00:00Z", at(11, 27, 8, 0)},
	} {
		got, err := ParseTime(tc.in, now, fleet.Lagos())
		if err != nil || !got.Equal(tc.want) {
			t.Errorf("ParseTime(%q) = %s, %v; want %s", tc.in, got, err, tc.want)
		}
	}
	for _, tc := range []struct{ in, want string }{
		{"tomorrow 9", "9am or 9pm?"},
		{"at 9 tomorrow", "9am or 9pm?"},
		{"next Tuesday 7", "7am or 7pm?"},
		{"Nov 27th at 8", "8am or 8pm?"},
		{"tomorrow 7:30", ""},
		{"tonight", "What time tonight?"},
		{"friday evening", "What time friday evening?"},
		{"tomorrow morning", "What time tomorrow morning?"},
		{"tomorrow", "What time tomorrow?"},
	} {
		_, err := ParseTime(tc.in, now, fleet.Lagos())
		if got := fleet.ErrorMessage(err); !strings.HasPrefix(got, tc.want) || (tc.want == "") != (err == nil) {
			t.Errorf("ParseTime(%q) error = %q; want %q", tc.in, got, tc.want)
		}
	}
	for _, in := range []string{"", "tomorrow", "whenever", "25:00", "13pm", "in 0 hours", "31/02 08:00", "tomorrow at the port"} {
		if got, err := ParseTime(in, now, fleet.Lagos()); fleet.ErrorCode(err) != fleet.EINVALID {
			t.Errorf("ParseTime(%q) = %s, %v; want EINVALID", in, got, err)
		}
	}
}

func TestParseDate(t *testing.T) {
	day := func(mo time.Month, d int) time.Time { return at(mo, d, 0, 0) }
	for _, tc := range []struct {
		in   string
		want time.Time
	}{
		{"", day(11, 26)},
		{"today", day(11, 26)},
		{"yesterday", day(11, 25)},
		{"day before yesterday", day(11, 24)},
		{"2025-11-20", day(11, 20)},
		{"20/11", day(11, 20)},
		{"20 Nov", day(11, 20)},
		{"Monday", day(11, 24)},
		{"wednesday", day(11, 26)},
		{"last wednesday", day(11, 19)},
		{"for yesterday", day(11, 25)},
	} {
		got, err := ParseDate(tc.in, now, fleet.Lagos())
		if err != nil || !got.Equal(tc.want) {
			t.Errorf("ParseDate(%q) = %s, %v; want %s", tc.in, got, err, tc.want)
		}
	}
	for _, in := range []string{"someday", "31/02", "the port"} {
		if _, err := ParseDate(in, now, fleet.Lagos()); fleet.ErrorCode(err) != fleet.EINVALID {
			t.Errorf("ParseDate(%q) err = %v; want EINVALID", in, err)
		}
	}
}

func TestParseTimeOnKeepsTheTripsDay(t *testing.T) {
	loc := fleet.Lagos()
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, loc)
	tripDay := time.Date(2026, 12, 9, 21, 0, 0, 0, loc)
	tests := []struct {
		in   string
		want time.Time
	}{
		{"3pm", time.Date(2026, 12, 9, 15, 0, 0, 0, loc)},
		{"15:00", time.Date(2026, 12, 9, 15, 0, 0, 0, loc)},
		{"9pm", time.Date(2026, 12, 9, 21, 0, 0, 0, loc)},
		{"tonight 9", time.Date(2026, 12, 7, 21, 0, 0, 0, loc)}, // tonight names today
		{"tomorrow 8am", time.Date(2026, 12, 8, 8, 0, 0, 0, loc)},
		{"in 2 hours", time.Date(2026, 12, 7, 12, 0, 0, 0, loc)},
	}
	for _, tt := range tests {
		got, err := ParseTimeOn(tt.in, tripDay, now, loc)
		if err != nil || !got.Equal(tt.want) {
			t.Errorf("ParseTimeOn(%q) = %v, %v; want %v", tt.in, got, err, tt.want)
		}
	}
	if _, err := ParseTimeOn("at 9", tripDay, now, loc); err == nil {
		t.Error(`ParseTimeOn("at 9") = nil error; want the am/pm question`)
	}
}
