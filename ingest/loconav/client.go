package loconav

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/cenkalti/backoff/v5"
	"golang.org/x/time/rate"

	"github.com/watchtower-ops/watchtower/fleet"
)

// Defaults of Config.
const (
	// DefaultRate is the client-side request rate: 4 a second is 240 a minute, under LocoNav's
	// documented 500 calls per 60-second window per endpoint even if every call hits one.
	DefaultRate  = 4
	DefaultBurst = 4
	// DefaultTimeout bounds one HTTP request (connect, send, wait, read).
	DefaultTimeout = 30 * time.Second
	// DefaultMaxRetries is how many times a 429, and for idempotent calls a 5xx or a transport
	// failure, is retried before the call fails.
	DefaultMaxRetries = 4
	// DefaultMaxWait caps one wait asked for by Retry-After or X-Rate-Limit-Reset.
	DefaultMaxWait = time.Minute
)

// maxBody bounds a response body; LocoNav's largest answers (trip lists) are well under it.
const maxBody = 16 << 20

// Config configures a Client. BaseURL and Token are required.
type Config struct {
	BaseURL    string       // LOCONAV_API_URL, e.g. https://api.a.loconav.com/integration/api/v1
	Token      string       // LOCONAV_API_TOKEN, sent as User-Authentication
	HTTPClient *http.Client // nil: a client with DefaultTimeout
	Rate       rate.Limit   // requests per second; 0: DefaultRate
	Burst      int          // 0: DefaultBurst
	MaxRetries int          // 0: DefaultMaxRetries; negative: no retries
	MaxWait    time.Duration
	// Backoff is the first wait after a failure without rate-limit headers; it doubles per
	// attempt up to MaxWait. 0: 500 ms.
	Backoff time.Duration
}

// Client calls LocoNav's Integration API. It is safe for concurrent use; all calls share one
// rate limiter.
type Client struct {
	base  *url.URL
	token string
	hc    *http.Client
	// limiter paces this process's calls. It stays in-process (x/time/rate, not redis_rate):
	// the Client has no Redis, and LocoNav's own X-Rate-Limit-Remaining and Retry-After
	// answers, which every replica honours (notePause, rateLimitWait), are the shared limit.
	limiter *rate.Limiter
	retries int
	maxWait time.Duration
	backoff time.Duration

	mu         sync.Mutex
	pauseUntil time.Time // set when LocoNav says no calls remain in its window
}

