package fleet_test

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
)

func TestOverspeedSustained(t *testing.T) {
	key := fleet.IncidentKey(fleet.AlertOverspeed, "T11985LA")
	tests := []struct {
		name         string
		speeds       []float64 // one fix every 20 s
		wantOpened   int
		wantResolved int
		wantOpen     bool
	}{
		{"a spike is not sustained", []float64{75, 40, 75, 40}, 0, 0, false},
		{"sustained for 30 s opens one incident", []float64{70, 72, 75, 80, 78}, 1, 0, true},
		{"dropping below the limit resolves it", []float64{70, 72, 75, 50}, 1, 1, false},
		{"exactly the limit is not overspeed", []float64{60, 60, 60, 60}, 0, 0, false},
		{"a second run opens a second incident", []float64{70, 70, 70, 40, 70, 70, 70}, 2, 1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var fixes []fleet.Position
			for i, v := range tt.speeds {
				fixes = append(fixes, dtFix(time.Duration(i)*20*time.Second, dtRoad, v, true))
			}
			r := dtRun(fleet.TruckState{}, nil, fixes...)
			if got := count(r.opened, key); got != tt.wantOpened {
				t.Errorf("opened %d overspeed incidents; want %d", got, tt.wantOpened)
			}
			if got := count(r.resolved, key); got != tt.wantResolved {
				t.Errorf("resolved %d; want %d", got, tt.wantResolved)
			}
			if r.state.OverspeedOpen != tt.wantOpen {
				t.Errorf("OverspeedOpen = %v; want %v", r.state.OverspeedOpen, tt.wantOpen)
			}
		})
	}
}

func count(keys []string, key string) int {
	n := 0
	for _, k := range keys {
		if k == key {
			n++
		}
	}
	return n
}

func TestIdle(t *testing.T) {
	key := fleet.IncidentKey(fleet.AlertIdle, "T11985LA")
	tests := []struct {
		name         string
		fixes        []fleet.Position
		wantOpened   int
		wantResolved int
	}{
		{"engine on and stopped past the limit", []fleet.Position{
			dtFix(0, dtRoad, 0, true), dtFix(10*time.Minute, dtRoad, 0, true), dtFix(21*time.Minute, dtRoad, 0, true)}, 1, 0},
		{"moving off resolves it", []fleet.Position{
			dtFix(0, dtRoad, 0, true), dtFix(21*time.Minute, dtRoad, 0, true), dtFix(25*time.Minute, dtRoad, 30, true)}, 1, 1},
		{"engine off ends it", []fleet.Position{
			dtFix(0, dtRoad, 0, true), dtFix(21*time.Minute, dtRoad, 0, true), dtFix(25*time.Minute, dtRoad, 0, false)}, 1, 1},
		{"parked with the engine off is not idle", []fleet.Position{
			dtFix(0, dtRoad, 0, false), dtFix(30*time.Minute, dtRoad, 0, false)}, 0, 0},
		{"the idle clock starts when the engine starts", []fleet.Position{
			dtFix(0, dtRoad, 0, false), dtFix(60*time.Minute, dtRoad, 0, true), dtFix(70*time.Minute, dtRoad, 0, true)}, 0, 0},
		{"a silent stretch restarts the idle clock", []fleet.Position{
			dtFix(0, dtRoad, 0, true), dtFix(2*time.Hour, dtRoad, 0, true), dtFix(2*time.Hour+5*time.Minute, dtRoad, 0, true)}, 0, 0},
		{"short stops are not idle", []fleet.Position{
			dtFix(0, dtRoad, 0, true), dtFix(10*time.Minute, dtRoad, 30, true), dtFix(25*time.Minute, dtRoad, 0, true)}, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := dtRun(fleet.TruckState{}, nil, tt.fixes...)
			if got := count(r.opened, key); got != tt.wantOpened {
				t.Errorf("opened %d idle incidents; want %d", got, tt.wantOpened)
			}
			if got := count(r.resolved, key); got != tt.wantResolved {
				t.Errorf("resolved %d; want %d", got, tt.wantResolved)
			}
		})
	}
}

