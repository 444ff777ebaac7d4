package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/cenkalti/backoff/v5"
	"github.com/redis/go-redis/v9"
	"github.com/slack-go/slack"
	"github.com/slack-go/slack/socketmode"

	"github.com/watchtower-ops/watchtower/fleet"
)

// Catalog lists what the trip form offers. *store.Store satisfies it.
type Catalog interface {
	// Plates returns the plates of every truck that is not archived, sorted.
	Plates(ctx context.Context) ([]string, error)
	// ListSites returns every site that is not archived.
	ListSites(ctx context.Context) ([]fleet.Site, error)
}

// Config configures the Slack app.
type Config struct {
	Channels       map[fleet.Audience]string // checked at start: the bot must be a member
	Prefix         string                    // REDIS_PREFIX: event dedupe keys live under it
	AnswerWorkers  int                       // concurrent questions to the model; default 8
	CommandWorkers int                       // concurrent commands, clicks and forms; default 8
	QueueSize      int                       // waiting jobs per pool; default 256
	PingInterval   time.Duration             // how long without Slack's ping before reconnecting; default 30 s
	Grace          time.Duration             // how long queued work may finish at shutdown; default 8 s
	MinLeadTime    time.Duration             // the trip form's earliest departure; default 30 min
	Metrics        *Metrics                  // nil counts nothing
}

func (c *Config) defaults() {
	if c.AnswerWorkers <= 0 {
		c.AnswerWorkers = 8
	}
	if c.CommandWorkers <= 0 {
		c.CommandWorkers = 8
	}
	if c.QueueSize <= 0 {
		c.QueueSize = 256
	}
	if c.PingInterval <= 0 {
		c.PingInterval = 30 * time.Second
	}
	if c.Grace <= 0 {
		c.Grace = 8 * time.Second
	}
	if c.MinLeadTime <= 0 {
		c.MinLeadTime = fleet.DefaultThresholds().MinLeadTime
	}
}

// App is the Socket Mode app: it acknowledges every envelope at once and does the work on
// bounded worker pools (questions on one, commands, clicks and forms on another, so slow
// model answers cannot starve buttons), answering mentions and direct messages in their
// thread, slash commands through their response_url, the trip form and the approval buttons.
type App struct {
	cfg     Config
	api     *slack.Client
	client  *socketmode.Client
	h       *Handler
	catalog Catalog
	rdb     *redis.Client
	log     *slog.Logger
	users   *userCache

	botUserID, botID  string
	answers, commands *pool
}

// NewApp returns the app. api must carry the bot token, the app-level token
// (slack.OptionAppLevelToken) and SLACK_API_URL (slack.OptionAPIURL).
func NewApp(cfg Config, api *slack.Client, h *Handler, catalog Catalog, rdb *redis.Client, log *slog.Logger) *App {
	cfg.defaults()
	client := socketmode.New(api, socketmode.OptionPingInterval(cfg.PingInterval),
		socketmode.OptionLog(slog.NewLogLogger(log.Handler(), slog.LevelDebug)))
	return &App{cfg: cfg, api: api, client: client, h: h, catalog: catalog, rdb: rdb, log: log,
		users: newUserCache(api)}
}

// Run connects to Slack and serves it until ctx is done; then it stops reading first, lets
// queued work finish for up to Grace, and returns nil. It returns an error when Slack
// refuses a token (naming the variable) or the connection fails for good.
func (a *App) Run(ctx context.Context) error {
	if err := a.identify(ctx); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return err
	}
	a.checkChannels(ctx)
	a.answers = newPool(ctx, a.cfg.AnswerWorkers, a.cfg.QueueSize)
	a.commands = newPool(ctx, a.cfg.CommandWorkers, a.cfg.QueueSize)
	defer func() {
		a.answers.stop(a.cfg.Grace)
		a.commands.stop(a.cfg.Grace)
	}()
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- a.client.RunContext(runCtx) }() // returns once runCtx is done
	for {
		select {
		case <-ctx.Done():
			cancel()
			<-errc
			return nil
		case err := <-errc:
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("slack socket mode (check SLACK_APP_TOKEN): %w", err)
		case evt := <-a.client.Events:
			a.route(ctx, evt)
		}
	}
}

// identify learns the bot's own user and bot IDs (to ignore its own messages), retrying while
// Slack is unreachable. A refused bot token is an error naming SLACK_BOT_TOKEN.
func (a *App) identify(ctx context.Context) error {
	res, err := backoff.Retry(ctx, func() (*slack.AuthTestResponse, error) {
		res, err := a.api.AuthTestContext(ctx)
		if err == nil {
			return res, nil
		}
		switch code := slackCode(err); {
		case code == "invalid_auth" || code == "not_authed" || code == "token_revoked" || code == "account_inactive":
			return nil, backoff.Permanent(fmt.Errorf("slack refused SLACK_BOT_TOKEN: %w", err))
		case classify(err).class == errPermanent:
			return nil, backoff.Permanent(fmt.Errorf("slack auth.test failed (check SLACK_API_URL and SLACK_BOT_TOKEN): %w", err))
		}
		return nil, err
	}, backoff.WithBackOff(&backoff.ExponentialBackOff{InitialInterval: time.Second, RandomizationFactor: 0.5,
		Multiplier: 2, MaxInterval: time.Minute}),
		backoff.WithMaxElapsedTime(0), // Slack unreachable: keep trying until it answers or ctx ends
		backoff.WithNotify(func(err error, next time.Duration) {
			a.log.WarnContext(ctx, "slack auth.test failed; retrying", "err", err, "retry_in", next)
		}))
	if err != nil {
		return err
	}
	a.botUserID, a.botID = res.UserID, res.BotID
	a.log.InfoContext(ctx, "slack identified", "bot_user", res.UserID, "team", res.Team)
	return nil
}

// checkChannels warns about configured channels the bot cannot post to.
func (a *App) checkChannels(ctx context.Context) {
	for aud, ch := range a.cfg.Channels {
		if ch == "" {
			a.log.WarnContext(ctx, "no Slack channel configured; those notifications will be dead-lettered", "audience", string(aud))
			continue
		}
		info, err := a.api.GetConversationInfoContext(ctx, &slack.GetConversationInfoInput{ChannelID: ch})
		switch {
		case err != nil:
			a.log.WarnContext(ctx, "cannot check Slack channel", "channel", ch, "audience", string(aud), "err", err)
		case !info.IsMember && !info.IsIM:
			a.log.WarnContext(ctx, "the bot is not a member of the channel; invite it", "channel", ch, "name", info.Name, "audience", string(aud))
		}
	}
}

// ack acknowledges an envelope; an ack that cannot be queued is logged (Slack will retry).
func (a *App) ack(ctx context.Context, req *socketmode.Request, payload any) {
	if req == nil {
		return
	}
	if err := a.client.AckCtx(ctx, req.EnvelopeID, payload); err != nil && !errors.Is(err, context.Canceled) {
		a.log.WarnContext(ctx, "slack ack failed", "envelope_id", req.EnvelopeID, "err", err)
	}
}
