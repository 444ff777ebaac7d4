package store

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/watchtower-ops/watchtower/fleet"
)

// LoconavPush states of a trip (trips.loconav_push_state).
const (
	PushNotYet    = ""          // not in LocoNav yet; retried while the trip is active
	PushCreated   = "created"   // LocoNav has it; the tracking link is not stored yet
	PushDone      = "pushed"    // in LocoNav with its tracking link
	PushCancelled = "cancelled" // deleted in LocoNav after the trip was cancelled here
)

// LoconavPush is where a trip stands in being pushed to LocoNav.
type LoconavPush struct {
	State     string    // one of the Push* states
	Attempts  int       // failed attempts so far
	NextAt    time.Time // when the next attempt is due; zero when due now or nothing is due
	LastError string    // why the last attempt failed, "" after a success
}

// claimLoconavPushesSQL picks the trips due for LocoNav work, oldest due first, skipping rows
// another replica holds, and leases them until $2 so no one else picks them meanwhile. Its
// WHERE matches the partial index trips_loconav_push_idx.
const claimLoconavPushesSQL = `
WITH due AS (
	SELECT id AS due_id FROM trips
	WHERE ((status IN ('scheduled', 'delayed', 'ongoing') AND loconav_push_state IN ('', 'created'))
		OR (status = 'cancelled' AND loconav_trip_id <> '' AND loconav_push_state <> 'cancelled'))
		AND (loconav_next_push_at IS NULL OR loconav_next_push_at <= $1)
	ORDER BY loconav_next_push_at NULLS FIRST, id
	LIMIT $3
	FOR UPDATE SKIP LOCKED
)
UPDATE trips SET loconav_next_push_at = $2 FROM due WHERE id = due.due_id
RETURNING ` + tripCols

// ClaimLoconavPushes returns up to limit trips with LocoNav work due at now, and leases them
// for lease so that concurrent callers (other replicas) get other trips: approved, active
// trips (scheduled, delayed, ongoing) not yet in LocoNav or without their tracking link, and
// cancelled trips still in LocoNav (LoconavTripID set). The caller ends the lease with
// MarkLoconavCreated/Pushed/Cancelled or FailLoconavPush; a lease that runs out makes the trip
// due again.
func (s *Store) ClaimLoconavPushes(ctx context.Context, now time.Time, lease time.Duration, limit int) (_ []fleet.Trip, err error) {
	defer wrap(&err, "ClaimLoconavPushes")
	if limit <= 0 {
		limit = 50
	}
	return collectTrips(s.pool.Query(ctx, claimLoconavPushesSQL, now, now.Add(lease), limit))
}

// MarkLoconavCreated records that LocoNav has the trip with code as loconavID (its tracking
// link still to fetch). It returns ENOTFOUND.
func (s *Store) MarkLoconavCreated(ctx context.Context, code, loconavID string) (err error) {
	defer wrap(&err, "MarkLoconavCreated(%q, %q)", code, loconavID)
	return s.setTrip(ctx, code, `
UPDATE trips SET loconav_trip_id = $2, loconav_push_state = 'created', loconav_next_push_at = NULL,
	loconav_push_error = '', updated_at = now()
WHERE code = $1`, loconavID)
}

// MarkLoconavPushed records the trip's customer tracking link and that its push is done. It
// returns ENOTFOUND.
func (s *Store) MarkLoconavPushed(ctx context.Context, code, trackingURL string) (err error) {
	defer wrap(&err, "MarkLoconavPushed(%q)", code)
	return s.setTrip(ctx, code, `
UPDATE trips SET tracking_url = $2, loconav_push_state = 'pushed', loconav_next_push_at = NULL,
	loconav_push_error = '', updated_at = now()
WHERE code = $1`, trackingURL)
}

// MarkLoconavCancelled records that the trip was deleted in LocoNav. It returns ENOTFOUND.
func (s *Store) MarkLoconavCancelled(ctx context.Context, code string) (err error) {
	defer wrap(&err, "MarkLoconavCancelled(%q)", code)
	return s.setTrip(ctx, code, `
UPDATE trips SET loconav_push_state = 'cancelled', loconav_next_push_at = NULL, loconav_push_error = ''
WHERE code = $1`)
}

// FailLoconavPush records a failed LocoNav attempt for the trip with code: it counts it, keeps
// reason, and makes the trip due again at retryAt(attempts), attempts counting this one. It
// returns the attempt count, and ENOTFOUND.
func (s *Store) FailLoconavPush(ctx context.Context, code, reason string, retryAt func(attempts int) time.Time) (attempts int, err error) {
	defer wrap(&err, "FailLoconavPush(%q)", code)
	canon, ok := fleet.ParseTripCode(code)
	if !ok {
		return 0, tripNotFound(code)
	}
	err = s.InTx(ctx, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `
UPDATE trips SET loconav_push_attempts = loconav_push_attempts + 1, loconav_push_error = $2
WHERE code = $1 RETURNING loconav_push_attempts`, canon, reason).Scan(&attempts)
		if isNoRows(err) {
			return tripNotFound(code)
		} else if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE trips SET loconav_next_push_at = $2 WHERE code = $1`, canon, retryAt(attempts))
		return err
	})
	return attempts, err
}

// LoconavPushOf returns where the trip with code stands in being pushed to LocoNav. It returns
// ENOTFOUND.
func (s *Store) LoconavPushOf(ctx context.Context, code string) (_ LoconavPush, err error) {
	defer wrap(&err, "LoconavPushOf(%q)", code)
	canon, ok := fleet.ParseTripCode(code)
	if !ok {
		return LoconavPush{}, tripNotFound(code)
	}
	var (
		p    LoconavPush
		next *time.Time
	)
	err = s.pool.QueryRow(ctx, `
SELECT loconav_push_state, loconav_push_attempts, loconav_next_push_at, loconav_push_error
FROM trips WHERE code = $1`, canon).Scan(&p.State, &p.Attempts, &next, &p.LastError)
	if isNoRows(err) {
		return LoconavPush{}, tripNotFound(code)
	}
	p.NextAt = timeOf(next)
	return p, err
}
