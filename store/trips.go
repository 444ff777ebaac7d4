package store

import (
	"context"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/watchtower-ops/watchtower/fleet"
)

// tripCols are the columns scanTrip reads, in order; tripArgs writes the same list minus id.
const tripCols = `id, code, plate, driver_id, origin, destination, container_no, cargo_type, notes,
	scheduled_departure, planned_arrival, status, requested_by, requested_via, decided_by, decided_at,
	reject_reason, delayed_at, departed_at, arrived_at, completed_at, cancelled_at, cancelled_by,
	cancel_reason, loconav_trip_id, tracking_url, slack_channel, slack_ts, created_at, updated_at,
	planned_basis, planned_trips,
	COALESCE((SELECT d.name FROM drivers d WHERE d.id = driver_id), ''),
	COALESCE((SELECT d.phone FROM drivers d WHERE d.id = driver_id), '')`

func scanTrip(row pgx.Row) (fleet.Trip, error) {
	var (
		t        fleet.Trip
		driverID *int64
		planned  *time.Time
		status   string
		basis    string
	)
	err := row.Scan(&t.ID, &t.Code, &t.Plate, &driverID, &t.Origin, &t.Destination, &t.ContainerNo,
		&t.CargoType, &t.Notes, &t.ScheduledDeparture, &planned, &status, &t.RequestedBy, &t.RequestedVia,
		&t.DecidedBy, &t.DecidedAt, &t.RejectReason, &t.DelayedAt, &t.DepartedAt, &t.ArrivedAt,
		&t.CompletedAt, &t.CancelledAt, &t.CancelledBy, &t.CancelReason, &t.LoconavTripID, &t.TrackingURL,
		&t.SlackChannel, &t.SlackTS, &t.CreatedAt, &t.UpdatedAt, &basis, &t.PlannedTrips, &t.DriverName, &t.DriverPhone)
	if err != nil {
		return fleet.Trip{}, err
	}
	if driverID != nil {
		t.DriverID = *driverID
	}
	t.Status, t.PlannedArrival, t.PlannedBasis = fleet.TripStatus(status), timeOf(planned), fleet.ETABasis(basis)
	t.ScheduledDeparture, t.CreatedAt, t.UpdatedAt = t.ScheduledDeparture.UTC(), t.CreatedAt.UTC(), t.UpdatedAt.UTC()
	for _, p := range []**time.Time{&t.DecidedAt, &t.DelayedAt, &t.DepartedAt, &t.ArrivedAt, &t.CompletedAt, &t.CancelledAt} {
		*p = utcPtr(*p)
	}
	return t, nil
}

func collectTrips(rows pgx.Rows, err error) ([]fleet.Trip, error) {
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (fleet.Trip, error) { return scanTrip(r) })
}

// tripArgs are $1…$31 of insertTripSQL and updateTripSQL.
func tripArgs(t fleet.Trip) []any {
	return []any{t.Code, t.Plate, t.DriverID, t.Origin, t.Destination, t.ContainerNo, t.CargoType, t.Notes,
		t.ScheduledDeparture, nullTime(t.PlannedArrival), string(t.Status), t.RequestedBy, t.RequestedVia,
		t.DecidedBy, t.DecidedAt, t.RejectReason, t.DelayedAt, t.DepartedAt, t.ArrivedAt, t.CompletedAt,
		t.CancelledAt, t.CancelledBy, t.CancelReason, t.LoconavTripID, t.TrackingURL, t.SlackChannel, t.SlackTS,
		t.CreatedAt, t.UpdatedAt, plannedBasis(t), t.PlannedTrips}
}

// plannedBasis is the stored basis of t's planned arrival; a trip planned before bases were
// recorded (or by hand) counts as planned from distance.
func plannedBasis(t fleet.Trip) string {
	if t.PlannedBasis == fleet.ETALearned {
		return string(fleet.ETALearned)
	}
	return string(fleet.ETAFromDistance)
}

