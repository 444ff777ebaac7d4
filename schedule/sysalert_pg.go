package schedule

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
)

// The Postgres incident cannot live in Postgres: it is a Redis hash, {prefix}:system:postgres,
// with the fields below. The first replica to set opened_at owns the incident's times, so every
// replica derives the same notification IDs from the hash and the notify stream's dedupe keeps
// each message to one.
const (
	pgOpenedField    = "opened_at"   // Unix ms the outage began (as seen by the claiming replica)
	pgAnnouncedField = "announced"   // set once the opening is in the notify stream
	pgResolvedField  = "resolved_at" // Unix ms it was seen answering again
	pgIncidentTTL    = 30 * 24 * time.Hour
)

func (w *SystemWatch) pgKey() string { return fleet.Keys{Prefix: w.Prefix}.SystemPostgres() }

// postgresIncident claims and announces the Postgres incident in Redis after Grace, and
// announces its resolution when Postgres answers again. Each step can be repeated after a
// crash without a second message.
func (w *SystemWatch) postgresIncident(ctx context.Context, now time.Time) {
	key := w.pgKey()
	if !w.pgDownSince.IsZero() && now.Sub(w.pgDownSince) >= w.Grace {
		since := strconv.FormatInt(w.pgDownSince.UnixMilli(), 10)
		if err := w.Redis.HSetNX(ctx, key, pgOpenedField, since).Err(); err != nil {
			w.Log.WarnContext(ctx, "claim postgres incident", "err", err)
			return
		}
		w.Redis.Expire(ctx, key, pgIncidentTTL)
	}
	h, err := w.Redis.HGetAll(ctx, key).Result()
	if err != nil || h[pgOpenedField] == "" {
		return // no incident (or Redis hiccup: next check)
	}
	if w.pgDownSince.IsZero() && h[pgResolvedField] == "" {
		resolved := strconv.FormatInt(now.UnixMilli(), 10)
		if err := w.Redis.HSetNX(ctx, key, pgResolvedField, resolved).Err(); err != nil {
			return
		}
		if h, err = w.Redis.HGetAll(ctx, key).Result(); err != nil {
			return
		}
	}
	a := w.pgAlert(h)
	var ns []fleet.Notification
	if h[pgAnnouncedField] == "" {
		open := a
		open.ResolvedAt = nil
		ns = append(ns, fleet.AlertNotification(open, fleet.NotifyAlertOpened, open.OpenedAt))
	}
	if a.ResolvedAt != nil {
		ns = append(ns, fleet.AlertNotification(a, fleet.NotifyAlertResolved, *a.ResolvedAt))
	}
	if len(ns) == 0 {
		return
	}
	if err := w.Notifier.NotifyAll(ctx, ns); err != nil {
		w.Log.WarnContext(ctx, "announce postgres incident", "err", err)
		return
	}
	if a.ResolvedAt != nil {
		w.Redis.Del(ctx, key)
		w.Log.InfoContext(ctx, "system incident resolved", "incident", PostgresIncident)
		return
	}
	w.Redis.HSet(ctx, key, pgAnnouncedField, "1")
	w.Log.ErrorContext(ctx, "system incident opened", "incident", PostgresIncident)
}

// pgAlert rebuilds the Postgres incident from its hash.
func (w *SystemWatch) pgAlert(h map[string]string) fleet.Alert {
	ms, _ := strconv.ParseInt(h[pgOpenedField], 10, 64)
	opened := time.UnixMilli(ms).UTC()
	a := w.systemAlert(PostgresIncident, fmt.Sprintf("PostgreSQL has been unreachable since %s. LocoNav events are "+
		"still accepted and wait in Redis; answers in Slack, trips and scheduled jobs fail until it is back.",
		w.clock(opened)), opened)
	if r, err := strconv.ParseInt(h[pgResolvedField], 10, 64); err == nil && h[pgResolvedField] != "" {
		t := time.UnixMilli(r).UTC()
		a.ResolvedAt = &t
	}
	return a
}
