package tools_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/tools"
)

func TestTripDetails(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	trip := startTrip(t, f, "T28737LA", "APAPA", "ECLAT") // the truck is 2.5 km into a ~18 km trip
	pending, err := f.reg.CreateTrip(ctx, tools.CreateTripArgs{Truck: "T11985LA", Origin: sp("APAPA"), Destination: "ESSLIBRA", DepartureTime: "today 14:00"}, dispatcher)
	must(t, err)

	for _, ref := range []string{"TRP-0001", "trp 1", "T28737LA", "t 28737 la", "28737"} {
		t.Run(ref, func(t *testing.T) {
			d, err := f.reg.TripDetails(ctx, ref)
			must(t, err)
			if d.TripID != trip.Code || d.Status != fleet.TripOngoing || d.Origin.Name != "Apapa Port Complex" || d.Destination.Code != "ECLAT" {
				t.Errorf("TripDetails(%q) = %s %s %+v → %+v; want %s ongoing APAPA → ECLAT", ref, d.TripID, d.Status, d.Origin, d.Destination, trip.Code)
			}
		})
	}
	d, err := f.reg.TripDetails(ctx, "TRP-0001")
	must(t, err)
	total := fleet.DistanceKm(testSites[3].Point, testSites[1].Point)
	left := fleet.DistanceKm(fleet.Point{Lat: 6.4700, Lng: 3.3600}, testSites[1].Point)
	wantETA := f.now.Add(fleet.TravelTime(left))
	if d.DistanceLeftKm == nil || *d.DistanceLeftKm != float64(int(left*10+0.5))/10 || d.ProgressPct == nil || *d.ProgressPct < 10 || *d.ProgressPct > 20 {
		t.Errorf("left %v km, progress %v%%; want %.1f km of %.1f, 10-20%%", deref(d.DistanceLeftKm), deref(d.ProgressPct), left, total)
	}
	if d.ETA == nil || !d.ETA.Equal(wantETA) || !strings.Contains(d.ETAAssumption, "1.4") || !strings.Contains(d.ETAAssumption, "1 min ago") {
		t.Errorf("ETA %v (%q); want %v with the straight-line assumption and the fix age", d.ETA, d.ETAAssumption, wantETA)
	}
	var events []string
	for _, m := range d.Timeline {
		events = append(events, m.Event)
	}
	if strings.Join(events, ",") != "requested,approved,departed" || d.Timeline[1].By != "U0MANAGER" {
		t.Errorf("timeline = %v; want requested, approved (by U0MANAGER), departed", d.Timeline)
	}
	if d.Truck == nil || d.Truck.Status != fleet.StateMoving || !strings.Contains(d.Text(), "% done") {
		t.Errorf("truck = %+v\n%s", d.Truck, d.Text())
	}

	p, err := f.reg.TripDetails(ctx, pending.TripID)
	must(t, err)
	wantPlanned := fleet.PlanArrival(testSites[3], testSites[0], time.Date(2025, 11, 26, 14, 0, 0, 0, fleet.Lagos()), fleet.LaneHistory{}).At
	if p.Status != fleet.TripPendingApproval || *p.ProgressPct != 0 || p.ETA == nil || !p.ETA.Equal(wantPlanned) || p.PlannedArrival == nil {
		t.Errorf("pending trip = %s, progress %v, ETA %v; want 0%% and ETA %v", p.Status, deref(p.ProgressPct), p.ETA, wantPlanned)
	}

	for _, tc := range []struct{ ref, code string }{
		{"TRP-0099", fleet.ENOTFOUND}, {"T55501LA", fleet.ENOTFOUND}, {"T1198LA", fleet.ENOTFOUND}, {"", fleet.EINVALID},
	} {
		_, err := f.reg.TripDetails(ctx, tc.ref)
		wantCode(t, "TripDetails("+tc.ref+")", err, tc.code)
	}
}

func TestTripDetailsFinishedTrip(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	tc, err := f.reg.CreateTrip(ctx, tools.CreateTripArgs{Truck: "T11985LA", Origin: sp("APAPA"), Destination: "ECLAT", DepartureTime: "tomorrow 8am"}, dispatcher)
	must(t, err)
	_, err = f.reg.RejectTrip(ctx, tc.TripID, "no driver", dispatcher)
	must(t, err)
	d, err := f.reg.TripDetails(ctx, "T11985LA") // no active trip: the latest one
	must(t, err)
	if d.TripID != tc.TripID || d.Status != fleet.TripRejected || d.ETA != nil || d.ProgressPct != nil {
		t.Errorf("latest trip = %s %s ETA %v progress %v; want %s rejected without ETA", d.TripID, d.Status, d.ETA, d.ProgressPct, tc.TripID)
	}
	if last := d.Timeline[len(d.Timeline)-1]; last.Event != "rejected" {
		t.Errorf("last milestone = %+v; want rejected", last)
	}
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

func TestTripDetailsTrackingLink(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	trip := startTrip(t, f, "T28737LA", "APAPA", "ECLAT")
	d, err := f.reg.TripDetails(ctx, trip.Code)
	must(t, err)
	if d.TrackingURL != "" {
		t.Errorf("TrackingURL without LocoNav or a link maker = %q; want empty", d.TrackingURL)
	}
	linked := tools.NewRegistry(f.st, f.notes, tools.Options{Now: func() time.Time { return f.now }, Logger: quiet,
		TrackingLink: func(t fleet.Trip) string { return "https://wt.example/track/" + t.Code }})
	d, err = linked.TripDetails(ctx, trip.Code)
	must(t, err)
	if want := "https://wt.example/track/" + trip.Code; d.TrackingURL != want {
		t.Errorf("TrackingURL = %q; want the link maker's %q", d.TrackingURL, want)
	}
	if !strings.Contains(d.Text(), d.TrackingURL) {
		t.Errorf("trip details text lacks the tracking link:\n%s", d.Text())
	}
}
