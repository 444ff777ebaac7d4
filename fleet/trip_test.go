package fleet_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/watchtower-ops/watchtower/fleet"
)

// base is a fixed "now" for the tests: Wed 26 Nov 2025 09:00 WAT.
var base = time.Date(2025, 11, 26, 8, 0, 0, 0, time.UTC)

// tripAction is one state-machine action and the effect it must have when legal.
type tripAction struct {
	name   string
	do     func(fleet.Trip, time.Time) (fleet.Trip, error)
	effect func(t *fleet.Trip, at time.Time) // sets the fields the action records
}

func tripActions() []tripAction {
	type trip = fleet.Trip
	return []tripAction{{
		name:   "approve",
		do:     func(t trip, at time.Time) (trip, error) { return t.Approve("U_BOSS", at) },
		effect: func(t *trip, at time.Time) { t.DecidedBy, t.DecidedAt = "U_BOSS", &at },
	}, {
		name:   "reject",
		do:     func(t trip, at time.Time) (trip, error) { return t.Reject("U_BOSS", "no driver", at) },
		effect: func(t *trip, at time.Time) { t.DecidedBy, t.DecidedAt, t.RejectReason = "U_BOSS", &at, "no driver" },
	}, {
		name:   "delay",
		do:     func(t trip, at time.Time) (trip, error) { return t.MarkDelayed(at) },
		effect: func(t *trip, at time.Time) { t.DelayedAt = &at },
	}, {
		name:   "depart",
		do:     func(t trip, at time.Time) (trip, error) { return t.Depart(at) },
		effect: func(t *trip, at time.Time) { t.DepartedAt = &at },
	}, {
		name:   "arrive",
		do:     func(t trip, at time.Time) (trip, error) { return t.Arrive(at) },
		effect: func(t *trip, at time.Time) { t.ArrivedAt = &at },
	}, {
		name:   "complete",
		do:     func(t trip, at time.Time) (trip, error) { return t.Complete(at) },
		effect: func(t *trip, at time.Time) { t.CompletedAt = &at },
	}, {
		name: "cancel",
		do:   func(t trip, at time.Time) (trip, error) { return t.Cancel("U_DISP", "customer gone", at) },
		effect: func(t *trip, at time.Time) {
			t.CancelledBy, t.CancelReason, t.CancelledAt = "U_DISP", "customer gone", &at
		},
	}}
}

// legalTransitions is the whole state machine: (status, action) → new status. Every pair not
// listed must be refused with ECONFLICT.
var legalTransitions = map[fleet.TripStatus]map[string]fleet.TripStatus{
	fleet.TripPendingApproval: {"approve": fleet.TripScheduled, "reject": fleet.TripRejected, "cancel": fleet.TripCancelled},
	fleet.TripScheduled:       {"delay": fleet.TripDelayed, "depart": fleet.TripOngoing, "cancel": fleet.TripCancelled},
	fleet.TripDelayed:         {"depart": fleet.TripOngoing, "cancel": fleet.TripCancelled},
	fleet.TripOngoing:         {"arrive": fleet.TripArrived, "cancel": fleet.TripCancelled},
	fleet.TripArrived:         {"complete": fleet.TripCompleted},
}

// tripIn builds a trip in status s with plausible earlier timestamps, identically each call.
func tripIn(s fleet.TripStatus) fleet.Trip {
	ts := func(h int) *time.Time { t := base.Add(time.Duration(h) * time.Hour); return &t }
	t := fleet.Trip{
		ID: 7, Code: "TRP-0007", Plate: "T11985LA", Origin: "APAPA", Destination: "ECLAT",
		ScheduledDeparture: base.Add(2 * time.Hour), PlannedArrival: base.Add(4 * time.Hour),
		Status: s, RequestedBy: "U_DISP", RequestedVia: "slack", CreatedAt: base, UpdatedAt: base,
	}
	if s != fleet.TripPendingApproval {
		t.DecidedBy, t.DecidedAt = "U_BOSS", ts(1)
	}
	switch s {
	case fleet.TripDelayed:
		t.DelayedAt = ts(4)
	case fleet.TripOngoing, fleet.TripArrived, fleet.TripCompleted:
		t.DepartedAt = ts(2)
		if s != fleet.TripOngoing {
			t.ArrivedAt = ts(3)
		}
		if s == fleet.TripCompleted {
			t.CompletedAt = ts(4)
		}
	case fleet.TripCancelled:
		t.CancelledAt, t.CancelledBy = ts(1), "U_DISP"
	case fleet.TripRejected:
		t.RejectReason = "no driver"
	}
	return t
}

