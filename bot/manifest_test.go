package bot_test

import (
	"maps"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"go.yaml.in/yaml/v3"

	"github.com/watchtower-ops/watchtower/bot"
)

// manifest is the part of manifest.yaml the router and the contract depend on.
type manifest struct {
	Features struct {
		AppHome struct {
			MessagesTab         bool `yaml:"messages_tab_enabled"`
			MessagesTabReadOnly bool `yaml:"messages_tab_read_only_enabled"`
		} `yaml:"app_home"`
		BotUser struct {
			DisplayName string `yaml:"display_name"`
		} `yaml:"bot_user"`
		SlashCommands []struct {
			Command     string `yaml:"command"`
			Description string `yaml:"description"`
			UsageHint   string `yaml:"usage_hint"`
			URL         string `yaml:"url"`
		} `yaml:"slash_commands"`
	} `yaml:"features"`
	OAuth struct {
		Scopes struct {
			Bot []string `yaml:"bot"`
		} `yaml:"scopes"`
	} `yaml:"oauth_config"`
	Settings struct {
		Events struct {
			RequestURL string   `yaml:"request_url"`
			BotEvents  []string `yaml:"bot_events"`
		} `yaml:"event_subscriptions"`
		Interactivity struct {
			Enabled    bool   `yaml:"is_enabled"`
			RequestURL string `yaml:"request_url"`
		} `yaml:"interactivity"`
		SocketMode bool `yaml:"socket_mode_enabled"`
	} `yaml:"settings"`
}

// TestManifestMatchesRouter keeps manifest.yaml and the router from drifting: the same slash
// commands, the same events, exactly the scopes used, Socket Mode with no request URLs.
func TestManifestMatchesRouter(t *testing.T) {
	raw, err := os.ReadFile("../manifest.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var m manifest
	dec := yaml.NewDecoder(strings.NewReader(string(raw)))
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("manifest.yaml does not parse: %v", err)
	}
	var cmds []string
	for _, c := range m.Features.SlashCommands {
		cmds = append(cmds, c.Command)
		if c.Description == "" || c.UsageHint == "" || c.URL != "" {
			t.Errorf("command %s: description %q, usage_hint %q, url %q; want a description and a hint, no URL in Socket Mode", c.Command, c.Description, c.UsageHint, c.URL)
		}
	}
	check := func(what string, got, want []string) {
		t.Helper()
		slices.Sort(got)
		want = slices.Sorted(slices.Values(want))
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("manifest %s differs from what the router handles (-router +manifest):\n%s", what, diff)
		}
	}
	check("slash commands", cmds, bot.SlashCommands())
	check("bot events", m.Settings.Events.BotEvents, bot.EventTypes())
	check("bot scopes", m.OAuth.Scopes.Bot, slices.Collect(maps.Keys(bot.Scopes())))
	s := m.Settings
	if !s.SocketMode || !s.Interactivity.Enabled || s.Interactivity.RequestURL != "" || s.Events.RequestURL != "" {
		t.Errorf("settings = %+v; want Socket Mode and interactivity on, no request URLs", s)
	}
	if !m.Features.AppHome.MessagesTab || m.Features.AppHome.MessagesTabReadOnly {
		t.Errorf("app_home = %+v; want the messages tab open for direct messages", m.Features.AppHome)
	}
	if m.Features.BotUser.DisplayName == "" {
		t.Error("manifest has no bot user")
	}
}
