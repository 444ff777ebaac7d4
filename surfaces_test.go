package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/watchtower-ops/watchtower/bot"
	"github.com/watchtower-ops/watchtower/bot/api"
	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/fleet/fleettest"
	"github.com/watchtower-ops/watchtower/schedule"
	"github.com/watchtower-ops/watchtower/store"
	"github.com/watchtower-ops/watchtower/store/seed"
	"github.com/watchtower-ops/watchtower/store/storetest"
	"github.com/watchtower-ops/watchtower/tools"
)

// counts is what every surface must agree on.
type counts struct {
	Size, Moving, Idle, Parked, Offline, Maintenance int
}

// buildFleet seeds the demo fleet and gives it every kind of truck: moving, idle, parked,
// stale, never reported, in maintenance while moving, inactive and archived (both outside),
// with one ongoing, one scheduled and one pending trip. fixed are the eight trucks given a
// fix, in that order, within 10 m of one another around fixedAt; fixed[0] is on the trip.
// Every other truck never reported.
func buildFleet(t *testing.T, ctx context.Context, st *store.Store, reg *tools.Registry, now time.Time) (fixed []string, want counts) {
	t.Helper()
	if _, err := seed.Load(ctx, st); err != nil {
		t.Fatal(err)
	}
	all, _, err := st.FleetRoster(ctx)
	var trucks []fleet.Truck // the operational ones, which this fleet changes
	for _, tr := range all {
		if tr.Status == fleet.TruckOperational {
			trucks = append(trucks, tr)
		}
	}
	if err != nil || len(trucks) < 12 {
		t.Fatalf("demo fleet: %d operational trucks, %v; want at least 12", len(trucks), err)
	}
	// Every other truck of the demo has no fix: offline, or maintenance when in maintenance.
	for _, tr := range all {
		switch tr.Status {
		case fleet.TruckInactive:
		case fleet.TruckMaintenance:
			want.Size++
			want.Maintenance++
		default:
			want.Size++
			want.Offline++
		}
	}
	// The trucks changed below: 2 moving, 1 idle, 1 parked, 1 offline (already counted as
	// such), 1 moved to maintenance, 2 taken out of the fleet.
	want.Offline -= 7
	want.Moving, want.Idle, want.Parked, want.Maintenance = 2, 1, 1, want.Maintenance+1
	want.Size -= 2
	fix := func(i int, age time.Duration, kmh float64, ign bool) {
		p := fleet.Point{Lat: fixedAt.Lat + float64(i)/10000, Lng: fixedAt.Lng}
		fixed = append(fixed, trucks[i].Plate)
		if _, err := st.UpsertTruckState(ctx, nil, fleet.TruckState{Plate: trucks[i].Plate, FixTime: now.Add(-age),
			ReceivedAt: now.Add(-age), Point: p, SpeedKmh: kmh, Ignition: ign}); err != nil {
			t.Fatal(err)
		}
	}
	fix(0, time.Minute, 50, true) // moving, goes on a trip
	fix(1, time.Minute, 40, true) // moving
	fix(2, time.Minute, 0, true)  // idle
	fix(3, time.Minute, 0, false) // parked
	fix(4, 2*time.Hour, 0, false) // offline
	fix(5, time.Minute, 60, true) // in maintenance while moving
	fix(6, time.Minute, 60, true) // inactive: outside
	fix(7, time.Minute, 60, true) // archived: outside
	for i, s := range map[int]fleet.TruckStatus{5: fleet.TruckMaintenance, 6: fleet.TruckInactive} {
		if _, err := st.SetTruckStatus(ctx, trucks[i].Plate, s); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.ArchiveTruck(ctx, trucks[7].Plate); err != nil {
		t.Fatal(err)
	}
	dispatcher := tools.Caller{UserID: "U0DISPATCH", Via: "slack"}
	sites, err := st.ListSites(ctx)
	if err != nil || len(sites) < 2 {
		t.Fatalf("sites: %d, %v", len(sites), err)
	}
	trip := func(i int, approve, depart bool) {
		tc, err := reg.CreateTrip(ctx, tools.CreateTripArgs{Truck: trucks[i].Plate, Origin: &sites[0].Code,
			Destination: sites[1].Code, DepartureTime: "in 2 hours"}, dispatcher)
		if err != nil {
			t.Fatal(err)
		}
		if approve {
			if _, err := reg.ApproveTrip(ctx, tc.TripID, tools.Caller{UserID: "U0MANAGER", Via: "slack"}); err != nil {
				t.Fatal(err)
			}
		}
		if depart {
			if _, err := st.TransitionTrip(ctx, tc.TripID, fleet.Actor{}, "trip.depart", func(tr fleet.Trip) (fleet.Trip, error) {
				return tr.Depart(now.Add(-10 * time.Minute))
			}); err != nil {
				t.Fatal(err)
			}
		}
	}
	trip(0, true, true)   // ongoing
	trip(2, true, false)  // scheduled
	trip(3, false, false) // pending
	return fixed, want
}

// fixedAt is where buildFleet puts the trucks it gives a fix.
var fixedAt = fleet.Point{Lat: 6.45, Lng: 3.39}

// TestEverySurfaceCountsTheSame builds one fleet and reads it through every surface: the
// truck cards, /fleet through the bot handler, get_fleet_status, the daily summary, the
// weekly report, GET /api/v1/fleet and the tracking page's data. All must give the same
// counts, adding up to the fleet size. find_nearby_trucks and /near must show each truck in
// the state its card shows (checked by nearbyAgrees).
func TestEverySurfaceCountsTheSame(t *testing.T) {
	ctx := context.Background()
	pool := storetest.NewDB(t)
	rdb, prefix := storetest.NewRedis(t)
	st := store.New(pool)
	now := time.Now()
	reg := tools.NewRegistry(st, &fleettest.Recorder{}, tools.Options{MaxListed: 1 << 20})
	fixed, want := buildFleet(t, ctx, st, reg, now)
	onTrip := fixed[0]
	got := map[string]counts{}

	// get_fleet_status
	fs, err := reg.FleetStatus(ctx, tools.FleetStatusArgs{})
	if err != nil {
		t.Fatal(err)
	}
	got["get_fleet_status"] = counts{fs.TrucksTotal, fs.States.Moving, fs.States.Idle, fs.States.Parked, fs.States.Offline, fs.States.Maintenance}

	// the truck card of every truck listed
	var cards counts
	for _, tr := range fs.Trucks {
		loc, err := reg.TruckLocation(ctx, tr.Plate)
		if err != nil {
			t.Fatal(err)
		}
		cards.Size++
		switch loc.Status {
		case fleet.StateMoving:
			cards.Moving++
		case fleet.StateIdle:
			cards.Idle++
		case fleet.StateParked:
			cards.Parked++
		case fleet.StateOffline:
			cards.Offline++
		case fleet.StateMaintenance:
			cards.Maintenance++
		}
	}
	got["truck cards"] = cards
	nearbyAgrees(t, ctx, st, reg, fixed, now)

	// /fleet through the bot handler
	h := bot.NewHandler(bot.HandlerDeps{Lookups: reg, Desk: reg, Trips: st})
	reply := h.Command(ctx, tools.Caller{UserID: "U0DISPATCH", Via: "slack"}, "/fleet", "")
	var slash counts
	if _, err := fmt.Sscanf(reply.View.Text, "Fleet: %d trucks — %d moving, %d idle, %d parked, %d offline, %d in maintenance",
		&slash.Size, &slash.Moving, &slash.Idle, &slash.Parked, &slash.Offline, &slash.Maintenance); err != nil {
		t.Fatalf("/fleet text %q: %v", reply.View.Text, err)
	}
	got["/fleet"] = slash

	// daily summary
	sum, err := reg.DailySummary(ctx, "today")
	if err != nil || sum.FleetNow == nil {
		t.Fatalf("daily summary: %+v, %v; want fleet_now", sum, err)
	}
	c := sum.FleetNow
	got["daily summary"] = counts{c.Size, c.Moving, c.Idle, c.Parked, c.Offline, c.Maintenance}

	// weekly report
	rep, err := (&schedule.WeeklyReporter{Summaries: st, Trucks: st, States: st, Thresholds: fleet.DefaultThresholds()}).Build(ctx, now)
	if err != nil || rep.FleetNow == nil {
		t.Fatalf("weekly report: fleet now %+v, %v", rep.FleetNow, err)
	}
	c = rep.FleetNow
	got["weekly report"] = counts{c.Size, c.Moving, c.Idle, c.Parked, c.Offline, c.Maintenance}

	// GET /api/v1/fleet
	token, hash, tokPrefix := api.NewToken()
	if _, err := st.CreateAPIToken(ctx, "surfaces", fleet.ScopeRead, hash, tokPrefix, fleet.Actor{ID: "test"}); err != nil {
		t.Fatal(err)
	}
	srv, err := api.New(api.Deps{Trucks: reg, Trips: reg, Reports: reg, Catalog: st, Tokens: st,
		Limiter: api.NewLimiter(rdb, prefix, 600, 100)}, api.Config{})
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest("GET", "/api/v1/fleet", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, req)
	var body struct {
		counts
		Utilisation float64 `json:"utilisation"`
		ActiveTrips int     `json:"active_trips"`
		Scheduled   int     `json:"scheduled_trips"`
		Pending     int     `json:"pending_trips"`
	}
	if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &body) != nil {
		t.Fatalf("GET /api/v1/fleet = %d %s", rec.Code, rec.Body)
	}
	got["GET /api/v1/fleet"] = body.counts

	for surface, g := range got {
		if diff := cmp.Diff(want, g); diff != "" {
			t.Errorf("%s counts (-want +got):\n%s", surface, diff)
		}
		if g.Moving+g.Idle+g.Parked+g.Offline+g.Maintenance != g.Size {
			t.Errorf("%s: the five states add up to %d; want the size %d", surface, g.Moving+g.Idle+g.Parked+g.Offline+g.Maintenance, g.Size)
		}
	}
	// One ongoing trip over the trucks not in maintenance; trips by stage.
	wantUtil := 1 / float64(want.Size-want.Maintenance)
	if d := body.Utilisation - wantUtil; d > 0.001 || d < -0.001 || body.ActiveTrips != 1 || body.Scheduled != 1 || body.Pending != 1 {
		t.Errorf("API utilisation %v, trips %d/%d/%d; want %.3f, 1 ongoing, 1 scheduled, 1 pending", body.Utilisation,
			body.ActiveTrips, body.Scheduled, body.Pending, wantUtil)
	}
	if fs.UtilisationPct != sum.FleetNow.UtilisationPct() || fs.UtilisationPct != sum.UtilisationPct || fs.ActiveTrips != sum.FleetNow.ActiveTrips {
		t.Errorf("utilisation: tool %v%%, summary's census %v%%, summary's day %v%%; active trips: tool %d, summary %d", fs.UtilisationPct,
			sum.FleetNow.UtilisationPct(), sum.UtilisationPct, fs.ActiveTrips, sum.FleetNow.ActiveTrips)
	}

	// The tracking page's data: the trip's truck in the state its card shows.
	for _, tr := range fs.Trucks {
		if tr.Plate != onTrip {
			continue
		}
		d, err := reg.TripDetails(ctx, tr.TripID)
		if err != nil {
			t.Fatal(err)
		}
		if d.Truck == nil || d.Truck.Status != tr.Status {
			t.Errorf("tracking data of %s: truck %+v; want state %s", tr.TripID, d.Truck, tr.Status)
		}
	}
}

