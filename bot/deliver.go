package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/cenkalti/backoff/v5"
	"github.com/redis/go-redis/v9"

	"github.com/watchtower-ops/watchtower/fleet"
)

// callTimeout bounds one Slack call. Calls run on a context that survives shutdown, so the
// entry in hand is finished rather than half-done.
const callTimeout = 15 * time.Second

// decodeItem decodes a notify stream entry. A notification without an ID takes the entry's.
func decodeItem(m redis.XMessage) item {
	raw, ok := m.Values[notifyField].(string)
	if !ok {
		return item{msg: m, err: fleet.Errorf(fleet.EINVALID, "entry has no %q field", notifyField)}
	}
	var n fleet.Notification
	if err := json.Unmarshal([]byte(raw), &n); err != nil {
		return item{msg: m, err: fleet.Errorf(fleet.EINVALID, "entry is not a notification: %v", err)}
	}
	if n.Kind == "" {
		return item{msg: m, n: n, err: fleet.Errorf(fleet.EINVALID, "notification has no kind")}
	}
	if n.ID == "" {
		n.ID = "entry-" + m.ID
	}
	return item{msg: m, n: n}
}

// defaultAudience is where a kind goes when the notification names no audience.
func defaultAudience(k fleet.NotificationKind) fleet.Audience {
	switch k {
	case fleet.NotifyTripApproval, fleet.NotifyTripDecided, fleet.NotifyTripEvent:
		return fleet.AudienceDispatch
	case fleet.NotifyDailySummary, fleet.NotifyWeeklyReport, fleet.NotifySyncReport:
		return fleet.AudienceSummary
	}
	return fleet.AudienceAlerts
}

// channelFor returns the channel n goes to: its own Channel, else its audience's channel.
func (s *Sender) channelFor(n fleet.Notification) string {
	if n.Channel != "" {
		return n.Channel
	}
	aud := n.Audience
	if aud == "" {
		aud = defaultAudience(n.Kind)
	}
	if n.Alert != nil && aud == fleet.AudienceAlerts {
		if ch := s.cfg.Routes.Channel(*n.Alert); ch != "" {
			return ch // ALERT_ROUTES: by kind, else by severity
		}
	}
	return s.cfg.Channels[aud]
}

// deliver posts one notification, retrying until Slack accepts it, it is dead-lettered, or
// ctx is done (then the entry stays pending and is delivered after the restart).
func (s *Sender) deliver(ctx context.Context, l *lane, it item) {
	if it.err != nil {
		s.deadLetter(ctx, it, l.channel, it.err)
		return
	}
	if l.channel == "" {
		aud := it.n.Audience
		if aud == "" {
			aud = defaultAudience(it.n.Kind)
		}
		s.deadLetter(ctx, it, "", fleet.Errorf(fleet.EINVALID, "no Slack channel is configured for %s notifications", aud))
		return
	}
	d := &delivery{s: s, lane: l, entryID: it.msg.ID, n: it.n, progress: map[string]string{}}
	tries := 0 // failures of an unclassified kind, which count towards MaxTries
	outcome, err := backoff.Retry(ctx, func() (string, error) { return s.attempt(ctx, d, it, &tries) },
		backoff.WithBackOff(&backoff.ExponentialBackOff{InitialInterval: time.Second, RandomizationFactor: 0.5,
			Multiplier: 2, MaxInterval: s.cfg.MaxBackoff}),
		backoff.WithMaxElapsedTime(0)) // never give up on a transient failure: nothing is dropped
	switch {
	case err == nil:
		s.cfg.Metrics.notification(outcome)
	case ctx.Err() == nil: // else the entry stays pending and is delivered after the restart
		s.deadLetter(ctx, it, l.channel, err)
	}
}

// lockWait is how long a delivery waits for another replica that holds its lock.
const lockWait = 2 * time.Second

// attempt makes one try at delivering d: it waits for the channel's rate limit, then takes
// the delivery lock, so a replica waiting for its turn (or one that crashed while waiting)
// never holds the lock. It returns "sent" or "duplicate" once the entry is acknowledged, a
// backoff.RetryAfterError to wait for Slack's Retry-After or another replica's lock,
// backoff.Permanent for a failure to dead-letter, and any other error to back off and retry.
func (s *Sender) attempt(ctx context.Context, d *delivery, it item, tries *int) (string, error) {
	if d.loadProgress(ctx); d.progress["done"] != "" {
		s.finish(ctx, it) // delivered before the ack was lost, or by another replica
		return "duplicate", nil
	}
	if err := d.admit(ctx); err != nil {
		return "", err // only ctx ends the wait
	}
	if !s.lock(ctx, it.n.ID) { // another replica took the entry over and is delivering it
		return "", &backoff.RetryAfterError{Duration: lockWait}
	}
	stop := s.keepLock(ctx, it)
	defer func() { stop(); s.unlock(it.n.ID) }()
	// Read the progress again under the lock: another replica may have finished the delivery
	// between the read above and taking the lock.
	if d.loadProgress(ctx); d.progress["done"] != "" {
		s.finish(ctx, it)
		return "duplicate", nil
	}
	err := d.run(ctx)
	if err == nil {
		s.finish(ctx, it)
		return "sent", nil
	}
	if ctx.Err() != nil {
		return "", err
	}
	return "", s.retryPolicy(ctx, it, d.lane, err, tries)
}