func TestIgnitionAndBackOnline(t *testing.T) {
	r := dtRun(fleet.TruckState{}, nil, dtFix(0, dtRoad, 0, false), dtFix(time.Minute, dtRoad, 0, true), dtFix(2*time.Minute, dtRoad, 0, false))
	want := []fleet.EventKind{fleet.EventIgnitionOn, fleet.EventIgnitionOff}
	if !slices.Equal(r.events, want) {
		t.Errorf("events = %v; want %v (none for the first fix)", r.events, want)
	}
	st := fleet.TruckState{Plate: "T11985LA", FixTime: dtT0.Add(-2 * time.Hour), OfflineOpen: true}
	r = dtRun(st, nil, dtFix(0, dtRoad, 0, false))
	if !slices.Contains(r.events, fleet.EventBackOnline) || r.state.OfflineOpen {
		t.Errorf("after offline: events %v, OfflineOpen %v; want truck.online and false", r.events, r.state.OfflineOpen)
	}
	if key := fleet.IncidentKey(fleet.AlertOffline, "T11985LA"); !slices.Equal(r.resolved, []string{key}) {
		t.Errorf("resolved = %v; want [%s]", r.resolved, key)
	}
}

func TestOlderFixIsNotNewer(t *testing.T) {
	st := fleet.TruckState{FixTime: dtT0}
	if st.Newer(dtFix(-time.Second, dtRoad, 0, true)) || st.Newer(dtFix(0, dtRoad, 0, true)) {
		t.Error("an older or equal fix is Newer; want false")
	}
	if !(fleet.TruckState{}).Newer(dtFix(0, dtRoad, 0, true)) {
		t.Error("the first fix is not Newer; want true")
	}
}

func dtAlert(kind string, phase fleet.AlertPhase, interval bool) fleet.TelematicsAlert {
	pt := dtRoad
	return fleet.TelematicsAlert{SourceKind: kind, SourceID: "123", Phase: phase, Interval: interval, Plate: "T11985LA",
		At: dtT0, Point: &pt, SpeedKmh: 82, Raw: json.RawMessage(`{"kind":"` + kind + `"}`)}
}

func TestDetectAlertMapping(t *testing.T) {
	tests := []struct {
		name      string
		start     fleet.TruckState
		alert     fleet.TelematicsAlert
		wantEvent fleet.EventKind
		wantOpen  fleet.AlertKind // "" for none
		wantRes   string
		check     func(fleet.TruckState) bool
	}{
		{"overspeed start opens the overspeed incident", fleet.TruckState{}, dtAlert("OverspeedAlert", fleet.PhaseActive, true),
			fleet.EventOverspeedStart, fleet.AlertOverspeed, "", func(s fleet.TruckState) bool { return s.OverspeedOpen }},
		{"overspeed end resolves it", fleet.TruckState{OverspeedOpen: true}, dtAlert("OverspeedAlert", fleet.PhaseInactive, true),
			fleet.EventOverspeedEnd, "", "overspeed:T11985LA", func(s fleet.TruckState) bool { return !s.OverspeedOpen }},
		{"overspeed already open opens nothing", fleet.TruckState{OverspeedOpen: true}, dtAlert("OverspeedAlert", fleet.PhaseActive, true),
			fleet.EventOverspeedStart, "", "", nil},
		{"idling maps to idle", fleet.TruckState{}, dtAlert("IdlingAlert", fleet.PhaseActive, true),
			fleet.EventIdleStart, fleet.AlertIdle, "", func(s fleet.TruckState) bool { return s.IdleOpen }},
		{"VehicleIdle is the same", fleet.TruckState{}, dtAlert("VehicleIdle", fleet.PhaseActive, true),
			fleet.EventIdleStart, fleet.AlertIdle, "", nil},
		{"device offline opens offline", fleet.TruckState{}, dtAlert("DeviceOfflineAlert", fleet.PhaseActive, true),
			fleet.EventOffline, fleet.AlertOffline, "", func(s fleet.TruckState) bool { return s.OfflineOpen }},
		{"device back online resolves offline", fleet.TruckState{OfflineOpen: true}, dtAlert("DeviceOfflineAlert", fleet.PhaseInactive, true),
			fleet.EventBackOnline, "", "offline:T11985LA", func(s fleet.TruckState) bool { return !s.OfflineOpen }},
		{"ignition on", fleet.TruckState{}, dtAlert("IgnitionAlert", fleet.PhaseActive, true), fleet.EventIgnitionOn, "", "", nil},
		{"ignition off", fleet.TruckState{}, dtAlert("IgnitionAlert", fleet.PhaseInactive, true), fleet.EventIgnitionOff, "", "", nil},
		{"sudden braking is harsh driving", fleet.TruckState{}, dtAlert("SuddenBrakingAlert", fleet.PhaseActive, false),
			fleet.EventLoconavAlert, fleet.AlertHarshDriving, "", nil},
		{"unknown kinds are kept raw", fleet.TruckState{}, dtAlert("FuelTheftAlert", fleet.PhaseActive, false),
			fleet.EventLoconavAlert, fleet.AlertLoconav, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := fleet.DetectAlert(tt.start, tt.alert, fleet.DefaultThresholds())
			if len(d.Events) != 1 || d.Events[0].Kind != tt.wantEvent {
				t.Fatalf("events = %+v; want one %s", d.Events, tt.wantEvent)
			}
			switch {
			case tt.wantOpen == "" && len(d.Open) != 0:
				t.Errorf("opened %+v; want none", d.Open)
			case tt.wantOpen != "" && (len(d.Open) != 1 || d.Open[0].Kind != tt.wantOpen):
				t.Errorf("opened %+v; want one %s", d.Open, tt.wantOpen)
			}
			if tt.wantRes != "" && !slices.Equal(d.Resolve, []string{tt.wantRes}) {
				t.Errorf("resolved = %v; want [%s]", d.Resolve, tt.wantRes)
			}
			if tt.check != nil && !tt.check(d.State) {
				t.Errorf("state memory after %s = %+v; not as expected", tt.alert.SourceKind, d.State)
			}
		})
	}
}