const (
	lockTruckSQL    = `SELECT ` + truckCols + ` FROM trucks WHERE plate = $1 FOR UPDATE`
	activeTripsSQL  = `SELECT ` + tripCols + ` FROM trips WHERE plate = $1 AND status NOT IN ('completed', 'rejected', 'cancelled') ORDER BY scheduled_departure`
	nextTripCodeSQL = `SELECT nextval('trip_code_seq')`
	insertTripSQL   = `
INSERT INTO trips (code, plate, driver_id, origin, destination, container_no, cargo_type, notes,
	scheduled_departure, planned_arrival, status, requested_by, requested_via, decided_by, decided_at,
	reject_reason, delayed_at, departed_at, arrived_at, completed_at, cancelled_at, cancelled_by,
	cancel_reason, loconav_trip_id, tracking_url, slack_channel, slack_ts, created_at, updated_at,
	planned_basis, planned_trips)
VALUES ($1, $2, NULLIF($3, 0), $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19,
	$20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31)
RETURNING ` + tripCols
)

// CreateTrip stores a new trip (pending_approval unless t.Status says otherwise), allocating
// its code (TRP-0001, TRP-0002, …), and writes the "trip.create" audit entry, all in one
// transaction that locks the truck so two requests cannot both book it. t.DriverID defaults
// to the truck's driver. It returns EINVALID for a missing field, or an active trip for a
// truck that is not operational; ENOTFOUND for an unknown truck, site or driver; and
// ECONFLICT naming the other trip when the truck already has an active trip in t's window.
func (s *Store) CreateTrip(ctx context.Context, t fleet.Trip, actor fleet.Actor) (_ fleet.Trip, err error) {
	defer wrap(&err, "CreateTrip(%q)", t.Plate)
	if t, err = prepareTrip(t); err != nil {
		return fleet.Trip{}, err
	}
	var out fleet.Trip
	err = s.InTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, endMaintenanceOfSQL, t.Plate); err != nil {
			return err
		}
		truck, err := scanTruck(tx.QueryRow(ctx, lockTruckSQL, t.Plate))
		if isNoRows(err) {
			return s.truckNotFound(ctx, t.Plate)
		} else if err != nil {
			return err
		}
		if t.DriverID == 0 {
			t.DriverID = truck.DriverID
		}
		if t.Status.Active() {
			if err := checkBookable(ctx, tx, truck, t); err != nil {
				return err
			}
		}
		var n int64
		if err := tx.QueryRow(ctx, nextTripCodeSQL).Scan(&n); err != nil {
			return err
		}
		t.Code = fleet.TripCode(n)
		if out, err = scanTrip(tx.QueryRow(ctx, insertTripSQL, tripArgs(t)...)); err != nil {
			return tripRefMissing(err, t)
		}
		return s.Audit(ctx, tx, AuditEntry{At: out.CreatedAt, Actor: orSystem(actor), Action: "trip.create", Subject: out.Code,
			Details: auditDetails(map[string]any{"plate": out.Plate, "origin": out.Origin, "destination": out.Destination,
				"scheduled_departure": out.ScheduledDeparture, "status": out.Status})})
	})
	return out, err
}

// prepareTrip normalises a new trip and checks its required fields. It returns EINVALID.
func prepareTrip(t fleet.Trip) (fleet.Trip, error) {
	t.Plate, t.Origin, t.Destination = fleet.NormalizePlate(t.Plate), siteCode(t.Origin), siteCode(t.Destination)
	if t.Status == "" {
		t.Status = fleet.TripPendingApproval
	}
	switch {
	case t.Plate == "":
		return t, fleet.Errorf(fleet.EINVALID, "a trip needs a truck")
	case t.Origin == "" || t.Destination == "":
		return t, fleet.Errorf(fleet.EINVALID, "a trip needs an origin and a destination")
	case t.ScheduledDeparture.IsZero():
		return t, fleet.Errorf(fleet.EINVALID, "a trip needs a departure time")
	case !t.Status.Valid():
		return t, fleet.Errorf(fleet.EINVALID, "unknown trip status %q", t.Status)
	}
	t.CreatedAt = orNow(t.CreatedAt)
	if t.UpdatedAt.IsZero() {
		t.UpdatedAt = t.CreatedAt
	}
	return t, nil
}

