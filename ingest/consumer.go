package ingest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/cenkalti/backoff/v5"
	"github.com/redis/go-redis/v9"

	"github.com/watchtower-ops/watchtower/fleet"
)

// Recorder applies ingest batches durably and records system alerts; *store.Store is the
// real one.
type Recorder interface {
	// ApplyIngest applies obs (entries of stream) in one transaction and returns what
	// happened; entries applied before are skipped and their outbox returned again.
	ApplyIngest(ctx context.Context, stream string, obs []fleet.Observation, th fleet.Thresholds) (fleet.IngestOutcome, error)
	// OpenAlert opens incident a, or returns the one already open under its key (created false).
	OpenAlert(ctx context.Context, a fleet.Alert) (fleet.Alert, bool, error)
}

// ConsumerConfig configures one consumer worker. Zero fields take the defaults.
type ConsumerConfig struct {
	Prefix        string           // REDIS_PREFIX
	Name          string           // consumer name in the group, unique per worker and stable across restarts
	Batch         int              // entries read per batch (default 1024)
	Block         time.Duration    // how long a read waits for entries (default 2 s)
	Linger        time.Duration    // after a short read, wait this long for more (default 5 ms; negative: never)
	ClaimIdle     time.Duration    // pending this long is reclaimed from a stuck worker (default 1 min)
	MaxDeliveries int64            // deliveries before an entry is dead-lettered (default 5)
	Thresholds    fleet.Thresholds // detection thresholds
}

func (c *ConsumerConfig) defaults() {
	if c.Batch <= 0 {
		c.Batch = 1024
	}
	if c.Block <= 0 {
		c.Block = 2 * time.Second
	}
	if c.Linger == 0 {
		c.Linger = 5 * time.Millisecond
	}
	if c.ClaimIdle <= 0 {
		c.ClaimIdle = time.Minute
	}
	if c.MaxDeliveries <= 0 {
		c.MaxDeliveries = 5
	}
}

// Consumer is one worker of group "processors" on {prefix}:ingest. It reads batches, applies
// each in one transaction, publishes the domain events and notifications, and acknowledges
// only then. It reclaims entries another worker left pending for ClaimIdle and dead-letters an
// entry that failed MaxDeliveries times, so a poison entry never blocks the group.
type Consumer struct {
	rdb     *redis.Client
	rec     Recorder
	notify  *NotifyStream
	fixes   *PositionStream
	cfg     ConsumerConfig
	keys    fleet.Keys
	metrics *Metrics
	log     *slog.Logger
}

// NewConsumer returns a worker reading with rdb and applying through rec. metrics may be nil.
func NewConsumer(rdb *redis.Client, rec Recorder, cfg ConsumerConfig, metrics *Metrics, log *slog.Logger) *Consumer {
	cfg.defaults()
	return &Consumer{rdb: rdb, rec: rec, notify: NewNotifyStream(rdb, cfg.Prefix), fixes: NewPositionStream(rdb, cfg.Prefix), cfg: cfg,
		keys: fleet.Keys{Prefix: cfg.Prefix}, metrics: metrics, log: log.With("stream", fleet.Keys{Prefix: cfg.Prefix}.Ingest())}
}

// EnsureGroup creates group "processors" (from the start of the stream, creating the stream)
// unless it exists. It returns EUNAVAILABLE when Redis cannot be reached.
func EnsureGroup(ctx context.Context, rdb *redis.Client, prefix string) error {
	err := rdb.XGroupCreateMkStream(ctx, fleet.Keys{Prefix: prefix}.Ingest(), Group, "0").Err()
	if err != nil && !strings.HasPrefix(err.Error(), "BUSYGROUP") {
		return unavailable("the ingest queue", err)
	}
	return nil
}

