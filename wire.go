package main

import (
	"context"
	"fmt"
	"math"
	"os"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/watchtower-ops/watchtower/bot"
	"github.com/watchtower-ops/watchtower/bot/api"
	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/ingest"
	"github.com/watchtower-ops/watchtower/ingest/envcfg"
	"github.com/watchtower-ops/watchtower/ingest/loconav"
	"github.com/watchtower-ops/watchtower/ingest/server"
	"github.com/watchtower-ops/watchtower/schedule"
	"github.com/watchtower-ops/watchtower/store/sheets"
	"github.com/watchtower-ops/watchtower/tools"
)

// component is a long-running part of Watch Tower: it runs until ctx is done and returns nil
// then, or returns an error that stops the whole process.
type component func(ctx context.Context) error

// parts are what several features share, each built once per process by newParts: one notify
// stream, one LocoNav client (one rate limiter under LocoNav's limit), one set of fleet
// functions (one nearby index) and one scheduler, so the cron and Slack's /watchtower
// jobs|run see the same runs in flight.
type parts struct {
	notify    *ingest.NotifyStream
	loconav   *loconav.Client // nil without LOCONAV_API_TOKEN
	tools     fleetTools
	scheduler *schedule.Scheduler
	maps      *api.MapLinker // the /watchtower map links
}

// build builds every part of a running Watch Tower, top to bottom: the shared parts, then
// each feature, inputs first. It mounts the HTTP handlers on a.mux, registers the metrics on
// a.registry, and returns the shared parts and the components to run.
func (a *app) build(ctx context.Context) (*parts, []component, error) {
	a.log.InfoContext(ctx, "starting watchtower", "version", version, "cfg", a.cfg)
	for _, w := range a.cfg.Warnings() {
		a.log.WarnContext(ctx, w)
	}
	server.MountHealth(a.mux, a.pool.Ping, func(ctx context.Context) error { return a.rdb.Ping(ctx).Err() })
	p, err := newParts(ctx, a)
	if err != nil {
		return nil, nil, err
	}
	comps := []component{p.tools.Index.Run}
	for _, wire := range []func(context.Context, *app, *parts) ([]component, error){
		wireIngest, wireLoconav, wireSchedule, wireBot, wireAPI, wireSystemAlerts,
	} {
		cs, err := wire(ctx, a, p)
		if err != nil {
			return nil, nil, err
		}
		comps = append(comps, cs...)
	}
	return p, comps, nil
}

// newParts builds the shared parts, in order.
func newParts(ctx context.Context, a *app) (*parts, error) {
	p := &parts{notify: ingest.NewNotifyStream(a.rdb, a.cfg.RedisPrefix),
		maps: api.NewMapLinker([]byte(a.cfg.TrackingSecret), a.cfg.PublicBaseURL, nil)}
	var err error
	if p.loconav, err = newLoconavClient(a.cfg); err != nil {
		return nil, err
	}
	p.tools = newFleetTools(a, p.notify)
	if p.scheduler, err = newScheduler(ctx, a, p); err != nil {
		return nil, err
	}
	return p, nil
}

// newLoconavClient is the LocoNav API client of cfg, nil without LOCONAV_API_TOKEN (the API is
// then off), or an *envcfg.Error naming LOCONAV_API_URL (never the token).
func newLoconavClient(cfg envcfg.Config) (*loconav.Client, error) {
	if cfg.LoconavAPIToken == "" {
		return nil, nil
	}
	c, err := loconav.New(loconav.Config{BaseURL: cfg.LoconavAPIURL, Token: cfg.LoconavAPIToken})
	if err != nil {
		return nil, &envcfg.Error{Var: "LOCONAV_API_URL", Reason: "is not usable: " + fleet.ErrorMessage(err)}
	}
	return c, nil
}

// fleetTools is the fleet functions and the agent over them, shared by the Slack bot, the
// console and the JSON API: one implementation, several front doors.
type fleetTools struct {
	Registry *tools.Registry   // the six functions, and ApproveTrip/RejectTrip
	Agent    *tools.Agent      // free text: the model, or the offline parser
	Index    *tools.StateIndex // nearby searches from memory; build runs it
	Tracker  *api.Tracker      // customer tracking links: LocoNav's, else signed /track links
}

