package store_test

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/store"
)

var ada = fleet.Actor{ID: "U0ADA", Name: "Ada", Via: "slack"}

func TestActOnAlertOnceAcrossReplicas(t *testing.T) {
	ctx := context.Background()
	s, pool := newStore(t)
	other := store.New(pool) // a second replica: its own Store on the same database
	addTrucks(t, s, "T11985LA")
	a, _, err := s.OpenAlert(ctx, overspeed(time.Now().Add(-time.Minute)))
	must(t, err)

	// Two replicas and a double click race: exactly one acknowledgement wins.
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		wins int
	)
	for i := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st := s
			if i%2 == 1 {
				st = other
			}
			_, err := st.ActOnAlert(ctx, a.ID, fleet.ActAck, ada, time.Time{})
			mu.Lock()
			defer mu.Unlock()
			switch fleet.ErrorCode(err) {
			case "":
				wins++
			case fleet.ECONFLICT:
			default:
				t.Errorf("ActOnAlert: %v", err)
			}
		}()
	}
	wg.Wait()
	if wins != 1 {
		t.Fatalf("%d acknowledgements won; want 1", wins)
	}
	got, err := s.ActOnAlert(ctx, a.ID, fleet.ActAck, fleet.Actor{ID: "U0BOB"}, time.Time{})
	wantCode(t, "second ack", err, fleet.ECONFLICT)
	if got.Acked == nil || got.Acked.By != "U0ADA" || got.Acked.Name != "Ada" {
		t.Errorf("second ack returned Acked = %+v; want Ada's", got.Acked)
	}
	if got.Open() == false {
		t.Errorf("an acknowledged overspeed stays open until back to normal; got resolved")
	}
	audit, err := s.ListAudit(ctx, "alert:"+strconv.FormatInt(a.ID, 10))
	must(t, err)
	if len(audit) != 1 || audit[0].Action != "alert.ack" || audit[0].Actor.ID != "U0ADA" {
		t.Errorf("audit = %+v; want one alert.ack by U0ADA", audit)
	}

	_, err = s.ActOnAlert(ctx, 999999, fleet.ActAck, ada, time.Time{})
	wantCode(t, "unknown alert", err, fleet.ENOTFOUND)
	_, err = s.ResolveAlert(ctx, a.IncidentKey, time.Time{})
	must(t, err)
	got, err = s.ActOnAlert(ctx, a.ID, fleet.ActMute, ada, time.Time{})
	wantCode(t, "mute a resolved alert", err, fleet.ECONFLICT)
	if got.Resolution != fleet.ResolutionCleared {
		t.Errorf("Resolution = %q; want %q", got.Resolution, fleet.ResolutionCleared)
	}
}

func TestQuietAlerts(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	addTrucks(t, s, "T11985LA")
	now := time.Now().UTC()
	idle := func(at time.Time) fleet.Alert {
		return fleet.Alert{Kind: fleet.AlertIdle, IncidentKey: fleet.IncidentKey(fleet.AlertIdle, "T11985LA"),
			Plate: "T11985LA", Message: "idling", OpenedAt: at}
	}

	// Snooze: the same kind for the same truck stays quiet; other kinds do not.
	a, _, err := s.OpenAlert(ctx, overspeed(now))
	must(t, err)
	_, err = s.ActOnAlert(ctx, a.ID, fleet.ActSnooze, ada, now)
	must(t, err)
	_, err = s.ResolveAlert(ctx, a.IncidentKey, now)
	must(t, err)
	got, created, err := s.OpenAlert(ctx, overspeed(now.Add(30*time.Minute)))
	must(t, err)
	if created || got.ID != 0 {
		t.Errorf("overspeed during snooze: created=%v id=%d; want quiet", created, got.ID)
	}
	if _, created, _ = s.OpenAlert(ctx, overspeed(now.Add(61*time.Minute))); !created {
		t.Errorf("overspeed after the snooze hour was not raised")
	}
	b, created, err := s.OpenAlert(ctx, idle(now))
	must(t, err)
	if !created || b.Severity != fleet.SeverityInfo {
		t.Fatalf("idle during overspeed snooze: created=%v severity=%s; want raised as info", created, b.Severity)
	}

	// Mute: nothing from the truck until unmuted (or put back in service).
	_, err = s.ActOnAlert(ctx, b.ID, fleet.ActMute, ada, now)
	must(t, err)
	_, err = s.ResolveAlert(ctx, b.IncidentKey, now)
	must(t, err)
	if _, created, _ := s.OpenAlert(ctx, idle(now.Add(time.Minute))); created {
		t.Errorf("idle of a muted truck was raised")
	}
	was, err := s.UnmuteTruck(ctx, "T11985LA", ada)
	must(t, err)
	if !was {
		t.Errorf("UnmuteTruck = false; want true")
	}
	c, created, err := s.OpenAlert(ctx, idle(now.Add(2*time.Minute)))
	must(t, err)
	if !created {
		t.Fatalf("idle after unmute was not raised")
	}
	_, err = s.ResolveAlert(ctx, c.IncidentKey, now)
	must(t, err)

	// Maintenance silences idle, offline and overspeed, not a trip delay; until ends it.
	until := now.Add(time.Hour)
	_, err = s.SetTruckMaintenance(ctx, "T11985LA", &until, ada)
	must(t, err)
	if _, created, _ := s.OpenAlert(ctx, idle(now.Add(3*time.Minute))); created {
		t.Errorf("idle of a truck in maintenance was raised")
	}
	delayed := fleet.Alert{Kind: fleet.AlertTripDelayed, IncidentKey: "trip_delayed:TRP-0001", Plate: "T11985LA", OpenedAt: now}
	if d, created, _ := s.OpenAlert(ctx, delayed); !created || d.Severity != fleet.SeverityCritical {
		t.Errorf("trip delay of a truck in maintenance: created=%v severity=%s; want raised as critical", created, d.Severity)
	}
	if _, created, _ := s.OpenAlert(ctx, idle(until.Add(time.Minute))); !created {
		t.Errorf("idle after maintenance until was not raised")
	}
	ended, err := s.EndMaintenance(ctx, until.Add(time.Second))
	must(t, err)
	if len(ended) != 1 || ended[0] != "T11985LA" {
		t.Errorf("EndMaintenance = %v; want [T11985LA]", ended)
	}
}

func TestAckEndsAlertsOpenUntilAcked(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	sos := fleet.Alert{Kind: fleet.AlertLoconav, SourceKind: "SosAlert", IncidentKey: "loconav:T1:SosAlert:9",
		Plate: "T11985LA", Message: "SOS pressed", OpenedAt: time.Now()}
	a, _, err := s.OpenAlert(ctx, sos)
	must(t, err)
	if a.Severity != fleet.SeverityCritical {
		t.Errorf("SOS severity = %s; want critical", a.Severity)
	}
	got, err := s.ActOnAlert(ctx, a.ID, fleet.ActAck, ada, time.Time{})
	must(t, err)
	if got.Open() || got.Resolution != "acknowledged by Ada" {
		t.Errorf("acknowledged SOS: open=%v resolution=%q; want resolved, acknowledged by Ada", got.Open(), got.Resolution)
	}
}
