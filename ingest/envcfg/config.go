package envcfg

import (
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
)

// Config is everything Watch Tower reads from the environment. Only main reads the
// environment, through Load; every other package receives plain values. A variable is one
// field: `env` names it and gives its default (caarlos0/env parses it), `check` names its rule
// (rules.go) and `log` how the startup line shows it ("secret": redacted, "url": password
// hidden, "-": left out). To add a variable, add a field here and pass its value where main
// builds the part that needs it.
type Config struct {
	DatabaseURL string `env:"DATABASE_URL" check:"dburl" log:"url"`
	RedisURL    string `env:"REDIS_URL" envDefault:"redis://127.0.0.1:6379/0" check:"url=redis,rediss,unix" log:"url"`
	RedisPrefix string `env:"REDIS_PREFIX" envDefault:"watchtower" check:"word"`
	HTTPAddr    string `env:"HTTP_ADDR" envDefault:":8080" check:"addr"`
	AdminAddr   string `env:"ADMIN_ADDR" envDefault:"127.0.0.1:9090" check:"addr"` // /metrics and profiling, never on HTTPAddr

	LoconavWebhookSecret string `env:"LOCONAV_WEBHOOK_SECRET" log:"secret"`
	LoconavWebhookToken  string `env:"LOCONAV_WEBHOOK_TOKEN" log:"secret"`
	LoconavAPIURL        string `env:"LOCONAV_API_URL" envDefault:"https://api.a.loconav.com/integration/api/v1" check:"url=http,https"`
	LoconavAPIToken      string `env:"LOCONAV_API_TOKEN" log:"secret"`

	SlackBotToken        string   `env:"SLACK_BOT_TOKEN" check:"prefix=xoxb-" log:"secret"`
	SlackAppToken        string   `env:"SLACK_APP_TOKEN" check:"prefix=xapp-" log:"secret"`
	SlackAPIURL          string   `env:"SLACK_API_URL" envDefault:"https://slack.com/api/" check:"url=http,https"`
	SlackAlertsChannel   string   `env:"SLACK_ALERTS_CHANNEL"`
	SlackSummaryChannel  string   `env:"SLACK_SUMMARY_CHANNEL"`
	SlackDispatchChannel string   `env:"SLACK_DISPATCH_CHANNEL"`
	SlackOpsChannel      string   `env:"SLACK_OPS_CHANNEL"` // Watch Tower's own incidents; default SLACK_ALERTS_CHANNEL
	SlackApprovers       []string `env:"SLACK_APPROVERS"`   // Slack user IDs, comma-separated

	OpenAIAPIKey  string `env:"OPENAI_API_KEY" log:"secret"`
	OpenAIBaseURL string `env:"OPENAI_BASE_URL" check:"url=http,https"`
	OpenAIModel   string `env:"OPENAI_MODEL" envDefault:"gpt-5.4-mini"`

	GoogleSheetsID               string `env:"GOOGLE_SHEETS_ID"`
	GoogleApplicationCredentials string `env:"GOOGLE_APPLICATION_CREDENTIALS"`
	GoogleSheetsURL              string `env:"GOOGLE_SHEETS_URL" check:"url=http,https"`

	TrackingSecret string     `env:"TRACKING_SECRET" log:"secret"`
	PublicBaseURL  string     `env:"PUBLIC_BASE_URL" envDefault:"http://localhost:8080" check:"url=http,https"` // where customers reach HTTP_ADDR
	APIRateLimit   int        `env:"API_RATE_LIMIT" envDefault:"600" check:"range=1:1000000"`                   // JSON API requests per minute per token
	APIRateBurst   int        `env:"API_RATE_BURST" envDefault:"60" check:"range=1:100000"`                     // JSON API requests per token at once
	MapTileURL     string     `env:"MAP_TILE_URL" check:"tiles"`                                                // the live map's tiles; "": OpenStreetMap
	MapTileCredit  string     `env:"MAP_TILE_ATTRIBUTION" log:"-"`                                              // the tiles' attribution, HTML
	Zone           string     `env:"WATCHTOWER_TIMEZONE" check:"zone"`                                          // default fleet.BusinessZone
	LoconavZone    string     `env:"LOCONAV_TIMEZONE" check:"zone"`                                             // default: WATCHTOWER_TIMEZONE
	LogLevel       slog.Level `env:"LOG_LEVEL" envDefault:"info" check:"level"`
	LogFormat      string     `env:"LOG_FORMAT" envDefault:"json" check:"oneof=json,text"`
	IngestWorkers  int        `env:"INGEST_WORKERS" envDefault:"2" check:"range=0:64"`
	IngestBatch    int        `env:"INGEST_BATCH" envDefault:"1024" check:"range=1:5000"` // entries a consumer applies per transaction

	Timezone        *time.Location    `env:"-" log:"-"` // Zone, loaded
	LoconavTimezone *time.Location    `env:"-" log:"-"` // LoconavZone, loaded
	Schedules       map[string]string `env:"-" log:"-"` // SCHEDULE_<JOB> cron specs by job name; absent: the job's default
	Thresholds      fleet.Thresholds  `env:"-" log:"-"`

	AlertRoutes        fleet.AlertRoutes `env:"ALERT_ROUTES" log:"-"`                   // kind=channel or severity=channel; kind beats severity
	AlertDigestEvery   time.Duration     `env:"ALERT_DIGEST_EVERY" check:"nonnegative"` // 0 posts each info alert
	AlertEscalateAfter time.Duration     `env:"ALERT_ESCALATE_AFTER" envDefault:"15m" check:"positive"`
	SlackOncall        string            `env:"SLACK_ONCALL"` // user or user-group ID escalations mention
}

