package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/watchtower-ops/watchtower/fleet"
)

// This file holds the queries of the fleet functions (package tools) in the shapes tools'
// interfaces use: fleet types only, no store types, so *Store satisfies tools.Fleet directly.

const (
	// fleetRosterSQL is every truck not archived with its latest fix, lean: what a fleet
	// overview and the in-memory index need and no more.
	fleetRosterSQL = `
SELECT t.plate, t.status, COALESCE(t.driver_id, 0), s.plate IS NOT NULL,
	COALESCE(s.fix_time, 'epoch'), COALESCE(s.lat, 0), COALESCE(s.lng, 0), COALESCE(s.speed_kmh, 0),
	COALESCE(s.heading, 0), COALESCE(s.ignition, false), COALESCE(s.h3_r9, 0), COALESCE(s.h3_r7, 0),
	COALESCE(s.site_code, '')
FROM trucks t LEFT JOIN truck_state s ON s.plate = t.plate
WHERE t.archived_at IS NULL
ORDER BY t.plate`
	// activeTripsBriefSQL names the active statuses, so the (status, scheduled_departure)
	// index serves it however long the trip history is.
	activeTripsBriefSQL = `
SELECT code, plate, status, origin, destination, scheduled_departure FROM trips
WHERE status IN ('pending_approval', 'scheduled', 'delayed', 'ongoing', 'arrived')
ORDER BY scheduled_departure, code`
)

// FleetRoster returns every truck that is not archived, by plate, and the latest fix of each
// one that has reported, in one lean query: trucks carry plate, status and driver; states the
// fix, cells and confirmed site.
func (s *Store) FleetRoster(ctx context.Context) (_ []fleet.Truck, _ []fleet.TruckState, err error) {
	defer wrap(&err, "FleetRoster")
	rows, err := s.pool.Query(ctx, fleetRosterSQL)
	if err != nil {
		return nil, nil, err
	}
	return scanRoster(rows)
}

// ActiveTrips returns every active trip (not completed, rejected or cancelled) by scheduled
// departure, brief: code, plate, status, sites and scheduled departure.
func (s *Store) ActiveTrips(ctx context.Context) (_ []fleet.Trip, err error) {
	defer wrap(&err, "ActiveTrips")
	rows, err := s.pool.Query(ctx, activeTripsBriefSQL)
	if err != nil {
		return nil, err
	}
	return scanTripBriefs(rows)
}

// scanRoster reads fleetRosterSQL.
func scanRoster(rows pgx.Rows) (trucks []fleet.Truck, states []fleet.TruckState, err error) {
	defer rows.Close()
	trucks, states = make([]fleet.Truck, 0, 512), make([]fleet.TruckState, 0, 512)
	for rows.Next() {
		var (
			t      fleet.Truck
			st     fleet.TruckState
			status string
			has    bool
		)
		if err := rows.Scan(&t.Plate, &status, &t.DriverID, &has, &st.FixTime, &st.Point.Lat, &st.Point.Lng, &st.SpeedKmh,
			&st.Heading, &st.Ignition, &st.Cell, &st.CellCoarse, &st.SiteCode); err != nil {
			return nil, nil, err
		}
		t.Status = fleet.TruckStatus(status)
		trucks = append(trucks, t)
		if has {
			st.Plate, st.FixTime = t.Plate, st.FixTime.UTC()
			states = append(states, st)
		}
	}
	return trucks, states, rows.Err()
}

// scanTripBriefs reads activeTripsBriefSQL.
func scanTripBriefs(rows pgx.Rows) ([]fleet.Trip, error) {
	defer rows.Close()
	var trips []fleet.Trip
	for rows.Next() {
		var (
			t      fleet.Trip
			status string
		)
		if err := rows.Scan(&t.Code, &t.Plate, &status, &t.Origin, &t.Destination, &t.ScheduledDeparture); err != nil {
			return nil, err
		}
		t.Status, t.ScheduledDeparture = fleet.TripStatus(status), t.ScheduledDeparture.UTC()
		trips = append(trips, t)
	}
	return trips, rows.Err()
}

const latestTripForTruckSQL = `
SELECT ` + tripCols + ` FROM trips WHERE plate = $1 ORDER BY created_at DESC, id DESC LIMIT 1`

// LatestTripForTruck returns the most recently created trip of the truck with plate, whatever
// its status. It returns ENOTFOUND when the truck never had a trip.
func (s *Store) LatestTripForTruck(ctx context.Context, plate string) (_ fleet.Trip, err error) {
	defer wrap(&err, "LatestTripForTruck(%q)", plate)
	norm := fleet.NormalizePlate(plate)
	t, err := scanTrip(s.pool.QueryRow(ctx, latestTripForTruckSQL, norm))
	if isNoRows(err) {
		return fleet.Trip{}, fleet.Errorf(fleet.ENOTFOUND, "truck %s has no trips", norm)
	}
	return t, err
}

// tripPage is how many trips one ListTrips call of TripsByStatus returns (its maximum).
const tripPage = 1000

// TripsByStatus returns every trip in status whose scheduled departure is before before
// (zero: any), oldest departure first, paging through ListTrips.
func (s *Store) TripsByStatus(ctx context.Context, status fleet.TripStatus, before time.Time) ([]fleet.Trip, error) {
	var (
		out  []fleet.Trip
		seen = make(map[int64]bool)
		from time.Time
	)
	for {
		page, err := s.ListTrips(ctx, TripFilter{Statuses: []fleet.TripStatus{status}, From: from, To: before, Limit: tripPage})
		if err != nil {
			return nil, err
		}
		added := 0
		for _, t := range page {
			if !seen[t.ID] {
				seen[t.ID], added = true, added+1
				out = append(out, t)
			}
		}
		if len(page) < tripPage || added == 0 {
			return out, nil
		}
		from = page[len(page)-1].ScheduledDeparture
	}
}
