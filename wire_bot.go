package main

import (
	"context"
	"fmt"

	"github.com/slack-go/slack"

	"github.com/watchtower-ops/watchtower/bot"
	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/schedule"
	"github.com/watchtower-ops/watchtower/store"
	"github.com/watchtower-ops/watchtower/tools"
)

// The store, the fleet functions, the agent and the scheduler are what the Slack app uses.
var (
	_ bot.AlertThreads = (*store.Store)(nil)
	_ bot.TripMessages = (*store.Store)(nil)
	_ bot.Catalog      = (*store.Store)(nil)
	_ bot.Lookups      = (*tools.Registry)(nil)
	_ bot.TripDesk     = (*tools.Registry)(nil)
	_ bot.Asker        = (*tools.Agent)(nil)
	_ bot.Jobs         = (*schedule.Scheduler)(nil)
)

// wireBot builds the Slack app (Socket Mode: mentions, direct messages, slash commands, the
// trip form and approval buttons) and the notification sender. With SLACK_BOT_TOKEN and
// SLACK_APP_TOKEN unset it logs one line and adds nothing: notifications then wait in the
// notify stream until Slack is configured.
func wireBot(ctx context.Context, a *app) ([]component, error) {
	if !a.cfg.SlackEnabled() {
		a.log.InfoContext(ctx, "slack is off: set SLACK_BOT_TOKEN and SLACK_APP_TOKEN to turn it on")
		return nil, nil
	}
	ft, comps := newFleetTools(a)
	sched, err := a.newScheduler(ctx) // for /watchtower jobs and run; the cron runs in wireSchedule
	if err != nil {
		return nil, err
	}
	api := slack.New(a.cfg.SlackBotToken, slack.OptionAppLevelToken(a.cfg.SlackAppToken), slack.OptionAPIURL(a.cfg.SlackAPIURL))
	renderer := bot.NewRenderer(a.cfg.Timezone)
	renderer.TrackingLink = ft.Tracker.Link
	channels := map[fleet.Audience]string{
		fleet.AudienceAlerts:   a.cfg.SlackAlertsChannel,
		fleet.AudienceSummary:  a.cfg.SlackSummaryChannel,
		fleet.AudienceDispatch: a.cfg.SlackDispatchChannel,
		fleet.AudienceOps:      a.cfg.SlackOpsChannel,
	}
	h := bot.NewHandler(bot.HandlerDeps{Lookups: ft.Registry, Desk: ft.Registry, Asker: ft.Agent,
		Jobs: sched, Trips: a.store, Alerts: ft.Registry, Trucks: a.store, History: a.store, Approvers: bot.Approvers(a.cfg.SlackApprovers),
		OnCall: bot.NewOnCall(a.cfg.SlackOncall, api), Maps: mapLinker(a), Renderer: renderer, Log: a.log})
	m, err := bot.NewMetrics(a.registry)
	if err != nil {
		return nil, fmt.Errorf("slack metrics: %w", err)
	}
	app := bot.NewApp(bot.Config{Channels: channels, Prefix: a.cfg.RedisPrefix, MinLeadTime: a.cfg.Thresholds.MinLeadTime,
		Metrics: m}, api, h, a.store, a.rdb, a.log)
	sender := bot.NewSender(a.rdb, api, a.store, a.store, renderer,
		bot.SenderConfig{Prefix: a.cfg.RedisPrefix, Channels: channels, Metrics: m,
			Routes: a.cfg.AlertRoutes, Oncall: a.cfg.SlackOncall, DigestInfo: a.cfg.AlertDigestEvery > 0}, a.log)
	a.log.InfoContext(ctx, "slack is on", "api", a.cfg.SlackAPIURL, "approvers", len(a.cfg.SlackApprovers),
		"model", ft.Agent.Online())
	return append([]component{app.Run, sender.Run}, comps...), nil
}
