package intent

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestParseEdges(t *testing.T) {
	for _, tc := range []struct {
		in, tool, missing string
		args              map[string]any
	}{
		{"", "", "", nil},
		{"/truck", TruckLocation, "truck", nil},
		{"/trip", "", "", nil}, // the bot opens the trip form
		{"/near", NearbyTrucks, "near", nil},
		{"/fleet at_site", FleetStatus, "", map[string]any{"filter": "at_site", "site": nil}},
		{"/fleet tin can", FleetStatus, "", map[string]any{"filter": "at_site", "site": "tin can"}},
		{"/summary 2025-11-20", DailySummary, "", map[string]any{"date": "2025-11-20"}},
		{"/trip T11985LA", TripDetails, "", map[string]any{"trip_id_or_truck": "T11985LA"}},
		{"send me the summary", DailySummary, "", map[string]any{"date": nil}},
		{"where is the truck going to", "", "", nil},
		{"trucks near", NearbyTrucks, "near", nil},
		{"create trip for T11985LA from APAPA to ECLAT tomorrow 7am, notes: gate 3, call driver", CreateTrip, "",
			map[string]any{"truck": "T11985LA", "origin": "APAPA", "destination": "ECLAT", "departure_time": "tomorrow 7am",
				"container_no": nil, "cargo_type": nil, "notes": "gate 3, call driver"}},
		{"where is TRP-0042", TripDetails, "", map[string]any{"trip_id_or_truck": "TRP-0042"}},
		{"where is MSCU1234567", "", "", nil}, // a container number is not a plate
	} {
		in := Parse(tc.in)
		if in.Tool != tc.tool || in.Missing != tc.missing {
			t.Errorf("Parse(%q) = %q missing %q; want %q missing %q", tc.in, in.Tool, in.Missing, tc.tool, tc.missing)
			continue
		}
		if tc.args == nil {
			continue
		}
		var got map[string]any
		if err := json.Unmarshal(in.Args, &got); err != nil {
			t.Fatal(err)
		}
		for k, v := range tc.args {
			if got[k] != v {
				t.Errorf("Parse(%q) %s = %v; want %v", tc.in, k, got[k], v)
			}
		}
	}
	if strings.Contains(Help, "\n") {
		t.Errorf("Help = %q; want one line", Help)
	}
}
