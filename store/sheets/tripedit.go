package sheets

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/store"
)

// planKeys are the fields of a trip its approval is about.
var planKeys = []string{"truck", "origin", "destination", "departure"}

// planRequest resolves a row's plan to a fleet.TripRequest: the truck and sites must exist and
// the departure must be a date. It returns a note instead when they do not.
func (e *tripEntity) planRequest(ctx context.Context, f fields) (fleet.TripRequest, string, error) {
	if f["truck"] == "" || f["origin"] == "" || f["destination"] == "" || f["departure"] == "" {
		return fleet.TripRequest{}, "A trip needs Truck, Origin, Destination and Planned Departure.", nil
	}
	dep, err := time.ParseInLocation(DepartureLayout, f["departure"], e.s.zone)
	if err != nil {
		return fleet.TripRequest{}, fmt.Sprintf("Planned Departure %q is not a date and time; write it like 2026-11-27 08:00 (Lagos time).", f["departure"]), nil
	}
	req := fleet.TripRequest{Departure: dep, ContainerNo: f["container"], CargoType: f["cargo"],
		RequestedBy: e.s.actor.ID, RequestedVia: "sheets"}
	if req.Truck, err = e.s.store.TruckByPlate(ctx, f["truck"]); err == nil {
		if req.Origin, err = e.s.store.SiteByCode(ctx, f["origin"]); err == nil {
			req.Destination, err = e.s.store.SiteByCode(ctx, f["destination"])
		}
	}
	if err == nil {
		req.History, err = e.s.store.LaneHistory(ctx, fleet.LaneOf(req.Origin.Code, req.Destination.Code, dep, e.s.zone))
	}
	if err != nil {
		note, err := refusal(err)
		return fleet.TripRequest{}, note, err
	}
	return req, "", nil
}

// create turns a dispatcher's new row into a trip awaiting approval, through the rules of every
// front door (fleet.NewTrip, then store.CreateTrip with its overlap check), and posts the
// approval request. A row that breaks a rule is refused with a note saying why and stays in the
// sheet as typed, to be fixed.
func (e *tripEntity) create(ctx context.Context, now time.Time, f fields) (record, bool, []string, error) {
	req, note, err := e.planRequest(ctx, f)
	if err != nil || note != "" {
		return record{}, false, []string{note}, err
	}
	t, err := fleet.NewTrip(req, now, e.s.th)
	if err == nil {
		t, err = e.s.store.CreateTrip(ctx, t, e.s.actor)
	}
	if err != nil {
		note, err := refusal(err)
		return record{}, false, []string{note}, err
	}
	e.requestApproval(ctx, t, fleet.TripNotificationID("trip.approval", t), "requested in the Google Sheet", now)
	return e.record(t, now), true, nil, nil
}

// update applies a merged trip row. Container and cargo may change until the trip is final;
// truck, route and departure only while it awaits approval (it is then asked again); Status
// only to "cancelled" (everything else comes from approvals and telematics).
func (e *tripEntity) update(ctx context.Context, now time.Time, cur record, to fields) (record, []string, error) {
	from, code := cur.fields, cur.id
	status := fleet.TripStatus(from["status"])
	var notes []string
	var plan *fleet.Trip
	if changedAny(from, to, planKeys...) {
		p, note, err := e.replan(ctx, now, code, status, to)
		if err != nil {
			return record{}, nil, err
		}
		plan = p
		if note != "" {
			notes = append(notes, note)
		}
	}
	if plan != nil || changedAny(from, to, "container", "cargo") {
		t, note, err := e.edit(ctx, now, code, plan, to)
		if err != nil {
			return record{}, nil, err
		}
		if note != "" {
			notes = append(notes, note)
		} else if plan != nil {
			e.requestApproval(ctx, t, fleet.TripNotificationID("trip.approval", t, now.UTC().Format("20060102T1504Z")),
				"changed in the Google Sheet", now)
		}
	}
	if to["status"] != from["status"] {
		note, err := e.setStatus(ctx, now, code, status, to["status"])
		if err != nil {
			return record{}, nil, err
		}
		if note != "" {
			notes = append(notes, note)
		}
	}
	t, err := e.s.store.TripByCode(ctx, code)
	if err != nil {
		return record{}, nil, err
	}
	return e.record(t, now), notes, nil
}

