package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"
	"github.com/slack-go/slack"

	"github.com/watchtower-ops/watchtower/fleet"
)

// Notify stream names of the contract (DESIGN.md, "Redis keys").
const (
	NotifyGroup = "slack" // consumer group of the sender on {prefix}:notify
	notifyField = "n"     // entry field holding the notification's JSON
	chartField  = "chart_png"
	sentTTL     = 48 * time.Hour // far beyond any redelivery of a pending entry
)

// AlertThreads finds and records where an incident's Slack thread is. *store.Store satisfies
// it.
type AlertThreads interface {
	// AlertByID returns alert id. It returns ENOTFOUND.
	AlertByID(ctx context.Context, id int64) (fleet.Alert, error)
	// SetAlertSlack records the parent message of alert id. It returns ENOTFOUND.
	SetAlertSlack(ctx context.Context, id int64, channel, ts string) error
}

// TripMessages finds trips and records where their approval message is. *store.Store
// satisfies it.
type TripMessages interface {
	// TripByCode returns the trip with code. It returns ENOTFOUND.
	TripByCode(ctx context.Context, code string) (fleet.Trip, error)
	// SetTripSlackMessage records the approval message of trip code. It returns ENOTFOUND.
	SetTripSlackMessage(ctx context.Context, code, channel, ts string) error
	// TripBySlackMessage returns the trip whose approval message is channel/ts. It returns
	// ENOTFOUND.
	TripBySlackMessage(ctx context.Context, channel, ts string) (fleet.Trip, error)
}

// slackAPI is the part of the Slack Web API the sender and the app use; *slack.Client and
// *socketmode.Client have it.
type slackAPI interface {
	PostMessageContext(ctx context.Context, channelID string, options ...slack.MsgOption) (string, string, error)
	UpdateMessageContext(ctx context.Context, channelID, timestamp string, options ...slack.MsgOption) (string, string, string, error)
	PostEphemeralContext(ctx context.Context, channelID, userID string, options ...slack.MsgOption) (string, error)
	UploadFileContext(ctx context.Context, params slack.UploadFileParameters) (*slack.FileSummary, error)
}

// SenderConfig configures the notification sender.
type SenderConfig struct {
	Prefix     string                    // REDIS_PREFIX
	Channels   map[fleet.Audience]string // SLACK_ALERTS_CHANNEL, SLACK_SUMMARY_CHANNEL, SLACK_DISPATCH_CHANNEL
	Consumer   string                    // consumer name in the group; default the host name
	PerSecond  float64                   // messages per second per channel; default 1
	Burst      int                       // short burst allowed per channel; default 3
	MaxTries   int                       // tries of an unclassified Slack error before dead-lettering; default 5
	ClaimIdle  time.Duration             // another consumer's pending entries idle this long are taken over; default 10 s
	MaxBackoff time.Duration             // longest wait between transient retries; default 1 min
	Block      time.Duration             // how long one read waits for new entries (bounds shutdown); default 1 s
	Metrics    *Metrics                  // nil counts nothing
	Routes     fleet.AlertRoutes         // ALERT_ROUTES: alert channels by kind or severity
	Oncall     string                    // SLACK_ONCALL: user or user-group ID escalations mention
	DigestInfo bool                      // ALERT_DIGEST_EVERY > 0: info alerts come in digests, not one by one
}

// defaultClaimIdle is how long another consumer's entry stays pending before this one takes it
// over. It may be shorter than one delivery (a Slack call may take callTimeout): a take-over
// of an entry still being delivered waits on the delivery lock, which its holder renews, and
// then finds it done, so nothing is posted twice. With lockTTL it bounds how late a crashed
// replica's entries go out.
const defaultClaimIdle = 10 * time.Second

