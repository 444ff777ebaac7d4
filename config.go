package main

import (
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
)

// config is everything Watch Tower reads from the environment. Only main reads the environment;
// every other package receives plain values.
type config struct {
	DatabaseURL string
	RedisURL    string
	RedisPrefix string
	HTTPAddr    string
	AdminAddr   string // ADMIN_ADDR: /metrics and profiling, never on HTTPAddr

	LoconavWebhookSecret string
	LoconavWebhookToken  string
	LoconavAPIURL        string
	LoconavAPIToken      string
	LoconavTimezone      *time.Location

	SlackBotToken        string
	SlackAppToken        string
	SlackAPIURL          string
	SlackAlertsChannel   string
	SlackSummaryChannel  string
	SlackDispatchChannel string
	SlackOpsChannel      string // SLACK_OPS_CHANNEL: Watch Tower's own incidents; default SlackAlertsChannel
	SlackApprovers       []string

	OpenAIAPIKey  string
	OpenAIBaseURL string
	OpenAIModel   string

	GoogleSheetsID               string
	GoogleApplicationCredentials string
	GoogleSheetsURL              string

	TrackingSecret string
	PublicBaseURL  string // where customers reach HTTP_ADDR, for tracking links (PUBLIC_BASE_URL)
	APIRateLimit   int    // JSON API requests per minute per token (API_RATE_LIMIT)
	APIRateBurst   int    // JSON API requests per token at once (API_RATE_BURST)
	MapTileURL     string // the live map's tile URL template (MAP_TILE_URL); "": OpenStreetMap
	MapTileCredit  string // the tiles' attribution, HTML (MAP_TILE_ATTRIBUTION)
	Timezone       *time.Location
	LogLevel       slog.Level
	LogFormat      string

	Schedules     map[string]string // SCHEDULE_<JOB> cron specs by job name; absent: the job's default
	IngestWorkers int
	IngestBatch   int // entries a consumer applies per transaction (INGEST_BATCH)
	Thresholds    fleet.Thresholds

	AlertRoutes        fleet.AlertRoutes // ALERT_ROUTES
	AlertDigestEvery   time.Duration     // ALERT_DIGEST_EVERY; 0 posts each info alert
	AlertEscalateAfter time.Duration     // ALERT_ESCALATE_AFTER
	SlackOncall        string            // SLACK_ONCALL: user or user-group ID escalations mention
}

// configError is a missing or malformed variable. main exits 2 with its one-line message.
type configError struct {
	Var    string
	Reason string
}

func (e *configError) Error() string { return fmt.Sprintf("config: %s %s", e.Var, e.Reason) }

// Defaults of the contract in DESIGN.md.
const (
	defaultRedisURL     = "redis://127.0.0.1:6379/0"
	defaultRedisPrefix  = "watchtower"
	defaultHTTPAddr     = ":8080"
	defaultAdminAddr    = "127.0.0.1:9090"
	defaultLoconavURL   = "https://api.a.loconav.com/integration/api/v1"
	defaultSlackAPIURL  = "https://slack.com/api/"
	defaultOpenAIModel  = "gpt-5.4-mini"
	defaultLogLevel     = "info"
	defaultLogFormat    = "json"
	defaultIngestWorker = 2
	defaultIngestBatch  = 256
	defaultPublicURL    = "http://localhost:8080"
	defaultAPIRate      = 600
	defaultAPIBurst     = 60
	defaultEscalate     = 15 * time.Minute
)

