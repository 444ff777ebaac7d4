package schedule

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
)

const (
	// sweepBatch is how many silent trucks one SweepOffline call handles.
	sweepBatch = 500
	// sweepRounds bounds the batches of one run; the next run goes on where it stopped.
	sweepRounds = 20
)

// TruckStates reads the fleet's latest states and stores detection memory (*store.Store).
type TruckStates interface {
	// ListTruckStates returns every truck that is not archived with its latest state.
	ListTruckStates(ctx context.Context) ([]fleet.TruckSnapshot, error)
	// SaveDetectionMemory stores st's detection memory (OfflineOpen here) while the stored fix
	// is still st.FixTime; applied is false when a newer fix arrived meanwhile.
	SaveDetectionMemory(ctx context.Context, st fleet.TruckState) (applied bool, err error)
}

// OfflineSweeper opens the offline incident of each truck silent for th.OfflineAfter that has
// none open, under the same per-truck locks as ingest, and flags it in the truck's state
// (*store.Store). It is the one implementation ingest's upkeep uses too, so the two never
// open an incident twice, and its notification IDs are deterministic.
type OfflineSweeper interface {
	SweepOffline(ctx context.Context, now time.Time, th fleet.Thresholds, limit int) (fleet.IngestOutcome, error)
}

// Observing tells when ingest started observing the fleet (*ingest.Observer).
type Observing interface {
	// ObservingSince returns when ingest started observing; ok is false when it is not
	// observing (no replica of ingest is running).
	ObservingSince(ctx context.Context) (since time.Time, ok bool, err error)
}

// EventPublisher appends domain events to the events stream (*ingest.EventStream).
type EventPublisher interface {
	PublishEvents(ctx context.Context, events []fleet.Event) error
}

// Connectivity is the connectivity job. Trucks silent for Thresholds.OfflineAfter get one
// offline incident (OfflineSweeper; a flapping truck keeps the one incident, because the open
// flag and the incident key both hold it); a truck whose fix is fresh again but whose incident
// is still flagged open (its returning fix did not go through ingest's detection) has it
// resolved here. Trucks that never reported are not watched. Events may be nil.
type Connectivity struct {
	Sweeper    OfflineSweeper
	States     TruckStates
	Alerts     Alerts
	Notifier   Notifier
	Events     EventPublisher
	Thresholds fleet.Thresholds
	// Clock is the wall clock (main: time.Now). The scheduler hands Run its slot time, which
	// can be seconds behind the clock ingest's own offline sweep uses; judging freshness by
	// the slot could call a truck ingest just declared offline fresh again. nil: the slot.
	Clock func() time.Time
	// Observing holds back opening incidents until fleet.OfflineOpenFrom of the time ingest
	// started observing (stored, so a fresh process judges as a long-running one); returning
	// trucks are still resolved. nil, or ingest not observing: no grace (a silence nobody
	// hears is still one to report).
	Observing Observing
}

// Run opens and resolves offline incidents as of now (or the Clock, when later). A failure
// with one truck does not stop the others; the failures are returned joined.
func (c *Connectivity) Run(ctx context.Context, now time.Time) error {
	if c.Clock != nil {
		if wall := c.Clock(); wall.After(now) {
			now = wall
		}
	}
	if c.Observing != nil {
		since, ok, err := c.Observing.ObservingSince(ctx)
		if err != nil {
			return fmt.Errorf("read when ingest started observing: %w", err)
		}
		if ok && now.Before(fleet.OfflineOpenFrom(since, c.Thresholds)) {
			return c.resolveReturned(ctx, now)
		}
	}
	return errors.Join(c.open(ctx, now), c.resolveReturned(ctx, now))
}

// open sweeps silent trucks in batches and announces what opened.
func (c *Connectivity) open(ctx context.Context, now time.Time) error {
	for range sweepRounds {
		out, err := c.Sweeper.SweepOffline(ctx, now, c.Thresholds, sweepBatch)
		if err != nil {
			return fmt.Errorf("sweep offline trucks: %w", err)
		}
		if err := c.publish(ctx, out.Events, out.Notifications); err != nil {
			return err
		}
		if len(out.Events) < sweepBatch {
			return nil
		}
	}
	return nil
}

// publish appends events (when there is a publisher) and notifications.
func (c *Connectivity) publish(ctx context.Context, events []fleet.Event, ns []fleet.Notification) error {
	if c.Events != nil && len(events) > 0 {
		if err := c.Events.PublishEvents(ctx, events); err != nil {
			return fmt.Errorf("publish events: %w", err)
		}
	}
	for _, n := range ns {
		if err := c.Notifier.Notify(ctx, n); err != nil {
			return fmt.Errorf("notify %s: %w", n.ID, err)
		}
	}
	return nil
}

// resolveReturned resolves the offline incident of every truck flagged offline whose fix is
// fresh, announces it and clears the flag.
func (c *Connectivity) resolveReturned(ctx context.Context, now time.Time) error {
	trucks, err := c.States.ListTruckStates(ctx)
	if err != nil {
		return fmt.Errorf("list truck states: %w", err)
	}
	var errs []error
	for _, t := range trucks {
		if t.HasState && t.State.OfflineOpen && t.State.Motion(now, c.Thresholds) != fleet.MotionOffline {
			errs = append(errs, c.resolve(ctx, t.State, now))
		}
	}
	return errors.Join(errs...)
}

// resolve announces that st's truck is back, resolves its offline incident, then clears the
// flag, in that order: a run failing halfway leaves the incident open and flagged, and the
// next run repeats the announcement under the same notification ID, which is delivered once.
func (c *Connectivity) resolve(ctx context.Context, st fleet.TruckState, now time.Time) error {
	key := fleet.IncidentKey(fleet.AlertOffline, st.Plate)
	a, err := c.Alerts.OpenAlertByKey(ctx, key)
	switch {
	case fleet.ErrorCode(err) == fleet.ENOTFOUND: // resolved elsewhere; only the flag is left
	case err != nil:
		return fmt.Errorf("read offline incident of %s: %w", st.Plate, err)
	default:
		at := st.FixTime
		a.ResolvedAt = &at
		pt := st.Point
		ev := fleet.Event{Kind: fleet.EventBackOnline, Plate: st.Plate, At: at, Point: &pt}
		n := fleet.AlertNotification(a, fleet.NotifyAlertResolved, now)
		if err := c.publish(ctx, []fleet.Event{ev}, []fleet.Notification{n}); err != nil {
			return fmt.Errorf("announce %s back online: %w", st.Plate, err)
		}
		if _, err := c.Alerts.ResolveAlert(ctx, key, at); err != nil && fleet.ErrorCode(err) != fleet.ENOTFOUND {
			return fmt.Errorf("resolve offline incident of %s: %w", st.Plate, err)
		}
	}
	st.OfflineOpen = false
	if _, err := c.States.SaveDetectionMemory(ctx, st); err != nil {
		return fmt.Errorf("clear offline flag of %s: %w", st.Plate, err)
	}
	return nil
}
