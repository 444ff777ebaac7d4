package ingest

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/watchtower-ops/watchtower/fleet"
)

// Group and field names of the streams (the key names are fleet.Keys').
const (
	Group        = "processors"   // consumer group on the ingest stream
	EntryField   = "e"            // field of an ingest (and events) stream entry holding its JSON
	NotifyField  = "n"            // field of a notify stream entry holding the notification's JSON
	SeenTTL      = 49 * time.Hour // how long replays are recognised: the contract's 48 h and an hour to spare
	eventsMaxLen = 100_000        // domain events are informational; keep the latest
	notifyMaxLen = 1_000_000      // a safety cap far above what the sender leaves unread
	bucketMillis = 500_000        // replay-set bucket: ≤ 500 members at 1 Hz keeps Redis's compact intset
)

// seenKey returns the replay-set key and member of an event: positions share one small
// integer set per device and 500-second bucket, alerts get one key each.
func seenKey(k fleet.Keys, e Event) (key, member string) {
	if e.Type == TypePosition {
		i := strings.LastIndexByte(e.Key, '@') // the device ID may itself hold an @
		dev, ms := e.Key, ""
		if i >= 0 {
			dev, ms = e.Key[:i], e.Key[i+1:]
		}
		n, _ := strconv.ParseInt(ms, 10, 64)
		return k.SeenPosition(dev, n/bucketMillis), strconv.FormatInt(n%bucketMillis, 10)
	}
	return k.SeenAlert(e.Key), ""
}

// appendScript appends each payload not seen before to KEYS[1] and marks it seen, atomically,
// so a failure never leaves an event marked seen but not enqueued: the mark is taken first
// (SADD and SET NX answer whether it was new, one command instead of a check and a write) and
// undone when the XADD fails.
// KEYS[1] stream, KEYS[1+j] seen key of item j. ARGV[1] TTL seconds, ARGV[2] entry field,
// ARGV[3] MAXLEN (0 = none); item j: ARGV[2j+2] set member ("" = plain key), ARGV[2j+3] payload.
// It returns one character per item: "1" appended, "0" a replay.
var appendScript = redis.NewScript(`
local ttl, field, maxlen = ARGV[1], ARGV[2], tonumber(ARGV[3])
local flags = {}
for i = 2, #KEYS do
  local j = i - 1
  local key, member, payload = KEYS[i], ARGV[2*j+2], ARGV[2*j+3]
  local new
  if member == '' then
    new = redis.call('SET', key, '1', 'EX', ttl, 'NX')
  else
    new = redis.call('SADD', key, member) == 1
  end
  if new then
    local res
    if maxlen > 0 then
      res = redis.pcall('XADD', KEYS[1], 'MAXLEN', '~', maxlen, '*', field, payload)
    else
      res = redis.pcall('XADD', KEYS[1], '*', field, payload)
    end
    if type(res) == 'table' and res.err then
      if member == '' then redis.call('DEL', key) else redis.call('SREM', key, member) end
      return res
    end
    if member ~= '' then redis.call('EXPIRE', key, ttl) end
    flags[j] = '1'
  else
    flags[j] = '0'
  end
end
return table.concat(flags)
`)

// unavailable classifies a Redis failure as EUNAVAILABLE, keeping the cause for logs.
func unavailable(what string, err error) error {
	return fmt.Errorf("%w: %w", fleet.Errorf(fleet.EUNAVAILABLE, "%s is unavailable; try again", what), err)
}

// Producer appends validated events to the ingest stream, dropping replays.
//
// Concurrent webhook requests share script calls (group commit): a request that finds no
// call in flight makes one for itself and every request queued behind it, up to
// enqueueChunk events; the others wait for it, and each gets its own count back. At a steady
// trickle every request still goes alone, with no wait added; under load, or after a stall,
// the queue goes to Redis in one round trip instead of one each, which was a third of the
// webhook's CPU on either side of the socket. No library offers this for go-redis (its
// pipelines are explicit), and it is one mutex and a queue.
type Producer struct {
	rdb  *redis.Client
	keys fleet.Keys

	mu       sync.Mutex
	queue    []*enqueueCall // FIFO; the head's goroutine leads the next call
	flushing bool           // a leader is at work
}