func TestDetectAlertPointEventsResolveAtOnce(t *testing.T) {
	d := fleet.DetectAlert(fleet.TruckState{}, dtAlert("FuelTheftAlert", fleet.PhaseActive, false), fleet.DefaultThresholds())
	a := d.Open[0]
	if a.ResolvedAt == nil || string(a.Data) != `{"kind":"FuelTheftAlert"}` || a.SourceKind != "FuelTheftAlert" {
		t.Errorf("point alert = %+v; want resolved at once with the raw push kept", a)
	}
}

func TestDetectOffline(t *testing.T) {
	th := fleet.DefaultThresholds()
	st := fleet.TruckState{Plate: "T11985LA", FixTime: dtT0}
	if _, ok := fleet.DetectOffline(st, dtT0.Add(29*time.Minute), th); ok {
		t.Error("offline after 29 min; want fresh")
	}
	d, ok := fleet.DetectOffline(st, dtT0.Add(31*time.Minute), th)
	if !ok || !d.State.OfflineOpen || len(d.Open) != 1 || d.Open[0].Kind != fleet.AlertOffline {
		t.Errorf("DetectOffline after 31 min = %+v, %v; want one offline incident", d, ok)
	}
	if _, ok := fleet.DetectOffline(d.State, dtT0.Add(2*time.Hour), th); ok {
		t.Error("offline opened twice; want once")
	}
}

func TestNotificationIDsAreDeterministic(t *testing.T) {
	a := fleet.Alert{Kind: fleet.AlertOverspeed, IncidentKey: "overspeed:T11985LA", OpenedAt: dtT0}
	n1 := fleet.AlertNotification(a, fleet.NotifyAlertOpened, dtT0.Add(time.Minute))
	n2 := fleet.AlertNotification(a, fleet.NotifyAlertOpened, dtT0.Add(time.Hour))
	r := fleet.AlertNotification(a, fleet.NotifyAlertResolved, dtT0.Add(time.Hour))
	if n1.ID != n2.ID || n1.ID == r.ID || n1.ID == "" {
		t.Errorf("IDs opened %q, %q, resolved %q; want the opened ones equal and the resolved one different", n1.ID, n2.ID, r.ID)
	}
	trip := fleet.Trip{Code: "TRP-0042"}
	e := fleet.Event{Kind: fleet.EventTripDeparted, At: dtT0}
	if fleet.TripNotification(trip, e).ID != "trip:TRP-0042:trip.departed" {
		t.Errorf("trip notification ID = %q", fleet.TripNotification(trip, e).ID)
	}
}