// New returns a Client for cfg. It returns EINVALID when the base URL is not an absolute
// http(s) URL or the token is empty; no message contains the token.
func New(cfg Config) (*Client, error) {
	u, err := url.Parse(strings.TrimRight(cfg.BaseURL, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fleet.Errorf(fleet.EINVALID, "the LocoNav API URL must be an absolute http(s) URL")
	}
	if strings.TrimSpace(cfg.Token) == "" {
		return nil, fleet.Errorf(fleet.EINVALID, "the LocoNav API token is empty")
	}
	c := &Client{base: u, token: cfg.Token, hc: cfg.HTTPClient, retries: cfg.MaxRetries,
		maxWait: cfg.MaxWait, backoff: cfg.Backoff}
	if c.hc == nil {
		c.hc = &http.Client{Timeout: DefaultTimeout}
	}
	r, burst := cfg.Rate, cfg.Burst
	if r <= 0 {
		r = DefaultRate
	}
	if burst <= 0 {
		burst = DefaultBurst
	}
	c.limiter = rate.NewLimiter(r, burst)
	switch {
	case c.retries == 0:
		c.retries = DefaultMaxRetries
	case c.retries < 0:
		c.retries = 0
	}
	if c.maxWait <= 0 {
		c.maxWait = DefaultMaxWait
	}
	if c.backoff <= 0 {
		c.backoff = 500 * time.Millisecond
	}
	return c, nil
}

// request is one API call.
type request struct {
	call       string     // names the call in errors: "ListVehicles(page=2)"
	method     string     // GET, POST, PUT, DELETE
	path       string     // below the base URL: "/vehicles"
	query      url.Values // nil for none
	body       any        // sent as JSON when not nil
	idempotent bool       // a 5xx or transport failure may be retried
}

// response is what came back from one attempt.
type response struct {
	status int
	header http.Header
	body   []byte
}

// do runs r, waiting for the rate limiter, retrying as the request allows, and decodes the
// "data" member of a successful answer into out (when out is not nil).
func (c *Client) do(ctx context.Context, r request, out any) error {
	var payload []byte
	if r.body != nil {
		var err error
		if payload, err = json.Marshal(r.body); err != nil {
			return fmt.Errorf("loconav %s: encode request: %w", r.call, err)
		}
	}
	resp, err := backoff.Retry(ctx, func() (response, error) { return c.attempt(ctx, r, payload) },
		backoff.WithBackOff(c.newBackOff()), backoff.WithMaxTries(uint(c.retries)+1), backoff.WithMaxElapsedTime(0))
	var again *retryStatus
	if err != nil && !errors.As(err, &again) {
		return transportError(r.call, err)
	}
	return decode(r.call, resp, out)
}

// retryStatus is an answer worth another attempt (a 429, or a 5xx to an idempotent call);
// when the tries run out, the answer itself is decoded into the call's error.
type retryStatus struct{ status int }

func (e *retryStatus) Error() string { return fmt.Sprintf("status %d", e.status) }

// attempt makes one call after waiting for the rate limiter. An error other than retryStatus
// is a transport failure, retried only for idempotent calls.
func (c *Client) attempt(ctx context.Context, r request, payload []byte) (response, error) {
	if err := c.wait(ctx); err != nil {
		return response{}, backoff.Permanent(err)
	}
	resp, err := c.send(ctx, r, payload)
	if err != nil {
		if ctx.Err() != nil || !r.idempotent {
			return response{}, backoff.Permanent(err)
		}
		return response{}, err
	}
	c.notePause(resp.header)
	switch {
	case resp.status == http.StatusTooManyRequests: // LocoNav did not process it
		if d, ok := rateLimitWait(resp.header, time.Now()); ok {
			return resp, errors.Join(&retryStatus{resp.status}, &backoff.RetryAfterError{Duration: min(d, c.maxWait)})
		}
		return resp, &retryStatus{resp.status}
	case resp.status >= 500 && r.idempotent:
		return resp, &retryStatus{resp.status}
	}
	return resp, nil
}

// send makes one HTTP attempt and reads the whole (bounded) body.
func (c *Client) send(ctx context.Context, r request, payload []byte) (response, error) {
	u := *c.base
	u.Path = c.base.Path + r.path
	if r.query != nil {
		u.RawQuery = r.query.Encode()
	}
	var body io.Reader
	if payload != nil {
		body = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u.String(), body)
	if err != nil {
		return response{}, err
	}
	req.Header.Set("User-Authentication", c.token)
	req.Header.Set("Accept", "application/json")
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return response{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return response{}, fmt.Errorf("read response: %w", err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b}, nil
}

// decode turns a final answer into out or an *Error.
func decode(call string, resp response, out any) error {
	if resp.status < 200 || resp.status > 299 {
		return statusError(call, resp.status, resp.body)
	}
	var env struct {
		Success json.RawMessage `json:"success"` // a boolean; absent from DELETE's {"status": true, …}
		Data    json.RawMessage `json:"data"`
	}
	if len(bytes.TrimSpace(resp.body)) == 0 {
		if out == nil {
			return nil
		}
		return &Error{Call: call, Status: resp.status, Message: "empty response",
			kind: fleet.Errorf(fleet.EUNAVAILABLE, "LocoNav sent an empty answer to %s", call)}
	}
	if err := json.Unmarshal(resp.body, &env); err != nil {
		return &Error{Call: call, Status: resp.status, Message: "malformed JSON", cause: err,
			kind: fleet.Errorf(fleet.EUNAVAILABLE, "LocoNav sent a malformed answer to %s", call)}
	}
	if ok := string(bytes.TrimSpace(env.Success)); ok == "false" || ok == `"false"` {
		return statusError(call, resp.status, resp.body)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(env.Data, out); err != nil {
		return &Error{Call: call, Status: resp.status, Message: "unexpected data", cause: err,
			kind: fleet.Errorf(fleet.EUNAVAILABLE, "LocoNav sent an unexpected answer to %s", call)}
	}
	return nil
}

// wait blocks until a call may be made: after any pause LocoNav asked for, then by the limiter.
func (c *Client) wait(ctx context.Context) error {
	c.mu.Lock()
	until := c.pauseUntil
	c.mu.Unlock()
	if d := time.Until(until); d > 0 {
		if err := sleep(ctx, d); err != nil {
			return err
		}
	}
	return c.limiter.Wait(ctx)
}

// notePause remembers LocoNav's "no calls left in this window" so the next call waits for the
// window to reset instead of earning a 429.
func (c *Client) notePause(h http.Header) {
	if strings.TrimSpace(h.Get(headerRemaining)) != "0" {
		return
	}
	d, ok := resetWait(h, time.Now())
	if !ok {
		d = time.Second
	}
	c.mu.Lock()
	if t := time.Now().Add(min(d, c.maxWait)); t.After(c.pauseUntil) {
		c.pauseUntil = t
	}
	c.mu.Unlock()
}

// newBackOff is the wait before another attempt when LocoNav gave no rate-limit headers:
// Backoff doubled per attempt up to MaxWait, spread by ±20% so replicas do not retry in step.
func (c *Client) newBackOff() *backoff.ExponentialBackOff {
	return &backoff.ExponentialBackOff{InitialInterval: c.backoff, RandomizationFactor: 0.2, Multiplier: 2,
		MaxInterval: c.maxWait}
}

// sleep waits d or until ctx is done, returning ctx's error then.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// IsRetryable reports whether err is worth trying again later: LocoNav unreachable, failing or
// rate limiting. A rejected token or a refused request is not.
func IsRetryable(err error) bool {
	switch fleet.ErrorCode(err) {
	case fleet.EUNAVAILABLE, fleet.ERATELIMITED:
		return true
	}
	return errors.Is(err, context.DeadlineExceeded)
}
