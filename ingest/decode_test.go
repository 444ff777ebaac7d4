package ingest_test

import (
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/ingest"
)

var decNow = time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC)

func decoder() *ingest.Decoder {
	ist, _ := time.LoadLocation("Asia/Kolkata")
	return &ingest.Decoder{Zone: ist, Now: func() time.Time { return decNow }}
}

// locoPush is LocoNav's documented location push.
const locoPush = `{"imei":"0210716299","vehiclenumber":"TN19AA7420","gpstime":"26-11-2026 13:57:07","latitude":11.125757,
"longitude":79.140228,"speed":42.5,"orientation":201.0,"ignition":"1","harshBraking":"0","harshAcceleration":"0",
"sharpTurn":"0","rockBreakerPedal":"0"}`

func TestDecodeLocationPush(t *testing.T) {
	evs, err := decoder().Decode([]byte(locoPush), decNow)
	if err != nil {
		t.Fatal(err)
	}
	p := evs[0].Position
	want := time.Date(2026, 11, 26, 8, 27, 7, 0, time.UTC) // 13:57:07 IST
	if evs[0].Type != ingest.TypePosition || p.IMEI != "0210716299" || p.Plate != "TN19AA7420" || !p.FixTime.Equal(want) ||
		p.SpeedKmh != 42.5 || p.Heading != 201 || !p.Ignition {
		t.Errorf("Decode = %+v; want LocoNav's fields with fix %v", p, want)
	}
	if evs[0].Key != "0210716299@"+strconv.FormatInt(want.UnixMilli(), 10) {
		t.Errorf("key = %q; want imei@fix ms", evs[0].Key)
	}
}

func TestDecodeFlexibleFields(t *testing.T) {
	tests := []struct {
		name    string
		body    string
		wantIgn bool
		wantFix time.Time
	}{
		{"ignition as a number", `{"imei":"1","gpstime":"2026-11-26T08:00:00Z","latitude":6.5,"longitude":3.4,"ignition":1}`,
			true, time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC)},
		{"ignition as a boolean", `{"imei":"1","gpstime":"2026-11-26T08:00:00+05:30","latitude":6.5,"longitude":3.4,"ignition":false}`,
			false, time.Date(2026, 11, 26, 2, 30, 0, 0, time.UTC)},
		{"numbers as strings, imei as a number", `{"imei":210716299,"gpstime":"2026-11-26 08:00:00","latitude":"6.5","longitude":"3.4","speed":"12","ignition":"0"}`,
			false, time.Date(2026, 11, 26, 2, 30, 0, 0, time.UTC)},
		{"unix seconds", `{"vehiclenumber":"T-11985-LA","gpstime":1795680000,"latitude":6.5,"longitude":3.4,"ignition":"true"}`,
			true, time.Unix(1795680000, 0).UTC()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			evs, err := decoder().Decode([]byte(tt.body), decNow)
			if err != nil {
				t.Fatal(err)
			}
			p := evs[0].Position
			if p.Ignition != tt.wantIgn || !p.FixTime.Equal(tt.wantFix) {
				t.Errorf("ignition, fix = %v, %v; want %v, %v", p.Ignition, p.FixTime, tt.wantIgn, tt.wantFix)
			}
		})
	}
}

func TestDecodeAlertPushes(t *testing.T) {
	tests := []struct {
		name      string
		body      string
		wantPhase fleet.AlertPhase
		wantAt    time.Time
		wantPoint bool
	}{
		{"interval alert, active", `{"id":123,"kind":"OverspeedAlert","vehicle_number":"T11985LA","active_event_time":"2026-11-26T08:00:00Z",
			"active_event_latitude":6.5,"active_event_longitude":3.4,"inactive_event_time":null,"speed":75.5}`,
			fleet.PhaseActive, time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC), true},
		{"interval alert, inactive", `{"id":123,"kind":"OverspeedAlert","vehicle_number":"T11985LA","active_event_time":"2026-11-26T08:00:00Z",
			"inactive_event_time":"2026-11-26T08:05:00Z","inactive_event_latitude":6.5,"inactive_event_longitude":3.4}`,
			fleet.PhaseInactive, time.Date(2026, 11, 26, 8, 5, 0, 0, time.UTC), true},
		{"point alert", `{"id":"9","kind":"SuddenBrakingAlert","vehicle_number":"T11985LA","event_time":"2026-11-26T08:00:00Z","latitude":0,"longitude":0}`,
			fleet.PhaseActive, time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC), false},
		{"unknown kind kept", `{"id":"9","kind":"PossibleFuelTheftAlert","vehicle_number":"T11985LA","fuel_theft_in_liters":10}`,
			fleet.PhaseActive, decNow, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			evs, err := decoder().Decode([]byte(tt.body), decNow)
			if err != nil {
				t.Fatal(err)
			}
			a := evs[0].Alert
			if evs[0].Type != ingest.TypeAlert || a.Phase != tt.wantPhase || !a.At.Equal(tt.wantAt) || (a.Point != nil) != tt.wantPoint {
				t.Errorf("alert = %+v; want phase %s at %v, point %v", a, tt.wantPhase, tt.wantAt, tt.wantPoint)
			}
			if string(a.Raw) != tt.body {
				t.Errorf("raw = %s; want the push as received", a.Raw)
			}
			if evs[0].Key != ingest.AlertKey(a.SourceKind, a.SourceID, a.Phase) {
				t.Errorf("key = %q; want kind:id:phase", evs[0].Key)
			}
		})
	}
}

