package sheets

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/cenkalti/backoff/v5"
	"google.golang.org/api/googleapi"

	"github.com/watchtower-ops/watchtower/fleet"
)

func TestNormalisers(t *testing.T) {
	utc := cellContext{sheetZone: time.UTC, zone: fleet.Lagos()}
	lagos := cellContext{sheetZone: fleet.Lagos(), zone: fleet.Lagos()}
	serial := 46353.3333333333 // 2026-11-27 08:00 wall clock
	tests := []struct {
		name string
		norm func(any, cellContext) string
		in   any
		c    cellContext
		want string
	}{
		{"phone as text keeps zero", normPhone, "0803 123-4567", lagos, "08031234567"},
		{"phone number cell gets zero back", normPhone, 8031234567.0, lagos, "08031234567"},
		{"phone 234 number gets plus", normPhone, 2348031234567.0, lagos, "+2348031234567"},
		{"phone plus kept", normPhone, "+234 803 123 4567", lagos, "+2348031234567"},
		{"plate", normPlate, " t-11985 la ", lagos, "T11985LA"},
		{"status words", normStatus, " Pending  Approval ", lagos, "pending_approval"},
		{"text spaces folded", normText, "  Sovereign   Haulage ", lagos, "Sovereign Haulage"},
		{"departure ISO", normDeparture, "2026-11-27 08:00", lagos, "2026-11-27 08:00"},
		{"departure day first", normDeparture, "27/11/2026 8:00", lagos, "2026-11-27 08:00"},
		{"departure RFC 3339 UTC", normDeparture, "2026-11-27T07:00:00Z", lagos, "2026-11-27 08:00"},
		{"departure serial in Lagos sheet", normDeparture, serial, lagos, "2026-11-27 08:00"},
		{"departure serial in UTC sheet", normDeparture, serial, utc, "2026-11-27 09:00"},
		{"departure garbage kept", normDeparture, " soon ", lagos, "soon"},
		{"trip code", normCode, "trp-42", lagos, "TRP-0042"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.norm(tt.in, tt.c); got != tt.want {
				t.Errorf("norm(%#v) = %q; want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestMerge3(t *testing.T) {
	spec := &tabSpec{fields: []field{{key: "a", header: "A", owner: sideSheet}, {key: "b", header: "B", owner: sideDB}}}
	base := fields{"a": "1", "b": "1"}
	tests := []struct {
		name        string
		base        fields
		sheet, db   fields
		want        fields
		wantClashes int
	}{
		{"nothing changed", base, fields{"a": "1", "b": "1"}, fields{"a": "1", "b": "1"}, fields{"a": "1", "b": "1"}, 0},
		{"sheet changed", base, fields{"a": "2", "b": "1"}, fields{"a": "1", "b": "1"}, fields{"a": "2", "b": "1"}, 0},
		{"db changed", base, fields{"a": "1", "b": "1"}, fields{"a": "1", "b": "3"}, fields{"a": "1", "b": "3"}, 0},
		{"different fields merge", base, fields{"a": "2", "b": "1"}, fields{"a": "1", "b": "3"}, fields{"a": "2", "b": "3"}, 0},
		{"same change on both", base, fields{"a": "2", "b": "1"}, fields{"a": "2", "b": "1"}, fields{"a": "2", "b": "1"}, 0},
		{"clash goes to owners", base, fields{"a": "2", "b": "2"}, fields{"a": "3", "b": "3"}, fields{"a": "2", "b": "3"}, 2},
		{"no base: owners, no clash", nil, fields{"a": "2", "b": "2"}, fields{"a": "3", "b": "3"}, fields{"a": "2", "b": "3"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, clashes := merge3(spec, tt.base, tt.sheet, tt.db)
			if got["a"] != tt.want["a"] || got["b"] != tt.want["b"] || len(clashes) != tt.wantClashes {
				t.Errorf("merge3 = %v, %d clashes; want %v, %d", got, len(clashes), tt.want, tt.wantClashes)
			}
		})
	}
}

func TestFindLayoutHeaders(t *testing.T) {
	header := []any{"Sync note", "DRIVER_PHONE", "plate number", "id", "Status", "Driver", "Home site", "Trailer size",
		"Brand", "Fleet manager", "Company", "LocoNav id", "Team remarks"}
	l, err := findLayout(&truckSpec, header)
	if err != nil {
		t.Fatalf("findLayout: %v", err)
	}
	if l.idCol != 3 || l.noteCol != 0 || l.cols[truckSpec.fieldIndex("plate")] != 2 || l.cols[truckSpec.fieldIndex("driver_phone")] != 1 {
		t.Errorf("layout = %+v; want ID in D, note in A, plate in C, phone in B", l)
	}
	if l.width != len(header) {
		t.Errorf("width = %d; want %d", l.width, len(header))
	}
}

func TestBackOff(t *testing.T) {
	c := &client{base: time.Second, maxWait: 64 * time.Second}
	b := c.newBackOff(context.Background())
	b.Reset()
	for attempt := 1; attempt <= 8; attempt++ {
		mid := min(time.Second<<(attempt-1), 64*time.Second)
		if got := b.NextBackOff(); got < mid/2 || got > mid*3/2+time.Nanosecond {
			t.Errorf("wait after try %d = %v; want %v ± 50%% (doubling from 1 s, truncated at 64 s)", attempt, got, mid)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	b = c.newBackOff(ctx)
	b.Reset()
	for attempt := 1; attempt <= 3; attempt++ {
		if got := b.NextBackOff(); got == backoff.Stop {
			return
		}
	}
	t.Errorf("a backoff of 4 s under a 2 s deadline did not stop")
}

func TestRetryAfter(t *testing.T) {
	tests := []struct {
		err    error
		want   time.Duration
		wantOK bool
	}{
		{&googleapi.Error{Code: 429, Header: http.Header{"Retry-After": {"30"}}}, 30 * time.Second, true},
		{&googleapi.Error{Code: 429}, 0, false},
		{&googleapi.Error{Code: 503, Header: http.Header{"Retry-After": {"soon"}}}, 0, false},
		{errors.New("connection reset"), 0, false},
	}
	for _, tt := range tests {
		if got, ok := retryAfter(tt.err); got != tt.want || ok != tt.wantOK {
			t.Errorf("retryAfter(%v) = %v, %v; want %v, %v", tt.err, got, ok, tt.want, tt.wantOK)
		}
	}
}

func TestRetryable(t *testing.T) {
	tests := []struct {
		err        error
		idempotent bool
		want       bool
	}{
		{&googleapi.Error{Code: 429}, false, true},
		{&googleapi.Error{Code: 503}, true, true},
		{&googleapi.Error{Code: 503}, false, false},
		{&googleapi.Error{Code: 400}, true, false},
		{errors.New("connection reset"), true, true},
		{errors.New("connection reset"), false, false},
	}
	for _, tt := range tests {
		if got := retryable(tt.err, tt.idempotent); got != tt.want {
			t.Errorf("retryable(%v, %v) = %v; want %v", tt.err, tt.idempotent, got, tt.want)
		}
	}
}
