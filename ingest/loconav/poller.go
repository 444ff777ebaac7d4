package loconav

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/ingest"
)

// Poller defaults.
const (
	// DefaultSilentAfter is how long a truck goes without a fix before the poller asks LocoNav.
	DefaultSilentAfter = 10 * time.Minute
	// DefaultPollBatch is how many vehicles one last_known call asks for.
	DefaultPollBatch = 25
	// PollSource is fleet.Position.Source of positions the poller enqueues.
	PollSource = "poll"
)

// PollStore is what Poller needs from the database; *store.Store satisfies it.
type PollStore interface {
	// SilentVehicles returns, keyed by LocoNav vehicle UUID, the trucks whose latest fix is
	// older than fixBefore or that never reported, with their Plate, IMEI and FixTime.
	SilentVehicles(ctx context.Context, fixBefore time.Time) (map[string]fleet.TruckState, error)
}

// Enqueuer appends validated events to the ingest stream; *ingest.Producer satisfies it.
type Enqueuer interface {
	Enqueue(ctx context.Context, events []ingest.Event) (accepted, duplicates int, err error)
}

// PollReport is what one poll did.
type PollReport struct {
	Silent     int // trucks without a fix for SilentAfter
	Answered   int // of those, LocoNav answered with coordinates
	Fresh      int // answers newer than the truck's last fix, enqueued
	Accepted   int // appended to the ingest stream
	Duplicates int // already in the stream (the same fix came by webhook)
	Failed     int // batches LocoNav failed
}

// Poller is the fallback for silent webhooks: it asks LocoNav for the last known position of
// trucks without a recent fix and feeds the answers into the ingest stream as ordinary
// position events, so the consumers apply them like webhooks.
type Poller struct {
	client      *Client
	store       PollStore
	queue       Enqueuer
	log         *slog.Logger
	silentAfter time.Duration
	batch       int
}

// NewPoller returns a Poller asking c about trucks silent for silentAfter (DefaultSilentAfter
// when ≤ 0) and writing to queue.
func NewPoller(c *Client, s PollStore, queue Enqueuer, silentAfter time.Duration, log *slog.Logger) *Poller {
	if silentAfter <= 0 {
		silentAfter = DefaultSilentAfter
	}
	return &Poller{client: c, store: s, queue: queue, log: log, silentAfter: silentAfter, batch: DefaultPollBatch}
}

// Check polls once as of now: it asks last_known for the silent trucks in batches and enqueues
// every answer whose coordinates are newer than the truck's last fix (older or equal ones are
// dropped here; the consumer's newer-only upsert would ignore them anyway). A failing batch is
// counted and the others still run, except when LocoNav rejects the token. It returns an error
// when the silent trucks cannot be listed, the queue cannot be written, or a batch failed.
func (p *Poller) Check(ctx context.Context, now time.Time) (PollReport, error) {
	silent, err := p.store.SilentVehicles(ctx, now.Add(-p.silentAfter))
	if err != nil {
		return PollReport{}, err
	}
	rep := PollReport{Silent: len(silent)}
	ids := make([]string, 0, len(silent))
	for id := range silent {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	var first error
	for batch := range slices.Chunk(ids, p.batch) {
		answers, err := p.client.LastKnown(ctx, batch)
		if err != nil {
			rep.Failed++
			first = cmpFirst(first, err)
			if ctx.Err() != nil || fleet.ErrorCode(err) == fleet.EUNAUTHORIZED {
				break
			}
			continue
		}
		if err := p.enqueue(ctx, answers, silent, &rep); err != nil {
			return rep, err
		}
	}
	if first != nil {
		return rep, fmt.Errorf("%d LocoNav last_known batches failed, first: %w", rep.Failed, first)
	}
	return rep, nil
}

// enqueue turns the fresh answers of one batch into events and appends them.
func (p *Poller) enqueue(ctx context.Context, answers []LastKnown, silent map[string]fleet.TruckState, rep *PollReport) error {
	recv := time.Now().UTC()
	var events []ingest.Event
	for _, a := range answers {
		st, ok := silent[a.VehicleID]
		if !ok {
			continue // LocoNav answered for a vehicle not asked about
		}
		fix, ok := a.Fix()
		if !ok {
			continue
		}
		rep.Answered++
		if !fix.Time.After(st.FixTime) || fix.Time.After(recv.Add(ingest.MaxFutureFix)) || fix.SpeedKmh > ingest.MaxSpeedKmh {
			continue
		}
		events = append(events, PositionEvent(st.Plate, st.IMEI, fix, recv))
	}
	if len(events) == 0 {
		return nil
	}
	accepted, dups, err := p.queue.Enqueue(ctx, events)
	rep.Fresh += len(events)
	rep.Accepted += accepted
	rep.Duplicates += dups
	return err
}

// PositionEvent is the ingest event of a polled fix of the truck plate (device imei), received
// at recv: the same shape and replay key as a webhook's location push, with Source "poll".
func PositionEvent(plate, imei string, fix Fix, recv time.Time) ingest.Event {
	pos := &fleet.Position{
		Plate: plate, IMEI: imei, FixTime: fix.Time.UTC(), ReceivedAt: recv.UTC(), Point: fix.Point,
		SpeedKmh: fix.SpeedKmh, Heading: fix.Heading, Ignition: fix.Ignition,
		Cell: fleet.CellOf(fix.Point, fleet.CellResolution), Source: PollSource,
	}
	return ingest.Event{Type: ingest.TypePosition, Key: ingest.PositionKey(imei, plate, fix.Time),
		Received: recv.UTC(), Position: pos}
}

// Poll is the loconav-poll job: Check as of now, then one log line with the counts. Its
// errors are Check's.
func (p *Poller) Poll(ctx context.Context, now time.Time) error {
	rep, err := p.Check(ctx, now)
	if err != nil {
		return err
	}
	p.log.InfoContext(ctx, fmt.Sprintf("loconav poll: %d silent trucks, %d answered, %d newer fixes, %d enqueued, %d duplicates",
		rep.Silent, rep.Answered, rep.Fresh, rep.Accepted, rep.Duplicates), "job", "loconav-poll")
	return nil
}
