package bot

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"time"

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
	tries, backoff := 0, time.Second
	for {
		d.loadProgress(ctx)
		if d.progress["done"] != "" {
			s.cfg.Metrics.notification("duplicate")
			s.finish(ctx, it) // delivered before the ack was lost, or by another replica
			return
		}
		if !s.lock(ctx, it.n.ID) { // another replica took the entry over and is delivering it
			if !sleep(ctx, 2*time.Second) {
				return
			}
			continue
		}
		// Read the progress again under the lock: another replica may have finished the
		// delivery between the read above and taking the lock.
		if d.loadProgress(ctx); d.progress["done"] != "" {
			s.unlock(it.n.ID)
			s.cfg.Metrics.notification("duplicate")
			s.finish(ctx, it)
			return
		}
		err := d.run(ctx)
		if err == nil {
			s.cfg.Metrics.notification("sent")
			s.finish(ctx, it)
			s.unlock(it.n.ID)
			return
		}
		s.unlock(it.n.ID)
		if ctx.Err() != nil {
			return
		}
		wait, dead := s.retryPolicy(ctx, it, l, err, &tries, &backoff)
		if dead {
			s.deadLetter(ctx, it, l.channel, err)
			return
		}
		if !sleep(ctx, wait) {
			return
		}
	}
}

// retryPolicy decides how long to wait before the next try, or that the entry is dead.
func (s *Sender) retryPolicy(ctx context.Context, it item, l *lane, err error, tries *int, backoff *time.Duration) (time.Duration, bool) {
	c := classify(err)
	log := s.log.With("entry_id", it.msg.ID, "channel", l.channel, "kind", string(it.n.Kind), "err", err)
	switch c.class {
	case errRateLimited:
		s.cfg.Metrics.limited()
		log.InfoContext(ctx, "slack rate limited; waiting", "retry_after", c.retryAfter)
		return c.retryAfter, false
	case errPermanent:
		return 0, true
	case errUnknown:
		if *tries++; *tries >= s.cfg.MaxTries {
			return 0, true
		}
	}
	wait := *backoff/2 + rand.N(*backoff/2+1)
	*backoff = min(*backoff*2, s.cfg.MaxBackoff)
	log.WarnContext(ctx, "notification delivery failed; retrying", "retry_in", wait)
	return wait, false
}

// finish marks the notification delivered and acknowledges its entry, retrying while Redis
// is unreachable so a delivered entry is not posted again.
func (s *Sender) finish(ctx context.Context, it item) {
	key := s.sentKey(it.n.ID)
	for attempt := 0; ; attempt++ {
		_, err := s.rdb.TxPipelined(context.WithoutCancel(ctx), func(p redis.Pipeliner) error {
			p.HSet(ctx, key, "done", time.Now().UTC().Format(time.RFC3339))
			p.Expire(ctx, key, sentTTL)
			p.XAck(ctx, s.stream(), NotifyGroup, it.msg.ID)
			return nil
		})
		if err == nil {
			return
		}
		if attempt == 0 {
			s.log.WarnContext(ctx, "acknowledge notification", "entry_id", it.msg.ID, "err", err)
		}
		if !sleep(ctx, time.Second) {
			return
		}
	}
}

// deadLetter moves the entry to {prefix}:notify:dead with the reason, acknowledges it, and
// logs it: the one place a notification leaves the stream without reaching Slack.
func (s *Sender) deadLetter(ctx context.Context, it item, channel string, cause error) {
	raw, _ := it.msg.Values[notifyField].(string)
	s.cfg.Metrics.notification("dead")
	s.log.ErrorContext(ctx, "notification dead-lettered", "entry_id", it.msg.ID, "channel", channel,
		"kind", string(it.n.Kind), "notification_id", it.n.ID, "err", cause)
	for {
		_, err := s.rdb.TxPipelined(context.WithoutCancel(ctx), func(p redis.Pipeliner) error {
			p.XAdd(ctx, &redis.XAddArgs{Stream: s.dead(), Values: map[string]any{
				notifyField: raw, "entry_id": it.msg.ID, "channel": channel, "error": cause.Error(),
				"failed_at": time.Now().UTC().Format(time.RFC3339)}})
			p.XAck(ctx, s.stream(), NotifyGroup, it.msg.ID)
			return nil
		})
		if err == nil || !sleep(ctx, time.Second) {
			return
		}
	}
}

// lockTTL bounds how long a crashed replica's delivery lock keeps others waiting.
const lockTTL = 2 * time.Minute

// unlockScript deletes a lock only when this consumer holds it.
var unlockScript = redis.NewScript(`if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) end return 0`)

func (s *Sender) lockKey(id string) string { return s.cfg.Prefix + ":notify:lock:" + id }

// lock takes the delivery lock of notification id, so that two replicas holding the same
// entry (one took it over while the other was stuck) do not post it twice. When Redis cannot
// say, the delivery goes ahead.
func (s *Sender) lock(ctx context.Context, id string) bool {
	ok, err := s.rdb.SetNX(ctx, s.lockKey(id), s.cfg.Consumer, lockTTL).Result()
	if err != nil {
		return true
	}
	return ok
}

func (s *Sender) unlock(id string) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_ = unlockScript.Run(ctx, s.rdb, []string{s.lockKey(id)}, s.cfg.Consumer).Err()
}

// loadProgress merges the steps recorded in Redis (by this or another replica) into d's.
func (d *delivery) loadProgress(ctx context.Context) {
	stored, err := d.s.rdb.HGetAll(ctx, d.s.sentKey(d.n.ID)).Result()
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
	key := d.s.sentKey(d.n.ID)
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