func changedAny(a, b fields, keys ...string) bool {
	for _, k := range keys {
		if a[k] != b[k] {
			return true
		}
	}
	return false
}

// replan validates a new plan for a trip awaiting approval, as a new request would be, and
// returns the trip fields to store; or a note refusing it.
func (e *tripEntity) replan(ctx context.Context, now time.Time, code string, status fleet.TripStatus, to fields) (*fleet.Trip, string, error) {
	if status != fleet.TripPendingApproval {
		return nil, fmt.Sprintf("Trip %s is %s: its truck, route and departure can only change while it awaits approval. Set Status to cancelled and add a new row instead.",
			code, humanStatus(status)), nil
	}
	req, note, err := e.planRequest(ctx, to)
	if err != nil || note != "" {
		return nil, note, err
	}
	t, err := fleet.NewTrip(req, now, e.s.th)
	if err == nil {
		err = e.checkOverlap(ctx, code, t)
	}
	if err != nil {
		note, err := refusal(err)
		return nil, note, err
	}
	return &t, "", nil
}

// checkOverlap returns ECONFLICT when t's truck holds another active trip in t's window.
func (e *tripEntity) checkOverlap(ctx context.Context, code string, t fleet.Trip) error {
	others, err := e.s.store.ListTrips(ctx, store.TripFilter{Plate: t.Plate, Statuses: activeStatuses, Limit: tripPageSize})
	if err != nil {
		return err
	}
	for _, o := range others {
		if o.Code != code && t.Overlaps(o) {
			return fleet.Errorf(fleet.ECONFLICT, "truck %s already has trip %s (%s → %s, departing %s) at that time",
				t.Plate, o.Code, o.Origin, o.Destination, fleet.FormatTime(o.ScheduledDeparture, nil))
		}
	}
	return nil
}

// edit stores plan (when set), container and cargo on the trip under its row lock.
func (e *tripEntity) edit(ctx context.Context, now time.Time, code string, plan *fleet.Trip, to fields) (fleet.Trip, string, error) {
	t, err := e.s.store.TransitionTrip(ctx, code, e.s.actor, "trip.sheet_edit", func(t fleet.Trip) (fleet.Trip, error) {
		if t.Status.Final() {
			return t, fleet.Errorf(fleet.ECONFLICT, "trip %s is %s; it can no longer change", t.Code, humanStatus(t.Status))
		}
		if plan != nil {
			if t.Status != fleet.TripPendingApproval {
				return t, fleet.Errorf(fleet.ECONFLICT, "trip %s was decided meanwhile; its plan can no longer change", t.Code)
			}
			t.Plate, t.DriverID, t.Origin, t.Destination = plan.Plate, plan.DriverID, plan.Origin, plan.Destination
			t.ScheduledDeparture, t.PlannedArrival = plan.ScheduledDeparture, plan.PlannedArrival
			t.PlannedBasis, t.PlannedTrips = plan.PlannedBasis, plan.PlannedTrips
		}
		t.ContainerNo, t.CargoType, t.UpdatedAt = to["container"], to["cargo"], now
		return t, nil
	})
	if err != nil {
		note, err := refusal(err)
		return fleet.Trip{}, note, err
	}
	return t, "", nil
}

// setStatus applies a status typed into the sheet: only cancelling is a dispatcher's call.
func (e *tripEntity) setStatus(ctx context.Context, now time.Time, code string, cur fleet.TripStatus, to string) (string, error) {
	if fleet.TripStatus(to) != fleet.TripCancelled {
		return fmt.Sprintf("Status is set by Watch Tower (approve or reject in Slack; departures and arrivals come from GPS); only \"cancelled\" can be entered here. Trip %s is %s.",
			code, humanStatus(cur)), nil
	}
	_, err := e.s.store.TransitionTrip(ctx, code, e.s.actor, "trip.cancel", func(t fleet.Trip) (fleet.Trip, error) {
		return t.Cancel(e.s.actor.ID, "cancelled in the Google Sheet", now)
	})
	if err != nil {
		return refusal(err)
	}
	return "", nil
}

func humanStatus(s fleet.TripStatus) string { return strings.ReplaceAll(string(s), "_", " ") }
