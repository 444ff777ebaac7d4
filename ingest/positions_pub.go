package ingest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/watchtower-ops/watchtower/fleet"
)

// positionsMaxLen caps {prefix}:positions: at 1,000 trucks reporting every 30 s it keeps
// about ten minutes, enough for a map that lost its connection to catch up by Last-Event-ID.
const positionsMaxLen = 20_000

// PositionFix is one entry of the positions stream.
type PositionFix = fleet.Fix

// PositionStream appends to and reads {prefix}:positions. It is safe for concurrent use.
type PositionStream struct {
	rdb *redis.Client
	key string
}

// NewPositionStream returns the positions stream of prefix on rdb.
func NewPositionStream(rdb *redis.Client, prefix string) *PositionStream {
	return &PositionStream{rdb: rdb, key: fleet.Keys{Prefix: prefix}.Positions()}
}

// Publish appends the fixes of obs that name a truck, in one round trip. It returns
// EUNAVAILABLE when Redis cannot be reached.
func (p *PositionStream) Publish(ctx context.Context, obs []fleet.Observation) error {
	buf := make([]byte, 0, 320*len(obs)) // every payload, one after the other (about 280 bytes each)
	ends := make([]int, 0, len(obs))
	for _, o := range obs {
		if o.Position == nil || o.Position.Plate == "" {
			continue // a fix known only by its device shows with the next snapshot
		}
		var err error
		if buf, err = appendPosition(buf, o.Position); err != nil {
			return fmt.Errorf("encode position of %s: %w", o.Position.Plate, err)
		}
		ends = append(ends, len(buf))
	}
	if len(ends) == 0 {
		return nil
	}
	pipe := p.rdb.Pipeline()
	start := 0
	for _, end := range ends {
		pipe.XAdd(ctx, &redis.XAddArgs{Stream: p.key, MaxLen: positionsMaxLen, Approx: true, Values: []any{EntryField, buf[start:end:end]}})
		start = end
	}
	if _, err := pipe.Exec(ctx); err != nil {
		return unavailable("the positions stream", err)
	}
	return nil
}

// Read returns up to count fixes after the entry ID after ("0": from the oldest kept), waiting
// up to block for the first one when there are none yet (block < 0: not at all). Entries that
// do not decode are skipped. It returns EUNAVAILABLE when Redis cannot be reached.
func (p *PositionStream) Read(ctx context.Context, after string, count int, block time.Duration) ([]PositionFix, error) {
	if after == "" {
		after = "0"
	}
	res, err := p.rdb.XRead(ctx, &redis.XReadArgs{Streams: []string{p.key, after}, Count: int64(count), Block: block}).Result()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, nil
		}
		return nil, unavailable("the positions stream", err)
	}
	if len(res) == 0 {
		return nil, nil
	}
	out := make([]PositionFix, 0, len(res[0].Messages))
	for _, m := range res[0].Messages {
		raw, ok := m.Values[EntryField].(string)
		var pos fleet.Position
		if !ok || json.Unmarshal([]byte(raw), &pos) != nil {
			continue
		}
		out = append(out, PositionFix{ID: m.ID, Position: pos})
	}
	return out, nil
}

// Bounds returns the IDs of the oldest and the newest entry kept ("" and "" when the stream is
// empty or missing). It returns EUNAVAILABLE when Redis cannot be reached.
func (p *PositionStream) Bounds(ctx context.Context) (first, last string, err error) {
	pipe := p.rdb.Pipeline()
	head := pipe.XRangeN(ctx, p.key, "-", "+", 1)
	tail := pipe.XRevRangeN(ctx, p.key, "+", "-", 1)
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return "", "", unavailable("the positions stream", err)
	}
	if h := head.Val(); len(h) > 0 {
		first = h[0].ID
	}
	if t := tail.Val(); len(t) > 0 {
		last = t[0].ID
	}
	return first, last, nil
}