// checkBookable refuses an active trip for a truck that is not operational (EINVALID) or that
// already holds an overlapping active trip (ECONFLICT). The caller holds the truck's row lock.
func checkBookable(ctx context.Context, tx pgx.Tx, truck fleet.Truck, t fleet.Trip) error {
	if err := truck.Bookable(); err != nil {
		return err
	}
	active, err := collectTrips(tx.Query(ctx, activeTripsSQL, truck.Plate))
	if err != nil {
		return err
	}
	for _, o := range active {
		if o.Code != t.Code && t.Overlaps(o) {
			return fleet.Errorf(fleet.ECONFLICT, "truck %s already has trip %s (%s → %s, departing %s) at that time",
				truck.Plate, o.Code, o.Origin, o.Destination, fleet.FormatTime(o.ScheduledDeparture, nil))
		}
	}
	return nil
}

// tripRefMissing classifies a foreign-key violation on a trip as ENOTFOUND naming the site or
// driver.
func tripRefMissing(err error, t fleet.Trip) error {
	pe := pgError(err, pgForeignKeyViolation)
	switch {
	case pe == nil:
		return err
	case strings.Contains(pe.ConstraintName, "origin"):
		return fleet.Errorf(fleet.ENOTFOUND, "site %s not found", t.Origin)
	case strings.Contains(pe.ConstraintName, "destination"):
		return fleet.Errorf(fleet.ENOTFOUND, "site %s not found", t.Destination)
	case strings.Contains(pe.ConstraintName, "driver"):
		return fleet.Errorf(fleet.ENOTFOUND, "driver %d not found", t.DriverID)
	}
	return fleet.Errorf(fleet.ENOTFOUND, "truck %s not found", t.Plate)
}

const updateTripSQL = `
UPDATE trips SET plate = $2, driver_id = NULLIF($3, 0), origin = $4, destination = $5, container_no = $6,
	cargo_type = $7, notes = $8, scheduled_departure = $9, planned_arrival = $10, status = $11,
	requested_by = $12, requested_via = $13, decided_by = $14, decided_at = $15, reject_reason = $16,
	delayed_at = $17, departed_at = $18, arrived_at = $19, completed_at = $20, cancelled_at = $21,
	cancelled_by = $22, cancel_reason = $23, loconav_trip_id = $24, tracking_url = $25,
	slack_channel = $26, slack_ts = $27, created_at = $28, updated_at = $29, planned_basis = $30,
	planned_trips = $31
WHERE code = $1
RETURNING ` + tripCols

// TransitionTrip applies fn (a fleet.Trip state-machine method such as Approve) to the trip
// with code while holding its row lock, saves the result and writes the audit entry for
// action ("trip.approve"), in one transaction. Concurrent transitions of one trip run one
// after the other, so of two approvers clicking at once one succeeds and the other gets the
// state machine's ECONFLICT. fn's errors are returned as they are; the trip is unchanged then.
// It returns ENOTFOUND when no trip has code.
func (s *Store) TransitionTrip(ctx context.Context, code string, actor fleet.Actor, action string,
	fn func(fleet.Trip) (fleet.Trip, error)) (_ fleet.Trip, err error) {
	defer wrap(&err, "TransitionTrip(%q, %q)", code, action)
	canon, ok := fleet.ParseTripCode(code)
	if !ok {
		return fleet.Trip{}, tripNotFound(code)
	}
	var out fleet.Trip
	err = s.InTx(ctx, func(tx pgx.Tx) error {
		cur, err := scanTrip(tx.QueryRow(ctx, `SELECT `+tripCols+` FROM trips WHERE code = $1 FOR UPDATE`, canon))
		if isNoRows(err) {
			return tripNotFound(code)
		} else if err != nil {
			return err
		}
		next, err := fn(cur)
		if err != nil {
			return err
		}
		next.ID, next.Code, next.CreatedAt = cur.ID, cur.Code, cur.CreatedAt
		next.Plate, next.Origin, next.Destination = fleet.NormalizePlate(next.Plate), siteCode(next.Origin), siteCode(next.Destination)
		if err := s.recheckBooking(ctx, tx, cur, next); err != nil {
			return err
		}
		if !next.UpdatedAt.After(cur.UpdatedAt) {
			next.UpdatedAt = time.Now().UTC()
		}
		if out, err = scanTrip(tx.QueryRow(ctx, updateTripSQL, tripArgs(next)...)); err != nil {
			return tripRefMissing(err, next)
		}
		return s.Audit(ctx, tx, AuditEntry{At: out.UpdatedAt, Actor: orSystem(actor), Action: action, Subject: out.Code,
			Details: auditDetails(transitionDetails(cur, out))})
	})
	return out, err
}

