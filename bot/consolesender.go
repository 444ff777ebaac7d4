package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/watchtower-ops/watchtower/fleet"
)

// ConsoleGroup is the consumer group of the demo console on {prefix}:notify. It is separate
// from NotifyGroup, so a console never takes a notification away from the Slack sender.
const ConsoleGroup = "console"

// ConsoleConfig configures a ConsoleSender.
type ConsoleConfig struct {
	Prefix   string // REDIS_PREFIX
	Consumer string // consumer name in ConsoleGroup; default "console"
	// Block is how long one read waits for new entries, which bounds how long shutdown
	// waits; default 1 s.
	Block time.Duration
	// Backlog is how many of the notifications that arrived while no console ran are
	// printed at start, newest last; older ones are skipped with one line saying so. Zero
	// prints none: the console shows what happens from the moment Run starts.
	Backlog int
}

// ConsoleSender prints every notification of {prefix}:notify as one line, the way the demo
// console shows alerts, trip events and digests as they happen. It reads in its own consumer
// group (ConsoleGroup), created at the stream's end the first time, so it resumes where the
// last console stopped and leaves the Slack sender's group untouched.
type ConsoleSender struct {
	rdb   *redis.Client
	keys  fleet.Keys
	r     *Renderer
	cfg   ConsoleConfig
	print func(line string)
	log   *slog.Logger
}

// NewConsoleSender returns a ConsoleSender that hands each line to print, one call per line
// (without the newline). print must be safe to call while the console answers a question;
// the demo serialises both through one writer.
func NewConsoleSender(rdb *redis.Client, r *Renderer, cfg ConsoleConfig, print func(line string), log *slog.Logger) *ConsoleSender {
	if cfg.Consumer == "" {
		cfg.Consumer = "console"
	}
	if cfg.Block <= 0 {
		cfg.Block = time.Second
	}
	return &ConsoleSender{rdb: rdb, keys: fleet.Keys{Prefix: cfg.Prefix}, r: r, cfg: cfg, print: print, log: log}
}

// Run prints notifications until ctx is done, then returns nil. Each entry is acknowledged
// once printed. With a Backlog, entries this consumer read but never acknowledged (the
// process died) are printed again first. It returns an error only when the consumer group
// cannot be created.
func (c *ConsoleSender) Run(ctx context.Context) error {
	err := c.rdb.XGroupCreateMkStream(ctx, c.keys.Notify(), ConsoleGroup, "$").Err()
	if ctx.Err() != nil {
		return nil // stopped before it started: not a failure
	}
	if err != nil && !strings.HasPrefix(err.Error(), "BUSYGROUP") {
		return fmt.Errorf("create consumer group %s on %s: %w", ConsoleGroup, c.keys.Notify(), err)
	}
	from := "0" // this consumer's unacknowledged entries first, then new ones
	if c.cfg.Backlog <= 0 {
		from = ">"
		err = c.rdb.XGroupSetID(ctx, c.keys.Notify(), ConsoleGroup, "$").Err()
	} else {
		err = c.skipBacklog(ctx)
	}
	if err != nil && ctx.Err() == nil {
		c.log.WarnContext(ctx, "skip old notifications", "stream", c.keys.Notify(), "err", err)
	}
	for ctx.Err() == nil {
		msgs, err := c.read(ctx, from)
		if err != nil {
			if ctx.Err() == nil {
				c.log.WarnContext(ctx, "read notify stream", "stream", c.keys.Notify(), "err", err)
				sleep(ctx, time.Second)
			}
			continue
		}
		if from != ">" && len(msgs) == 0 {
			from = ">"
			continue
		}
		c.printAll(ctx, msgs)
		if from != ">" {
			from = msgs[len(msgs)-1].ID
		}
	}
	return nil
}

// read returns up to 64 entries after from: ">" waits up to Block for new ones (which bounds
// how long shutdown waits); an ID pages through this consumer's pending ones.
func (c *ConsoleSender) read(ctx context.Context, from string) ([]redis.XMessage, error) {
	block := c.cfg.Block
	if from != ">" {
		block = -1
	}
	res, err := c.rdb.XReadGroup(ctx, &redis.XReadGroupArgs{Group: ConsoleGroup, Consumer: c.cfg.Consumer,
		Streams: []string{c.keys.Notify(), from}, Count: 64, Block: block}).Result()
	if errors.Is(err, redis.Nil) {
		return nil, nil
	}
	if err != nil || len(res) == 0 {
		return nil, err
	}
	return res[0].Messages, nil
}