// enqueueCall is one request's events waiting in the queue.
type enqueueCall struct {
	events   []Event
	wake     chan struct{} // signalled when served, or when it must lead
	lead     bool          // it must make the next call (under mu)
	served   bool          // accepted and err are set (under mu)
	accepted int
	err      error
}

// NewProducer returns a Producer writing under prefix.
func NewProducer(rdb *redis.Client, prefix string) *Producer {
	return &Producer{rdb: rdb, keys: fleet.Keys{Prefix: prefix}}
}

// enqueueChunk bounds the events one script call appends: Redis runs a script alone, so a
// 1 MiB body of 4,000 events is cut into turns that let other clients in between.
const enqueueChunk = 200

// groupMax is the largest request that shares calls. Larger ones are their own round trip's
// worth already, and go straight to Redis side by side: one call at a time for bodies of 100
// halved their rate.
const groupMax = 16

// Enqueue appends the events not seen in the last SeenTTL to {prefix}:ingest and returns how
// many were appended and how many were replays. Each event is marked seen in the same atomic
// step that appends it. When it returns an error (EUNAVAILABLE when Redis cannot be written),
// some events may be in the stream; a retry counts those as duplicates, never as second
// entries.
func (p *Producer) Enqueue(ctx context.Context, events []Event) (accepted, duplicates int, err error) {
	if len(events) <= groupMax {
		accepted, err = p.grouped(ctx, events)
	} else {
		for start := 0; start < len(events) && err == nil; start += enqueueChunk {
			var flags string
			flags, err = p.run(ctx, events[start:min(start+enqueueChunk, len(events))])
			accepted += strings.Count(flags, "1")
		}
	}
	if err != nil {
		return 0, 0, err
	}
	return accepted, len(events) - accepted, nil
}

// grouped queues events and waits for a call to carry them, making that call itself when no
// other request is.
func (p *Producer) grouped(ctx context.Context, events []Event) (int, error) {
	c := &enqueueCall{events: events, wake: make(chan struct{}, 1)}
	p.mu.Lock()
	p.queue = append(p.queue, c)
	lead := !p.flushing
	p.flushing = true
	p.mu.Unlock()
	for !lead {
		<-c.wake
		p.mu.Lock()
		served := c.served
		lead = c.lead
		p.mu.Unlock()
		if served {
			return c.accepted, c.err
		}
	}
	// Leading: c is the queue's head. The call carries on when the request that made it
	// goes away; the others are waiting for it.
	p.flush(context.WithoutCancel(ctx))
	return c.accepted, c.err
}

// flush makes one script call for the head of the queue and as many calls behind it as fit
// in enqueueChunk events, hands each its result, and passes the lead to the next in line.
func (p *Producer) flush(ctx context.Context) {
	p.mu.Lock()
	n, size := 0, 0
	for n < len(p.queue) && (n == 0 || size+len(p.queue[n].events) <= enqueueChunk) {
		size += len(p.queue[n].events)
		n++
	}
	batch := slices.Clone(p.queue[:n])
	p.queue = slices.Delete(p.queue, 0, n)
	p.mu.Unlock()

	all := batch[0].events
	if len(batch) > 1 {
		all = make([]Event, 0, size)
		for _, c := range batch {
			all = append(all, c.events...)
		}
	}
	flags, err := p.run(ctx, all)

	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range batch {
		c.served, c.err = true, err
		if err == nil {
			c.accepted = strings.Count(flags[:len(c.events)], "1")
			flags = flags[len(c.events):]
		}
		c.wake <- struct{}{}
	}
	if len(p.queue) == 0 {
		p.flushing = false
		return
	}
	p.queue[0].lead = true
	p.queue[0].wake <- struct{}{}
}

