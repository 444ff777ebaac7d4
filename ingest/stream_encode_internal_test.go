package ingest

import (
	"encoding/json"
	"math"
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
