package fleet_test

import (
	"slices"
	"testing"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
)

var (
	dtT0     = time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC)
	dtOrigin = fleet.Site{Code: "APAPA", Name: "Apapa Port", Kind: fleet.SiteTerminal, Point: fleet.Point{Lat: 6.4500, Lng: 3.3600}, RadiusM: 200}
	dtDest   = fleet.Site{Code: "ECLAT", Name: "Eclat Warehouse", Kind: fleet.SiteClient, Point: fleet.Point{Lat: 6.5000, Lng: 3.4000}, RadiusM: 150}
	dtSites  = []fleet.Site{dtOrigin, dtDest}
	dtRoad   = fleet.Point{Lat: 6.4750, Lng: 3.3800} // between the two, inside neither
)

// dtFix is a fix of truck T11985LA at dtT0+at.
func dtFix(at time.Duration, p fleet.Point, kmh float64, ign bool) fleet.Position {
	return fleet.Position{Plate: "T11985LA", IMEI: "0210716299", FixTime: dtT0.Add(at), ReceivedAt: dtT0.Add(at),
		Point: p, SpeedKmh: kmh, Ignition: ign}
}

// dtOffset returns p moved north by metres.
func dtOffset(p fleet.Point, metres float64) fleet.Point {
	return fleet.Point{Lat: p.Lat + metres/111_195, Lng: p.Lng}
}

// dtRun folds DetectPosition over fixes, keeping the trip current, and collects everything.
type dtResult struct {
	state    fleet.TruckState
	events   []fleet.EventKind
	opened   []string
	resolved []string
	trip     *fleet.Trip
	from     []fleet.TripStatus
}

func dtRun(st fleet.TruckState, trip *fleet.Trip, fixes ...fleet.Position) dtResult {
	th := fleet.DefaultThresholds()
	r := dtResult{trip: trip}
	for _, p := range fixes {
		if !st.Newer(p) {
			continue
		}
		d := fleet.DetectPosition(st, p, dtSites, r.trip, th)
		st = d.State
		for _, e := range d.Events {
			r.events = append(r.events, e.Kind)
		}
		for _, a := range d.Open {
			r.opened = append(r.opened, a.IncidentKey)
		}
		r.resolved = append(r.resolved, d.Resolve...)
		if d.Trip != nil {
			t := d.Trip.Trip
			r.trip = &t
			r.from = append(r.from, d.Trip.From)
		}
	}
	r.state = st
	return r
}

// dtAt returns a state confirmed inside site since dtT0-1h, with a last fix there.
func dtAt(site fleet.Site) fleet.TruckState {
	since := dtT0.Add(-time.Hour)
	return fleet.TruckState{Plate: "T11985LA", FixTime: dtT0.Add(-time.Minute), Point: site.Point, Ignition: true,
		SiteCode: site.Code, SiteSince: &since}
}