func (c *SenderConfig) defaults() {
	if c.Consumer == "" {
		c.Consumer, _ = os.Hostname()
		if c.Consumer == "" {
			c.Consumer = "watchtower"
		}
	}
	if c.PerSecond <= 0 {
		c.PerSecond = 1
	}
	if c.Burst <= 0 {
		c.Burst = 3
	}
	if c.MaxTries <= 0 {
		c.MaxTries = 5
	}
	if c.ClaimIdle <= 0 {
		c.ClaimIdle = defaultClaimIdle
	}
	if c.MaxBackoff <= 0 {
		c.MaxBackoff = time.Minute
	}
	if c.Block <= 0 {
		c.Block = time.Second
	}
}

// Sender consumes {prefix}:notify in consumer group "slack" and posts each notification to
// Slack: one lane per channel, in stream order, at about one message per second per channel
// across all replicas (a GCRA bucket per channel in Redis).
// An entry is acknowledged only once Slack accepted it; 429s wait Retry-After, transient
// failures back off and retry for as long as it takes, and permanent failures
// (channel_not_found, not_in_channel…) go to {prefix}:notify:dead and the log.
type Sender struct {
	rdb     *redis.Client
	keys    fleet.Keys
	limiter *redis_rate.Limiter
	limit   redis_rate.Limit // per channel
	api     slackAPI
	alerts  AlertThreads
	trips   TripMessages
	r       *Renderer
	cfg     SenderConfig
	log     *slog.Logger

	mu       sync.Mutex
	parents  map[int64]parentRef // alert ID → its parent message, so updates need no lookup
	lanes    map[string]*lane
	inflight map[string]bool // entry IDs queued or being delivered here, not to dispatch twice
	wg       sync.WaitGroup
}

// parentRef is where a parent message is.
type parentRef struct{ channel, ts string }

// lane delivers one channel's notifications in order, under that channel's rate limit.
type lane struct {
	channel string
	queue   chan item
}

// item is one stream entry and the notification decoded from it.
type item struct {
	msg redis.XMessage
	n   fleet.Notification
	err error // the entry is not a notification: it is dead-lettered
}

// NewSender returns a Sender posting through api (a *slack.Client or *socketmode.Client).
func NewSender(rdb *redis.Client, api slackAPI, alerts AlertThreads, trips TripMessages, r *Renderer, cfg SenderConfig, log *slog.Logger) *Sender {
	cfg.defaults()
	limit := redis_rate.Limit{Rate: 1, Burst: cfg.Burst, Period: time.Duration(float64(time.Second) / cfg.PerSecond)}
	return &Sender{rdb: rdb, keys: fleet.Keys{Prefix: cfg.Prefix}, limiter: redis_rate.NewLimiter(rdb), limit: limit, api: api, alerts: alerts, trips: trips, r: r, cfg: cfg, log: log,
		parents: make(map[int64]parentRef), lanes: make(map[string]*lane), inflight: make(map[string]bool)}
}

// Run reads the notify stream until ctx is done, then waits for each lane to finish the
// entry in hand and returns nil. Entries read but not delivered stay pending and are picked
// up again by this consumer on restart or by another after ClaimIdle. It returns an error only
// when the consumer group cannot be created.
func (s *Sender) Run(ctx context.Context) error {
	if err := s.ensureGroup(ctx); err != nil {
		if ctx.Err() != nil {
			return nil // stopped before it started: not a failure
		}
		return err
	}
	defer s.stopLanes()
	from := "0" // first this consumer's entries read before a restart, page by page; then ">"
	lastClaim := time.Time{}
	for ctx.Err() == nil {
		if time.Since(lastClaim) >= s.cfg.ClaimIdle/2 {
			s.claimStale(ctx)
			lastClaim = time.Now()
		}
		msgs, err := s.read(ctx, from)
		if err != nil {
			if ctx.Err() == nil {
				s.log.WarnContext(ctx, "read notify stream", "stream", s.keys.Notify(), "err", err)
				sleep(ctx, time.Second)
			}
			continue
		}
		switch {
		case from != ">" && len(msgs) == 0:
			from = ">"
		case from != ">":
			from = msgs[len(msgs)-1].ID
		}
		for _, m := range msgs {
			s.dispatch(ctx, m)
		}
	}
	return nil
}