// run appends events in one script call and returns its flags, one per event.
func (p *Producer) run(ctx context.Context, events []Event) (string, error) {
	keys := make([]string, 1, len(events)+1)
	keys[0] = p.keys.Ingest()
	args := make([]any, 3, 2*len(events)+3)
	args[0], args[1], args[2] = int(SeenTTL.Seconds()), EntryField, 0
	buf := make([]byte, 0, 320*len(events)) // one allocation for every payload
	for _, e := range events {
		start := len(buf)
		var err error
		if buf, err = appendEvent(buf, e); err != nil {
			return "", fmt.Errorf("encode event %s: %w", e.Key, err)
		}
		key, member := seenKey(p.keys, e)
		keys = append(keys, key)
		args = append(args, member, buf[start:len(buf):len(buf)])
	}
	flags, err := appendScript.Run(ctx, p.rdb, keys, args...).Text()
	if err != nil {
		return "", unavailable("the ingest queue", err)
	}
	if len(flags) != len(events) {
		return "", unavailable("the ingest queue", fmt.Errorf("append script answered %d flags for %d events", len(flags), len(events)))
	}
	return flags, nil
}

// NotifyStream appends typed notifications to {prefix}:notify for the Slack sender. It is
// safe for concurrent use and is handed to every package that announces something.
type NotifyStream struct {
	rdb  *redis.Client
	keys fleet.Keys
}

// NewNotifyStream returns a NotifyStream writing under prefix.
func NewNotifyStream(rdb *redis.Client, prefix string) *NotifyStream {
	return &NotifyStream{rdb: rdb, keys: fleet.Keys{Prefix: prefix}}
}

// Notify appends n as one entry whose field "n" holds its JSON. A notification whose ID was
// appended in the last SeenTTL is skipped, so a redelivered batch announces nothing twice. It
// returns EINVALID when n has no ID or kind and EUNAVAILABLE when Redis cannot be written.
func (s *NotifyStream) Notify(ctx context.Context, n fleet.Notification) error {
	return s.NotifyAll(ctx, []fleet.Notification{n})
}

// NotifyAll appends ns in order in one atomic step, skipping IDs already appended. It returns
// EINVALID when one has no ID or kind (then nothing is appended) and EUNAVAILABLE when Redis
// cannot be written.
func (s *NotifyStream) NotifyAll(ctx context.Context, ns []fleet.Notification) error {
	if len(ns) == 0 {
		return nil
	}
	keys := []string{s.keys.Notify()}
	args := []any{int(SeenTTL.Seconds()), NotifyField, notifyMaxLen}
	for _, n := range ns {
		if n.ID == "" || n.Kind == "" {
			return fleet.Errorf(fleet.EINVALID, "notification needs an ID and a kind")
		}
		if n.CreatedAt.IsZero() {
			n.CreatedAt = time.Now().UTC()
		}
		payload, err := json.Marshal(n)
		if err != nil {
			return fmt.Errorf("encode notification %s: %w", n.ID, err)
		}
		keys = append(keys, s.keys.NotifySeen(shortID(n.ID)))
		args = append(args, "", payload)
	}
	if err := appendScript.Run(ctx, s.rdb, keys, args...).Err(); err != nil {
		return unavailable("the notification queue", err)
	}
	return nil
}

// shortID keeps seen keys short and free of odd characters: long IDs are hashed.
func shortID(id string) string {
	if len(id) <= 120 {
		return id
	}
	h := fnv.New128a()
	h.Write([]byte(id))
	return fmt.Sprintf("%s~%x", id[:80], h.Sum(nil))
}

// PublishEvents appends domain events to {prefix}:events (field "e", JSON), capped at about
// the latest 100,000. Delivery is at least once: a redelivered batch may publish an event
// again. It returns EUNAVAILABLE when Redis cannot be written.
func PublishEvents(ctx context.Context, rdb *redis.Client, prefix string, events []fleet.Event) error {
	if len(events) == 0 {
		return nil
	}
	key := fleet.Keys{Prefix: prefix}.Events()
	pipe := rdb.Pipeline()
	for _, e := range events {
		payload, err := json.Marshal(e)
		if err != nil {
			return fmt.Errorf("encode event %s: %w", e.Kind, err)
		}
		pipe.XAdd(ctx, &redis.XAddArgs{Stream: key, MaxLen: eventsMaxLen, Approx: true, Values: []any{EntryField, payload}})
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return unavailable("the events stream", err)
	}
	return nil
}