// Run works until ctx is done and returns nil then; the batch in hand is finished first (with
// its own deadline). Redis or Postgres outages are logged and retried with backoff, never
// returned.
func (c *Consumer) Run(ctx context.Context) error {
	_, _ = backoff.Retry(ctx, func() (struct{}, error) {
		err := EnsureGroup(ctx, c.rdb, c.cfg.Prefix)
		if err != nil && ctx.Err() == nil {
			c.fail(ctx, "read", err)
		}
		return struct{}{}, err
	}, backoff.WithBackOff(newBackOff()), backoff.WithMaxElapsedTime(0)) // fails only when ctx is done
	bo := newBackOff() // the read loop's pause after a failed read; reset by a good one
	c.drainOwn(ctx)
	turn := trickleTurn(c.keys.Ingest())
	nextClaim := time.Time{}
	for ctx.Err() == nil {
		if now := time.Now(); now.After(nextClaim) {
			c.reclaim(ctx)
			nextClaim = now.Add(c.cfg.ClaimIdle / 2)
		}
		select { // one worker of the process reads and applies at a time...
		case turn <- struct{}{}:
		case <-ctx.Done():
			return nil
		}
		msgs, err := c.next(ctx)
		if err != nil {
			<-turn
			if ctx.Err() == nil {
				c.fail(ctx, "read", err)
				if lostGroup(err) { // the stream was deleted: start again from an empty one
					_ = EnsureGroup(ctx, c.rdb, c.cfg.Prefix)
				}
				sleep(ctx, bo.NextBackOff())
			}
			continue
		}
		bo.Reset()
		if len(msgs) >= c.cfg.Batch { // ...but a full batch means a backlog: the next one reads now
			<-turn
			c.handle(ctx, msgs, nil)
			continue
		}
		c.handle(ctx, msgs, nil)
		<-turn
	}
	return nil
}

// trickleTurn returns the turn of the process's workers on stream. The worker holding it is
// reading, and then applying a short batch. When the consumers keep up (every read comes back
// short), the workers take turns: Postgres applies one batch at a time and leaves the other
// cores to the webhook, and what arrives meanwhile waits in the stream for the next turn's
// read, not in a second worker's batch that must wait for the first to commit. A full batch
// means a backlog: its worker hands the turn on before applying, so every worker applies at
// once. Turns are per stream, so consumers of other prefixes in the process never wait.
//
// Measured at a paced 5,000 fixes/s on two cores (webhook latency, runs alternating): workers
// that took the turn only to apply, after a 50 ms linger, applied batches of up to 480 fixes
// in 20-40 ms, and every webhook stall over 15 ms began inside one (p90 2.3-3.5 ms, p99
// 6.8-12.5 ms in eleven runs). Taking the turn to read, with a 5 ms linger, batches are about
// 55 fixes (p90 1.8-2.1 ms, p99 5.6-8.3 ms in three runs) for 0.05 of a core more Postgres.
// Two overlapping transactions, before there were turns, took both cores.
func trickleTurn(stream string) chan struct{} {
	t, _ := turns.LoadOrStore(stream, make(chan struct{}, 1))
	return t.(chan struct{})
}

// turns holds the turn of each stream the process consumes.
var turns sync.Map

// lostGroup reports whether err says the stream or its group no longer exists.
func lostGroup(err error) bool {
	msg := err.Error()
	return strings.HasPrefix(msg, "NOGROUP") || strings.HasPrefix(msg, "UNBLOCKED")
}

// drainOwn re-reads the entries this consumer name left pending before a restart.
func (c *Consumer) drainOwn(ctx context.Context) {
	for ctx.Err() == nil {
		msgs, err := c.read(ctx, "0", -1, c.cfg.Batch)
		if err != nil || len(msgs) == 0 {
			return
		}
		counts, err := c.deliveries(ctx, msgs)
		if err != nil {
			return
		}
		if !c.handle(ctx, msgs, counts) {
			return // left pending; the reclaim loop retries them later
		}
	}
}

// next reads the next batch of new entries: it blocks for the first ones and, when fewer than a
// full batch came, lingers for more, so that at a steady trickle one transaction still carries
// many entries (far fewer commits for Postgres to flush, at the price of Linger of delay).
func (c *Consumer) next(ctx context.Context) ([]redis.XMessage, error) {
	msgs, err := c.read(ctx, ">", c.cfg.Block, c.cfg.Batch)
	if err != nil || len(msgs) == 0 || len(msgs) >= c.cfg.Batch || c.cfg.Linger < 0 {
		return msgs, err
	}
	sleep(ctx, c.cfg.Linger)
	more, err := c.read(ctx, ">", -1, c.cfg.Batch-len(msgs))
	if err != nil {
		return msgs, nil // msgs are ours now; the error shows again on the next read
	}
	return append(msgs, more...), nil
}