// printAll prints msgs in order and acknowledges them. An entry that is not a notification
// is acknowledged without a line: the Slack sender dead-letters it in its own group.
func (c *ConsoleSender) printAll(ctx context.Context, msgs []redis.XMessage) {
	if len(msgs) == 0 {
		return
	}
	ids := make([]string, 0, len(msgs))
	for _, m := range msgs {
		if it := decodeItem(m); it.err == nil {
			c.print(c.Line(it.n))
		}
		ids = append(ids, m.ID)
	}
	if err := c.rdb.XAck(context.WithoutCancel(ctx), c.keys.Notify(), ConsoleGroup, ids...).Err(); err != nil {
		c.log.WarnContext(ctx, "acknowledge printed notifications", "stream", c.keys.Notify(), "err", err)
	}
}

// skipBacklog moves the group past all but the latest Backlog entries it has not read yet, so
// a console opened after days of `watchtower serve` does not print thousands of lines.
func (c *ConsoleSender) skipBacklog(ctx context.Context) error {
	groups, err := c.rdb.XInfoGroups(ctx, c.keys.Notify()).Result()
	if err != nil {
		return err
	}
	for _, g := range groups {
		if g.Name != ConsoleGroup {
			continue
		}
		if g.Lag >= 0 && g.Lag <= int64(c.cfg.Backlog) {
			return nil
		}
		newest, err := c.rdb.XRevRangeN(ctx, c.keys.Notify(), "+", "("+g.LastDeliveredID, int64(c.cfg.Backlog)+1).Result()
		if err != nil || len(newest) <= c.cfg.Backlog {
			return err
		}
		if err := c.rdb.XGroupSetID(ctx, c.keys.Notify(), ConsoleGroup, newest[len(newest)-1].ID).Err(); err != nil {
			return err
		}
		skipped := "older notifications"
		if n := g.Lag - int64(c.cfg.Backlog); n == 1 {
			skipped = "1 older notification"
		} else if n > 1 {
			skipped = fmt.Sprintf("%d older notifications", n)
		}
		c.print(fmt.Sprintf("… %s from while no console ran are skipped; the latest %d follow", skipped, c.cfg.Backlog))
	}
	return nil
}

// Line renders n as the console prints it: the local time it happened, an icon for what it
// is, and the one-line form of the message Slack would post. A trip awaiting approval says
// how to decide it.
func (c *ConsoleSender) Line(n fleet.Notification) string {
	at := n.CreatedAt
	if at.IsZero() {
		at = c.r.now()
	}
	line := c.r.Notification(n).ConsoleLine()
	if icon := notificationIcon(n); icon != "" {
		line = plain(icon) + " " + line
	}
	if n.Kind == fleet.NotifyTripApproval && n.Trip != nil && n.Trip.Status == fleet.TripPendingApproval {
		line += fmt.Sprintf(" — type 'approve %s' or 'reject %s [reason]'", n.Trip.Code, n.Trip.Code)
	}
	return at.In(c.r.Zone).Format("15:04") + " " + line
}

// notificationIcon is the emoji that leads a notification's line; trip events carry their
// own.
func notificationIcon(n fleet.Notification) string {
	switch n.Kind {
	case fleet.NotifyAlertOpened:
		if n.Alert != nil {
			return severityEmoji(*n.Alert)
		}
		return ":warning:"
	case fleet.NotifyAlertUpdated:
		return ":arrows_counterclockwise:"
	case fleet.NotifyAlertResolved:
		return ":white_check_mark:"
	case fleet.NotifyTripApproval, fleet.NotifyTripDecided:
		if n.Trip != nil {
			return tripEmoji(n.Trip.Status)
		}
		return ":truck:"
	case fleet.NotifyTripEvent:
		return ""
	case fleet.NotifyDailySummary, fleet.NotifyWeeklyReport:
		return ":bar_chart:"
	}
	return ":gear:"
}

// CaughtUp reports whether every notification appended so far has been printed and
// acknowledged. The demo's script mode waits for it before it exits, so the events a script
// caused are in its output.
func (c *ConsoleSender) CaughtUp(ctx context.Context) (bool, error) {
	groups, err := c.rdb.XInfoGroups(ctx, c.keys.Notify()).Result()
	if err != nil {
		return false, err
	}
	newest, err := c.rdb.XRevRangeN(ctx, c.keys.Notify(), "+", "-", 1).Result()
	if err != nil {
		return false, err
	}
	for _, g := range groups {
		if g.Name == ConsoleGroup {
			return g.Pending == 0 && (len(newest) == 0 || !fleet.StreamIDLess(g.LastDeliveredID, newest[0].ID)), nil
		}
	}
	return false, nil
}
