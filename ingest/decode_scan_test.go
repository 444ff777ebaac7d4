package ingest_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestDecodeFastPathMatchesEncodingJSON checks the webhook's reflection-free decoding against
// encoding/json on bodies that exercise what json.Unmarshal does with keys and values: case,
// escapes, duplicates, nesting, whitespace, nulls, and every error the validation words.
func TestDecodeFastPathMatchesEncodingJSON(t *testing.T) {
	bodies := []string{
		locoPush,
		"[" + locoPush + "," + locoPush + "]",
		"  \n[ " + locoPush + " ,\t" + locoPush + " ]\n",
		`{"IMEI":"1","VehicleNumber":"ab 12","GPSTIME":"2026-11-26T08:00:00Z","Latitude":6.5,"LONGITUDE":3.4}`,
		`{"imei":"1","imei":"2","gpstime":"2026-11-26T08:00:00Z","latitude":6.5,"longitude":3.4}`,
		`{"im\u0065i":"7","gpstime":"2026-11-26T08:00:00Z","latitude":6.5,"longitude":3.4,"x":{"imei":"9","a":[1,{"b":"]}"}]}}`,
		`{"imei":"1\"2","gpstime":1764144000,"latitude":"6.5","longitude":"3.4","speed":null,"ignition":true}`,
		`{ "imei" : "1" , "gpstime" : "2026-11-26T08:00:00Z" , "latitude" : 6.5 , "longitude" : 3.4 , "orientation" : 1e2 }`,
		`{"imei":"1","gpstime":"2026-11-26T08:00:00Z","latitude":96.5,"longitude":3.4}`,
		`[{"imei":"1","gpstime":"2026-11-26T08:00:00Z","latitude":6.5,"longitude":3.4},{"imei":"1","latitude":6.5}]`,
		`[{"imei":"1","gpstime":"2026-11-26T08:00:00Z","latitude":6.5,"longitude":3.4},7]`,
		`[{"imei":"1","gpstime":"2026-11-26T08:00:00Z","latitude":6.5,"longitude":3.4},[]]`,
		`[]`, `{}`, `[null]`, `{"imei":null}`, `{"imei":{"a":1},"gpstime":"x"}`, `{"speed":"fast","imei":"1"}`,
		`{"id":7,"kind":"IgnitionAlert","vehicle_number":"T11985LA","active_event_time":"2026-11-26T07:00:00Z"}`,
		`{"id":"7","Kind":"Overspeed","Vehicle_Number":"T1","event_time":"26-11-2026 13:57:07","speed":90,"created_at":"x"}`,
		`[{"id":7,"kind":"GeofenceAlert","vehicle_number":"T1","active_event_time":"2026-11-26T07:00:00Z","inactive_event_time":"2026-11-26T07:05:00Z","polygon_id":3}]`,
	}
	d := decoder()
	for _, body := range bodies {
		got, gotErr := d.Decode([]byte(body), decNow)
		want, wantErr := d.DecodeGeneral([]byte(body), decNow)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Decode(%s) events differ from encoding/json's (-want +got):\n%s", body, diff)
		}
		if errText(gotErr) != errText(wantErr) {
			t.Errorf("Decode(%s) error = %q; encoding/json's = %q", body, errText(gotErr), errText(wantErr))
		}
	}
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