func TestTripStateMachine(t *testing.T) {
	at := base.Add(5 * time.Hour)
	legalSeen := 0
	for _, status := range fleet.TripStatuses {
		for _, a := range tripActions() {
			t.Run(string(status)+"/"+a.name, func(t *testing.T) {
				in := tripIn(status)
				got, err := a.do(in, at)
				if diff := cmp.Diff(tripIn(status), in); diff != "" {
					t.Fatalf("%s on %s modified its receiver (-before +after):\n%s", a.name, status, diff)
				}
				next, legal := legalTransitions[status][a.name]
				if !legal {
					if code := fleet.ErrorCode(err); code != fleet.ECONFLICT {
						t.Fatalf("%s on %s: code = %q (err %v); want %q", a.name, status, code, err, fleet.ECONFLICT)
					}
					if msg := fleet.ErrorMessage(err); !strings.Contains(msg, "TRP-0007") {
						t.Errorf("%s on %s: message %q; want it to name the trip", a.name, status, msg)
					}
					if diff := cmp.Diff(in, got); diff != "" {
						t.Errorf("%s on %s changed the trip; want it unchanged (-want +got):\n%s", a.name, status, diff)
					}
					return
				}
				legalSeen++
				if err != nil {
					t.Fatalf("%s on %s: err = %v; want nil", a.name, status, err)
				}
				want := tripIn(status)
				want.Status, want.UpdatedAt = next, at
				a.effect(&want, at)
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("%s on %s (-want +got):\n%s", a.name, status, diff)
				}
			})
		}
	}
	if legalSeen != 11 {
		t.Errorf("legal transitions exercised = %d; want 11", legalSeen)
	}
}

func TestTripStatusPredicates(t *testing.T) {
	final := map[fleet.TripStatus]bool{fleet.TripCompleted: true, fleet.TripRejected: true, fleet.TripCancelled: true}
	for _, s := range fleet.TripStatuses {
		t.Run(string(s), func(t *testing.T) {
			if !s.Valid() {
				t.Errorf("%s.Valid() = false; want true", s)
			}
			if got := s.Final(); got != final[s] {
				t.Errorf("%s.Final() = %v; want %v", s, got, final[s])
			}
			if got := s.Active(); got == final[s] {
				t.Errorf("%s.Active() = %v; want %v", s, got, !final[s])
			}
			if _, canMove := legalTransitions[s]; canMove == s.Final() {
				t.Errorf("%s: has transitions = %v but Final() = %v", s, canMove, s.Final())
			}
		})
	}
	if fleet.TripStatus("lost").Valid() {
		t.Errorf(`TripStatus("lost").Valid() = true; want false`)
	}
}