func (s *Sender) ensureGroup(ctx context.Context) error {
	err := s.rdb.XGroupCreateMkStream(ctx, s.keys.Notify(), NotifyGroup, "0").Err()
	if err != nil && !strings.HasPrefix(err.Error(), "BUSYGROUP") {
		return fmt.Errorf("create consumer group %s on %s: %w", NotifyGroup, s.keys.Notify(), err)
	}
	return nil
}

// read returns the next entries after from: ">" for new ones (waiting up to Block, which
// also bounds how long shutdown waits), or an ID for this consumer's pending ones after it.
func (s *Sender) read(ctx context.Context, from string) ([]redis.XMessage, error) {
	block := s.cfg.Block
	if from != ">" {
		block = -1
	}
	res, err := s.rdb.XReadGroup(ctx, &redis.XReadGroupArgs{Group: NotifyGroup, Consumer: s.cfg.Consumer,
		Streams: []string{s.keys.Notify(), from}, Count: 64, Block: block}).Result()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil || len(res) == 0 {
		return nil, err
	}
	return res[0].Messages, nil
}

// claimStale takes over entries other consumers read but did not acknowledge for ClaimIdle
// (a replica that died), and dispatches them.
func (s *Sender) claimStale(ctx context.Context) {
	start := "0-0"
	for ctx.Err() == nil {
		msgs, next, err := s.rdb.XAutoClaim(ctx, &redis.XAutoClaimArgs{Stream: s.keys.Notify(), Group: NotifyGroup,
			MinIdle: s.cfg.ClaimIdle, Start: start, Count: 64, Consumer: s.cfg.Consumer}).Result()
		if err != nil {
			if ctx.Err() == nil {
				s.log.WarnContext(ctx, "claim stale notifications", "stream", s.keys.Notify(), "err", err)
			}
			return
		}
		for _, m := range msgs {
			s.dispatch(ctx, m)
		}
		if next == "0-0" || len(msgs) == 0 {
			return
		}
		start = next
	}
}

// dispatch queues m on its channel's lane, starting the lane on first use. It blocks while the
// lane is full, which holds the reader back instead of buffering without bound.
func (s *Sender) dispatch(ctx context.Context, m redis.XMessage) {
	s.mu.Lock()
	busy := s.inflight[m.ID]
	s.inflight[m.ID] = true
	s.mu.Unlock()
	if busy {
		return // reclaimed from ourselves while it waits in its lane
	}
	it := decodeItem(m)
	l := s.lane(ctx, s.channelFor(it.n))
	select {
	case l.queue <- it:
	case <-ctx.Done():
		s.done(m.ID)
	}
}

// done forgets an entry this process no longer holds.
func (s *Sender) done(id string) {
	s.mu.Lock()
	delete(s.inflight, id)
	s.mu.Unlock()
}

func (s *Sender) lane(ctx context.Context, channel string) *lane {
	s.mu.Lock()
	defer s.mu.Unlock()
	if l, ok := s.lanes[channel]; ok {
		return l
	}
	l := &lane{channel: channel, queue: make(chan item, 64)}
	s.lanes[channel] = l
	s.wg.Add(1)
	go func() { // exits when stopLanes closes the queue, after the entry in hand
		defer s.wg.Done()
		for it := range l.queue {
			if ctx.Err() == nil { // else leave it pending for the next run
				s.deliver(ctx, l, it)
			}
			s.done(it.msg.ID)
		}
	}()
	return l
}

func (s *Sender) stopLanes() {
	s.mu.Lock()
	for _, l := range s.lanes {
		close(l.queue)
	}
	s.lanes = map[string]*lane{}
	s.mu.Unlock()
	s.wg.Wait()
}

// sleep waits d or until ctx is done; it reports whether the full wait elapsed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
