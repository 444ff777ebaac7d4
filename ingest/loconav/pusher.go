package loconav

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
)

// TripPusher defaults.
const (
	DefaultPushInterval = 15 * time.Second // how often Run looks for due pushes
	DefaultPushLease    = 5 * time.Minute  // how long a claimed trip is kept from other replicas
	DefaultRetryBase    = 30 * time.Second // wait after the first failure; doubles per failure
	DefaultRetryMax     = 30 * time.Minute // longest wait between two attempts
	pushBatch           = 20
)

// PushQueue hands out the trips with LocoNav work due; *store.Store satisfies it.
type PushQueue interface {
	// ClaimLoconavPushes returns up to limit trips due at now (approved and active but not
	// fully in LocoNav, or cancelled but still there) and leases them for lease.
	ClaimLoconavPushes(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]fleet.Trip, error)
	// TripByCode returns a trip; ENOTFOUND when there is none.
	TripByCode(ctx context.Context, code string) (fleet.Trip, error)
}

// PushLedger records the outcome of each attempt; *store.Store satisfies it.
type PushLedger interface {
	MarkLoconavCreated(ctx context.Context, code, loconavID string) error
	MarkLoconavPushed(ctx context.Context, code, trackingURL string) error
	MarkLoconavCancelled(ctx context.Context, code string) error
	// FailLoconavPush counts a failed attempt, keeps reason and makes the trip due again at
	// retryAt(attempts); it returns the attempts so far.
	FailLoconavPush(ctx context.Context, code, reason string, retryAt func(attempts int) time.Time) (int, error)
}

// TripPlaces describes a trip's truck and sites to LocoNav; *store.Store satisfies it.
type TripPlaces interface {
	SiteByCode(ctx context.Context, code string) (fleet.Site, error)
	// LoconavVehicleNumber returns LocoNav's number of the truck, "" when not linked yet.
	LoconavVehicleNumber(ctx context.Context, plate string) (string, error)
}

// PushStore is everything TripPusher needs from the database.
type PushStore interface {
	PushQueue
	PushLedger
	TripPlaces
}

// Notifier appends a notification for Slack; *ingest.NotifyStream satisfies it.
type Notifier interface {
	Notify(ctx context.Context, n fleet.Notification) error
}

// TripPusher keeps LocoNav's trips in step with Watch Tower's: an approved trip is created
// there (POST /trips, uniqueId = the trip code) and its public tracking link stored; a
// cancelled trip is deleted there. Work is found in the trips table (ClaimLoconavPushes), so
// nothing is lost across restarts, and several replicas share it without doubling calls.
// When LocoNav fails, the trip stays approved, a trip.event notification says the push is
// pending, and the attempt is repeated with exponential backoff until it succeeds; a second
// notification carries the tracking link.
type TripPusher struct {
	client *Client
	store  PushStore
	notify Notifier
	log    *slog.Logger

	// Interval, Lease, RetryBase and RetryMax default to the Default* constants when zero;
	// set them before Run.
	Interval, Lease, RetryBase, RetryMax time.Duration
}

// NewTripPusher returns a TripPusher calling c, keeping its ledger in s and announcing through n.
func NewTripPusher(c *Client, s PushStore, n Notifier, log *slog.Logger) *TripPusher {
	return &TripPusher{client: c, store: s, notify: n, log: log}
}

