package store_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/store"
)

var dispatcher = fleet.Actor{ID: "U0DISPATCH", Name: "Bola", Via: "slack"}

// tripAt is a pending trip of plate from ESSLIBRA to ECLAT leaving at dep, four hours long.
func tripAt(plate string, dep time.Time) fleet.Trip {
	return fleet.Trip{Plate: plate, Origin: "ESSLIBRA", Destination: "ECLAT", ScheduledDeparture: dep,
		PlannedArrival: dep.Add(4 * time.Hour), RequestedBy: dispatcher.ID, RequestedVia: "slack"}
}

// tripFixture is a store with sites, trucks T11985LA and T28737LA and a base departure time.
func tripFixture(t *testing.T) (*store.Store, time.Time) {
	t.Helper()
	s, _ := newStore(t)
	addSites(t, s)
	addTrucks(t, s, "T11985LA", "T28737LA")
	return s, time.Now().UTC().Add(24 * time.Hour).Truncate(time.Hour)
}

func TestCreateTrip(t *testing.T) {
	ctx := context.Background()
	s, dep := tripFixture(t)

	first, err := s.CreateTrip(ctx, tripAt("t11985la", dep), dispatcher)
	must(t, err)
	if first.Code != "TRP-0001" || first.Status != fleet.TripPendingApproval || first.Plate != "T11985LA" {
		t.Errorf("first trip = %s %s %s; want TRP-0001 pending_approval T11985LA", first.Code, first.Status, first.Plate)
	}

	_, err = s.CreateTrip(ctx, tripAt("T11985LA", dep.Add(2*time.Hour)), dispatcher)
	wantCode(t, "overlapping CreateTrip", err, fleet.ECONFLICT)
	if msg := fleet.ErrorMessage(err); !strings.Contains(msg, "TRP-0001") {
		t.Errorf("overlap message %q does not name TRP-0001", msg)
	}

	second, err := s.CreateTrip(ctx, tripAt("T11985LA", dep.Add(5*time.Hour)), dispatcher)
	must(t, err)
	if second.Code != "TRP-0002" {
		t.Errorf("second trip code = %s; want TRP-0002 (a refused trip draws no number)", second.Code)
	}

	for _, tc := range []struct {
		name string
		trip fleet.Trip
		code string
	}{
		{"unknown truck", tripAt("ZZZ999ZZ", dep), fleet.ENOTFOUND},
		{"unknown site", func() fleet.Trip { tr := tripAt("T28737LA", dep); tr.Destination = "KANO"; return tr }(), fleet.ENOTFOUND},
		{"no departure", fleet.Trip{Plate: "T28737LA", Origin: "ECLAT", Destination: "APAPA"}, fleet.EINVALID},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.CreateTrip(ctx, tc.trip, dispatcher)
			wantCode(t, "CreateTrip", err, tc.code)
		})
	}

	_, err = s.SetTruckStatus(ctx, "T28737LA", fleet.TruckMaintenance)
	must(t, err)
	_, err = s.CreateTrip(ctx, tripAt("T28737LA", dep), dispatcher)
	wantCode(t, "CreateTrip for truck in maintenance", err, fleet.EINVALID)

	audit, err := s.ListAudit(ctx, "TRP-0001")
	must(t, err)
	if len(audit) != 1 || audit[0].Action != "trip.create" || audit[0].Actor != dispatcher {
		t.Errorf("audit of TRP-0001 = %+v; want one trip.create by the dispatcher", audit)
	}
}