func TestDecodeInvalid(t *testing.T) {
	good := `{"imei":"1","gpstime":"2026-11-26T08:00:00Z","latitude":6.5,"longitude":3.4}`
	tests := []struct {
		name      string
		body      string
		wantIndex int
		wantField string
	}{
		{"not JSON", `{"imei":`, 0, ""},
		{"a bare string", `"hello"`, 0, ""},
		{"empty array", `[]`, 0, ""},
		{"neither shape", `{"foo":1}`, 0, ""},
		{"latitude out of range", `{"imei":"1","gpstime":"2026-11-26T08:00:00Z","latitude":91,"longitude":3.4}`, 0, "latitude"},
		{"longitude out of range", `{"imei":"1","gpstime":"2026-11-26T08:00:00Z","latitude":6,"longitude":-181}`, 0, "longitude"},
		{"null island", `{"imei":"1","gpstime":"2026-11-26T08:00:00Z","latitude":0,"longitude":0}`, 0, "latitude"},
		{"speed too high", `{"imei":"1","gpstime":"2026-11-26T08:00:00Z","latitude":6.5,"longitude":3.4,"speed":251}`, 0, "speed"},
		{"negative speed", `{"imei":"1","gpstime":"2026-11-26T08:00:00Z","latitude":6.5,"longitude":3.4,"speed":-1}`, 0, "speed"},
		{"fix in the future", `{"imei":"1","gpstime":"2026-11-26T09:11:00Z","latitude":6.5,"longitude":3.4}`, 0, "gpstime"},
		{"bad gpstime", `{"imei":"1","gpstime":"yesterday","latitude":6.5,"longitude":3.4}`, 0, "gpstime"},
		{"no vehicle", `{"gpstime":"2026-11-26T08:00:00Z","latitude":6.5,"longitude":3.4}`, 0, "imei"},
		{"no latitude", `{"imei":"1","gpstime":"2026-11-26T08:00:00Z","longitude":3.4}`, 0, "latitude"},
		{"bad flag", `{"imei":"1","gpstime":"2026-11-26T08:00:00Z","latitude":6.5,"longitude":3.4,"ignition":"maybe"}`, 0, "ignition"},
		{"speed not a number", `{"imei":"1","gpstime":"2026-11-26T08:00:00Z","latitude":6.5,"longitude":3.4,"speed":"fast"}`, 0, "speed"},
		{"alert without id", `{"kind":"OverspeedAlert","vehicle_number":"T1"}`, 0, "id"},
		{"alert without vehicle", `{"kind":"OverspeedAlert","id":1}`, 0, "vehicle_number"},
		{"the bad one in an array", `[` + good + `,` + good + `,{"imei":"1","gpstime":"2026-11-26T08:00:00Z","latitude":6.5}]`, 2, "longitude"},
		{"an array element that is not an object", `[` + good + `,42]`, 1, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decoder().Decode([]byte(tt.body), decNow)
			var inv *ingest.InvalidError
			if !errors.As(err, &inv) {
				t.Fatalf("Decode error = %v; want *InvalidError", err)
			}
			if inv.Index != tt.wantIndex || inv.Field != tt.wantField {
				t.Errorf("error at index %d field %q (%v); want index %d field %q", inv.Index, inv.Field, err, tt.wantIndex, tt.wantField)
			}
		})
	}
}
