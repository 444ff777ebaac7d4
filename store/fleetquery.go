package store

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/watchtower-ops/watchtower/fleet"
)

// This file holds the queries of the fleet functions (package tools) in the shapes tools'
// interfaces use: fleet types only, no store types, so *Store satisfies tools.Fleet directly.

// activeTripsSQL lists every active trip by naming the active statuses, so the
// (status, scheduled_departure) index serves it however long the trip history is.
const activeTripsAllSQL = `
SELECT ` + tripCols + ` FROM trips
WHERE status IN ('pending_approval', 'scheduled', 'delayed', 'ongoing', 'arrived')
ORDER BY scheduled_departure, id`

// FleetSnapshot returns every truck that is not archived (by plate), the latest state of each
// one that has reported, and every active trip (by scheduled departure), in one round trip.
func (s *Store) FleetSnapshot(ctx context.Context) (trucks []fleet.Truck, states []fleet.TruckState, trips []fleet.Trip, err error) {
	defer wrap(&err, "FleetSnapshot")
	b := &pgx.Batch{}
	b.Queue(listTruckStatesSQL)
	b.Queue(activeTripsAllSQL)
	br := s.pool.SendBatch(ctx, b)
	defer br.Close()
	rows, err := br.Query()
	if err != nil {
		return nil, nil, nil, err
	}
	withStates, err := pgx.CollectRows(rows, scanTruckWithState)
	if err != nil {
		return nil, nil, nil, err
	}
	if trips, err = collectTrips(br.Query()); err != nil {
		return nil, nil, nil, err
	}
	trucks = make([]fleet.Truck, 0, len(withStates))
	states = make([]fleet.TruckState, 0, len(withStates))
	for _, ts := range withStates {
		trucks = append(trucks, ts.Truck)
		if ts.HasState {
			states = append(states, ts.State)
		}
	}
	return trucks, states, trips, br.Close()
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

// CreateTripRequest is CreateTrip with the actor taken from the trip: t.RequestedBy (named
// requesterName) via t.RequestedVia. It returns what CreateTrip returns.
func (s *Store) CreateTripRequest(ctx context.Context, t fleet.Trip, requesterName string) (fleet.Trip, error) {
	return s.CreateTrip(ctx, t, Actor{ID: t.RequestedBy, Name: requesterName, Via: t.RequestedVia})
}

// TransitionTripAs is TransitionTrip by the actor actorID (named actorName) via via. It
// returns what TransitionTrip returns.
func (s *Store) TransitionTripAs(ctx context.Context, code, actorID, actorName, via, action string,
	fn func(fleet.Trip) (fleet.Trip, error)) (fleet.Trip, error) {
	return s.TransitionTrip(ctx, code, Actor{ID: actorID, Name: actorName, Via: via}, action, fn)
}