// retryPolicy turns a failed try into what backoff.Retry does next: wait Retry-After, stop
// (backoff.Permanent, the entry is dead-lettered), or back off.
func (s *Sender) retryPolicy(ctx context.Context, it item, l *lane, err error, tries *int) error {
	c := classify(err)
	log := s.log.With("entry_id", it.msg.ID, "channel", l.channel, "kind", string(it.n.Kind), "err", err)
	switch c.class {
	case errRateLimited:
		s.cfg.Metrics.limited()
		log.InfoContext(ctx, "slack rate limited; waiting", "retry_after", c.retryAfter)
		return &backoff.RetryAfterError{Duration: c.retryAfter}
	case errPermanent:
		return backoff.Permanent(err)
	case errUnknown:
		if *tries++; *tries >= s.cfg.MaxTries {
			return backoff.Permanent(err)
		}
	}
	log.WarnContext(ctx, "notification delivery failed; retrying")
	return err
}

// untilDone retries op every second while Redis is unreachable, until it succeeds or ctx is
// done: the bookkeeping after a delivery must not be lost, nor repeated Slack calls caused.
func untilDone(ctx context.Context, op func() error) {
	_, _ = backoff.Retry(ctx, func() (struct{}, error) { return struct{}{}, op() },
		backoff.WithBackOff(backoff.NewConstantBackOff(time.Second)), backoff.WithMaxElapsedTime(0))
}

// finish marks the notification delivered and acknowledges its entry, retrying while Redis
// is unreachable so a delivered entry is not posted again.
func (s *Sender) finish(ctx context.Context, it item) {
	key := s.keys.NotifySent(it.n.ID)
	logged := false
	untilDone(ctx, func() error {
		_, err := s.rdb.TxPipelined(context.WithoutCancel(ctx), func(p redis.Pipeliner) error {
			p.HSet(ctx, key, "done", time.Now().UTC().Format(time.RFC3339))
			p.Expire(ctx, key, sentTTL)
			p.XAck(ctx, s.keys.Notify(), NotifyGroup, it.msg.ID)
			return nil
		})
		if err != nil && !logged {
			s.log.WarnContext(ctx, "acknowledge notification", "entry_id", it.msg.ID, "err", err)
			logged = true
		}
		return err
	})
}

// deadLetter moves the entry to {prefix}:notify:dead with the reason, acknowledges it, and
// logs it: the one place a notification leaves the stream without reaching Slack.
func (s *Sender) deadLetter(ctx context.Context, it item, channel string, cause error) {
	raw, _ := it.msg.Values[notifyField].(string)
	s.cfg.Metrics.notification("dead")
	s.log.ErrorContext(ctx, "notification dead-lettered", "entry_id", it.msg.ID, "channel", channel,
		"kind", string(it.n.Kind), "notification_id", it.n.ID, "err", cause)
	untilDone(ctx, func() error {
		_, err := s.rdb.TxPipelined(context.WithoutCancel(ctx), func(p redis.Pipeliner) error {
			p.XAdd(ctx, &redis.XAddArgs{Stream: s.keys.NotifyDead(), Values: map[string]any{
				notifyField: raw, "entry_id": it.msg.ID, "channel": channel, "error": cause.Error(),
				"failed_at": time.Now().UTC().Format(time.RFC3339)}})
			p.XAck(ctx, s.keys.Notify(), NotifyGroup, it.msg.ID)
			return nil
		})
		return err
	})
}

// admit waits until the channel's rate limit, shared by every replica through Redis, lets one
// Slack call through. The first call of a delivery is admitted before the delivery lock is
// taken (attempt); later calls, and retries after a failed call, wait here again. When Redis
// cannot say, the call waits one interval and goes ahead: Slack's own 429s still hold it back.
func (d *delivery) admit(ctx context.Context) error {
	if d.admitted {
		return nil
	}
	s := d.s
	_, err := backoff.Retry(ctx, func() (struct{}, error) {
		res, err := s.limiter.Allow(ctx, s.keys.SlackRate(d.lane.channel), s.limit)
		switch {
		case err != nil && ctx.Err() == nil:
			s.log.WarnContext(ctx, "slack rate limiter unavailable; pacing locally", "channel", d.lane.channel, "err", err)
			sleep(ctx, s.limit.Period)
		case err == nil && res.Allowed == 0:
			return struct{}{}, &backoff.RetryAfterError{Duration: res.RetryAfter}
		}
		return struct{}{}, ctx.Err()
	}, backoff.WithMaxElapsedTime(0))
	d.admitted = err == nil
	return err
}

// wait spends the admission taken before the lock on the delivery's first Slack call, and
// waits for the rate limit before every later one.
func (d *delivery) wait(ctx context.Context) error {
	if err := d.admit(ctx); err != nil {
		return err
	}
	d.admitted = false
	return nil
}