func TestNewTrip(t *testing.T) {
	apapa := fleet.Site{Code: "APAPA", Name: "Apapa Port", Point: fleet.Point{Lat: 6.4478, Lng: 3.3680}}
	eclat := fleet.Site{Code: "ECLAT", Name: "Eclat Warehouse", Point: fleet.Point{Lat: 6.6050, Lng: 3.3490}}
	truck := fleet.Truck{Plate: "T11985LA", Status: fleet.TruckOperational, DriverID: 3}
	archived := truck
	archived.ArchivedAt = &base
	th := fleet.DefaultThresholds()
	req := func(f func(*fleet.TripRequest)) fleet.TripRequest {
		r := fleet.TripRequest{Truck: truck, Origin: apapa, Destination: eclat, Departure: base.Add(2 * time.Hour),
			ContainerNo: "MSKU1234567", RequestedBy: "U_DISP", RequestedVia: "slack"}
		if f != nil {
			f(&r)
		}
		return r
	}
	tests := []struct {
		name     string
		req      fleet.TripRequest
		wantCode string
	}{
		{"valid", req(nil), ""},
		{"exactly 30 min ahead", req(func(r *fleet.TripRequest) { r.Departure = base.Add(30 * time.Minute) }), ""},
		{"29 min ahead", req(func(r *fleet.TripRequest) { r.Departure = base.Add(29 * time.Minute) }), fleet.EINVALID},
		{"in the past", req(func(r *fleet.TripRequest) { r.Departure = base.Add(-time.Hour) }), fleet.EINVALID},
		{"zero departure", req(func(r *fleet.TripRequest) { r.Departure = time.Time{} }), fleet.EINVALID},
		{"same origin and destination", req(func(r *fleet.TripRequest) { r.Destination = apapa }), fleet.EINVALID},
		{"same site in other case", req(func(r *fleet.TripRequest) { r.Destination.Code = "apapa" }), fleet.EINVALID},
		{"no destination", req(func(r *fleet.TripRequest) { r.Destination = fleet.Site{} }), fleet.EINVALID},
		{"truck in maintenance", req(func(r *fleet.TripRequest) { r.Truck.Status = fleet.TruckMaintenance }), fleet.EINVALID},
		{"truck inactive", req(func(r *fleet.TripRequest) { r.Truck.Status = fleet.TruckInactive }), fleet.EINVALID},
		{"truck unrostered", req(func(r *fleet.TripRequest) { r.Truck.Status = fleet.TruckUnrostered }), fleet.EINVALID},
		{"truck archived", req(func(r *fleet.TripRequest) { r.Truck = archived }), fleet.EINVALID},
		{"container number too long", req(func(r *fleet.TripRequest) { r.ContainerNo = strings.Repeat("X", 33) }), fleet.EINVALID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			trip, err := fleet.NewTrip(tt.req, base, th)
			if code := fleet.ErrorCode(err); code != tt.wantCode {
				t.Fatalf("NewTrip code = %q (err %v); want %q", code, err, tt.wantCode)
			}
			if tt.wantCode != "" {
				if diff := cmp.Diff(fleet.Trip{}, trip); diff != "" {
					t.Errorf("NewTrip returned a trip with an error; want the zero Trip (-want +got):\n%s", diff)
				}
				return
			}
			checkNewTrip(t, trip, tt.req)
		})
	}
}

func checkNewTrip(t *testing.T, trip fleet.Trip, req fleet.TripRequest) {
	t.Helper()
	if trip.Status != fleet.TripPendingApproval {
		t.Errorf("status = %s; want %s", trip.Status, fleet.TripPendingApproval)
	}
	if trip.Plate != req.Truck.Plate || trip.DriverID != req.Truck.DriverID {
		t.Errorf("plate, driver = %s, %d; want %s, %d", trip.Plate, trip.DriverID, req.Truck.Plate, req.Truck.DriverID)
	}
	if trip.Origin != req.Origin.Code || trip.Destination != req.Destination.Code {
		t.Errorf("route = %s→%s; want %s→%s", trip.Origin, trip.Destination, req.Origin.Code, req.Destination.Code)
	}
	if !trip.ScheduledDeparture.Equal(req.Departure) {
		t.Errorf("departure = %v; want %v", trip.ScheduledDeparture, req.Departure)
	}
	if !trip.PlannedArrival.After(trip.ScheduledDeparture) {
		t.Errorf("planned arrival %v is not after departure %v", trip.PlannedArrival, trip.ScheduledDeparture)
	}
	// 17.6 km straight → 24.6 km road at 25 km/h = 60 min, plus an hour of gates.
	if got, want := trip.PlannedArrival.Sub(trip.ScheduledDeparture), 2*time.Hour; got != want {
		t.Errorf("planned duration = %v; want %v", got, want)
	}
	if trip.ID != 0 || trip.Code != "" || trip.DecidedAt != nil {
		t.Errorf("new trip has ID %d, code %q, decided %v; want none", trip.ID, trip.Code, trip.DecidedAt)
	}
}