// loadConfig reads and validates the environment through getenv. It returns a *configError
// naming the first variable that is malformed. Presence of DATABASE_URL is checked by the
// subcommands that need it (requireDatabase), so `version` and `simulate` run without it.
func loadConfig(getenv func(string) string) (config, error) {
	r := envReader{getenv: getenv}
	c := config{
		DatabaseURL:                  r.str("DATABASE_URL", ""),
		RedisURL:                     r.url("REDIS_URL", defaultRedisURL, "redis", "rediss", "unix"),
		RedisPrefix:                  r.str("REDIS_PREFIX", defaultRedisPrefix),
		HTTPAddr:                     r.addr("HTTP_ADDR", defaultHTTPAddr),
		AdminAddr:                    r.addr("ADMIN_ADDR", defaultAdminAddr),
		LoconavWebhookSecret:         r.str("LOCONAV_WEBHOOK_SECRET", ""),
		LoconavWebhookToken:          r.str("LOCONAV_WEBHOOK_TOKEN", ""),
		LoconavAPIURL:                r.url("LOCONAV_API_URL", defaultLoconavURL, "http", "https"),
		LoconavAPIToken:              r.str("LOCONAV_API_TOKEN", ""),
		SlackBotToken:                r.str("SLACK_BOT_TOKEN", ""),
		SlackAppToken:                r.str("SLACK_APP_TOKEN", ""),
		SlackAPIURL:                  r.url("SLACK_API_URL", defaultSlackAPIURL, "http", "https"),
		SlackAlertsChannel:           r.str("SLACK_ALERTS_CHANNEL", ""),
		SlackSummaryChannel:          r.str("SLACK_SUMMARY_CHANNEL", ""),
		SlackDispatchChannel:         r.str("SLACK_DISPATCH_CHANNEL", ""),
		SlackOpsChannel:              r.str("SLACK_OPS_CHANNEL", ""),
		SlackApprovers:               r.list("SLACK_APPROVERS"),
		OpenAIAPIKey:                 r.str("OPENAI_API_KEY", ""),
		OpenAIBaseURL:                r.url("OPENAI_BASE_URL", "", "http", "https"),
		OpenAIModel:                  r.str("OPENAI_MODEL", defaultOpenAIModel),
		GoogleSheetsID:               r.str("GOOGLE_SHEETS_ID", ""),
		GoogleApplicationCredentials: r.str("GOOGLE_APPLICATION_CREDENTIALS", ""),
		GoogleSheetsURL:              r.url("GOOGLE_SHEETS_URL", "", "http", "https"),
		TrackingSecret:               r.str("TRACKING_SECRET", ""),
		PublicBaseURL:                strings.TrimRight(r.url("PUBLIC_BASE_URL", defaultPublicURL, "http", "https"), "/"),
		APIRateLimit:                 r.intRange("API_RATE_LIMIT", defaultAPIRate, 1, 1_000_000),
		APIRateBurst:                 r.intRange("API_RATE_BURST", defaultAPIBurst, 1, 100_000),
		MapTileURL:                   r.str("MAP_TILE_URL", ""),
		MapTileCredit:                r.str("MAP_TILE_ATTRIBUTION", ""),
		Timezone:                     r.zone("WATCHTOWER_TIMEZONE", fleet.BusinessZone),
		LogLevel:                     r.level("LOG_LEVEL", defaultLogLevel),
		LogFormat:                    r.oneOf("LOG_FORMAT", defaultLogFormat, "json", "text"),
		IngestWorkers:                r.intRange("INGEST_WORKERS", defaultIngestWorker, 0, 64),
		IngestBatch:                  r.intRange("INGEST_BATCH", defaultIngestBatch, 1, 5000),
	}
	c.LoconavTimezone = r.zone("LOCONAV_TIMEZONE", c.Timezone.String())
	c.Schedules = r.schedules()
	if c.SlackOpsChannel == "" {
		c.SlackOpsChannel = c.SlackAlertsChannel
	}
	if sameAddr(c.HTTPAddr, c.AdminAddr) {
		r.fail("ADMIN_ADDR", "must differ from HTTP_ADDR: /metrics and profiling stay off the public listener")
	}
	r.check("MAP_TILE_URL", validTileURL(c.MapTileURL))
	if c.DatabaseURL != "" {
		r.check("DATABASE_URL", validDatabaseURL(c.DatabaseURL))
	}
	if (c.SlackBotToken == "") != (c.SlackAppToken == "") {
		r.fail("SLACK_APP_TOKEN", "and SLACK_BOT_TOKEN must be set together")
	}
	if c.SlackBotToken != "" && !strings.HasPrefix(c.SlackBotToken, "xoxb-") {
		r.fail("SLACK_BOT_TOKEN", "must start with xoxb-")
	}
	if c.SlackAppToken != "" && !strings.HasPrefix(c.SlackAppToken, "xapp-") {
		r.fail("SLACK_APP_TOKEN", "must start with xapp-")
	}
	if strings.ContainsAny(c.RedisPrefix, " {}") || c.RedisPrefix == "" {
		r.fail("REDIS_PREFIX", "must be a non-empty word without spaces or braces")
	}
	th := fleet.DefaultThresholds()
	th.OverspeedKmh = r.float("OVERSPEED_KMH", th.OverspeedKmh, 20, 200)
	th.IdleAfter = r.duration("IDLE_AFTER", th.IdleAfter)
	th.OfflineAfter = r.duration("OFFLINE_AFTER", th.OfflineAfter)
	th.GeofenceDwell = r.duration("GEOFENCE_DWELL", th.GeofenceDwell)
	th.DelayedAfter = r.duration("TRIP_DELAYED_AFTER", th.DelayedAfter)
	th.MinLeadTime = r.duration("TRIP_MIN_LEAD_TIME", th.MinLeadTime)
	th.Severity = r.severities("ALERT_SEVERITY")
	c.Thresholds = th
	c.AlertRoutes = r.routes("ALERT_ROUTES")
	c.AlertDigestEvery = r.durationOrZero("ALERT_DIGEST_EVERY")
	c.AlertEscalateAfter = r.duration("ALERT_ESCALATE_AFTER", defaultEscalate)
	c.SlackOncall = r.str("SLACK_ONCALL", "")
	if r.err != nil {
		return config{}, r.err
	}
	return c, nil
}