// newFleetTools returns the registry over the store, with find_nearby_trucks and
// get_fleet_status answered from an in-memory index of the fleet's latest fixes (at most two
// reload intervals old), and the agent with per-thread memory in Redis.
func newFleetTools(a *app, notify *ingest.NotifyStream) fleetTools {
	idx := tools.NewStateIndex(a.store, tools.DefaultIndexInterval, a.log)
	tracker := api.NewTracker([]byte(a.cfg.TrackingSecret), a.cfg.PublicBaseURL)
	reg := tools.NewRegistry(a.store, notify, tools.Options{
		Thresholds: a.cfg.Thresholds, Location: a.cfg.Timezone, Nearby: idx, Roster: idx, Logger: a.log,
		TrackingLink: tracker.Link,
	})
	agent := tools.NewAgent(reg, tools.NewRedisMemory(a.rdb, a.cfg.RedisPrefix, tools.DefaultMemoryTTL), tools.AgentConfig{
		APIKey: a.cfg.OpenAIAPIKey, BaseURL: a.cfg.OpenAIBaseURL, Model: a.cfg.OpenAIModel, MaxRetries: 2,
	}, a.log)
	return fleetTools{Registry: reg, Agent: agent, Index: idx, Tracker: tracker}
}

// newScheduler returns the scheduler with every job of schedule.Definitions, each on its
// SCHEDULE_<JOB> spec. Jobs whose dependency is not configured are added disabled, with the
// variable to set as the reason.
func newScheduler(ctx context.Context, a *app, p *parts) (*schedule.Scheduler, error) {
	s := schedule.New(a.store, schedule.Options{Location: a.cfg.Timezone, Replica: replicaName(), Logger: a.log})
	fns := schedule.Standard(schedule.Deps{Store: a.store, Notifier: p.notify,
		Events:        ingest.NewEventStream(a.rdb, a.cfg.RedisPrefix),
		Trimmer:       schedule.RedisTrimmer{RDB: a.rdb, Prefix: a.cfg.RedisPrefix, SeenTTL: ingest.SeenTTL},
		Observing:     ingest.NewObserver(a.rdb, a.cfg.RedisPrefix, 0),
		EscalateAfter: a.cfg.AlertEscalateAfter, DigestEvery: a.cfg.AlertDigestEvery,
		Thresholds: a.cfg.Thresholds, Location: a.cfg.Timezone, Log: a.log})
	disabled := map[string]string{}
	if syncer, err := newSheetsSyncer(ctx, a, p.notify); err != nil {
		return nil, err
	} else if syncer == nil {
		disabled[schedule.JobSheetsSync] = "GOOGLE_SHEETS_ID is not set"
	} else {
		fns[schedule.JobSheetsSync] = syncer.Run
	}
	if p.loconav == nil {
		disabled[schedule.JobLoconavPoll] = "LOCONAV_API_TOKEN is not set"
		disabled[schedule.JobLoconavRoster] = "LOCONAV_API_TOKEN is not set"
	} else {
		fns[schedule.JobLoconavPoll] = loconav.NewPoller(p.loconav, a.store, ingest.NewProducer(a.rdb, a.cfg.RedisPrefix), 0, a.log).Poll
		fns[schedule.JobLoconavRoster] = loconav.NewRoster(p.loconav, a.store, 0, a.log).Import
	}
	for _, j := range schedule.Jobs(a.cfg.Schedules, fns, disabled) {
		if err := s.Add(j); err != nil {
			return nil, &envcfg.Error{Var: envcfg.ScheduleVar(j.Name), Reason: fleet.ErrorMessage(err)}
		}
	}
	return s, nil
}

// newSheetsSyncer builds the Google Sheets two-way sync (GOOGLE_SHEETS_ID,
// GOOGLE_APPLICATION_CREDENTIALS, GOOGLE_SHEETS_URL), reporting through n. With
// GOOGLE_SHEETS_ID unset it logs one line and returns nil, nil. Unusable credentials are an
// *envcfg.Error naming the variable at fault, so the process exits 2 at startup rather than
// failing every cycle. The syncer makes no request until its first cycle.
func newSheetsSyncer(ctx context.Context, a *app, n sheets.Notifier) (*sheets.Syncer, error) {
	if a.cfg.GoogleSheetsID == "" {
		a.log.InfoContext(ctx, "google sheets sync off: GOOGLE_SHEETS_ID is not set", "job", "sheets-sync")
		return nil, nil
	}
	s, err := sheets.New(ctx, a.store, n, sheets.Options{SpreadsheetID: a.cfg.GoogleSheetsID,
		CredentialsFile: a.cfg.GoogleApplicationCredentials, Endpoint: a.cfg.GoogleSheetsURL,
		Zone: a.cfg.Timezone, Thresholds: a.cfg.Thresholds, Logger: a.log})
	if err == nil {
		return s, nil
	}
	msg := fleet.ErrorMessage(err)
	for _, v := range []string{"GOOGLE_APPLICATION_CREDENTIALS", "GOOGLE_SHEETS_ID"} {
		if rest, ok := strings.CutPrefix(msg, v); ok {
			return nil, &envcfg.Error{Var: v, Reason: strings.TrimLeft(rest, ": ")}
		}
	}
	return nil, &envcfg.Error{Var: "GOOGLE_SHEETS_ID", Reason: "cannot be synced: " + msg}
}