func TestTripWindow(t *testing.T) {
	dep := base.Add(2 * time.Hour)
	tests := []struct {
		name    string
		arrival time.Time
		wantEnd time.Time
	}{
		{"planned arrival", dep.Add(90 * time.Minute), dep.Add(90 * time.Minute)},
		{"no planned arrival", time.Time{}, dep.Add(fleet.DefaultTripDuration)},
		{"arrival before departure", dep.Add(-time.Minute), dep.Add(fleet.DefaultTripDuration)},
		{"arrival equals departure", dep, dep.Add(fleet.DefaultTripDuration)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, e := fleet.Trip{ScheduledDeparture: dep, PlannedArrival: tt.arrival}.Window()
			if !s.Equal(dep) || !e.Equal(tt.wantEnd) {
				t.Errorf("Window() = [%v, %v); want [%v, %v)", s, e, dep, tt.wantEnd)
			}
		})
	}
}

func TestTripOverlaps(t *testing.T) {
	trip := func(s fleet.TripStatus, fromH, toH int) fleet.Trip {
		return fleet.Trip{Status: s, ScheduledDeparture: base.Add(time.Duration(fromH) * time.Hour),
			PlannedArrival: base.Add(time.Duration(toH) * time.Hour)}
	}
	sched := fleet.TripScheduled
	tests := []struct {
		name string
		a, b fleet.Trip
		want bool
	}{
		{"partial overlap", trip(sched, 8, 10), trip(fleet.TripPendingApproval, 9, 11), true},
		{"contained", trip(sched, 8, 12), trip(sched, 9, 10), true},
		{"identical", trip(sched, 8, 10), trip(sched, 8, 10), true},
		{"back to back", trip(sched, 8, 10), trip(sched, 10, 12), false},
		{"disjoint", trip(sched, 8, 10), trip(sched, 11, 12), false},
		{"other is cancelled", trip(sched, 8, 10), trip(fleet.TripCancelled, 9, 11), false},
		{"other is completed", trip(sched, 8, 10), trip(fleet.TripCompleted, 9, 11), false},
		{"other is rejected", trip(sched, 8, 10), trip(fleet.TripRejected, 9, 11), false},
		{"ongoing and delayed", trip(fleet.TripOngoing, 8, 10), trip(fleet.TripDelayed, 9, 11), true},
		{"no planned arrival uses default duration", trip(sched, 8, 0), trip(sched, 11, 12), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.a.Overlaps(tt.b); got != tt.want {
				t.Errorf("a.Overlaps(b) = %v; want %v", got, tt.want)
			}
			if got := tt.b.Overlaps(tt.a); got != tt.want {
				t.Errorf("b.Overlaps(a) = %v; want %v", got, tt.want)
			}
		})
	}
}

func TestTripCode(t *testing.T) {
	tests := []struct {
		n    int64
		want string
	}{{1, "TRP-0001"}, {42, "TRP-0042"}, {9999, "TRP-9999"}, {12345, "TRP-12345"}}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			got := fleet.TripCode(tt.n)
			if got != tt.want {
				t.Errorf("TripCode(%d) = %q; want %q", tt.n, got, tt.want)
			}
			if back, ok := fleet.ParseTripCode(got); !ok || back != got {
				t.Errorf("ParseTripCode(%q) = %q, %v; want %q, true", got, back, ok, got)
			}
		})
	}
}

