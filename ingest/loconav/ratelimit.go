package loconav

import (
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Rate-limit headers: LocoNav's samples carry X-Rate-Limit-Limit and X-Rate-Limit-Remaining;
// X-Rate-Limit-Reset and Retry-After are honoured when present.
const (
	headerRemaining  = "X-Rate-Limit-Remaining"
	headerReset      = "X-Rate-Limit-Reset"
	headerRetryAfter = "Retry-After"
)

// rateLimitWait returns how long a 429 asks the client to wait: Retry-After first (seconds or
// an HTTP date), then X-Rate-Limit-Reset. ok is false when neither says.
func rateLimitWait(h http.Header, now time.Time) (time.Duration, bool) {
	if v := strings.TrimSpace(h.Get(headerRetryAfter)); v != "" {
		if secs, err := strconv.ParseFloat(v, 64); err == nil && secs >= 0 {
			return time.Duration(secs * float64(time.Second)), true
		}
		if t, err := http.ParseTime(v); err == nil {
			return max(t.Sub(now), 0), true
		}
	}
	return resetWait(h, now)
}

// resetWait reads X-Rate-Limit-Reset, which servers send either as seconds until the window
// resets or as the Unix time it resets at; values past 10^9 are taken as Unix times.
func resetWait(h http.Header, now time.Time) (time.Duration, bool) {
	v := strings.TrimSpace(h.Get(headerReset))
	if v == "" {
		return 0, false
	}
	n, err := strconv.ParseFloat(v, 64)
	if err != nil || n < 0 {
		return 0, false
	}
	if n > 1e9 {
		return max(time.Unix(int64(n), 0).Sub(now), 0), true
	}
	return time.Duration(n * float64(time.Second)), true
}

// jitter spreads d by up to +20%.
func jitter(d time.Duration) time.Duration {
	if d <= 0 {
		return d
	}
	return d + time.Duration(rand.Int64N(int64(d)/5+1))
}