// nearbyAgrees checks find_nearby_trucks (from Postgres and from the in-memory index, through
// the tool call) and /near against the truck cards: the trucks buildFleet gave a fix are all
// within 1 km of fixedAt; each must be listed in the state of its card, the retired two
// (inactive, archived) not at all, and /near with each state filter must count as many.
func nearbyAgrees(t *testing.T, ctx context.Context, st *store.Store, reg *tools.Registry, fixed []string, now time.Time) {
	t.Helper()
	want := map[string]fleet.State{} // plate → the state its card shows
	for _, plate := range fixed[:6] {
		loc, err := reg.TruckLocation(ctx, plate)
		if err != nil {
			t.Fatal(err)
		}
		want[plate] = loc.Status
	}
	perState := map[fleet.State]int{}
	for _, s := range want {
		perState[s]++
	}
	if want[fixed[5]] != fleet.StateMaintenance {
		t.Fatalf("card of %s (in maintenance, moving) = %s; want maintenance", fixed[5], want[fixed[5]])
	}
	idx := tools.NewStateIndex(st, time.Minute, nil)
	fromIndex := tools.NewRegistry(st, &fleettest.Recorder{}, tools.Options{Nearby: idx, Roster: idx})
	args := fmt.Sprintf(`{"near": %q, "radius_km": 1, "status": null, "limit": 50}`, fixedAt.String())
	for name, r := range map[string]*tools.Registry{"find_nearby_trucks (Postgres)": reg, "find_nearby_trucks (index)": fromIndex} {
		res, err := r.Call(ctx, tools.ToolNearbyTrucks, json.RawMessage(args), tools.Caller{UserID: "U0DISPATCH", Via: "slack"})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		near := res.Value.(*tools.NearbyTrucks)
		got := map[string]fleet.State{}
		for _, tr := range near.Trucks {
			got[tr.Plate] = tr.Status
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: states by plate (-cards +nearby):\n%s", name, diff)
		}
	}
	h := bot.NewHandler(bot.HandlerDeps{Lookups: reg, Desk: reg, Trips: st})
	for _, s := range fleet.States {
		reply := h.Command(ctx, tools.Caller{UserID: "U0DISPATCH", Via: "slack"}, "/near", fixedAt.String()+" 1 km "+string(s))
		var n int
		if _, err := fmt.Sscanf(reply.View.Text, "%d", &n); err != nil || n != perState[s] {
			t.Errorf("/near %s 1 km %s = %q; want %d trucks, as their cards say", fixedAt, s, reply.View.Text, perState[s])
		}
	}
}