// wireIngest mounts the LocoNav webhook listener (POST /webhooks/loconav and
// /webhooks/loconav/{token}), registers ingest's metrics, and returns IngestWorkers consumer
// workers of group "processors" plus the upkeep chores.
func wireIngest(ctx context.Context, a *app, _ *parts) ([]component, error) {
	m := ingest.NewMetrics(a.registry)
	var secrets []string
	if a.cfg.LoconavWebhookSecret != "" {
		secrets = []string{a.cfg.LoconavWebhookSecret}
	}
	ingest.NewListener(ingest.NewProducer(a.rdb, a.cfg.RedisPrefix), ingest.ListenerConfig{
		Secrets: secrets, Token: a.cfg.LoconavWebhookToken, Zone: a.cfg.LoconavTimezone,
	}, m, a.log).Mount(a.mux)
	if err := ingest.EnsureGroup(ctx, a.rdb, a.cfg.RedisPrefix); err != nil {
		return nil, fmt.Errorf("ingest consumer group: %w", err)
	}
	var comps []component
	if a.cfg.IngestWorkers == 0 {
		a.log.InfoContext(ctx, "ingest consumers off (INGEST_WORKERS=0): this replica only accepts webhooks; others apply them")
	}
	for i := range a.cfg.IngestWorkers {
		c := ingest.NewConsumer(a.rdb, a.store, ingest.ConsumerConfig{
			Prefix: a.cfg.RedisPrefix, Name: fmt.Sprintf("%s-%d", hostname(), i), Batch: a.cfg.IngestBatch,
			Thresholds: a.cfg.Thresholds,
		}, m, a.log)
		comps = append(comps, c.Run)
	}
	// Offline incidents wait a start-up grace of OFFLINE_AFTER (at most five minutes), so
	// trucks that report within it after a restart are not all declared offline first.
	sweepFrom := time.Now().Add(min(a.cfg.Thresholds.OfflineAfter, maxOfflineGrace))
	u := ingest.NewUpkeep(a.rdb, a.store, ingest.UpkeepConfig{Prefix: a.cfg.RedisPrefix, Thresholds: a.cfg.Thresholds,
		SweepFrom: sweepFrom}, m, a.log)
	return append(comps, u.Run), nil
}

// maxOfflineGrace bounds how long after start-up offline incidents are held back.
const maxOfflineGrace = 5 * time.Minute

// wireLoconav returns the LocoNav trip pusher: every 15 s it creates newly approved trips in
// LocoNav with their tracking link, deletes cancelled ones there, and retries failures with
// backoff. Its work list is the trips table, so approvals made while LocoNav or this process
// was down are pushed later. The loconav-poll and loconav-roster jobs are the scheduler's.
// Without LOCONAV_API_TOKEN the LocoNav API is off, said in one log line.
func wireLoconav(ctx context.Context, a *app, p *parts) ([]component, error) {
	if p.loconav == nil {
		a.log.InfoContext(ctx, "LocoNav API off (LOCONAV_API_TOKEN is not set): no roster import, polling fallback or trip push")
		return nil, nil
	}
	return []component{loconav.NewTripPusher(p.loconav, a.store, p.notify, a.log).Run}, nil
}

// wireSchedule registers the scheduler's metrics and returns the scheduler, which fires the
// jobs of schedule.Definitions in WATCHTOWER_TIMEZONE, once per slot across replicas.
func wireSchedule(_ context.Context, a *app, p *parts) ([]component, error) {
	if err := p.scheduler.Register(a.registry); err != nil {
		return nil, fmt.Errorf("scheduler metrics: %w", err)
	}
	return []component{p.scheduler.Run}, nil
}

