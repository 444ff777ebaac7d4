package intent

import (
	"encoding/json"
	"testing"
)

func TestContinue(t *testing.T) {
	for _, tc := range []struct {
		first, reply string
		tool         string
		want         map[string]any // arguments that must have these values; "" for the empty string
		missing      string
		thread       bool
	}{
		{"book T28737LA from tincan to eclat at 9 tomorrow", "9pm", CreateTrip,
			map[string]any{"departure_time": "tomorrow 9pm", "origin": "tincan"}, "", false},
		{"book T28737LA from tincan to eclat at 9 tomorrow", "pm", CreateTrip,
			map[string]any{"departure_time": "at 9pm tomorrow"}, "", false},
		{"book T28737LA from tincan to eclat tomorrow 9", "for night", CreateTrip,
			map[string]any{"departure_time": "tomorrow 9 night"}, "", false},
		{"book T28737LA from tincan to eclat tomorrow 9", "21:00", CreateTrip,
			map[string]any{"departure_time": "tomorrow 21:00"}, "", false},
		{"book T28737LA from tincan to eclat tonight", "9", CreateTrip,
			map[string]any{"departure_time": "tonight 9"}, "", false},
		{"book T28737LA from tincan to eclat", "tomorrow 8am", CreateTrip,
			map[string]any{"departure_time": "tomorrow 8am"}, "", false},
		{"send T11985LA to Apapa tomorrow 6am", "from ESSLIBRA", CreateTrip,
			map[string]any{"origin": "ESSLIBRA", "destination": "Apapa", "departure_time": "tomorrow 6am"}, "", false},
		{"send T11985LA to Apapa tomorrow 6am", "ESSLIBRA", CreateTrip,
			map[string]any{"origin": "ESSLIBRA"}, "", false},
		{"send T11985LA to Apapa tomorrow 6am", "na tin can", CreateTrip,
			map[string]any{"origin": "tin can"}, "", false},
		{"send T11985LA to Apapa at 9", "from Eclat", CreateTrip,
			map[string]any{"origin": "Eclat"}, "departure_time", false}, // next question: am or pm
		{"create trip from apapa to ota tomorrow 8am", "T28737LA", CreateTrip,
			map[string]any{"truck": "T28737LA", "origin": "apapa"}, "", false},
		{"create trip from apapa to ota tomorrow 8am", "28737", CreateTrip,
			map[string]any{"truck": "28737"}, "", false},
		{"schedule T11985LA for tomorrow 8am", "to ECLAT", CreateTrip,
			map[string]any{"destination": "ECLAT"}, "origin", false},
		{"schedule T11985LA for tomorrow 8am", "from apapa to ECLAT", CreateTrip,
			map[string]any{"destination": "ECLAT", "origin": "apapa"}, "", false},
		{"send T11985LA to Apapa tomorrow 6am", "go", CreateTrip, nil, "origin", false}, // not a site: asked again
		{"send T11985LA to Apapa tomorrow 6am", "where is T28737LA", TruckLocation, nil, "", false},
		{"book T28737LA from tincan to eclat tomorrow 9", "make am 9pm abeg", CreateTrip,
			map[string]any{"departure_time": "tomorrow 9pm"}, "", false},
		{"book T28737LA from tincan to eclat tomorrow 9", "thanks", CreateTrip, nil, "departure_time", false},
		{"book T28737LA to eclat tomorrow 9pm", "e dey apapa", CreateTrip, map[string]any{"origin": "apapa"}, "", false},
		{"book T28737LA to eclat tomorrow 9pm", "same place", CreateTrip, nil, "origin", false},
		{"book T28737LA to eclat", "from apapa tomorrow 7", CreateTrip, map[string]any{"origin": "apapa"}, "departure_time", false},
		{"book T28737LA and T11985LA from apapa to eclat tomorrow 8am", "T11985LA", CreateTrip,
			map[string]any{"truck": "T11985LA"}, "", false},
		{"book T28737LA from tincan to eclat", "fleet status", FleetStatus, nil, "", false},
		{"move TRP-0009 to 9", "evening", UpdateTrip, map[string]any{"departure": "9 evening"}, "", false},
		{"move TRP-0009 to 9", "pm", UpdateTrip, map[string]any{"departure": "9pm", "trip_id": "TRP-0009"}, "", false},
		{"change TRP-0010", "to APAPA", UpdateTrip, map[string]any{"destination": "APAPA"}, "", false},
		{"change TRP-0010", "3pm", UpdateTrip, map[string]any{"departure": "3pm"}, "", false},
		{"cancel T28737LA trip", "TRP-0002", CancelTrip, map[string]any{"trip_id": "TRP-0002"}, "", false},
		{"where is T11985LA", "cancel TRP-0002", CancelTrip, map[string]any{"trip_id": "TRP-0002"}, "", false},
	} {
		pending := Parse(tc.first)
		got := Continue(pending, tc.reply)
		if got.Tool != tc.tool || got.Missing != tc.missing || got.ThreadTrip != tc.thread {
			t.Errorf("Continue(Parse(%q), %q) = %s missing %q thread %v (%s); want %s missing %q thread %v",
				tc.first, tc.reply, got.Tool, got.Missing, got.ThreadTrip, got.Args, tc.tool, tc.missing, tc.thread)
			continue
		}
		var args map[string]any
		if err := json.Unmarshal(got.Args, &args); err != nil {
			t.Fatal(err)
		}
		for k, v := range tc.want {
			if args[k] != v {
				t.Errorf("Continue(Parse(%q), %q) %s = %v; want %v", tc.first, tc.reply, k, args[k], v)
			}
		}
	}
}

func TestInThread(t *testing.T) {
	in := Parse("abeg cancel that trip")
	if got := in.InThread("TRP-0002"); !got.Understood() || !got.ThreadTrip || decode(got)["trip_id"] != "TRP-0002" {
		t.Errorf("InThread(TRP-0002) = %+v; want cancel_trip of TRP-0002", got)
	}
	if got := in.InThread(""); got.Missing != "trip_id" || got.Question == "" {
		t.Errorf("InThread(\"\") = %+v; want the question which trip", got)
	}
	if got := Continue(in.InThread(""), "TRP-0007"); !got.Understood() || decode(got)["trip_id"] != "TRP-0007" {
		t.Errorf("answer TRP-0007 = %+v; want cancel_trip of TRP-0007", got)
	}
	if got := Parse("where is T11985LA").InThread("TRP-0002"); got.Tool != TruckLocation || decode(got)["truck"] != "T11985LA" {
		t.Errorf("InThread changed a location question: %+v", got)
	}
}
