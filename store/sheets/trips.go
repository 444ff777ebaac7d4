package sheets

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/store"
)

const tripsKey = "trips"

// tripSpec is the Trips tab. Dispatchers own the plan; Watch Tower owns the status.
var tripSpec = tabSpec{name: TripsTab, key: tripsKey, noun: "trip", idHeader: "Trip ID", fields: []field{
	{key: "truck", header: "Truck", aliases: []string{"Plate"}, owner: sideSheet, norm: normPlate},
	{key: "origin", header: "Origin", owner: sideSheet, norm: normUpper},
	{key: "destination", header: "Destination", owner: sideSheet, norm: normUpper},
	{key: "departure", header: "Planned Departure", aliases: []string{"Departure"}, owner: sideSheet, norm: normDeparture},
	{key: "container", header: "Container", aliases: []string{"Container No", "Container Number"}, owner: sideSheet, norm: normUpper},
	{key: "cargo", header: "Cargo", aliases: []string{"Cargo Type"}, owner: sideSheet, norm: normText},
	{key: "status", header: "Status", owner: sideDB, norm: normStatus},
}}

// tripPageSize is how many trips load asks the store for at a time (its maximum).
const tripPageSize = 1000

// activeStatuses are the statuses of trips that still hold their truck.
var activeStatuses = []fleet.TripStatus{fleet.TripPendingApproval, fleet.TripScheduled, fleet.TripDelayed,
	fleet.TripOngoing, fleet.TripArrived}

// tripEntity is the trips of the store, as the Trips tab sees them.
type tripEntity struct{ s *Syncer }

func (e *tripEntity) spec() *tabSpec { return &tripSpec }

// naturalKey identifies a trip row by its plan, to find the trip created from a row whose
// Trip ID could not be written back.
func (e *tripEntity) naturalKey(f fields) string {
	if f["truck"] == "" || f["departure"] == "" {
		return ""
	}
	return strings.Join([]string{f["truck"], f["origin"], f["destination"], f["departure"]}, "|")
}

// adoptable allows only a trip created from a sheet row and not yet confirmed there: any other
// new row with the same plan is a second request (refused as an overlap).
func (e *tripEntity) adoptable(st *rowState) bool { return st != nil && st.pending }

// record renders a trip as the tab's fields. Trips still holding their truck, and those that
// departed within the trip window, belong in the sheet.
func (e *tripEntity) record(t fleet.Trip, now time.Time) record {
	f := fields{
		"truck": t.Plate, "origin": t.Origin, "destination": t.Destination,
		"departure": t.ScheduledDeparture.In(e.s.zone).Format(DepartureLayout),
		"container": normUpper(t.ContainerNo, cellContext{}), "cargo": normText(t.CargoType, cellContext{}),
		"status": string(t.Status),
	}
	export := t.Status.Active() || !t.ScheduledDeparture.Before(now.Add(-e.s.window))
	return record{id: t.Code, fields: f, export: export}
}

// load returns the active trips, the trips departing since the trip window or the earliest
// trip the sheet still holds, and any other trip the sheet holds.
func (e *tripEntity) load(ctx context.Context, now time.Time, states map[string]*rowState) (map[string]record, error) {
	from := now.Add(-e.s.window)
	for _, st := range states {
		if t, err := time.ParseInLocation(DepartureLayout, st.fields["departure"], e.s.zone); err == nil && !st.removed && t.Before(from) {
			from = t
		}
	}
	out := map[string]record{}
	for _, f := range []store.TripFilter{{Statuses: activeStatuses}, {From: from}} {
		if err := e.page(ctx, f, now, out); err != nil {
			return nil, err
		}
	}
	for id, st := range states {
		if _, ok := out[id]; ok || st.removed {
			continue
		}
		rec, ok, err := e.lookup(ctx, id)
		if err != nil {
			return nil, err
		}
		if ok {
			out[id] = rec
		}
	}
	return out, nil
}

// page lists every trip matching f, a page at a time by scheduled departure.
func (e *tripEntity) page(ctx context.Context, f store.TripFilter, now time.Time, out map[string]record) error {
	f.Limit = tripPageSize
	for {
		trips, err := e.s.store.ListTrips(ctx, f)
		if err != nil {
			return err
		}
		for _, t := range trips {
			out[t.Code] = e.record(t, now)
		}
		if len(trips) < tripPageSize {
			return nil
		}
		next := trips[len(trips)-1].ScheduledDeparture
		if !next.After(f.From) {
			next = f.From.Add(time.Second) // a page of one departure: move on rather than loop
		}
		f.From = next
	}
}

// lookup finds a trip by code, for a sheet row whose trip load did not return.
func (e *tripEntity) lookup(ctx context.Context, id string) (record, bool, error) {
	t, err := e.s.store.TripByCode(ctx, id)
	switch {
	case fleet.ErrorCode(err) == fleet.ENOTFOUND:
		return record{}, false, nil
	case err != nil:
		return record{}, false, err
	}
	return e.record(t, time.Now()), true, nil
}

// remove handles a trip row deleted from the sheet: the trip is kept as it is (cancel a trip by
// setting its Status to cancelled) and no longer synced.
func (e *tripEntity) remove(ctx context.Context, now time.Time, cur record) error {
	return e.s.store.Audit(ctx, nil, store.AuditEntry{At: now, Actor: e.s.actor, Action: "trip.sheet_row_deleted",
		Subject: cur.id, Details: jsonDetails(map[string]string{"status": cur.fields["status"]})})
}

// requestApproval posts the approval message of a trip created or replanned (how says which)
// from the sheet. A failure is logged here: the trip stands, and the dispatcher sees it pending
// in the sheet.
func (e *tripEntity) requestApproval(ctx context.Context, t fleet.Trip, id, how string, now time.Time) {
	if e.s.notify == nil {
		return
	}
	text := fmt.Sprintf("Trip %s %s: %s from %s to %s, departing %s", t.Code, how, t.Plate, t.Origin, t.Destination,
		fleet.FormatTime(t.ScheduledDeparture, nil))
	n := fleet.Notification{ID: id, Kind: fleet.NotifyTripApproval, Audience: fleet.AudienceDispatch,
		Text: text, Trip: &t, CreatedAt: now.UTC()}
	if err := e.s.notify.Notify(ctx, n); err != nil {
		e.s.log.ErrorContext(ctx, "trip approval request not queued", "job", "sheets-sync", "trip_id", t.Code, "err", err)
	}
}
