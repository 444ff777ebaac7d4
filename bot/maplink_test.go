package bot_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/watchtower-ops/watchtower/bot"
	"github.com/watchtower-ops/watchtower/bot/api"
	"github.com/watchtower-ops/watchtower/tools"
)

// TestWatchtowerMap checks that /watchtower map answers only the asker with a map link that
// opens the map for 12 hours, and says so plainly when links are off.
func TestWatchtowerMap(t *testing.T) {
	secret := []byte("map-test-secret-0123456789abcdefghij")
	now := time.Date(2025, 11, 26, 9, 0, 0, 0, time.UTC)
	caller := tools.Caller{UserID: "U1", Via: "slack"}
	h := bot.NewHandler(bot.HandlerDeps{Maps: api.NewMapLinker(secret, "https://wt.example.com", func() time.Time { return now })})
	r := h.Command(context.Background(), caller, bot.CmdWatchtower, "map")
	text := r.View.Console()
	if r.InChannel || !strings.Contains(text, "https://wt.example.com/map?t=") {
		t.Fatalf("/watchtower map = %q (in channel %v); want an ephemeral map link", text, r.InChannel)
	}
	raw := text[strings.Index(text, "https://"):]
	raw = raw[:strings.IndexAny(raw, "|> \n")]
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	exp, err := api.ParseMapToken(secret, u.Query().Get("t"), now.Add(11*time.Hour))
	if err != nil || !exp.Equal(now.Add(12*time.Hour)) {
		t.Errorf("the link's token = %v, %v; want valid until %v", exp, err, now.Add(12*time.Hour))
	}

	off := bot.NewHandler(bot.HandlerDeps{Maps: api.NewMapLinker(nil, "https://wt.example.com", nil)})
	if got := off.Command(context.Background(), caller, bot.CmdWatchtower, "map").View.Console(); !strings.Contains(got, "TRACKING_SECRET") {
		t.Errorf("/watchtower map without a secret = %q; want it to say map links are off", got)
	}
}