// lockTTL bounds how long a replica killed mid-delivery keeps the others waiting for its
// delivery lock. A live delivery renews its lock every lockRenew (keepLock), so a Slack call
// that takes up to callTimeout, or a wait for the rate limit between steps, keeps it.
// Another replica that took the entry over (after ClaimIdle) thus delivers it at most
// lockTTL + lockWait after the holder died, well inside the 20 s the product promises.
const (
	lockTTL   = 6 * time.Second
	lockRenew = lockTTL / 3
)

// unlockScript deletes a lock only when this consumer holds it.
var unlockScript = redis.NewScript(`if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) end return 0`)

// lockScript takes the lock for consumer ARGV[1] for ARGV[2] ms when it is free or already
// this consumer's. A consumer name is unique in the group and stable across restarts, and one
// process delivers an entry once at a time (inflight), so a lock under this consumer's name
// that this process does not hold was left by its previous run, killed mid-delivery.
var lockScript = redis.NewScript(`local v = redis.call("get", KEYS[1])
if v == false or v == ARGV[1] then redis.call("set", KEYS[1], ARGV[1], "PX", ARGV[2]) return 1 end
return 0`)

// renewScript extends the lock by ARGV[2] ms while consumer ARGV[1] still holds it.
var renewScript = redis.NewScript(`if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("pexpire", KEYS[1], ARGV[2]) end return 0`)

// keepLock renews the delivery lock of it every lockRenew until the returned stop is called
// (at the end of the attempt); its goroutine exits then. A renewal that finds the lock gone
// (Redis unreachable for longer than lockTTL, say) is logged: another replica may then take
// the entry over, and the progress kept in Redis keeps it from repeating finished steps.
func (s *Sender) keepLock(ctx context.Context, it item) (stop func()) {
	done := make(chan struct{})
	exited := make(chan struct{})
	go func() {
		defer close(exited)
		t := time.NewTicker(lockRenew)
		defer t.Stop()
		rctx := context.WithoutCancel(ctx) // the delivery in hand outlives shutdown; so does its lock
		warned := false
		for {
			select {
			case <-done:
				return
			case <-t.C:
			}
			cctx, cancel := context.WithTimeout(rctx, lockRenew)
			ok, err := renewScript.Run(cctx, s.rdb, []string{s.keys.NotifyLock(it.n.ID)}, s.cfg.Consumer, lockTTL.Milliseconds()).Int()
			cancel()
			if (err != nil || ok == 0) && !warned {
				s.log.WarnContext(ctx, "delivery lock not renewed", "entry_id", it.msg.ID, "kind", string(it.n.Kind), "lost", ok == 0 && err == nil, "err", err)
				warned = true
			}
		}
	}()
	return func() { close(done); <-exited }
}

// lock takes the delivery lock of notification id, so that two replicas holding the same
// entry (one took it over while the other was stuck) do not post it twice. A restarted
// replica takes its own lock back at once rather than waiting lockTTL. When Redis cannot
// say, the delivery goes ahead.
func (s *Sender) lock(ctx context.Context, id string) bool {
	ok, err := lockScript.Run(ctx, s.rdb, []string{s.keys.NotifyLock(id)}, s.cfg.Consumer, lockTTL.Milliseconds()).Int()
	if err != nil {
		return true
	}
	return ok == 1
}

func (s *Sender) unlock(id string) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = unlockScript.Run(ctx, s.rdb, []string{s.keys.NotifyLock(id)}, s.cfg.Consumer).Err()
}

// loadProgress merges the steps recorded in Redis (by this or another replica) into d's.
func (d *delivery) loadProgress(ctx context.Context) {
	stored, err := d.s.rdb.HGetAll(ctx, d.s.keys.NotifySent(d.n.ID)).Result()
	if err != nil {
		return // Redis hiccup: the steps remembered in memory still count
	}
	for k, v := range stored {
		d.progress[k] = v
	}
}

// delivery is one notification being delivered; progress remembers the steps Slack already
// accepted (also kept in Redis), so a retry never posts the same message twice.
type delivery struct {
	s        *Sender
	lane     *lane
	entryID  string
	n        fleet.Notification
	progress map[string]string
	admitted bool // the rate limit let the next Slack call through already
}

// step runs fn once per notification: when it succeeded before, its recorded value is
// returned without calling Slack again.
func (d *delivery) step(ctx context.Context, name string, fn func(ctx context.Context) (string, error)) (string, error) {
	if v, ok := d.progress[name]; ok {
		return v, nil
	}
	v, err := fn(ctx)
	if err != nil {
		return "", fmt.Errorf("%s %s: %w", d.n.Kind, name, err)
	}
	if v == "" {
		v = "ok"
	}
	d.progress[name] = v
	key := d.s.keys.NotifySent(d.n.ID)
	rctx := context.WithoutCancel(ctx)
	if _, err := d.s.rdb.TxPipelined(rctx, func(p redis.Pipeliner) error {
		p.HSet(rctx, key, name, v)
		p.Expire(rctx, key, sentTTL)
		return nil
	}); err != nil {
		d.s.log.WarnContext(ctx, "record notification progress", "entry_id", d.entryID, "err", err)
	}
	return v, nil
}
