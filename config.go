package main

import (
	"errors"
	"fmt"
	"log/slog"
	"reflect"
	"strings"
	"time"

	"github.com/caarlos0/env/v11"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/schedule"
)

// config is everything Watch Tower reads from the environment. Only main reads the environment;
// every other package receives plain values. A variable is one field: `env` names it and gives
// its default (caarlos0/env parses it), `check` names its rule (checks.go) and `log` how the
// startup line shows it ("secret": redacted, "url": password hidden, "-": left out).
type config struct {
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
	IngestBatch    int        `env:"INGEST_BATCH" envDefault:"256" check:"range=1:5000"` // entries a consumer applies per transaction

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

// configError is a missing or malformed variable. main exits 2 with its one-line message.
type configError struct {
	Var    string
	Reason string
}

func (e *configError) Error() string { return fmt.Sprintf("config: %s %s", e.Var, e.Reason) }

// defaultPublicURL is PUBLIC_BASE_URL's default, which makes tracking links that only work on
// this machine.
const defaultPublicURL = "http://localhost:8080"

// loadConfig reads and validates the environment through getenv. It returns a *configError
// naming the first variable that is malformed. Presence of DATABASE_URL is checked by the
// subcommands that need it (requireDatabase), so `version` and `simulate` run without it.
func loadConfig(getenv func(string) string) (config, error) {
	c := config{Zone: fleet.BusinessZone}
	th := thresholds(fleet.DefaultThresholds())
	if err := parseEnv(getenv, &c, &th); err != nil {
		return config{}, err
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
	if err := firstError(checkFields(&c), checkFields(&th), crossChecks(c)); err != nil {
		return config{}, err
	}
	c.Timezone, _ = time.LoadLocation(c.Zone) // checked by the "zone" rule
	c.LoconavTimezone, _ = time.LoadLocation(c.LoconavZone)
	var err error
	c.Schedules, err = readSchedules(getenv)
	return c, err
}

// parseEnv fills every target from the variables its `env` tags name, through caarlos0/env. A
// variable set to blanks counts as unset. A value of the wrong type is a *configError saying
// what the field's rule wants.
func parseEnv(getenv func(string) string, targets ...any) error {
	for _, t := range targets {
		params, err := env.GetFieldParams(t)
		if err != nil {
			return err
		}
		vars := make(map[string]string, len(params))
		for _, p := range params {
			if v := strings.TrimSpace(getenv(p.Key)); v != "" {
				vars[p.Key] = v
			}
		}
		err = env.ParseWithOptions(t, env.Options{Environment: vars, FuncMap: listParsers})
		var agg env.AggregateError
		if errors.As(err, &agg) && len(agg.Errors) > 0 {
			err = agg.Errors[0]
		}
		var pe env.ParseError
		if errors.As(err, &pe) {
			f, _ := reflect.TypeOf(t).Elem().FieldByName(pe.Name)
			reason := ruleFor(f).want
			if fe := (*fleet.Error)(nil); errors.As(pe.Err, &fe) {
				reason = fleet.ErrorMessage(fe) // names the bad entry
			}
			return &configError{Var: envVar(f), Reason: reason}
		}
		if err != nil {
			return fmt.Errorf("config: %w", err)
		}
	}
	return nil
}

// listParsers read the variables that are lists of entries through fleet's parsers, whose
// errors name the bad entry.
var listParsers = map[reflect.Type]env.ParserFunc{
	reflect.TypeFor[fleet.SeverityRules](): func(v string) (any, error) { return fleet.ParseSeverityRules(v) },
	reflect.TypeFor[fleet.AlertRoutes]():   func(v string) (any, error) { return fleet.ParseAlertRoutes(v) },
}

// crossChecks are the rules that relate two variables.
func crossChecks(c config) error {
	switch {
	case sameAddr(c.HTTPAddr, c.AdminAddr):
		return &configError{Var: "ADMIN_ADDR", Reason: "must differ from HTTP_ADDR: /metrics and profiling stay off the public listener"}
	case (c.SlackBotToken == "") != (c.SlackAppToken == ""):
		return &configError{Var: "SLACK_APP_TOKEN", Reason: "and SLACK_BOT_TOKEN must be set together"}
	}
	return nil
}

// readSchedules reads SCHEDULE_<JOB> for every job: a five-field cron spec or a descriptor,
// read in WATCHTOWER_TIMEZONE. Unset jobs keep their default and are absent from the map.
func readSchedules(getenv func(string) string) (map[string]string, error) {
	out := make(map[string]string)
	for _, name := range schedule.Names() {
		v := strings.TrimSpace(getenv(scheduleVar(name)))
		if v == "" {
			continue
		}
		if _, err := schedule.ParseSpec(v); err != nil {
			return nil, &configError{Var: scheduleVar(name), Reason: "is not a cron spec such as \"0 7 * * *\" or \"*/5 * * * *\""}
		}
		out[name] = v
	}
	return out, nil
}

// scheduleVar is the variable that overrides job's schedule: SCHEDULE_DAILY_SUMMARY.
func scheduleVar(job string) string {
	return "SCHEDULE_" + strings.ToUpper(strings.ReplaceAll(job, "-", "_"))
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

// LogValue prints every variable under its lower-case name with the secrets redacted (`log`
// tags), so `slog.Info("config", "cfg", cfg)` never leaks a token or password.
func (c config) LogValue() slog.Value {
	var attrs []slog.Attr
	v := reflect.ValueOf(c)
	for i, f := range reflect.VisibleFields(v.Type()) {
		s, how := v.Field(i).Interface(), f.Tag.Get("log")
		switch {
		case how == "-":
			continue
		case how == "secret" && s != "":
			s = "[redacted]"
		case how == "url":
			s = redactURL(s.(string))
		}
		if st, ok := s.(fmt.Stringer); ok {
			s = st.String()
		}
		attrs = append(attrs, slog.Any(strings.ToLower(envVar(f)), s))
	}
	return slog.GroupValue(attrs...)
}
