package schedule

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/fleet/fleettest"
)

// TestAlertUpkeepEscalates: a critical alert nobody acknowledged within the delay is escalated
// once however often the job runs; an acknowledged, resolved, young
// or warning alert is not.
func TestAlertUpkeepEscalates(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	now := time.Now().UTC()
	open := func(key string, kind fleet.AlertKind, age time.Duration) fleet.Alert {
		a, _, err := s.OpenAlert(ctx, fleet.Alert{Kind: kind, IncidentKey: key, Plate: "T1AAA", Message: key,
			OpenedAt: now.Add(-age)})
		must(t, err)
		return a
	}
	overdue := open("trip_delayed:TRP-0001", fleet.AlertTripDelayed, 20*time.Minute)
	acked := open("trip_delayed:TRP-0002", fleet.AlertTripDelayed, 20*time.Minute)
	resolved := open("trip_delayed:TRP-0003", fleet.AlertTripDelayed, 20*time.Minute)
	open("trip_delayed:TRP-0004", fleet.AlertTripDelayed, 5*time.Minute) // young
	open("overspeed:T1AAA", fleet.AlertOverspeed, time.Hour)             // warning
	_, err := s.ActOnAlert(ctx, acked.ID, fleet.ActAck, fleet.Actor{ID: "U1", Via: "slack"}, now)
	must(t, err)
	_, err = s.ResolveAlert(ctx, resolved.IncidentKey, now)
	must(t, err)

	rec := &fleettest.Recorder{}
	job := &AlertUpkeep{Alerts: s, Maintenance: s, Notifier: rec, EscalateAfter: 15 * time.Minute}
	for range 3 {
		must(t, job.Run(ctx, now))
	}
	got := rec.All()
	if len(got) != 1 || got[0].Kind != fleet.NotifyAlertEscalate || got[0].Alert.ID != overdue.ID {
		t.Fatalf("notifications = %v; want one escalation of alert %d", kinds(got), overdue.ID)
	}
	stored, err := s.AlertByID(ctx, overdue.ID)
	must(t, err)
	if stored.EscalatedAt == nil {
		t.Errorf("overdue alert not marked escalated")
	}
}

// TestAlertUpkeepDigest: the first run after a period's end queues one digest of its info
// alerts; later runs in the same period queue nothing.
func TestAlertUpkeepDigest(t *testing.T) {
	ctx := context.Background()
	s := newTestStore(t)
	end := time.Now().UTC().Truncate(15 * time.Minute)
	for i, age := range []time.Duration{time.Minute, 10 * time.Minute, 20 * time.Minute} {
		_, _, err := s.OpenAlert(ctx, fleet.Alert{Kind: fleet.AlertIdle, IncidentKey: "idle:T" + string(rune('A'+i)),
			Plate: "T1AAA", Message: "idle", OpenedAt: end.Add(-age)})
		must(t, err)
	}
	rec := &fleettest.Recorder{}
	job := &AlertUpkeep{Alerts: s, Notifier: rec, Digest: s, DigestEvery: 15 * time.Minute}
	must(t, job.Run(ctx, end.Add(10*time.Second)))
	must(t, job.Run(ctx, end.Add(2*time.Minute)))
	got := rec.All()
	if len(got) != 1 || got[0].Kind != fleet.NotifyAlertDigest {
		t.Fatalf("notifications = %v; want one digest", kinds(got))
	}
	var alerts []fleet.Alert
	must(t, json.Unmarshal(got[0].Data, &alerts))
	if len(alerts) != 2 {
		t.Errorf("digest lists %d alerts; want the 2 opened in the period", len(alerts))
	}
}