func TestGeofenceDwellAndExit(t *testing.T) {
	tests := []struct {
		name       string
		start      fleet.TruckState
		fixes      []fleet.Position
		wantEvents []fleet.EventKind
		wantSite   string
		wantCand   string
	}{
		{"entry counts after the dwell time", fleet.TruckState{}, []fleet.Position{
			dtFix(0, dtRoad, 30, true), dtFix(time.Minute, dtDest.Point, 3, true),
			dtFix(4*time.Minute, dtDest.Point, 0, true), dtFix(6*time.Minute, dtDest.Point, 0, true)},
			[]fleet.EventKind{fleet.EventGeofenceEnter}, "ECLAT", ""},
		{"a drive-by shorter than the dwell is no entry", fleet.TruckState{}, []fleet.Position{
			dtFix(0, dtDest.Point, 20, true), dtFix(3*time.Minute, dtDest.Point, 20, true), dtFix(4*time.Minute, dtRoad, 40, true)},
			nil, "", ""},
		{"still dwelling is a candidate", fleet.TruckState{}, []fleet.Position{
			dtFix(0, dtDest.Point, 0, true), dtFix(2*time.Minute, dtDest.Point, 0, true)},
			nil, "", "ECLAT"},
		{"leaving beyond radius and margin is an exit", dtAt(dtDest), []fleet.Position{
			dtFix(0, dtOffset(dtDest.Point, 100), 10, true), dtFix(time.Minute, dtRoad, 30, true)},
			[]fleet.EventKind{fleet.EventGeofenceExit}, "", ""},
		{"jitter just past the radius is no exit", dtAt(dtDest), []fleet.Position{
			dtFix(0, dtOffset(dtDest.Point, dtDest.RadiusM+fleet.GeofenceExitMarginM-10), 2, true)},
			nil, "ECLAT", ""},
		{"exit from one site then entry into another", dtAt(dtOrigin), []fleet.Position{
			dtFix(0, dtRoad, 40, true), dtFix(20*time.Minute, dtDest.Point, 5, true), dtFix(26*time.Minute, dtDest.Point, 0, true)},
			[]fleet.EventKind{fleet.EventGeofenceExit, fleet.EventGeofenceEnter}, "ECLAT", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := dtRun(tt.start, nil, tt.fixes...)
			geo := slices.DeleteFunc(slices.Clone(r.events), func(k fleet.EventKind) bool {
				return k != fleet.EventGeofenceEnter && k != fleet.EventGeofenceExit
			})
			if !slices.Equal(geo, tt.wantEvents) {
				t.Errorf("events = %v; want %v", geo, tt.wantEvents)
			}
			if r.state.SiteCode != tt.wantSite || r.state.CandidateSite != tt.wantCand {
				t.Errorf("site, candidate = %q, %q; want %q, %q", r.state.SiteCode, r.state.CandidateSite, tt.wantSite, tt.wantCand)
			}
			if len(r.opened) != 0 {
				t.Errorf("opened %v without a trip; want no incident", r.opened)
			}
		})
	}
}

func TestGeofenceEntryTimeIsFirstFixInside(t *testing.T) {
	r := dtRun(fleet.TruckState{}, nil, dtFix(0, dtRoad, 30, true), dtFix(2*time.Minute, dtDest.Point, 0, true),
		dtFix(8*time.Minute, dtDest.Point, 0, true))
	if r.state.SiteSince == nil || !r.state.SiteSince.Equal(dtT0.Add(2*time.Minute)) {
		t.Errorf("SiteSince = %v; want %v", r.state.SiteSince, dtT0.Add(2*time.Minute))
	}
}

func dtTrip(status fleet.TripStatus, departure time.Time) *fleet.Trip {
	return &fleet.Trip{Code: "TRP-0042", Plate: "T11985LA", Origin: "APAPA", Destination: "ECLAT",
		ScheduledDeparture: departure, Status: status}
}

