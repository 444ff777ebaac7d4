package ingest

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
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
// It returns how many items were appended.
var appendScript = redis.NewScript(`
local ttl, field, maxlen = ARGV[1], ARGV[2], tonumber(ARGV[3])
local accepted = 0
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
    accepted = accepted + 1
  end
end
return accepted
`)

// unavailable classifies a Redis failure as EUNAVAILABLE, keeping the cause for logs.
func unavailable(what string, err error) error {
	return fmt.Errorf("%w: %w", fleet.Errorf(fleet.EUNAVAILABLE, "%s is unavailable; try again", what), err)
}

// Producer appends validated events to the ingest stream, dropping replays.
type Producer struct {
	rdb  *redis.Client
	keys fleet.Keys
}

// NewProducer returns a Producer writing under prefix.
func NewProducer(rdb *redis.Client, prefix string) *Producer {
	return &Producer{rdb: rdb, keys: fleet.Keys{Prefix: prefix}}
}

// enqueueChunk bounds the events one script call appends: Redis runs a script alone, so a
// 1 MiB body of 4,000 events is cut into turns that let other clients in between.
const enqueueChunk = 200

// Enqueue appends the events not seen in the last SeenTTL to {prefix}:ingest and returns how
// many were appended and how many were replays. Each event is marked seen in the same atomic
// step that appends it. When it returns an error (EUNAVAILABLE when Redis cannot be written),
// some events may be in the stream; a retry counts those as duplicates, never as second
// entries.
func (p *Producer) Enqueue(ctx context.Context, events []Event) (accepted, duplicates int, err error) {
	for start := 0; start < len(events); start += enqueueChunk {
		n, err := p.enqueue(ctx, events[start:min(start+enqueueChunk, len(events))])
		if err != nil {
			return 0, 0, err
		}
		accepted += n
	}
	return accepted, len(events) - accepted, nil
}

func (p *Producer) enqueue(ctx context.Context, events []Event) (int, error) {
	keys := make([]string, 1, len(events)+1)
	keys[0] = p.keys.Ingest()
	args := make([]any, 3, 2*len(events)+3)
	args[0], args[1], args[2] = int(SeenTTL.Seconds()), EntryField, 0
	buf := make([]byte, 0, 320*len(events)) // one allocation for every payload
	for _, e := range events {
		start := len(buf)
		var err error
		if buf, err = appendEvent(buf, e); err != nil {
			return 0, fmt.Errorf("encode event %s: %w", e.Key, err)
		}
		key, member := seenKey(p.keys, e)
		keys = append(keys, key)
		args = append(args, member, buf[start:len(buf):len(buf)])
	}
	n, err := appendScript.Run(ctx, p.rdb, keys, args...).Int()
	if err != nil {
		return 0, unavailable("the ingest queue", err)
	}
	return n, nil
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