// recheckBooking applies checkBookable again when a transition moved an active trip in time
// or to another truck (an amended departure), under the truck's row lock.
func (s *Store) recheckBooking(ctx context.Context, tx pgx.Tx, cur, next fleet.Trip) error {
	if !next.Status.Active() || next.Plate == cur.Plate && next.ScheduledDeparture.Equal(cur.ScheduledDeparture) &&
		next.PlannedArrival.Equal(cur.PlannedArrival) {
		return nil
	}
	truck, err := scanTruck(tx.QueryRow(ctx, lockTruckSQL, next.Plate))
	if isNoRows(err) {
		return s.truckNotFound(ctx, next.Plate)
	} else if err != nil {
		return err
	}
	return checkBookable(ctx, tx, truck, next)
}

// transitionDetails is the audit detail of a transition: the statuses, and the old and new
// departure, destination and notes when they changed.
func transitionDetails(cur, out fleet.Trip) map[string]any {
	d := map[string]any{"from": cur.Status, "to": out.Status}
	if !cur.ScheduledDeparture.Equal(out.ScheduledDeparture) {
		d["departure_from"], d["departure_to"] = cur.ScheduledDeparture, out.ScheduledDeparture
	}
	if cur.Notes != out.Notes {
		d["notes_from"], d["notes_to"] = cur.Notes, out.Notes
	}
	if cur.Destination != out.Destination {
		d["destination_from"], d["destination_to"] = cur.Destination, out.Destination
	}
	if out.CancelReason != "" && cur.CancelReason != out.CancelReason {
		d["reason"] = out.CancelReason
	}
	return d
}

// orSystem returns a, or the system actor when a has no ID.
func orSystem(a fleet.Actor) fleet.Actor {
	if a.ID == "" {
		return fleet.SystemActor()
	}
	return a
}

func tripNotFound(code string) error {
	if canon, ok := fleet.ParseTripCode(code); ok {
		code = canon
	}
	return fleet.Errorf(fleet.ENOTFOUND, "trip %s not found", strings.TrimSpace(code))
}

// TripByCode returns the trip with code, written any way fleet.ParseTripCode accepts
// ("TRP-0042", "trp-42", "42"). It returns ENOTFOUND.
func (s *Store) TripByCode(ctx context.Context, code string) (_ fleet.Trip, err error) {
	defer wrap(&err, "TripByCode(%q)", code)
	canon, ok := fleet.ParseTripCode(code)
	if !ok {
		return fleet.Trip{}, tripNotFound(code)
	}
	t, err := scanTrip(s.pool.QueryRow(ctx, `SELECT `+tripCols+` FROM trips WHERE code = $1`, canon))
	if isNoRows(err) {
		return fleet.Trip{}, tripNotFound(code)
	}
	return t, err
}

// TripByID returns the trip with id. It returns ENOTFOUND.
func (s *Store) TripByID(ctx context.Context, id int64) (_ fleet.Trip, err error) {
	defer wrap(&err, "TripByID(%d)", id)
	t, err := scanTrip(s.pool.QueryRow(ctx, `SELECT `+tripCols+` FROM trips WHERE id = $1`, id))
	if isNoRows(err) {
		return fleet.Trip{}, fleet.Errorf(fleet.ENOTFOUND, "trip %d not found", id)
	}
	return t, err
}

const activeTripForTruckSQL = `
SELECT ` + tripCols + ` FROM trips
WHERE plate = $1 AND status IN ('ongoing', 'arrived', 'delayed', 'scheduled', 'pending_approval')
ORDER BY status NOT IN ('ongoing', 'arrived'), scheduled_departure, id
LIMIT 1`

// ActiveTripForTruck returns the trip the truck with plate is on (ongoing or arrived), else its
// next trip (scheduled, delayed or pending approval, earliest departure first). It returns
// ENOTFOUND when the truck has no active trip.
func (s *Store) ActiveTripForTruck(ctx context.Context, plate string) (_ fleet.Trip, err error) {
	defer wrap(&err, "ActiveTripForTruck(%q)", plate)
	norm := fleet.NormalizePlate(plate)
	t, err := scanTrip(s.pool.QueryRow(ctx, activeTripForTruckSQL, norm))
	if isNoRows(err) {
		return fleet.Trip{}, fleet.Errorf(fleet.ENOTFOUND, "truck %s has no active trip", norm)
	}
	return t, err
}