// read reads up to count entries after from (">" for new ones, "0" for our own pending ones),
// waiting up to block for new ones (negative: not at all).
func (c *Consumer) read(ctx context.Context, from string, block time.Duration, count int) ([]redis.XMessage, error) {
	res, err := c.rdb.XReadGroup(ctx, &redis.XReadGroupArgs{
		Group: Group, Consumer: c.cfg.Name, Streams: []string{c.keys.Ingest(), from}, Count: int64(count), Block: block,
	}).Result()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if len(res) == 0 {
		return nil, nil
	}
	return res[0].Messages, nil
}

// reclaim takes over entries pending longer than ClaimIdle anywhere in the group and handles
// them, with their delivery counts so repeat failures are dead-lettered.
func (c *Consumer) reclaim(ctx context.Context) {
	start := "0-0"
	for range 20 { // bounded per tick; the next tick continues
		msgs, next, err := c.rdb.XAutoClaim(ctx, &redis.XAutoClaimArgs{Stream: c.keys.Ingest(), Group: Group,
			Consumer: c.cfg.Name, MinIdle: c.cfg.ClaimIdle, Start: start, Count: int64(c.cfg.Batch)}).Result()
		if err != nil {
			if ctx.Err() == nil && !strings.HasPrefix(err.Error(), "NOGROUP") {
				c.fail(ctx, "reclaim", err)
			}
			return
		}
		if len(msgs) > 0 {
			counts, err := c.deliveries(ctx, msgs)
			if err != nil {
				c.fail(ctx, "reclaim", err)
				return
			}
			c.handle(ctx, msgs, counts)
		}
		if next == "0-0" || next == "" {
			return
		}
		start = next
	}
}

// deliveries returns how many times each of msgs (all pending to this consumer) was delivered.
func (c *Consumer) deliveries(ctx context.Context, msgs []redis.XMessage) (map[string]int64, error) {
	pend, err := c.rdb.XPendingExt(ctx, &redis.XPendingExtArgs{Stream: c.keys.Ingest(), Group: Group,
		// Other entries pending to this consumer can lie between msgs' IDs (a reclaimed set is
		// not contiguous): ask for more than len(msgs) so none of msgs is cut off.
		Start: msgs[0].ID, End: msgs[len(msgs)-1].ID, Count: int64(len(msgs)) + 1024, Consumer: c.cfg.Name}).Result()
	if err != nil {
		return nil, err
	}
	out := make(map[string]int64, len(pend))
	for _, p := range pend {
		out[p.ID] = p.RetryCount
	}
	return out, nil
}

// handle applies one batch and acknowledges what was committed. It reports whether every
// entry was settled (acknowledged or dead-lettered). The work runs on a context that outlives
// ctx by up to 30 s, so a shutdown finishes the batch in hand.
func (c *Consumer) handle(ctx context.Context, msgs []redis.XMessage, counts map[string]int64) bool {
	if len(msgs) == 0 {
		return true
	}
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	obs, settled := c.decode(wctx, msgs, counts)
	if len(obs) == 0 {
		return settled
	}
	start := time.Now()
	out, err := c.apply(ctx, wctx, obs)
	if err == nil {
		c.metrics.batch(len(obs), time.Since(start))
		return c.finish(wctx, obs, out) && settled
	}
	if isTransient(err) { // only when ctx is done: leave the batch pending
		return false
	}
	if len(obs) == 1 {
		return c.failed(wctx, obs[0], msgs, counts, err) && settled
	}
	// One bad entry must not hold back the others: apply them one by one.
	all := settled
	for _, o := range obs {
		out, err := c.apply(ctx, wctx, []fleet.Observation{o})
		if err != nil {
			all = c.failed(wctx, o, msgs, counts, err) && all
			continue
		}
		all = c.finish(wctx, []fleet.Observation{o}, out) && all
	}
	return all
}

// apply runs ApplyIngest, retrying transient failures (database or Redis down) with backoff
// until they pass or ctx (the worker's, not the batch's) is done.
func (c *Consumer) apply(ctx, wctx context.Context, obs []fleet.Observation) (fleet.IngestOutcome, error) {
	var last error // the outcome of the last try: when ctx ends the wait, that is what counts
	out, _ := backoff.Retry(ctx, func() (fleet.IngestOutcome, error) {
		out, err := c.rec.ApplyIngest(wctx, c.keys.Ingest(), obs, c.cfg.Thresholds)
		if last = err; err == nil || !isTransient(err) {
			return out, backoff.Permanent(err)
		}
		if ctx.Err() == nil {
			c.fail(ctx, "apply", err)
		}
		return out, err
	}, backoff.WithBackOff(newBackOff()), backoff.WithMaxElapsedTime(0))
	return out, last
}

