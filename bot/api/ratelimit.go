package api

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/watchtower-ops/watchtower/fleet"
)

// gcraScript is the generic cell rate algorithm (the algorithm of go-redis/redis_rate) in one
// atomic step, on Redis's clock so every replica agrees. The key holds the theoretical arrival
// time (TAT) in microseconds and expires when the bucket is full again.
// KEYS[1] bucket; ARGV[1] emission interval µs (integer); ARGV[2] burst.
// Returns {allowed 0|1, remaining, retry_after µs, reset_after µs}.
var gcraScript = redis.NewScript(`
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local tat = tonumber(redis.call('GET', KEYS[1]))
if not tat or tat < now then tat = now end
local new_tat = tat + interval
local allow_at = new_tat - interval * burst
if allow_at > now then
  return {0, 0, allow_at - now, tat - now}
end
redis.call('SET', KEYS[1], string.format('%d', new_tat), 'PX', math.ceil((new_tat - now) / 1000))
return {1, math.floor((now - allow_at) / interval), 0, new_tat - now}
`)

// Limiter limits requests per key with a GCRA bucket kept in Redis: Rate requests per minute
// sustained, Burst at once. Replicas sharing the Redis server share the buckets. It is safe
// for concurrent use.
type Limiter struct {
	rdb      redis.Scripter
	prefix   string
	perMin   int
	burst    int
	interval time.Duration
}

// NewLimiter returns a limiter of perMinute requests per minute with bursts of burst, keeping
// its buckets under {prefix}:api:rate:. perMinute and burst below 1 count as 1.
func NewLimiter(rdb redis.Scripter, prefix string, perMinute, burst int) *Limiter {
	perMinute, burst = max(perMinute, 1), max(burst, 1)
	return &Limiter{rdb: rdb, prefix: prefix + ":api:rate:", perMin: perMinute, burst: burst,
		interval: max(time.Minute/time.Duration(perMinute), time.Microsecond)}
}

// Decision is the outcome of one Allow.
type Decision struct {
	Allowed    bool
	Remaining  int           // requests that may still be made at once
	RetryAfter time.Duration // when not allowed: how long until one request is
	ResetAfter time.Duration // how long until the bucket is full again
}

// Allow takes one request from key's bucket. It returns EUNAVAILABLE when Redis cannot be
// reached.
func (l *Limiter) Allow(ctx context.Context, key string) (Decision, error) {
	res, err := gcraScript.Run(ctx, l.rdb, []string{l.prefix + key}, l.interval.Microseconds(), l.burst).Int64Slice()
	if err != nil {
		return Decision{}, fmt.Errorf("rate limit %s: %w: %v", key, fleet.Errorf(fleet.EUNAVAILABLE, "rate limiter unavailable"), err)
	}
	if len(res) != 4 {
		return Decision{}, fmt.Errorf("rate limit %s: unexpected reply %v", key, res)
	}
	return Decision{Allowed: res[0] == 1, Remaining: int(res[1]),
		RetryAfter: time.Duration(res[2]) * time.Microsecond, ResetAfter: time.Duration(res[3]) * time.Microsecond}, nil
}

// setHeaders writes the limit, what remains, and on a refusal Retry-After in whole seconds
// (rounded up, at least 1).
func (l *Limiter) setHeaders(h http.Header, d Decision) {
	h.Set("X-RateLimit-Limit", strconv.Itoa(l.perMin))
	h.Set("X-RateLimit-Remaining", strconv.Itoa(d.Remaining))
	h.Set("X-RateLimit-Reset", strconv.Itoa(int(math.Ceil(d.ResetAfter.Seconds()))))
	if !d.Allowed {
		h.Set("Retry-After", strconv.Itoa(max(1, int(math.Ceil(d.RetryAfter.Seconds())))))
	}
}

// limit charges r to tok's bucket. It returns ERATELIMITED (with Retry-After set) when the
// bucket is empty. When Redis is down the request is let through, so a Redis outage does not
// take the read API down with it; the failure is counted and logged at most once a minute.
func (s *Server) limit(w http.ResponseWriter, r *http.Request, tok fleet.APIToken) error {
	d, err := s.limiter.Allow(r.Context(), strconv.FormatInt(tok.ID, 10))
	if err != nil {
		s.metrics.limiterErrors.Inc()
		s.limiterWarn.Do(func() {
			s.log.WarnContext(r.Context(), "api rate limiter unavailable; letting requests through", "err", err)
		})
		return nil
	}
	s.limiter.setHeaders(w.Header(), d)
	if !d.Allowed {
		s.metrics.rateLimited.Inc()
		return fleet.Errorf(fleet.ERATELIMITED, "rate limit of %d requests per minute exceeded; retry in %s",
			s.limiter.perMin, w.Header().Get("Retry-After")+" s")
	}
	return nil
}
