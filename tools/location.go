package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
)

// TruckLocationArgs are get_truck_location's arguments.
type TruckLocationArgs struct {
	Truck string `json:"truck" desc:"The truck's plate in any spelling (T11985LA, t 11985 la, T-11985-LA) or just the digits of its plate (11985)."`
}

func (r *Registry) truckLocationTool() Tool {
	return Tool{
		Name: ToolTruckLocation,
		Description: "Where a truck is now: its state (moving, idle, parked, offline), coordinates, speed, heading, " +
			"ignition, when the GPS fix was taken (Lagos time) and how old it is, the site it is at or the nearest site " +
			"and distance, a map link, and its active trip. An unknown plate returns close matches as suggestions.",
		Parameters: strictSchema(TruckLocationArgs{}),
		ReadOnly:   true,
		run: func(ctx context.Context, raw json.RawMessage, _ Caller) (any, error) {
			var a TruckLocationArgs
			if err := decodeArgs(raw, &a); err != nil {
				return nil, err
			}
			return r.TruckLocation(ctx, a.Truck)
		},
	}
}

// TruckLocation answers get_truck_location for the truck the user typed (any plate spelling, or
// digits naming one truck). A truck that never reported is returned with HasFix false and
// status offline. It returns EINVALID for an empty query and ENOTFOUND with close plates as
// suggestions for an unknown truck.
func (r *Registry) TruckLocation(ctx context.Context, truck string) (*TruckLocation, error) {
	if strings.TrimSpace(truck) == "" {
		return nil, fleet.Errorf(fleet.EINVALID, "which truck? give its plate, e.g. T11985LA")
	}
	t, err := r.fleet.FindTruck(ctx, truck)
	if err != nil {
		return nil, err
	}
	st, hasFix, err := r.state(ctx, t.Plate)
	if err != nil {
		return nil, err
	}
	sites, err := r.fleet.ListSites(ctx)
	if err != nil {
		return nil, err
	}
	loc := r.locate(t, st, hasFix, sites)
	if loc.DriverName, loc.DriverPhone, err = r.driver(ctx, t.DriverID); err != nil {
		return nil, err
	}
	trip, err := r.fleet.ActiveTripForTruck(ctx, t.Plate)
	switch {
	case err == nil:
		loc.ActiveTrip = r.brief(trip)
	case fleet.ErrorCode(err) != fleet.ENOTFOUND:
		return nil, err
	}
	return loc, nil
}

// state returns the latest state of plate; hasFix is false when it never reported.
func (r *Registry) state(ctx context.Context, plate string) (fleet.TruckState, bool, error) {
	st, err := r.fleet.TruckState(ctx, plate)
	switch {
	case err == nil:
		return st, true, nil
	case fleet.ErrorCode(err) == fleet.ENOTFOUND:
		return fleet.TruckState{Plate: plate}, false, nil
	}
	return fleet.TruckState{}, false, err
}

// driver returns the name and phone of the driver with id; "" for 0 or a driver since
// deleted. It returns the Roster's other errors.
func (r *Registry) driver(ctx context.Context, id int64) (name, phone string, err error) {
	if id == 0 {
		return "", "", nil
	}
	d, err := r.fleet.DriverByID(ctx, id)
	switch {
	case err == nil:
		return d.Name, d.Phone, nil
	case fleet.ErrorCode(err) == fleet.ENOTFOUND:
		return "", "", nil
	}
	return "", "", err
}

// locate describes truck t at state st relative to sites, now.
func (r *Registry) locate(t fleet.Truck, st fleet.TruckState, hasFix bool, sites []fleet.Site) *TruckLocation {
	now := r.nowIn()
	loc := &TruckLocation{Plate: t.Plate, TruckStatus: t.ShownStatus(), HasFix: hasFix, Status: fleet.StateOf(t, nil, now, r.th),
		HomeSite: t.HomeSite, Notes: t.Notes, MaintenanceUntil: t.MaintenanceUntil, RetiredAt: t.ArchivedAt}
	if !hasFix {
		loc.Place, loc.FixAge = "no GPS fix received yet", "never"
		return loc
	}
	age := st.Age(now)
	loc.Status = fleet.StateOf(t, &st, now, r.th)
	loc.Lat, loc.Lng = st.Point.Lat, st.Point.Lng
	loc.SpeedKmh, loc.Heading, loc.Direction = round(st.SpeedKmh, 1), round(st.Heading, 0), compass(st.Heading)
	loc.Ignition = st.Ignition
	loc.FixTime, loc.FixTimeLagos = st.FixTime.UTC(), r.lagos(st.FixTime)
	loc.FixAge, loc.FixAgeSec = fleet.FormatAge(age), int64(age/time.Second)
	loc.MapURL = st.Point.MapURL()
	if s, ok := siteAt(sites, st.SiteCode, st.Point); ok {
		loc.AtSite, loc.NearestSite = true, ptr(siteRef(s, fleet.DistanceKm(s.Point, st.Point)))
		loc.Place = "at " + describeSite(s)
	} else if s, km, ok := fleet.NearestSite(sites, st.Point); ok {
		loc.NearestSite = ptr(siteRef(s, km))
		loc.Place = fmt.Sprintf("%.1f km from %s", km, describeSite(s))
	} else {
		loc.Place = st.Point.String()
	}
	return loc
}

// brief is the short form of trip.
func (r *Registry) brief(t fleet.Trip) *TripBrief {
	return &TripBrief{TripID: t.Code, Status: t.Status, Origin: t.Origin, Destination: t.Destination,
		ScheduledDeparture: t.ScheduledDeparture.UTC(), ScheduledDepartureLagos: r.lagos(t.ScheduledDeparture)}
}