// Run retries due pushes every Interval until ctx is done, then returns nil. Failures are
// logged per trip and recorded for the next attempt; the goroutine exits when ctx is done.
func (p *TripPusher) Run(ctx context.Context) error {
	t := time.NewTicker(orDuration(p.Interval, DefaultPushInterval))
	defer t.Stop()
	for {
		if err := p.Retry(ctx, time.Now()); err != nil && ctx.Err() == nil {
			p.log.WarnContext(ctx, "loconav trip pushes not claimed", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// Retry does the LocoNav work due at now: creating approved trips, fetching missing tracking
// links, deleting cancelled trips. It is also a job function (ctx, now). Each trip's failure
// is logged, recorded with its next attempt time and announced once; Retry returns an error
// only when the due trips cannot be read.
func (p *TripPusher) Retry(ctx context.Context, now time.Time) error {
	trips, err := p.store.ClaimLoconavPushes(ctx, now, orDuration(p.Lease, DefaultPushLease), pushBatch)
	if err != nil {
		return err
	}
	for _, t := range trips {
		if ctx.Err() != nil {
			return nil // the leases run out and the trips become due again
		}
		if t.Status == fleet.TripCancelled {
			_ = p.attemptCancel(ctx, t, now)
		} else {
			_ = p.attemptPush(ctx, t, now)
		}
	}
	return nil
}

// Push creates the approved trip with code in LocoNav now and stores its LocoNav ID and
// tracking link; a trip already pushed is left alone. A failure is recorded for Retry (which
// repeats it with backoff), announced, and returned. It returns ENOTFOUND for an unknown trip
// and ECONFLICT for a trip that is not approved and active.
func (p *TripPusher) Push(ctx context.Context, code string) error {
	t, err := p.store.TripByCode(ctx, code)
	if err != nil {
		return err
	}
	switch t.Status {
	case fleet.TripScheduled, fleet.TripDelayed, fleet.TripOngoing:
	default:
		return fleet.Errorf(fleet.ECONFLICT, "trip %s is %s; only approved, active trips go to LocoNav", t.Code, t.Status)
	}
	if t.LoconavTripID != "" && t.TrackingURL != "" {
		return nil
	}
	return p.attemptPush(ctx, t, time.Now())
}

// Cancel deletes the cancelled trip with code from LocoNav, if it was pushed there; a trip
// LocoNav no longer has counts as deleted. A failure is recorded for Retry, which repeats it,
// and returned. It returns ENOTFOUND for an unknown trip and ECONFLICT for a trip that is not
// cancelled in Watch Tower.
func (p *TripPusher) Cancel(ctx context.Context, code string) error {
	t, err := p.store.TripByCode(ctx, code)
	if err != nil {
		return err
	}
	if t.Status != fleet.TripCancelled {
		return fleet.Errorf(fleet.ECONFLICT, "trip %s is %s; only cancelled trips are deleted from LocoNav", t.Code, t.Status)
	}
	if t.LoconavTripID == "" {
		return nil
	}
	return p.attemptCancel(ctx, t, time.Now())
}

// attemptPush runs one push of t and records its outcome.
func (p *TripPusher) attemptPush(ctx context.Context, t fleet.Trip, now time.Time) error {
	if err := p.push(ctx, &t); err != nil {
		return p.failed(ctx, t, "push", err, now)
	}
	p.announce(ctx, pushedNotice(t, now))
	p.log.InfoContext(ctx, "trip pushed to loconav as "+t.LoconavTripID, "trip_id", t.Code)
	return nil
}

// push creates t in LocoNav unless it has an ID, then stores the tracking link, updating t.
func (p *TripPusher) push(ctx context.Context, t *fleet.Trip) error {
	if t.LoconavTripID == "" {
		req, err := p.newTrip(ctx, *t)
		if err != nil {
			return err
		}
		ref, err := p.client.CreateTrip(ctx, req)
		if IsDuplicateTrip(err) { // an earlier attempt created it but its answer was lost
			ref, err = p.client.FindTrip(ctx, t.Code)
		}
		if err != nil {
			return err
		}
		if err := p.store.MarkLoconavCreated(ctx, t.Code, ref.ID); err != nil {
			return err
		}
		t.LoconavTripID = ref.ID
	}
	url, err := p.client.TrackURL(ctx, t.LoconavTripID)
	if err != nil {
		return err
	}
	if err := p.store.MarkLoconavPushed(ctx, t.Code, url); err != nil {
		return err
	}
	t.TrackingURL = url
	return nil
}

// attemptCancel runs one LocoNav delete of t and records its outcome.
func (p *TripPusher) attemptCancel(ctx context.Context, t fleet.Trip, now time.Time) error {
	err := p.client.DeleteTrip(ctx, t.LoconavTripID)
	if err != nil && fleet.ErrorCode(err) != fleet.ENOTFOUND {
		return p.failed(ctx, t, "cancel", err, now)
	}
	if err := p.store.MarkLoconavCancelled(ctx, t.Code); err != nil {
		return p.failed(ctx, t, "cancel", err, now)
	}
	p.log.InfoContext(ctx, "trip deleted in loconav", "trip_id", t.Code)
	return nil
}

// failed logs and records a failed attempt, announcing the first failure of a push, and
// returns err.
func (p *TripPusher) failed(ctx context.Context, t fleet.Trip, what string, err error, now time.Time) error {
	if ctx.Err() != nil {
		return err // shutting down: the lease runs out and the trip is due again
	}
	attempts, ferr := p.store.FailLoconavPush(ctx, t.Code, fleet.ErrorMessage(err), p.retryAt(now))
	if ferr != nil {
		err = errors.Join(err, fmt.Errorf("record the failure: %w", ferr))
	}
	p.log.WarnContext(ctx, fmt.Sprintf("loconav trip %s failed (attempt %d); will retry", what, attempts), "trip_id", t.Code, "err", err)
	if what == "push" && attempts == 1 {
		p.announce(ctx, pendingNotice(t, err, now))
	}
	return err
}

// retryAt is the backoff schedule from now: RetryBase doubled per failure up to RetryMax, with
// jitter so a fleet of failed pushes does not retry in step. It stays hand-written: the
// attempt count lives in the trips table across restarts and replicas, and backoff/v5's
// ExponentialBackOff keeps its progress in memory and cannot start from a stored count.
func (p *TripPusher) retryAt(now time.Time) func(attempts int) time.Time {
	base, most := orDuration(p.RetryBase, DefaultRetryBase), orDuration(p.RetryMax, DefaultRetryMax)
	return func(attempts int) time.Time {
		d := base << min(max(attempts-1, 0), 20)
		if d <= 0 || d > most {
			d = most
		}
		return now.Add(jitter(d))
	}
}

// announce appends n; a notification that cannot be written is logged, never retried: the
// trip's state is in the database and shown by get_trip_details.
func (p *TripPusher) announce(ctx context.Context, n fleet.Notification) {
	if p.notify == nil {
		return
	}
	if err := p.notify.Notify(ctx, n); err != nil {
		p.log.WarnContext(ctx, "loconav push notification not sent", "trip_id", n.Trip.Code, "err", err)
	}
}

func orDuration(d, def time.Duration) time.Duration {
	if d <= 0 {
		return def
	}
	return d
}