// requireDatabase returns a *configError when DATABASE_URL is not set.
func (c config) requireDatabase() error {
	if c.DatabaseURL == "" {
		return &configError{Var: "DATABASE_URL", Reason: "is required (e.g. postgres://postgres@127.0.0.1:5432/watchtower?sslmode=disable)"}
	}
	return nil
}

// SlackEnabled reports whether both Slack tokens are set.
func (c config) SlackEnabled() bool { return c.SlackBotToken != "" && c.SlackAppToken != "" }

// LogValue prints the configuration with every secret redacted, so `slog.Info("config", "cfg",
// cfg)` never leaks a token or password.
func (c config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("database_url", redactURL(c.DatabaseURL)),
		slog.String("redis_url", redactURL(c.RedisURL)),
		slog.String("redis_prefix", c.RedisPrefix),
		slog.String("http_addr", c.HTTPAddr),
		slog.String("admin_addr", c.AdminAddr),
		slog.String("loconav_webhook_secret", redact(c.LoconavWebhookSecret)),
		slog.String("loconav_webhook_token", redact(c.LoconavWebhookToken)),
		slog.String("loconav_api_url", c.LoconavAPIURL),
		slog.String("loconav_api_token", redact(c.LoconavAPIToken)),
		slog.String("loconav_timezone", c.LoconavTimezone.String()),
		slog.String("slack_bot_token", redact(c.SlackBotToken)),
		slog.String("slack_app_token", redact(c.SlackAppToken)),
		slog.String("slack_api_url", c.SlackAPIURL),
		slog.String("slack_alerts_channel", c.SlackAlertsChannel),
		slog.String("slack_summary_channel", c.SlackSummaryChannel),
		slog.String("slack_dispatch_channel", c.SlackDispatchChannel),
		slog.String("slack_ops_channel", c.SlackOpsChannel),
		slog.Any("slack_approvers", c.SlackApprovers),
		slog.String("openai_api_key", redact(c.OpenAIAPIKey)),
		slog.String("openai_base_url", c.OpenAIBaseURL),
		slog.String("openai_model", c.OpenAIModel),
		slog.String("google_sheets_id", c.GoogleSheetsID),
		slog.String("google_application_credentials", c.GoogleApplicationCredentials),
		slog.String("google_sheets_url", c.GoogleSheetsURL),
		slog.String("tracking_secret", redact(c.TrackingSecret)),
		slog.String("public_base_url", c.PublicBaseURL),
		slog.String("map_tile_url", c.MapTileURL),
		slog.Int("api_rate_limit", c.APIRateLimit),
		slog.Int("api_rate_burst", c.APIRateBurst),
		slog.String("timezone", c.Timezone.String()),
		slog.String("log_level", c.LogLevel.String()),
		slog.String("log_format", c.LogFormat),
		slog.Int("ingest_workers", c.IngestWorkers),
		slog.Int("ingest_batch", c.IngestBatch),
		slog.String("alert_digest_every", c.AlertDigestEvery.String()),
		slog.String("alert_escalate_after", c.AlertEscalateAfter.String()),
		slog.String("slack_oncall", c.SlackOncall),
	)
}