// wireBot builds the Slack app (Socket Mode: mentions, direct messages, slash commands, the
// trip form and approval buttons) and the notification sender. With SLACK_BOT_TOKEN and
// SLACK_APP_TOKEN unset it logs one line and adds nothing: notifications then wait in the
// notify stream until Slack is configured.
func wireBot(ctx context.Context, a *app, p *parts) ([]component, error) {
	if !a.cfg.SlackEnabled() {
		a.log.InfoContext(ctx, "slack is off: set SLACK_BOT_TOKEN and SLACK_APP_TOKEN to turn it on")
		return nil, nil
	}
	api := slack.New(a.cfg.SlackBotToken, slack.OptionAppLevelToken(a.cfg.SlackAppToken), slack.OptionAPIURL(a.cfg.SlackAPIURL))
	renderer := bot.NewRenderer(a.cfg.Timezone)
	renderer.TrackingLink = p.tools.Tracker.Link
	channels := map[fleet.Audience]string{
		fleet.AudienceAlerts:   a.cfg.SlackAlertsChannel,
		fleet.AudienceSummary:  a.cfg.SlackSummaryChannel,
		fleet.AudienceDispatch: a.cfg.SlackDispatchChannel,
		fleet.AudienceOps:      a.cfg.SlackOpsChannel,
	}
	h := newHandler(a, p, renderer, bot.Approvers(a.cfg.SlackApprovers), bot.NewOnCall(a.cfg.SlackOncall, api))
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
		"model", p.tools.Agent.Online())
	return []component{app.Run, sender.Run}, nil
}

// newHandler is the handler of chat lines and commands that Slack and the demo console share;
// approvers and on-call (nil: nobody) may act on trips and alerts.
func newHandler(a *app, p *parts, r *bot.Renderer, approvers bot.Approvers, onCall *bot.OnCall) *bot.Handler {
	return bot.NewHandler(bot.HandlerDeps{Lookups: p.tools.Registry, Desk: p.tools.Registry, Asker: p.tools.Agent,
		Jobs: p.scheduler, Trips: a.store, Alerts: p.tools.Registry, Trucks: a.store, History: a.store,
		Approvers: approvers, OnCall: onCall, Maps: p.maps, Renderer: r, Log: a.log})
}

// wireAPI mounts the JSON API (/api/v1/…), the customer tracking page (GET /track/{token})
// and the live map on the side listener, over the fleet functions Slack uses. The truck
// routes get a second registry over the same store and index whose get_fleet_status lists
// every truck, since GET /api/v1/trucks pages through that list. The returned component fans
// out the positions stream to the live map.
func wireAPI(ctx context.Context, a *app, p *parts) ([]component, error) {
	ft := p.tools
	trucks := tools.NewRegistry(a.store, p.notify, tools.Options{
		Thresholds: a.cfg.Thresholds, Location: a.cfg.Timezone, Nearby: ft.Index, Logger: a.log, MaxListed: math.MaxInt32,
	})
	srv, err := api.New(api.Deps{
		Trucks: trucks, Trips: ft.Registry, Reports: ft.Registry, Catalog: a.store, Roster: a.store, Tokens: a.store,
		Alerts: ft.Registry, Agent: ft.Agent, Audit: a.store,
		Limiter: api.NewLimiter(a.rdb, a.cfg.RedisPrefix, a.cfg.APIRateLimit, a.cfg.APIRateBurst),
		Metrics: a.registry, Log: a.log, Feed: ingest.NewPositionStream(a.rdb, a.cfg.RedisPrefix), Drivers: a.store,
	}, api.Config{TrackingSecret: []byte(a.cfg.TrackingSecret), PublicBaseURL: a.cfg.PublicBaseURL, Location: a.cfg.Timezone,
		MapTileURL: a.cfg.MapTileURL, MapTileAttribution: a.cfg.MapTileCredit})
	if err != nil {
		return nil, fmt.Errorf("api: %w", err)
	}
	srv.Mount(a.mux)
	a.log.InfoContext(ctx, "json api on", "openapi", a.cfg.PublicBaseURL+"/api/v1/openapi.json",
		"rate_per_min", a.cfg.APIRateLimit, "burst", a.cfg.APIRateBurst)
	if h := srv.Hub(); h != nil {
		return []component{h.Run}, nil
	}
	return nil, nil
}

// wireSystemAlerts returns the watch that posts Watch Tower's own incidents (failed jobs,
// dead letters, Postgres or Redis unreachable for over a minute) to SLACK_OPS_CHANNEL.
func wireSystemAlerts(_ context.Context, a *app, p *parts) ([]component, error) {
	w := &schedule.SystemWatch{Incidents: a.store, Jobs: a.store, Notifier: p.notify, Redis: a.rdb,
		Prefix: a.cfg.RedisPrefix, PingPostgres: a.pool.Ping, Location: a.cfg.Timezone, Log: a.log}
	return []component{w.Run}, nil
}

// hostname names this replica in consumer names and job claims.
func hostname() string {
	if h, _ := os.Hostname(); h != "" {
		return h
	}
	return "watchtower"
}

// replicaName is this process in the scheduler's claims: host:pid.
func replicaName() string { return fmt.Sprintf("%s:%d", hostname(), os.Getpid()) }
