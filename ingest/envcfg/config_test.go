package envcfg

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
)

func mapEnv(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// loadConfig is Load with one job, daily-summary, whose specs are five fields.
func loadConfig(getenv func(string) string) (Config, error) {
	return Load(getenv, []string{"daily-summary"}, func(spec string) error {
		if len(strings.Fields(spec)) != 5 {
			return errors.New("not five fields")
		}
		return nil
	})
}

func TestLoadConfigDefaults(t *testing.T) {
	c, err := loadConfig(mapEnv(map[string]string{"DATABASE_URL": "postgres://u:p@127.0.0.1/wt"}))
	if err != nil {
		t.Fatalf("loadConfig: %v", err)
	}
	checks := []struct{ name, got, want string }{
		{"RedisURL", c.RedisURL, "redis://127.0.0.1:6379/0"},
		{"RedisPrefix", c.RedisPrefix, "watchtower"},
		{"HTTPAddr", c.HTTPAddr, ":8080"},
		{"AdminAddr", c.AdminAddr, "127.0.0.1:9090"},
		{"SlackOpsChannel", c.SlackOpsChannel, ""},
		{"LoconavAPIURL", c.LoconavAPIURL, "https://api.a.loconav.com/integration/api/v1"},
		{"SlackAPIURL", c.SlackAPIURL, "https://slack.com/api/"},
		{"Timezone", c.Timezone.String(), "Africa/Lagos"},
		{"LoconavTimezone", c.LoconavTimezone.String(), "Africa/Lagos"},
		{"LogFormat", c.LogFormat, "json"},
		{"LogLevel", c.LogLevel.String(), "INFO"},
	}
	for _, ch := range checks {
		if ch.got != ch.want {
			t.Errorf("%s = %q; want %q", ch.name, ch.got, ch.want)
		}
	}
	if c.SlackEnabled() {
		t.Errorf("SlackEnabled() = true without tokens; want false")
	}
	if c.Thresholds.OverspeedKmh != 60 || c.Thresholds.IdleAfter != 20*time.Minute || c.Thresholds.DwellAlertMin != 3*time.Hour {
		t.Errorf("Thresholds = %+v; want DESIGN.md defaults", c.Thresholds)
	}
}

func TestLoadConfigDwellAlertMin(t *testing.T) {
	c, err := loadConfig(mapEnv(map[string]string{"DATABASE_URL": "postgres://127.0.0.1/wt", "DWELL_ALERT_MIN": "90m"}))
	if err != nil || c.Thresholds.DwellAlertMin != 90*time.Minute {
		t.Fatalf("DWELL_ALERT_MIN=90m: %v, %v; want 1h30m", c.Thresholds.DwellAlertMin, err)
	}
}

func TestLoadConfigErrors(t *testing.T) {
	base := map[string]string{"DATABASE_URL": "postgres://127.0.0.1/wt"}
	tests := []struct {
		name    string
		set     map[string]string
		wantVar string
	}{
		{"bad database scheme", map[string]string{"DATABASE_URL": "mysql://x/y"}, "DATABASE_URL"},
		{"bad redis url", map[string]string{"REDIS_URL": "http://x"}, "REDIS_URL"},
		{"bad zone", map[string]string{"WATCHTOWER_TIMEZONE": "Mars/Olympus"}, "WATCHTOWER_TIMEZONE"},
		{"bad loconav zone", map[string]string{"LOCONAV_TIMEZONE": "Nowhere"}, "LOCONAV_TIMEZONE"},
		{"bad level", map[string]string{"LOG_LEVEL": "loud"}, "LOG_LEVEL"},
		{"bad format", map[string]string{"LOG_FORMAT": "xml"}, "LOG_FORMAT"},
		{"half slack", map[string]string{"SLACK_BOT_TOKEN": "xoxb-1"}, "SLACK_APP_TOKEN"},
		{"wrong bot token", map[string]string{"SLACK_BOT_TOKEN": "xapp-1", "SLACK_APP_TOKEN": "xapp-2"}, "SLACK_BOT_TOKEN"},
		{"bad prefix", map[string]string{"REDIS_PREFIX": "a b"}, "REDIS_PREFIX"},
		{"bad workers", map[string]string{"INGEST_WORKERS": "65"}, "INGEST_WORKERS"},
		{"bad duration", map[string]string{"IDLE_AFTER": "soon"}, "IDLE_AFTER"},
		{"bad dwell minimum", map[string]string{"DWELL_ALERT_MIN": "-1h"}, "DWELL_ALERT_MIN"},
		{"bad openai url", map[string]string{"OPENAI_BASE_URL": "localhost:11434"}, "OPENAI_BASE_URL"},
		{"admin addr without port", map[string]string{"ADMIN_ADDR": "127.0.0.1"}, "ADMIN_ADDR"},
		{"admin addr bad port", map[string]string{"ADMIN_ADDR": "127.0.0.1:99999"}, "ADMIN_ADDR"},
		{"admin addr is a URL", map[string]string{"ADMIN_ADDR": "http://127.0.0.1:9090"}, "ADMIN_ADDR"},
		{"admin addr on the http port", map[string]string{"HTTP_ADDR": "0.0.0.0:8080", "ADMIN_ADDR": "127.0.0.1:8080"}, "ADMIN_ADDR"},
		{"http addr bad", map[string]string{"HTTP_ADDR": "8080"}, "HTTP_ADDR"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{}
			for k, v := range base {
				env[k] = v
			}
			for k, v := range tt.set {
				env[k] = v
			}
			_, err := loadConfig(mapEnv(env))
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("loadConfig error = %v; want *Error", err)
			}
			if ce.Var != tt.wantVar {
				t.Errorf("Error.Var = %s; want %s", ce.Var, tt.wantVar)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q spans lines; want one line", err)
			}
		})
	}
}

