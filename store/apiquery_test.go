package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
)

func TestTripsPage(t *testing.T) {
	ctx := context.Background()
	s, dep := tripFixture(t)
	// Five trips: T11985LA at dep+0, +6h, +12h; T28737LA at dep+0 (same departure: ID breaks
	// the tie) and +6h.
	for _, tr := range []fleet.Trip{
		tripAt("T11985LA", dep), tripAt("T28737LA", dep), tripAt("T11985LA", dep.Add(6*time.Hour)),
		tripAt("T28737LA", dep.Add(6*time.Hour)), tripAt("T11985LA", dep.Add(12*time.Hour)),
	} {
		_, err := s.CreateTrip(ctx, tr, dispatcher)
		must(t, err)
	}
	_, err := s.TransitionTrip(ctx, "TRP-0002", dispatcher, "trip.approve", func(tr fleet.Trip) (fleet.Trip, error) {
		return tr.Approve(dispatcher.ID, time.Now())
	})
	must(t, err)

	var pages [][]string
	p := fleet.TripPage{Limit: 2}
	for {
		trips, err := s.TripsPage(ctx, p)
		must(t, err)
		if len(trips) == 0 {
			break
		}
		pages = append(pages, codes(trips))
		last := trips[len(trips)-1]
		p.AfterDeparture, p.AfterID = last.ScheduledDeparture, last.ID
	}
	want := [][]string{{"TRP-0001", "TRP-0002"}, {"TRP-0003", "TRP-0004"}, {"TRP-0005"}}
	if !slices.EqualFunc(pages, want, slices.Equal) {
		t.Errorf("pages = %v; want %v", pages, want)
	}

	for _, tc := range []struct {
		name string
		page fleet.TripPage
		want []string
	}{
		{"status", fleet.TripPage{Statuses: []fleet.TripStatus{fleet.TripScheduled}}, []string{"TRP-0002"}},
		{"plate", fleet.TripPage{Plate: "t 28737 la"}, []string{"TRP-0002", "TRP-0004"}},
		{"window", fleet.TripPage{From: dep.Add(time.Hour), To: dep.Add(12 * time.Hour)}, []string{"TRP-0003", "TRP-0004"}},
		{"after", fleet.TripPage{AfterDeparture: dep.Add(6 * time.Hour), AfterID: 3}, []string{"TRP-0004", "TRP-0005"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			trips, err := s.TripsPage(ctx, tc.page)
			must(t, err)
			if got := codes(trips); !slices.Equal(got, tc.want) {
				t.Errorf("TripsPage(%+v) = %v; want %v", tc.page, got, tc.want)
			}
		})
	}
	_, err = s.TripsPage(ctx, fleet.TripPage{Statuses: []fleet.TripStatus{"lost"}})
	wantCode(t, "TripsPage(unknown status)", err, fleet.EINVALID)
}
