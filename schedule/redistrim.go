package schedule

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/watchtower-ops/watchtower/fleet"
)

// scanBatch is how many keys one SCAN step asks for.
const scanBatch = 1000

// TrimResult says what RedisTrimmer removed.
type TrimResult struct {
	Entries     int64 // stream entries trimmed
	KeysExpired int64 // dedupe keys found without an expiry and given one
}

// RedisTrimmer trims the Redis keys (fleet.Keys) under Prefix: the live streams
// (Keys.Streams) to Retention.Streams, the dead-letter streams (Keys.DeadStreams) to
// Retention.DeadLetters, by entry ID (XTRIM MINID, the ID is the append time). Dedupe keys
// (Keys.SeenPatterns) expire on their own; any found without an expiry (a crash between SET
// and EXPIRE) is given SeenTTL.
type RedisTrimmer struct {
	RDB     *redis.Client
	Prefix  string
	SeenTTL time.Duration // expiry given to orphaned dedupe keys; zero means 49 h
}

// Trim trims the streams and repairs the dedupe keys as of now. A stream that does not exist
// is skipped. It returns the first Redis error of each step, joined.
func (t RedisTrimmer) Trim(ctx context.Context, r Retention, now time.Time) (TrimResult, error) {
	var (
		res  TrimResult
		errs []error
	)
	keys := fleet.Keys{Prefix: t.Prefix}
	streams := map[string]time.Duration{}
	for _, k := range keys.Streams() {
		streams[k] = r.Streams
	}
	for _, k := range keys.DeadStreams() {
		streams[k] = r.DeadLetters
	}
	for key, keep := range streams {
		minID := strconv.FormatInt(now.Add(-keep).UnixMilli(), 10) + "-0"
		floor, err := t.groupFloor(ctx, key)
		if err != nil {
			errs = append(errs, fmt.Errorf("XINFO GROUPS %s: %w", key, err))
			continue
		}
		if floor != "" && fleet.StreamIDLess(floor, minID) {
			minID = floor // never trim what a consumer group has not delivered or acknowledged
		}
		n, err := t.RDB.XTrimMinID(ctx, key, minID).Result()
		if err != nil {
			errs = append(errs, fmt.Errorf("XTRIM %s: %w", key, err))
		}
		res.Entries += n
	}
	for _, pattern := range keys.SeenPatterns() {
		n, err := t.expireOrphans(ctx, pattern)
		res.KeysExpired += n
		if err != nil {
			errs = append(errs, fmt.Errorf("expire %s: %w", pattern, err))
		}
	}
	return res, errors.Join(errs...)
}

// groupFloor returns the oldest entry of key that some consumer group still needs: the lowest
// of each group's oldest pending entry and, past it, its last delivered one. "" when the stream
// or its groups do not exist. Retention must not trim past it: after a long Slack or database
// outage the entries waiting there are the ones "never drops" is about.
func (t RedisTrimmer) groupFloor(ctx context.Context, key string) (string, error) {
	groups, err := t.RDB.XInfoGroups(ctx, key).Result()
	if err != nil {
		if strings.Contains(err.Error(), "no such key") {
			return "", nil
		}
		return "", err
	}
	floor := ""
	for _, g := range groups {
		need := g.LastDeliveredID
		if g.Pending > 0 {
			p, err := t.RDB.XPending(ctx, key, g.Name).Result()
			if err != nil {
				return "", err
			}
			if fleet.StreamIDLess(p.Lower, need) {
				need = p.Lower
			}
		}
		if floor == "" || fleet.StreamIDLess(need, floor) {
			floor = need
		}
	}
	return floor, nil
}

// expireOrphans gives every key matching pattern that has no expiry one, and returns how many.
func (t RedisTrimmer) expireOrphans(ctx context.Context, pattern string) (int64, error) {
	ttl := t.SeenTTL
	if ttl <= 0 {
		ttl = 49 * time.Hour
	}
	var (
		cursor uint64
		fixed  int64
	)
	for {
		keys, next, err := t.RDB.Scan(ctx, cursor, pattern, scanBatch).Result()
		if err != nil {
			return fixed, err
		}
		n, err := t.expireBatch(ctx, keys, ttl)
		fixed += n
		if err != nil {
			return fixed, err
		}
		if cursor = next; cursor == 0 {
			return fixed, nil
		}
	}
}

// expireBatch sets ttl on those of keys that have no expiry, in two pipelined round trips.
func (t RedisTrimmer) expireBatch(ctx context.Context, keys []string, ttl time.Duration) (int64, error) {
	if len(keys) == 0 {
		return 0, nil
	}
	pipe := t.RDB.Pipeline()
	ttls := make([]*redis.DurationCmd, len(keys))
	for i, k := range keys {
		ttls[i] = pipe.TTL(ctx, k)
	}
	if _, err := pipe.Exec(ctx); err != nil && !errors.Is(err, redis.Nil) {
		return 0, err
	}
	var n int64
	for i, c := range ttls {
		if c.Val() == -1 { // exists without expiry (-2 would be gone)
			pipe.Expire(ctx, keys[i], ttl) // NX semantics are implicit: only orphans get here
			n++
		}
	}
	if n == 0 {
		return 0, nil
	}
	_, err := pipe.Exec(ctx)
	return n, err
}