// TestSlackOpsChannel checks that Watch Tower's own incidents go to the alerts channel unless
// SLACK_OPS_CHANNEL names another.
func TestSlackOpsChannel(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"default", map[string]string{"SLACK_ALERTS_CHANNEL": "C1"}, "C1"},
		{"own channel", map[string]string{"SLACK_ALERTS_CHANNEL": "C1", "SLACK_OPS_CHANNEL": "C9"}, "C9"},
		{"neither", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := loadConfig(mapEnv(tt.env))
			if err != nil {
				t.Fatal(err)
			}
			if c.SlackOpsChannel != tt.want {
				t.Errorf("SlackOpsChannel = %q; want %q", c.SlackOpsChannel, tt.want)
			}
		})
	}
}

func TestRequireDatabase(t *testing.T) {
	c, err := loadConfig(mapEnv(nil))
	if err != nil {
		t.Fatalf("loadConfig without DATABASE_URL: %v (only serve-like commands require it)", err)
	}
	err = c.RequireDatabase()
	if err == nil || !strings.Contains(err.Error(), "DATABASE_URL") {
		t.Errorf("RequireDatabase() = %v; want an error naming DATABASE_URL", err)
	}
}

func TestConfigLogValueRedactsSecrets(t *testing.T) {
	secrets := map[string]string{
		"DATABASE_URL":           "postgres://wt:pgsecret@db/wt",
		"REDIS_URL":              "redis://:redissecret@127.0.0.1:6379/0",
		"LOCONAV_WEBHOOK_SECRET": "hmacsecret",
		"LOCONAV_WEBHOOK_TOKEN":  "pathsecret",
		"LOCONAV_API_TOKEN":      "apisecret",
		"SLACK_BOT_TOKEN":        "xoxb-botsecret",
		"SLACK_APP_TOKEN":        "xapp-appsecret",
		"OPENAI_API_KEY":         "sk-openaisecret",
		"TRACKING_SECRET":        "tracksecret",
	}
	c, err := loadConfig(mapEnv(secrets))
	if err != nil {
		t.Fatalf("loadConfig: %v", err)
	}
	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("config", "cfg", c)
	out := buf.String()
	for _, s := range []string{"pgsecret", "redissecret", "hmacsecret", "pathsecret", "apisecret", "botsecret", "appsecret", "openaisecret", "tracksecret"} {
		if strings.Contains(out, s) {
			t.Errorf("logged config contains secret %q: %s", s, out)
		}
	}
	if !strings.Contains(out, "slack_api_url") {
		t.Errorf("logged config lacks non-secret fields: %s", out)
	}
}

func TestListenerOnlyReplica(t *testing.T) {
	c, err := loadConfig(mapEnv(map[string]string{"INGEST_WORKERS": "0"}))
	if err != nil || c.IngestWorkers != 0 {
		t.Errorf("INGEST_WORKERS=0: workers %d, err %v; want 0 (a listener-only replica)", c.IngestWorkers, err)
	}
}