func TestTripTransitions(t *testing.T) {
	onTime := dtT0.Add(30 * time.Minute)
	tests := []struct {
		name       string
		start      fleet.TruckState
		trip       *fleet.Trip
		fixes      []fleet.Position
		wantStatus fleet.TripStatus
		wantFrom   []fleet.TripStatus
		wantTrip   []fleet.EventKind
	}{
		{"scheduled trip departs when the truck leaves the origin", dtAt(dtOrigin), dtTrip(fleet.TripScheduled, onTime),
			[]fleet.Position{dtFix(0, dtRoad, 40, true)}, fleet.TripOngoing,
			[]fleet.TripStatus{fleet.TripScheduled}, []fleet.EventKind{fleet.EventTripDeparted}},
		{"delayed trip departs too", dtAt(dtOrigin), dtTrip(fleet.TripDelayed, dtT0.Add(-3*time.Hour)),
			[]fleet.Position{dtFix(0, dtRoad, 40, true)}, fleet.TripOngoing,
			[]fleet.TripStatus{fleet.TripDelayed}, []fleet.EventKind{fleet.EventTripDeparted}},
		{"leaving the origin long before departure is another errand", dtAt(dtOrigin), dtTrip(fleet.TripScheduled, dtT0.Add(5*time.Hour)),
			[]fleet.Position{dtFix(0, dtRoad, 40, true)}, fleet.TripScheduled, nil, nil},
		{"ongoing trip arrives on entering the destination", fleet.TruckState{}, dtTrip(fleet.TripOngoing, onTime),
			[]fleet.Position{dtFix(0, dtDest.Point, 5, true), dtFix(5*time.Minute, dtDest.Point, 0, true)}, fleet.TripArrived,
			[]fleet.TripStatus{fleet.TripOngoing}, []fleet.EventKind{fleet.EventTripArrived}},
		{"arrived trip completes on leaving the destination", dtAt(dtDest), dtTrip(fleet.TripArrived, onTime),
			[]fleet.Position{dtFix(0, dtRoad, 30, true)}, fleet.TripCompleted,
			[]fleet.TripStatus{fleet.TripArrived}, []fleet.EventKind{fleet.EventTripCompleted}},
		{"a missed departure departs and arrives at the destination", fleet.TruckState{}, dtTrip(fleet.TripScheduled, onTime),
			[]fleet.Position{dtFix(0, dtDest.Point, 5, true), dtFix(5*time.Minute, dtDest.Point, 0, true)}, fleet.TripArrived,
			[]fleet.TripStatus{fleet.TripScheduled}, []fleet.EventKind{fleet.EventTripDeparted, fleet.EventTripArrived}},
		{"the whole trip in one run", dtAt(dtOrigin), dtTrip(fleet.TripScheduled, onTime),
			[]fleet.Position{dtFix(0, dtRoad, 40, true), dtFix(30*time.Minute, dtDest.Point, 4, true),
				dtFix(36*time.Minute, dtDest.Point, 0, false), dtFix(2*time.Hour, dtRoad, 30, true)}, fleet.TripCompleted,
			[]fleet.TripStatus{fleet.TripScheduled, fleet.TripOngoing, fleet.TripArrived},
			[]fleet.EventKind{fleet.EventTripDeparted, fleet.EventTripArrived, fleet.EventTripCompleted}},
		{"a pending trip does not move", dtAt(dtOrigin), dtTrip(fleet.TripPendingApproval, onTime),
			[]fleet.Position{dtFix(0, dtRoad, 40, true)}, fleet.TripPendingApproval, nil, nil},
		{"leaving a site that is not the origin does not depart", dtAt(dtDest), dtTrip(fleet.TripScheduled, onTime),
			[]fleet.Position{dtFix(0, dtRoad, 40, true)}, fleet.TripScheduled, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := dtRun(tt.start, tt.trip, tt.fixes...)
			if r.trip.Status != tt.wantStatus {
				t.Errorf("trip status = %s; want %s", r.trip.Status, tt.wantStatus)
			}
			if !slices.Equal(r.from, tt.wantFrom) {
				t.Errorf("transitions from = %v; want %v", r.from, tt.wantFrom)
			}
			var trip []fleet.EventKind
			for _, k := range r.events {
				if k == fleet.EventTripDeparted || k == fleet.EventTripArrived || k == fleet.EventTripCompleted {
					trip = append(trip, k)
				}
			}
			if !slices.Equal(trip, tt.wantTrip) {
				t.Errorf("trip events = %v; want %v", trip, tt.wantTrip)
			}
		})
	}
}

func TestGeofenceIncidentOnActiveTrip(t *testing.T) {
	r := dtRun(fleet.TruckState{}, dtTrip(fleet.TripOngoing, dtT0), dtFix(0, dtDest.Point, 3, true),
		dtFix(5*time.Minute, dtDest.Point, 0, true), dtFix(40*time.Minute, dtRoad, 30, true))
	key := fleet.GeofenceKey("T11985LA", "ECLAT")
	if !slices.Equal(r.opened, []string{key}) {
		t.Errorf("opened = %v; want [%s]", r.opened, key)
	}
	if !slices.Contains(r.resolved, key) {
		t.Errorf("resolved = %v; want it to hold %s", r.resolved, key)
	}
}
