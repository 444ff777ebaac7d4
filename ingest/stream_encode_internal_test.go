package ingest

import (
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
)

// TestAppendEventMatchesJSON checks the hand-written entry encoding byte for byte against
// json.Marshal, over ordinary positions, numbers at encoding/json's format switches, strings it
// escapes, and events it must hand to json.Marshal.
func TestAppendEventMatchesJSON(t *testing.T) {
	fix := time.Date(2026, 11, 26, 8, 27, 7, 123456789, time.UTC)
	base := fleet.Position{Plate: "T11985LA", IMEI: "0210716299", FixTime: fix, ReceivedAt: fix.Add(time.Second),
		Point: fleet.Point{Lat: 6.4512, Lng: 3.3601}, SpeedKmh: 42.5, Heading: 90, Ignition: true, Source: "webhook"}
	vary := []func(p *fleet.Position){
		func(*fleet.Position) {},
		func(p *fleet.Position) { p.Point = fleet.Point{Lat: -89.9999999, Lng: 179.123456789012} },
		func(p *fleet.Position) { p.SpeedKmh, p.Heading = 1e-7, 0.000001 },
		func(p *fleet.Position) { p.SpeedKmh, p.Heading = 1e21, 123456789012345678 },
		func(p *fleet.Position) { p.SpeedKmh = math.Copysign(0, -1) },
		func(p *fleet.Position) { p.SpeedKmh = math.Inf(1) },
		func(p *fleet.Position) { p.Plate, p.IMEI = `A<B>&"\`, "é\u2028\x01" },
		func(p *fleet.Position) { p.FixTime = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) },
		func(p *fleet.Position) { p.FixTime = fix.In(time.FixedZone("WAT", 3600)) },
		func(p *fleet.Position) { p.Ignition, p.Cell, p.Plate = false, 617700169958293503, "" },
	}
	for i, v := range vary {
		p := base
		v(&p)
		events := []Event{
			{Type: TypePosition, Key: PositionKey(p.IMEI, p.Plate, p.FixTime), Received: fix, Position: &p},
			{Type: TypeAlert, Key: "IgnitionAlert:7:active", Received: fix,
				Alert: &fleet.TelematicsAlert{SourceKind: "IgnitionAlert", SourceID: "7", Plate: p.Plate, At: fix}},
		}
		want, wantErr := json.Marshal(&p)
		got, gotErr := appendPosition([]byte("prefix"), &p)
		if (gotErr != nil) != (wantErr != nil) || (wantErr == nil && string(got) != "prefix"+string(want)) {
			t.Errorf("case %d position:\n got %s (%v)\nwant prefix%s (%v)", i, got, gotErr, want, wantErr)
		}
		for _, e := range events {
			want, wantErr := json.Marshal(e)
			got, gotErr := appendEvent([]byte("prefix"), e)
			if (gotErr != nil) != (wantErr != nil) {
				t.Errorf("case %d %s: error %v; json.Marshal's %v", i, e.Type, gotErr, wantErr)
				continue
			}
			if wantErr == nil && string(got) != "prefix"+string(want) {
				t.Errorf("case %d %s:\n got %s\nwant prefix%s", i, e.Type, got, want)
			}
		}
	}
}

// TestParseEventMatchesJSON checks the fast entry reader against encoding/json: every entry
// appendEvent writes for a position reads back as json.Unmarshal reads it (and by the fast
// path when its strings and times are plain), and entries off its layout or off JSON's grammar
// are left to encoding/json.
func TestParseEventMatchesJSON(t *testing.T) {
	fix := time.Date(2026, 11, 26, 8, 27, 7, 123456789, time.UTC)
	base := fleet.Position{Plate: "T11985LA", IMEI: "0210716299", FixTime: fix, ReceivedAt: fix.Add(time.Second),
		Point: fleet.Point{Lat: 6.4512, Lng: 3.3601}, SpeedKmh: 42.5, Heading: 90, Ignition: true, Cell: 617700169958293503,
		Source: "webhook"}
	vary := []func(p *fleet.Position) bool{ // reports whether the fast path must take it
		func(*fleet.Position) bool { return true },
		func(p *fleet.Position) bool {
			p.Point = fleet.Point{Lat: -89.9999999, Lng: 179.123456789012}
			return true
		},
		func(p *fleet.Position) bool { p.SpeedKmh, p.Heading = 1e-7, 0.000001; return true },
		func(p *fleet.Position) bool { p.SpeedKmh, p.Heading = 1e21, 123456789012345678; return true },
		func(p *fleet.Position) bool { p.SpeedKmh = math.Copysign(0, -1); return true },
		func(p *fleet.Position) bool { p.Ignition, p.Cell, p.Plate, p.Source = false, -5, "", ""; return true },
		func(p *fleet.Position) bool { p.FixTime = fix.Truncate(time.Second); return true },
		func(p *fleet.Position) bool { p.Plate, p.IMEI = `A<B>&"\`, "é\u2028\x01"; return false },
		func(p *fleet.Position) bool { p.FixTime = fix.In(time.FixedZone("WAT", 3600)); return false },
	}
	check := func(name, raw string, wantFast bool) {
		t.Helper()
		var want Event
		wantErr := json.Unmarshal([]byte(raw), &want)
		got, ok := parseEvent(raw)
		switch {
		case ok && wantErr != nil:
			t.Errorf("%s: read %q, which encoding/json rejects: %v", name, raw, wantErr)
		case ok && !reflect.DeepEqual(got, want):
			t.Errorf("%s: read %q as\n%+v %+v\nencoding/json:\n%+v %+v", name, raw, got, *got.Position, want, *want.Position)
		case !ok && wantFast:
			t.Errorf("%s: %q left to encoding/json", name, raw)
		}
	}
	for i, v := range vary {
		p := base
		fast := v(&p)
		raw, err := appendEvent(nil, Event{Type: TypePosition, Key: PositionKey(p.IMEI, p.Plate, p.FixTime), Received: fix, Position: &p})
		if err != nil {
			t.Fatal(err)
		}
		check(fmt.Sprintf("case %d", i), string(raw), fast)
	}
	raw, _ := appendEvent(nil, Event{Type: TypePosition, Key: "k", Received: fix, Position: &base})
	good := string(raw)
	edits := [][2]string{
		{`"lat":6.4512`, `"lat":6.`}, {`"lat":6.4512`, `"lat":06.4512`}, {`"lat":6.4512`, `"lat":-`},
		{`"lat":6.4512`, `"lat":1e`}, {`"lat":6.4512`, `"lat":+6.4512`}, {`"lat":6.4512`, `"lat":.5`},
		{`"lat":6.4512`, `"lat":1E+2`}, {`"lat":6.4512`, `"lat":-0.5e-3`}, {`"lat":6.4512`, `"lat":NaN`},
		{`"lat":6.4512`, `"lat":"6.4512"`}, {`"lat":6.4512`, `"lat":1e999`},
		{`"Cell":617700169958293503`, `"Cell":1.5`}, {`"Cell":617700169958293503`, `"Cell":99999999999999999999`},
		{`"Cell":617700169958293503`, `"Cell":1e3`}, {`"Ignition":true`, `"Ignition":tru`},
		{`"Ignition":true`, `"Ignition":1`}, {`"Plate":"T11985LA"`, `"Plate":"T1\u0031985LA"`},
		{`"Plate":"T11985LA"`, `"plate":"T11985LA"`}, {`"Plate":"T11985LA"`, `"Plate":null`},
		{`"t":"position"`, `"t":"alert"`}, {`"t":"position"`, `"t":"position","t":"alert"`},
		{`2026-11-26T08:27:07.123456789Z`, `2026-11-26T8:27:07.123456789Z`},
		{`2026-11-26T08:27:07.123456789Z`, `2026-11-26T08:27:07.Z`},
		{`2026-11-26T08:27:07.123456789Z`, `2026-02-30T08:27:07Z`},
		{`2026-11-26T08:27:07.123456789Z`, `2026-11-26T08:27:07,5Z`},
		{`2026-11-26T08:27:07.123456789Z`, `2026-11-26T08:27:07.123456789z`},
		{`"Source":"webhook"}}`, `"Source":"webhook"}} `}, {`"Source":"webhook"}}`, `"Source":"webhook"}}x`},
		{`"Source":"webhook"}}`, `"Source":"webhook"}`}, {`"Source":"webhook"}}`, `"Source":"webhook","X":1}}`},
	}
	for _, ed := range edits {
		if !strings.Contains(good, ed[0]) {
			t.Fatalf("entry %q has no %q", good, ed[0])
		}
		check(ed[1], strings.Replace(good, ed[0], ed[1], 1), false)
	}
}
