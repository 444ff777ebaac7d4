package tools

import (
	"context"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
)

// Fleet is everything the fleet functions read and write. *store.Store satisfies it; main
// holds the compile-time check.
type Fleet interface {
	Roster
	Tracker
	CellSource
	TripReader
	TripWriter
	Reporter
	AlertDesk
	SiteVisits
}

// Roster resolves what users type to trucks and sites.
type Roster interface {
	// DriverByID returns the driver with id. It returns ENOTFOUND.
	DriverByID(ctx context.Context, id int64) (fleet.Driver, error)
	// DriversByID returns the drivers with ids, by ID, in one round trip; an ID of no driver
	// is absent from the map.
	DriversByID(ctx context.Context, ids []int64) (map[int64]fleet.Driver, error)
	// FindTruck resolves a plate in any spelling, or digits naming one truck ("11985"). It
	// returns ENOTFOUND with close plates as suggestions.
	FindTruck(ctx context.Context, query string) (fleet.Truck, error)
	// FindSite resolves a site code or a fuzzy name ("tin can", "Eclat warehouse"). It returns
	// ENOTFOUND with close site codes as suggestions.
	FindSite(ctx context.Context, query string) (fleet.Site, error)
	// ListSites returns every site that is not archived.
	ListSites(ctx context.Context) ([]fleet.Site, error)
}

// Tracker reads where trucks are.
type Tracker interface {
	// TruckState returns the latest state of plate. It returns ENOTFOUND when the truck
	// never reported.
	TruckState(ctx context.Context, plate string) (fleet.TruckState, error)
	RosterSource
}

// RosterSource gives the whole fleet at once: *store.Store from Postgres, or a *StateIndex
// from memory.
type RosterSource interface {
	// FleetRoster returns every truck that is not archived and the latest state of each one
	// that has reported. Only what an overview needs must be filled in: trucks' plate and
	// status; states' fix, cells and confirmed site. Callers must not modify the slices.
	FleetRoster(ctx context.Context) ([]fleet.Truck, []fleet.TruckState, error)
}

// CellSource visits the latest truck states in H3 cells: *store.Store from Postgres, or a
// *StateIndex from memory.
type CellSource interface {
	// VisitCells calls visit with every truck (not archived) whose latest fix lies in one of
	// cells, at fleet.CellResolution, or fleet.CoarseResolution when coarse, and that fix. The
	// truck carries at least its plate and status, so callers can ask fleet.StateOf. visit
	// must not keep the pointers.
	VisitCells(ctx context.Context, cells []int64, coarse bool, visit func(*fleet.Truck, *fleet.TruckState)) error
}

// TripReader reads trips.
type TripReader interface {
	// TripByCode returns the trip with code ("TRP-0042", "trp 42"). It returns ENOTFOUND.
	TripByCode(ctx context.Context, code string) (fleet.Trip, error)
	// ActiveTripForTruck returns the trip plate is on, else its next one. It returns
	// ENOTFOUND when the truck has no active trip.
	ActiveTripForTruck(ctx context.Context, plate string) (fleet.Trip, error)
	// LatestTripForTruck returns the most recently created trip of plate, whatever its
	// status. It returns ENOTFOUND when the truck never had a trip.
	LatestTripForTruck(ctx context.Context, plate string) (fleet.Trip, error)
	// ActiveTrips returns every active trip (not completed, rejected or cancelled); code,
	// plate, status, sites and scheduled departure must be filled in.
	ActiveTrips(ctx context.Context) ([]fleet.Trip, error)
	// LaneHistory returns how many completed trips lane has and their median observed
	// duration (fleet.Trip.ObservedDuration). It returns EINVALID for an incomplete lane.
	LaneHistory(ctx context.Context, lane fleet.Lane) (fleet.LaneHistory, error)
}

// TripWriter creates trips and moves them through the state machine, each with its audit
// entry in the same transaction.
type TripWriter interface {
	// CreateTrip stores t with a new code and audits "trip.create" by actor. It returns
	// EINVALID for a truck that is not operational, ENOTFOUND for an unknown truck or site,
	// and ECONFLICT naming the other trip when the truck is already booked in t's window.
	CreateTrip(ctx context.Context, t fleet.Trip, actor fleet.Actor) (fleet.Trip, error)
	// TransitionTrip applies fn to the trip with code under its row lock and audits action
	// by actor. It returns ENOTFOUND, or fn's error (ECONFLICT for an illegal transition) with
	// the trip unchanged.
	TransitionTrip(ctx context.Context, code string, actor fleet.Actor, action string,
		fn func(fleet.Trip) (fleet.Trip, error)) (fleet.Trip, error)
}

// Reporter computes the operations picture of a day.
type Reporter interface {
	// DailySummary returns the summary of the business day starting at day (midnight in the
	// business zone) as of now.
	DailySummary(ctx context.Context, day, now time.Time, th fleet.Thresholds) (fleet.DailySummary, error)
}

// Notifier appends a notification to the notify stream, for the bot to post in Slack. The
// ingest producer satisfies it.
type Notifier interface {
	// Notify appends n durably. It returns EUNAVAILABLE when the stream cannot be reached.
	Notify(ctx context.Context, n fleet.Notification) error
}