func TestLoadConfigAlerts(t *testing.T) {
	base := map[string]string{"DATABASE_URL": "postgres://127.0.0.1/wt"}
	bad := []struct {
		name, key, value, wantEntry string
	}{
		{"unknown kind", "ALERT_SEVERITY", "idle=warning,spaceship=critical", "spaceship=critical"},
		{"unknown severity", "ALERT_SEVERITY", "idle=loud", "idle=loud"},
		{"malformed pair", "ALERT_SEVERITY", "idle", "idle"},
		{"route to unknown kind", "ALERT_ROUTES", "critical=C1,spaceship=C2", "spaceship=C2"},
		{"route without channel", "ALERT_ROUTES", "idle=", "idle="},
		{"bad escalation", "ALERT_ESCALATE_AFTER", "soon", ""},
		{"bad digest", "ALERT_DIGEST_EVERY", "-5m", ""},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			env := map[string]string{tt.key: tt.value}
			for k, v := range base {
				env[k] = v
			}
			_, err := loadConfig(mapEnv(env))
			var ce *Error
			if !errors.As(err, &ce) || ce.Var != tt.key {
				t.Fatalf("loadConfig error = %v; want a *Error naming %s", err, tt.key)
			}
			if !strings.Contains(err.Error(), tt.wantEntry) {
				t.Errorf("error %q does not name the entry %q", err, tt.wantEntry)
			}
		})
	}

	env := map[string]string{"ALERT_SEVERITY": "idle=warning, geofence=critical", "ALERT_ROUTES": "critical=C1,idle=C2",
		"ALERT_DIGEST_EVERY": "10m", "SLACK_ONCALL": "S0ONCALL"}
	for k, v := range base {
		env[k] = v
	}
	c, err := loadConfig(mapEnv(env))
	if err != nil {
		t.Fatal(err)
	}
	sev := c.Thresholds.Severity
	if got := sev.Of(fleet.AlertIdle, ""); got != fleet.SeverityWarning {
		t.Errorf("idle severity = %s; want warning", got)
	}
	if got := sev.Of(fleet.AlertGeofenceExit, ""); got != fleet.SeverityCritical {
		t.Errorf("geofence_exit severity = %s; want critical", got)
	}
	idle := fleet.Alert{Kind: fleet.AlertIdle, Severity: fleet.SeverityCritical}
	if got := c.AlertRoutes.Channel(idle); got != "C2" {
		t.Errorf("route of a critical idle = %q; want C2 (kind beats severity)", got)
	}
	if c.AlertEscalateAfter != 15*time.Minute || c.AlertDigestEvery != 10*time.Minute || c.SlackOncall != "S0ONCALL" {
		t.Errorf("escalate %s, digest %s, oncall %q", c.AlertEscalateAfter, c.AlertDigestEvery, c.SlackOncall)
	}
}

func TestWarnings(t *testing.T) {
	long := strings.Repeat("k", 40)
	for _, tt := range []struct {
		name string
		env  map[string]string
		want []string // the start of each warning
	}{
		{"nothing set", nil, []string{"LOCONAV_WEBHOOK_SECRET and LOCONAV_WEBHOOK_TOKEN are unset", "TRACKING_SECRET is unset"}},
		{"short secret", map[string]string{"LOCONAV_WEBHOOK_TOKEN": "t", "TRACKING_SECRET": "short"}, []string{"TRACKING_SECRET is shorter than 32"}},
		{"default public URL", map[string]string{"LOCONAV_WEBHOOK_SECRET": "s", "TRACKING_SECRET": long}, []string{"PUBLIC_BASE_URL is the default"}},
		{"all good", map[string]string{"LOCONAV_WEBHOOK_SECRET": "s", "TRACKING_SECRET": long, "PUBLIC_BASE_URL": "https://wt.example.com"}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, err := loadConfig(mapEnv(tt.env))
			if err != nil {
				t.Fatal(err)
			}
			got := c.Warnings()
			if len(got) != len(tt.want) {
				t.Fatalf("Warnings() = %q; want %d starting %q", got, len(tt.want), tt.want)
			}
			for i, w := range tt.want {
				if !strings.HasPrefix(got[i], w) {
					t.Errorf("Warnings()[%d] = %q; want it to start %q", i, got[i], w)
				}
			}
		})
	}
}