// TestCreateTripConcurrent books one truck for the same slot from ten requests: the truck's
// row lock lets exactly one through.
func TestCreateTripConcurrent(t *testing.T) {
	ctx := context.Background()
	s, dep := tripFixture(t)
	var (
		wg             sync.WaitGroup
		mu             sync.Mutex
		ok, conflicted int
	)
	for i := range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := s.CreateTrip(ctx, tripAt("T11985LA", dep.Add(time.Duration(i)*time.Minute)), dispatcher)
			mu.Lock()
			defer mu.Unlock()
			switch fleet.ErrorCode(err) {
			case "":
				ok++
			case fleet.ECONFLICT:
				conflicted++
			default:
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if ok != 1 || conflicted != 9 {
		t.Errorf("concurrent CreateTrip: %d created, %d conflicts; want 1 and 9", ok, conflicted)
	}
}

func TestTransitionTripConcurrentApprovals(t *testing.T) {
	ctx := context.Background()
	s, dep := tripFixture(t)
	trip, err := s.CreateTrip(ctx, tripAt("T11985LA", dep), dispatcher)
	must(t, err)

	var (
		wg             sync.WaitGroup
		mu             sync.Mutex
		ok, conflicted int
	)
	for i := range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			approver := fleet.Actor{ID: "U0APPROVER" + string(rune('A'+i)), Via: "slack"}
			_, err := s.TransitionTrip(ctx, "trp-1", approver, "trip.approve", func(tr fleet.Trip) (fleet.Trip, error) {
				return tr.Approve(approver.ID, time.Now().UTC())
			})
			mu.Lock()
			defer mu.Unlock()
			switch fleet.ErrorCode(err) {
			case "":
				ok++
			case fleet.ECONFLICT:
				conflicted++
			default:
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if ok != 1 || conflicted != 9 {
		t.Errorf("10 approvals: %d succeeded, %d conflicts; want 1 and 9", ok, conflicted)
	}

	got, err := s.TripByCode(ctx, trip.Code)
	must(t, err)
	if got.Status != fleet.TripScheduled || got.DecidedBy == "" || got.DecidedAt == nil {
		t.Errorf("trip after approvals = %s by %q at %v; want scheduled with decider", got.Status, got.DecidedBy, got.DecidedAt)
	}
	audit, err := s.ListAudit(ctx, trip.Code)
	must(t, err)
	var approvals int
	for _, e := range audit {
		if e.Action == "trip.approve" {
			approvals++
			if e.Actor.ID != got.DecidedBy || !strings.Contains(string(e.Details), `"to": "scheduled"`) {
				t.Errorf("approval audit = %+v; want by %s to scheduled", e, got.DecidedBy)
			}
		}
	}
	if approvals != 1 {
		t.Errorf("%d trip.approve audit rows; want 1", approvals)
	}

	_, err = s.TransitionTrip(ctx, "TRP-0404", dispatcher, "trip.approve", func(tr fleet.Trip) (fleet.Trip, error) { return tr, nil })
	wantCode(t, "TransitionTrip unknown", err, fleet.ENOTFOUND)
}

func TestTripQueries(t *testing.T) {
	ctx := context.Background()
	s, dep := tripFixture(t)
	later, err := s.CreateTrip(ctx, tripAt("T11985LA", dep.Add(10*time.Hour)), dispatcher)
	must(t, err)
	soon, err := s.CreateTrip(ctx, tripAt("T11985LA", dep), dispatcher)
	must(t, err)
	other, err := s.CreateTrip(ctx, tripAt("T28737LA", dep), dispatcher)
	must(t, err)

	for _, code := range []string{"TRP-0002", "trp-2", "TRP2", "2"} {
		got, err := s.TripByCode(ctx, code)
		must(t, err)
		if got.ID != soon.ID {
			t.Errorf("TripByCode(%q) = %s; want %s", code, got.Code, soon.Code)
		}
	}
	for _, code := range []string{"TRP-0099", "nonsense"} {
		_, err := s.TripByCode(ctx, code)
		wantCode(t, "TripByCode("+code+")", err, fleet.ENOTFOUND)
	}
	byID, err := s.TripByID(ctx, other.ID)
	must(t, err)
	if byID.Code != other.Code || !byID.ScheduledDeparture.Equal(dep) || !byID.PlannedArrival.Equal(dep.Add(4*time.Hour)) {
		t.Errorf("TripByID = %+v; want %s", byID, other.Code)
	}

	active, err := s.ActiveTripForTruck(ctx, "T11985LA")
	must(t, err)
	if active.Code != soon.Code {
		t.Errorf("ActiveTripForTruck before departure = %s; want the next one %s", active.Code, soon.Code)
	}
	approve := func(tr fleet.Trip) (fleet.Trip, error) { return tr.Approve("U1", time.Now()) }
	depart := func(tr fleet.Trip) (fleet.Trip, error) { return tr.Depart(time.Now()) }
	for _, fn := range []func(fleet.Trip) (fleet.Trip, error){approve, depart} {
		_, err := s.TransitionTrip(ctx, later.Code, dispatcher, "trip.step", fn)
		must(t, err)
	}
	active, err = s.ActiveTripForTruck(ctx, "T11985LA")
	must(t, err)
	if active.Code != later.Code || active.Status != fleet.TripOngoing {
		t.Errorf("ActiveTripForTruck = %s %s; want the ongoing %s", active.Code, active.Status, later.Code)
	}
	_, err = s.ActiveTripForTruck(ctx, "KJA000AA")
	wantCode(t, "ActiveTripForTruck without trips", err, fleet.ENOTFOUND)

	for _, tc := range []struct {
		name   string
		filter store.TripFilter
		want   int
	}{
		{"all", store.TripFilter{}, 3},
		{"pending", store.TripFilter{Statuses: []fleet.TripStatus{fleet.TripPendingApproval}}, 2},
		{"plate", store.TripFilter{Plate: "t28737la"}, 1},
		{"window", store.TripFilter{From: dep.Add(time.Hour), To: dep.Add(11 * time.Hour)}, 1},
		{"limit", store.TripFilter{Limit: 2}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.ListTrips(ctx, tc.filter)
			must(t, err)
			if len(got) != tc.want {
				t.Errorf("ListTrips(%+v) = %d trips; want %d", tc.filter, len(got), tc.want)
			}
		})
	}

	must(t, s.SetTripSlackMessage(ctx, "trp-1", "C0DISPATCH", "1700000000.000100"))
	must(t, s.SetTripLoconav(ctx, "TRP-0001", "LN-77", "https://track.example/77"))
	got, err := s.TripByCode(ctx, "TRP-0001")
	must(t, err)
	if got.SlackChannel != "C0DISPATCH" || got.SlackTS != "1700000000.000100" || got.LoconavTripID != "LN-77" || got.TrackingURL == "" {
		t.Errorf("after setters: %+v", got)
	}
	wantCode(t, "SetTripSlackMessage unknown", s.SetTripSlackMessage(ctx, "TRP-0404", "C", "1"), fleet.ENOTFOUND)

	n, err := s.PruneTrips(ctx, time.Now().Add(time.Hour))
	must(t, err)
	if n != 0 {
		t.Errorf("PruneTrips deleted %d active trips; want 0", n)
	}
}
