package api

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"

	"github.com/watchtower-ops/watchtower/fleet"
)

// Limiter limits requests per key with go-redis/redis_rate's GCRA bucket in Redis: Rate
// requests per minute sustained, Burst at once. Replicas sharing the Redis server share the
// buckets (fleet.Keys.APIRate). It is safe for concurrent use.
type Limiter struct {
	rl     *redis_rate.Limiter
	keys   fleet.Keys
	perMin int
	limit  redis_rate.Limit
}

// NewLimiter returns a limiter of perMinute requests per minute with bursts of burst, keeping
// its buckets under prefix. perMinute and burst below 1 count as 1.
func NewLimiter(rdb *redis.Client, prefix string, perMinute, burst int) *Limiter {
	perMinute, burst = max(perMinute, 1), max(burst, 1)
	return &Limiter{rl: redis_rate.NewLimiter(rdb), keys: fleet.Keys{Prefix: prefix}, perMin: perMinute,
		limit: redis_rate.Limit{Rate: perMinute, Burst: burst, Period: time.Minute}}
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
	res, err := l.rl.Allow(ctx, l.keys.APIRate(key), l.limit)
	if err != nil {
		return Decision{}, fmt.Errorf("rate limit %s: %w: %v", key, fleet.Errorf(fleet.EUNAVAILABLE, "rate limiter unavailable"), err)
	}
	return Decision{Allowed: res.Allowed > 0, Remaining: res.Remaining,
		RetryAfter: max(res.RetryAfter, 0), ResetAfter: max(res.ResetAfter, 0)}, nil
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
