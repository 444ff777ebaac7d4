package bot_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/watchtower-ops/watchtower/bot"
	"github.com/watchtower-ops/watchtower/fleet"
)

// TestAlertDigest: with digests on, an info alert posts nothing of its own; the period's digest
// is one message per channel its alerts route to, posted once however often it is queued;
// a warning is posted at once as before.
func TestAlertDigest(t *testing.T) {
	e := newEnv(t)
	runSender(t, e, bot.SenderConfig{DigestInfo: true,
		Routes: fleet.AlertRoutes{Kinds: map[fleet.AlertKind]string{fleet.AlertGeofenceEnter: dispatchCh}}})
	ctx := context.Background()
	var infos []fleet.Alert
	for i, kind := range []fleet.AlertKind{fleet.AlertIdle, fleet.AlertIdle, fleet.AlertGeofenceEnter} {
		a, _, err := e.st.OpenAlert(ctx, fleet.Alert{Kind: kind, Plate: fmt.Sprintf("T%05dLA", i),
			IncidentKey: fmt.Sprintf("%s:T%05dLA", kind, i), Message: fmt.Sprintf("info-%d", i), OpenedAt: time.Now().UTC()})
		if err != nil {
			t.Fatal(err)
		}
		infos = append(infos, a)
		e.notify(t, fleet.AlertNotification(a, fleet.NotifyAlertOpened, a.OpenedAt))
	}
	warn := openAlert(t, e, 9)
	e.notify(t, fleet.AlertNotification(warn, fleet.NotifyAlertOpened, warn.OpenedAt))
	data, _ := json.Marshal(infos)
	digest := fleet.Notification{ID: "alert.digest:1", Kind: fleet.NotifyAlertDigest, Text: "15 min", Data: data}
	e.notify(t, digest)
	e.notify(t, digest) // a retried job run
	e.waitDrained(t)

	top := e.fake.TopLevel(alertsCh)
	if len(top) != 2 || !strings.Contains(top[0].Text+top[1].Text, "2 info alerts") {
		t.Fatalf("alerts channel = %+v; want the warning and one digest of the two idle alerts", top)
	}
	if d := e.fake.TopLevel(dispatchCh); len(d) != 1 || !strings.Contains(d[0].Text, "1 info alert") || !strings.Contains(d[0].Text, "info-2") {
		t.Errorf("dispatch channel = %+v; want one digest with the routed geofence alert", d)
	}
}