// thresholds is fleet.Thresholds with the variables that set some of its fields; the rest keep
// fleet.DefaultThresholds. Go converts between the two because only the tags differ.
type thresholds struct {
	MovingKmh     float64
	OfflineAfter  time.Duration `env:"OFFLINE_AFTER" check:"positive"`
	OverspeedKmh  float64       `env:"OVERSPEED_KMH" check:"range=20:200"`
	OverspeedFor  time.Duration
	IdleAfter     time.Duration       `env:"IDLE_AFTER" check:"positive"`
	GeofenceDwell time.Duration       `env:"GEOFENCE_DWELL" check:"positive"`
	DelayedAfter  time.Duration       `env:"TRIP_DELAYED_AFTER" check:"positive"`
	MinLeadTime   time.Duration       `env:"TRIP_MIN_LEAD_TIME" check:"positive"`
	Severity      fleet.SeverityRules `env:"ALERT_SEVERITY"` // kind=severity overrides
	DwellAlertMin time.Duration       `env:"DWELL_ALERT_MIN" check:"positive"`
}

// DefaultPublicURL is PUBLIC_BASE_URL's default, which makes tracking links that only work on
// this machine.
const DefaultPublicURL = "http://localhost:8080"

// Load reads and validates the environment through getenv. jobs are the names of the
// scheduled jobs and checkSpec the rule of their SCHEDULE_<JOB> specs (schedule.Names and
// schedule.ParseSpec, which main hands in). It returns an *Error naming the first variable
// that is malformed. Presence of DATABASE_URL is checked by the subcommands that need it
// (RequireDatabase), so `version` and `simulate` run without it.
func Load(getenv func(string) string, jobs []string, checkSpec func(string) error) (Config, error) {
	c := Config{Zone: fleet.BusinessZone}
	th := thresholds(fleet.DefaultThresholds())
	if err := Parse(getenv, &c, &th); err != nil {
		return Config{}, err
	}
	c.Thresholds = fleet.Thresholds(th)
	c.LogFormat = strings.ToLower(c.LogFormat)
	c.PublicBaseURL = strings.TrimRight(c.PublicBaseURL, "/")
	c.SlackApprovers = strings.Fields(strings.ReplaceAll(strings.Join(c.SlackApprovers, ","), ",", " "))
	if c.LoconavZone == "" {
		c.LoconavZone = c.Zone
	}
	if c.SlackOpsChannel == "" {
		c.SlackOpsChannel = c.SlackAlertsChannel
	}
	if err := Check(&c, &th); err != nil {
		return Config{}, err
	}
	if err := crossChecks(c); err != nil {
		return Config{}, err
	}
	c.Timezone, _ = time.LoadLocation(c.Zone) // checked by the "zone" rule
	c.LoconavTimezone, _ = time.LoadLocation(c.LoconavZone)
	var err error
	c.Schedules, err = readSchedules(getenv, jobs, checkSpec)
	return c, err
}