// failed handles an entry that could not be applied: dead-lettered once it has been delivered
// MaxDeliveries times, else left pending for a later retry. It reports whether it settled it.
func (c *Consumer) failed(ctx context.Context, o fleet.Observation, msgs []redis.XMessage, counts map[string]int64, err error) bool {
	n := counts[o.EntryID]
	if n == 0 {
		n = 1
	}
	if n < c.cfg.MaxDeliveries || isTransient(err) {
		c.metrics.failure("apply")
		c.log.WarnContext(ctx, "ingest entry not applied; will retry", "entry_id", o.EntryID, "err", err)
		return false
	}
	for _, m := range msgs {
		if m.ID == o.EntryID {
			return c.deadLetter(ctx, m, n, err)
		}
	}
	return false
}

func (c *Consumer) fail(ctx context.Context, stage string, err error) {
	c.metrics.failure(stage)
	c.log.ErrorContext(ctx, "ingest consumer: "+stage+" failed", "err", err)
}

// decode turns messages into observations; an undecodable entry can never succeed, so it is
// dead-lettered at once. settled is false when one of those could not be dead-lettered.
func (c *Consumer) decode(ctx context.Context, msgs []redis.XMessage, counts map[string]int64) (obs []fleet.Observation, settled bool) {
	settled = true
	obs = make([]fleet.Observation, 0, len(msgs))
	for _, m := range msgs {
		o, err := decodeEntry(m)
		if err != nil {
			settled = c.deadLetter(ctx, m, max(counts[m.ID], 1), err) && settled
			continue
		}
		obs = append(obs, o)
	}
	return obs, settled
}

// decodeEntry reads the JSON Event in field "e" of an ingest entry.
func decodeEntry(m redis.XMessage) (fleet.Observation, error) {
	raw, ok := m.Values[EntryField].(string)
	if !ok {
		return fleet.Observation{}, fmt.Errorf("entry has no %q field", EntryField)
	}
	e, ok := parseEvent(raw)
	if !ok {
		if err := json.Unmarshal([]byte(raw), &e); err != nil {
			return fleet.Observation{}, fmt.Errorf("decode entry: %w", err)
		}
	}
	o := fleet.Observation{EntryID: m.ID, Position: e.Position, Alert: e.Alert}
	switch {
	case e.Type == TypePosition && e.Position != nil && !e.Position.FixTime.IsZero():
	case e.Type == TypeAlert && e.Alert != nil:
		o.Position = nil
	default:
		return fleet.Observation{}, fmt.Errorf("entry of type %q has no usable payload", e.Type)
	}
	return o, nil
}

// finish publishes what a committed batch produced, then acknowledges it. A publish failure
// leaves the batch pending: the redelivery finds it applied and publishes its outbox again.
func (c *Consumer) finish(ctx context.Context, obs []fleet.Observation, out fleet.IngestOutcome) bool {
	if err := c.publish(ctx, obs, out); err != nil {
		c.fail(ctx, "publish", err)
		return false
	}
	ids := make([]string, len(obs))
	for i, o := range obs {
		ids[i] = o.EntryID
		if o.Position != nil {
			c.metrics.appliedOne(TypePosition, o.Position.FixTime)
		} else {
			c.metrics.appliedOne(TypeAlert, o.Alert.At)
		}
	}
	if err := c.rdb.XAck(ctx, c.keys.Ingest(), Group, ids...).Err(); err != nil {
		c.fail(ctx, "ack", err)
		return false
	}
	for _, p := range out.Registered {
		c.log.InfoContext(ctx, "unrostered truck registered from telematics", "plate", p)
	}
	return true
}

func (c *Consumer) publish(ctx context.Context, obs []fleet.Observation, out fleet.IngestOutcome) error {
	if err := PublishEvents(ctx, c.rdb, c.cfg.Prefix, out.Events); err != nil {
		return err
	}
	if err := c.fixes.Publish(ctx, obs); err != nil { // for the live maps of every replica
		return err
	}
	for _, e := range out.Events {
		c.metrics.detectedKind(string(e.Kind))
	}
	if err := c.notify.NotifyAll(ctx, out.Notifications); err != nil {
		return err
	}
	c.metrics.notifiedN(len(out.Notifications))
	return nil
}