func TestParseTripCode(t *testing.T) {
	tests := []struct {
		in     string
		want   string
		wantOK bool
	}{
		{"TRP-0042", "TRP-0042", true},
		{"trp-42", "TRP-0042", true},
		{"TRP42", "TRP-0042", true},
		{"42", "TRP-0042", true},
		{" #42 ", "TRP-0042", true},
		{"TRP 0042", "TRP-0042", true},
		{"trp_7", "TRP-0007", true},
		{"TRP-12345", "TRP-12345", true},
		{"", "", false},
		{"TRP", "", false},
		{"TRP-0", "", false},
		{"TRP-0000", "", false},
		{"abc", "", false},
		{"TRP-42x", "", false},
		{"+42", "", false},
		{"4 2", "", false},
		{"TRP-99999999999999999999", "", false},
		{"T11985LA", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, ok := fleet.ParseTripCode(tt.in)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("ParseTripCode(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestTripOnTime(t *testing.T) {
	th := fleet.DefaultThresholds()
	at := func(h float64) *time.Time { t := base.Add(time.Duration(h * float64(time.Hour))); return &t }
	tests := []struct {
		name           string
		trip           fleet.Trip
		wantOn, wantOK bool
	}{
		{"not arrived", fleet.Trip{PlannedArrival: base}, false, false},
		{"early", fleet.Trip{PlannedArrival: base, ArrivedAt: at(-1)}, true, true},
		{"within 15 min grace", fleet.Trip{PlannedArrival: base, ArrivedAt: at(0.25)}, true, true},
		{"late", fleet.Trip{PlannedArrival: base, ArrivedAt: at(0.3)}, false, true},
		{"no plan, left on time", fleet.Trip{ScheduledDeparture: base, DepartedAt: at(1), ArrivedAt: at(3)}, true, true},
		{"no plan, left late", fleet.Trip{ScheduledDeparture: base, DepartedAt: at(2), ArrivedAt: at(3)}, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			on, ok := tt.trip.OnTime(th)
			if on != tt.wantOn || ok != tt.wantOK {
				t.Errorf("OnTime() = %v, %v; want %v, %v", on, ok, tt.wantOn, tt.wantOK)
			}
		})
	}
}

// TestNewTripLeadTimeInWholeMinutes: "in 30 minutes" said at 10:00:40 parses to 10:30 (times
// are whole minutes) and must be accepted; 10:29 is still too soon.
func TestNewTripLeadTimeInWholeMinutes(t *testing.T) {
	now := time.Date(2025, 11, 26, 9, 0, 40, 0, time.UTC)
	truck := fleet.Truck{Plate: "T11985LA", Status: fleet.TruckOperational}
	a := fleet.Site{Code: "APAPA", Point: fleet.Point{Lat: 6.4478, Lng: 3.3680}}
	b := fleet.Site{Code: "ECLAT", Point: fleet.Point{Lat: 6.6050, Lng: 3.3490}}
	for _, tc := range []struct {
		dep      time.Time
		wantCode string
	}{
		{time.Date(2025, 11, 26, 9, 30, 0, 0, time.UTC), ""},
		{time.Date(2025, 11, 26, 9, 29, 0, 0, time.UTC), fleet.EINVALID},
	} {
		_, err := fleet.NewTrip(fleet.TripRequest{Truck: truck, Origin: a, Destination: b, Departure: tc.dep}, now, fleet.DefaultThresholds())
		if got := fleet.ErrorCode(err); got != tc.wantCode {
			t.Errorf("NewTrip(departure %s at %s) code = %q; want %q", tc.dep.Format("15:04"), now.Format("15:04:05"), got, tc.wantCode)
		}
	}
}

func TestAmend(t *testing.T) {
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	th := fleet.DefaultThresholds()
	truck := fleet.Truck{Plate: "T28737LA", Status: fleet.TruckOperational}
	apapa := fleet.Site{Code: "APAPA", Point: fleet.Point{Lat: 6.44, Lng: 3.36}}
	eclat := fleet.Site{Code: "ECLAT", Point: fleet.Point{Lat: 6.60, Lng: 3.30}}
	tin := fleet.Site{Code: "TINCAN", Point: fleet.Point{Lat: 6.43, Lng: 3.34}}
	dep := now.Add(5 * time.Hour)
	decided := now
	pending := fleet.Trip{Code: "TRP-0002", Plate: truck.Plate, Origin: "APAPA", Destination: "ECLAT", ScheduledDeparture: dep, Status: fleet.TripPendingApproval}
	scheduled := pending
	scheduled.Status, scheduled.DecidedBy, scheduled.DecidedAt, scheduled.SlackChannel, scheduled.SlackTS = fleet.TripScheduled, "U1", &decided, "C1", "1.2"
	tests := []struct {
		name     string
		trip     fleet.Trip
		truck    fleet.Truck
		dest     fleet.Site
		dep      time.Time
		wantCode string
		want     fleet.TripStatus
	}{
		{"pending moves in place", pending, truck, eclat, dep.Add(time.Hour), "", fleet.TripPendingApproval},
		{"scheduled goes back to approval", scheduled, truck, tin, dep, "", fleet.TripPendingApproval},
		{"time in the past", pending, truck, eclat, now.Add(-time.Hour), fleet.EINVALID, ""},
		{"destination is the origin", pending, truck, apapa, dep, fleet.EINVALID, ""},
		{"truck in maintenance", pending, fleet.Truck{Plate: truck.Plate, Status: fleet.TruckMaintenance}, tin, dep, fleet.EINVALID, ""},
		{"nothing changes", pending, truck, eclat, dep, fleet.EINVALID, ""},
		{"started trip", fleet.Trip{Code: "TRP-0003", Status: fleet.TripOngoing}, truck, tin, dep, fleet.ECONFLICT, ""},
	}
	for _, tt := range tests {
		got, err := tt.trip.Amend(tt.truck, apapa, tt.dest, tt.dep, now, th, fleet.LaneHistory{})
		if code := fleet.ErrorCode(err); code != tt.wantCode {
			t.Errorf("%s: code %q (%v); want %q", tt.name, code, err, tt.wantCode)
			continue
		}
		if err != nil {
			continue
		}
		if got.Status != tt.want || got.Destination != tt.dest.Code || !got.ScheduledDeparture.Equal(tt.dep) {
			t.Errorf("%s: got %s %s %v; want %s %s %v", tt.name, got.Status, got.Destination, got.ScheduledDeparture, tt.want, tt.dest.Code, tt.dep)
		}
		if got.PlannedBasis != fleet.ETAFromDistance {
			t.Errorf("%s: planned basis %q; want %q", tt.name, got.PlannedBasis, fleet.ETAFromDistance)
		}
		if tt.trip.Status == fleet.TripScheduled && (got.DecidedBy != "" || got.SlackTS != "") {
			t.Errorf("%s: decision kept: %q %q", tt.name, got.DecidedBy, got.SlackTS)
		}
	}
}

func TestCancelTwiceSaysSo(t *testing.T) {
	at := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	tr := fleet.Trip{Code: "TRP-0002", Status: fleet.TripScheduled}
	c, err := tr.Cancel("U1", "", at)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Cancel("U1", "", at)
	if got, want := fleet.ErrorMessage(err), "trip TRP-0002 is already cancelled"; got != want {
		t.Errorf("second cancel: %q; want %q", got, want)
	}
}

func TestAnnotate(t *testing.T) {
	at := base.Add(time.Hour)
	for _, st := range fleet.TripStatuses {
		trip := fleet.Trip{Code: "TRP-0007", Status: st, Notes: "gate 3", UpdatedAt: base}
		got, err := trip.Annotate("  gate 5, ask for Musa ", at)
		if st.Final() {
			if diff := cmp.Diff(trip, got); fleet.ErrorCode(err) != fleet.ECONFLICT || diff != "" {
				t.Errorf("Annotate on %s: err %v; want ECONFLICT and the trip unchanged (-want +got):\n%s", st, err, diff)
			}
			continue
		}
		if err != nil || got.Notes != "gate 5, ask for Musa" || got.Status != st || !got.UpdatedAt.Equal(at) {
			t.Errorf("Annotate on %s = %+v, %v; want the new notes trimmed, status kept, updated at %s", st, got, err, at)
		}
	}
	trip := fleet.Trip{Code: "TRP-0007", Status: fleet.TripScheduled, Notes: "gate 3"}
	if _, err := trip.Annotate("gate 3 ", at); fleet.ErrorCode(err) != fleet.EINVALID {
		t.Errorf("Annotate with the same notes code = %s; want %s", fleet.ErrorCode(err), fleet.EINVALID)
	}
	if got, err := trip.Annotate("", at); err != nil || got.Notes != "" {
		t.Errorf("Annotate(\"\") = %q, %v; want the notes cleared", got.Notes, err)
	}
}