// crossChecks are the rules that relate two variables.
func crossChecks(c Config) error {
	switch {
	case SameAddr(c.HTTPAddr, c.AdminAddr):
		return &Error{Var: "ADMIN_ADDR", Reason: "must differ from HTTP_ADDR: /metrics and profiling stay off the public listener"}
	case (c.SlackBotToken == "") != (c.SlackAppToken == ""):
		return &Error{Var: "SLACK_APP_TOKEN", Reason: "and SLACK_BOT_TOKEN must be set together"}
	}
	return nil
}

// readSchedules reads SCHEDULE_<JOB> for every job: a five-field cron spec or a descriptor,
// read in WATCHTOWER_TIMEZONE. Unset jobs keep their default and are absent from the map.
func readSchedules(getenv func(string) string, jobs []string, checkSpec func(string) error) (map[string]string, error) {
	out := make(map[string]string)
	for _, name := range jobs {
		v := strings.TrimSpace(getenv(ScheduleVar(name)))
		if v == "" {
			continue
		}
		if err := checkSpec(v); err != nil {
			return nil, &Error{Var: ScheduleVar(name), Reason: "is not a cron spec such as \"0 7 * * *\" or \"*/5 * * * *\""}
		}
		out[name] = v
	}
	return out, nil
}

// ScheduleVar is the variable that overrides job's schedule: SCHEDULE_DAILY_SUMMARY.
func ScheduleVar(job string) string {
	return "SCHEDULE_" + strings.ToUpper(strings.ReplaceAll(job, "-", "_"))
}

// RequireDatabase returns an *Error when DATABASE_URL is not set.
func (c Config) RequireDatabase() error {
	if c.DatabaseURL == "" {
		return &Error{Var: "DATABASE_URL", Reason: "is required (e.g. postgres://postgres@127.0.0.1:5432/watchtower?sslmode=disable)"}
	}
	return nil
}

// Logger is the process logger of LOG_LEVEL and LOG_FORMAT, writing to w.
func (c Config) Logger(w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: c.LogLevel}
	if c.LogFormat == "text" {
		return slog.New(slog.NewTextHandler(w, opts))
	}
	return slog.New(slog.NewJSONHandler(w, opts))
}

// minTrackingSecret is the TRACKING_SECRET length below which links could be forged by
// guessing the key offline from one link.
const minTrackingSecret = 32

// Warnings are the settings that work but are probably not what an operator wants, each a
// sentence for the startup log.
func (c Config) Warnings() []string {
	var w []string
	if c.LoconavWebhookSecret == "" && c.LoconavWebhookToken == "" {
		w = append(w, "LOCONAV_WEBHOOK_SECRET and LOCONAV_WEBHOOK_TOKEN are unset: every webhook will be refused")
	}
	switch {
	case c.TrackingSecret == "":
		w = append(w, "TRACKING_SECRET is unset: no tracking links are made and /track pages say the link expired")
	case len(c.TrackingSecret) < minTrackingSecret:
		w = append(w, fmt.Sprintf("TRACKING_SECRET is shorter than %d characters: use a long random value (openssl rand -hex 32)", minTrackingSecret))
	case c.PublicBaseURL == DefaultPublicURL:
		w = append(w, "PUBLIC_BASE_URL is the default "+DefaultPublicURL+": tracking links will only work on this machine")
	}
	return w
}

// SlackEnabled reports whether both Slack tokens are set.
func (c Config) SlackEnabled() bool { return c.SlackBotToken != "" && c.SlackAppToken != "" }

// LogValue prints every variable under its lower-case name with the secrets redacted (`log`
// tags), so `slog.Info("config", "cfg", cfg)` never leaks a token or password.
func (c Config) LogValue() slog.Value { return LogValue(c) }