// TripFilter selects trips for ListTrips; zero fields match everything.
type TripFilter struct {
	Statuses []fleet.TripStatus
	Plate    string
	From, To time.Time // scheduled departure in [From, To)
	Limit    int       // default 100, at most 1000
}

const listTripsSQL = `
SELECT ` + tripCols + ` FROM trips
WHERE (cardinality($1::text[]) = 0 OR status = ANY($1))
  AND ($2 = '' OR plate = $2)
  AND ($3::timestamptz IS NULL OR scheduled_departure >= $3)
  AND ($4::timestamptz IS NULL OR scheduled_departure < $4)
ORDER BY scheduled_departure, id
LIMIT $5`

// ListTrips returns the trips matching f, by scheduled departure.
func (s *Store) ListTrips(ctx context.Context, f TripFilter) (_ []fleet.Trip, err error) {
	defer wrap(&err, "ListTrips")
	statuses := make([]string, len(f.Statuses))
	for i, st := range f.Statuses {
		statuses[i] = string(st)
	}
	return collectTrips(s.pool.Query(ctx, listTripsSQL, statuses, fleet.NormalizePlate(f.Plate),
		nullTime(f.From), nullTime(f.To), pageSize(f.Limit, 100, 1000)))
}

// setTrip runs an UPDATE of one trip by code; ENOTFOUND when no trip has it.
func (s *Store) setTrip(ctx context.Context, code, sql string, args ...any) error {
	canon, ok := fleet.ParseTripCode(code)
	if !ok {
		return tripNotFound(code)
	}
	tag, err := s.pool.Exec(ctx, sql, append([]any{canon}, args...)...)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return tripNotFound(code)
	}
	return nil
}

// SetTripSlackMessage records where the trip's approval message is, so it can be updated in
// place. It returns ENOTFOUND.
func (s *Store) SetTripSlackMessage(ctx context.Context, code, channel, ts string) (err error) {
	defer wrap(&err, "SetTripSlackMessage(%q)", code)
	return s.setTrip(ctx, code, `UPDATE trips SET slack_channel = $2, slack_ts = $3, updated_at = now() WHERE code = $1`, channel, ts)
}

// SetTripLoconav records the trip's LocoNav ID and customer tracking link. It returns
// ENOTFOUND.
func (s *Store) SetTripLoconav(ctx context.Context, code, loconavID, trackingURL string) (err error) {
	defer wrap(&err, "SetTripLoconav(%q)", code)
	return s.setTrip(ctx, code, `UPDATE trips SET loconav_trip_id = $2, tracking_url = $3, updated_at = now() WHERE code = $1`, loconavID, trackingURL)
}

const pruneTripsSQL = `
DELETE FROM trips WHERE status IN ('completed', 'rejected', 'cancelled') AND updated_at < $1`

// PruneTrips deletes finished trips (completed, rejected, cancelled) last changed before
// before (retention) and returns how many it deleted. Active trips are kept however old.
func (s *Store) PruneTrips(ctx context.Context, before time.Time) (_ int64, err error) {
	defer wrap(&err, "PruneTrips(%s)", before.Format(time.RFC3339))
	tag, err := s.pool.Exec(ctx, pruneTripsSQL, before)
	return tag.RowsAffected(), err
}

// TripBySlackMessage returns the trip whose approval message is channel/ts. It returns
// ENOTFOUND.
func (s *Store) TripBySlackMessage(ctx context.Context, channel, ts string) (_ fleet.Trip, err error) {
	defer wrap(&err, "TripBySlackMessage(%q, %q)", channel, ts)
	t, err := scanTrip(s.pool.QueryRow(ctx, `SELECT `+tripCols+` FROM trips WHERE slack_channel = $1 AND slack_ts = $2
	ORDER BY id DESC LIMIT 1`, channel, ts))
	if isNoRows(err) {
		return fleet.Trip{}, fleet.Errorf(fleet.ENOTFOUND, "no trip has the message %s", ts)
	}
	return t, err
}