func redact(s string) string {
	if s == "" {
		return ""
	}
	return "[redacted]"
}

// redactURL hides the password of a URL ("postgres://u:xxxxx@h/db"); an unparsable URL is
// redacted whole because it may still hold a secret.
func redactURL(s string) string {
	if s == "" {
		return ""
	}
	u, err := url.Parse(s)
	if err != nil {
		return "[redacted]"
	}
	return u.Redacted()
}

func validDatabaseURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "is not a valid URL"
	}
	if u.Scheme != "postgres" && u.Scheme != "postgresql" {
		return "must be a postgres:// URL"
	}
	return ""
}

// envReader reads variables and remembers the first error, so loadConfig reads straight down.
type envReader struct {
	getenv func(string) string
	err    error
}

func (r *envReader) fail(name, reason string) {
	if r.err == nil {
		r.err = &configError{Var: name, Reason: reason}
	}
}

func (r *envReader) check(name, reason string) {
	if reason != "" {
		r.fail(name, reason)
	}
}

func (r *envReader) str(name, def string) string {
	if v := strings.TrimSpace(r.getenv(name)); v != "" {
		return v
	}
	return def
}

func (r *envReader) url(name, def string, schemes ...string) string {
	v := r.str(name, def)
	if v == "" {
		return v
	}
	u, err := url.Parse(v)
	if err != nil || u.Host == "" && u.Scheme != "unix" {
		r.fail(name, "is not a valid URL")
		return v
	}
	for _, s := range schemes {
		if u.Scheme == s {
			return v
		}
	}
	r.fail(name, fmt.Sprintf("must use scheme %s", strings.Join(schemes, " or ")))
	return v
}

func (r *envReader) list(name string) []string {
	var out []string
	for _, p := range strings.Split(r.getenv(name), ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func (r *envReader) zone(name, def string) *time.Location {
	v := r.str(name, def)
	loc, err := time.LoadLocation(v)
	if err != nil {
		r.fail(name, fmt.Sprintf("is not a known time zone (%q)", v))
		return time.UTC
	}
	return loc
}

func (r *envReader) level(name, def string) slog.Level {
	var l slog.Level
	if err := l.UnmarshalText([]byte(r.str(name, def))); err != nil {
		r.fail(name, "must be debug, info, warn or error")
	}
	return l
}

func (r *envReader) oneOf(name, def string, allowed ...string) string {
	v := strings.ToLower(r.str(name, def))
	for _, a := range allowed {
		if v == a {
			return v
		}
	}
	r.fail(name, "must be one of "+strings.Join(allowed, ", "))
	return def
}

func (r *envReader) intRange(name string, def, lo, hi int) int {
	v := r.str(name, "")
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		r.fail(name, fmt.Sprintf("must be a whole number from %d to %d", lo, hi))
		return def
	}
	return n
}

func (r *envReader) float(name string, def, lo, hi float64) float64 {
	v := r.str(name, "")
	if v == "" {
		return def
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < lo || f > hi {
		r.fail(name, fmt.Sprintf("must be a number from %g to %g", lo, hi))
		return def
	}
	return f
}

func (r *envReader) duration(name string, def time.Duration) time.Duration {
	v := r.str(name, "")
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		r.fail(name, "must be a positive duration such as 20m or 2h")
		return def
	}
	return d
}

// severities reads ALERT_SEVERITY; a bad entry fails naming it.
func (r *envReader) severities(name string) fleet.SeverityRules {
	rules, err := fleet.ParseSeverityRules(r.getenv(name))
	if err != nil {
		r.fail(name, fleet.ErrorMessage(err))
	}
	return rules
}

// routes reads ALERT_ROUTES; a bad entry fails naming it.
func (r *envReader) routes(name string) fleet.AlertRoutes {
	routes, err := fleet.ParseAlertRoutes(r.getenv(name))
	if err != nil {
		r.fail(name, fleet.ErrorMessage(err))
	}
	return routes
}

// durationOrZero reads a Go duration that may be 0 (off).
func (r *envReader) durationOrZero(name string) time.Duration {
	v := r.str(name, "")
	if v == "" || v == "0" {
		return 0
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		r.fail(name, "must be 0 or a duration such as 5m")
		return 0
	}
	return d
}
