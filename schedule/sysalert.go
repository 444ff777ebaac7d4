package schedule

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/watchtower-ops/watchtower/fleet"
)

// Incident keys of Watch Tower's own trouble. DeadIncidentIngest is the key ingest uses too
// when it dead-letters an entry, so the two never open two incidents.
const (
	PostgresIncident   = "system:postgres"
	RedisIncident      = "system:redis"
	DeadIncidentIngest = "system:ingest_dead"
	DeadIncidentNotify = "system:notify_dead"
	jobIncidentPrefix  = "system:job:"
)

// SystemIncidents records Watch Tower's own incidents in Postgres (*store.Store). Opening and
// resolving park the notification in an outbox in the same transaction; RelayOutbox hands
// parked notifications to the notify stream once Redis answers, so none is lost while Redis
// is down. OpenSystemAlert returns created false when the key is already open;
// ResolveSystemAlert returns ENOTFOUND when it is not open. Each change is announced by the
// one replica whose write made it.
type SystemIncidents interface {
	OpenSystemAlert(ctx context.Context, a fleet.Alert) (fleet.Alert, bool, error)
	ResolveSystemAlert(ctx context.Context, incidentKey string, at time.Time) (fleet.Alert, error)
	RelayOutbox(ctx context.Context, send func(context.Context, []fleet.Notification) error) (int, error)
}

// JobHistory returns the latest run of each job (the scheduler's Ledger has it).
type JobHistory interface {
	LastJobRuns(ctx context.Context) (map[string]fleet.JobRun, error)
}

// BatchNotifier appends notifications to the notify stream in order, skipping IDs already
// appended (ingest.NotifyStream).
type BatchNotifier interface {
	NotifyAll(ctx context.Context, ns []fleet.Notification) error
}

// SystemWatch raises Watch Tower's own incidents: a scheduled job whose latest run failed,
// entries in a dead-letter stream ({prefix}:ingest:dead, {prefix}:notify:dead), and Postgres
// or Redis unreachable from this replica for longer than Grace. Each incident posts one
// critical message (audience ops: SLACK_OPS_CHANNEL) and one resolution when it clears: the
// job's next run succeeds, the dead-letter stream is emptied, the server answers again.
//
// Every replica runs one; they agree through the stores. Incidents are rows of the alerts
// table (one open per key), announced through the Postgres outbox; while Postgres is down
// the Postgres incident is claimed in Redis instead (SET NX) and announced there. With both
// down nothing can be recorded; the log says so every check.
type SystemWatch struct {
	Incidents SystemIncidents
	Jobs      JobHistory
	Notifier  BatchNotifier
	Redis     *redis.Client
	Prefix    string
	// PingPostgres returns nil when Postgres answers.
	PingPostgres func(ctx context.Context) error
	Grace        time.Duration // how long a server may be unreachable before it is an incident; default 1 min
	Every        time.Duration // time between checks; default 10 s
	Location     *time.Location
	Log          *slog.Logger

	pgDownSince, redisDownSince time.Time
}

func (w *SystemWatch) defaults() {
	if w.Grace <= 0 {
		w.Grace = time.Minute
	}
	if w.Every <= 0 {
		w.Every = 10 * time.Second
	}
	if w.Location == nil {
		w.Location = fleet.Lagos()
	}
	if w.Log == nil {
		w.Log = slog.New(slog.DiscardHandler)
	}
}

// Run checks every Every until ctx is done, then returns nil.
func (w *SystemWatch) Run(ctx context.Context) error {
	w.defaults()
	t := time.NewTicker(w.Every)
	defer t.Stop()
	for {
		w.Check(ctx, time.Now())
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// Check looks at everything once as of now, opens and resolves incidents, and moves the
// outbox to the notify stream. It is not safe for concurrent use (Run calls it in turn).
func (w *SystemWatch) Check(ctx context.Context, now time.Time) {
	w.defaults()
	cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	pgErr := w.PingPostgres(cctx)
	rdErr := w.Redis.Ping(cctx).Err()
	cancel()
	pgUp, redisUp := pgErr == nil, rdErr == nil
	w.pgDownSince = w.track(ctx, "postgres", w.pgDownSince, pgErr, now)
	w.redisDownSince = w.track(ctx, "redis", w.redisDownSince, rdErr, now)
	if !pgUp && !redisUp {
		w.Log.ErrorContext(ctx, "postgres and redis both unreachable: system incidents cannot be recorded")
		return
	}
	if redisUp {
		w.postgresIncident(ctx, now)
	}
	if !pgUp {
		return
	}
	w.redisIncident(ctx, now)
	if redisUp {
		w.deadLetters(ctx, now)
	}
	w.failedJobs(ctx, now)
	if redisUp {
		if _, err := w.Incidents.RelayOutbox(ctx, w.Notifier.NotifyAll); err != nil {
			w.Log.WarnContext(ctx, "relay system notifications", "err", err)
		}
	}
}

// track returns when the server has been unreachable since (zero when it answers), logging
// each change once.
func (w *SystemWatch) track(ctx context.Context, name string, since time.Time, err error, now time.Time) time.Time {
	switch {
	case err == nil && !since.IsZero():
		w.Log.InfoContext(ctx, name+" reachable again", "down_for", now.Sub(since).Round(time.Second).String())
		return time.Time{}
	case err == nil:
		return time.Time{}
	case since.IsZero():
		w.Log.ErrorContext(ctx, name+" unreachable", "err", err)
		return now
	}
	return since
}

// systemAlert is the incident key with its critical alert.
func (w *SystemWatch) systemAlert(key, message string, opened time.Time) fleet.Alert {
	return fleet.Alert{Kind: fleet.AlertSystem, IncidentKey: key, Severity: fleet.SeverityCritical,
		Message: message, OpenedAt: opened.UTC().Truncate(time.Millisecond)}
}

// open opens an incident in Postgres (announced through the outbox by the replica that
// created it).
func (w *SystemWatch) open(ctx context.Context, a fleet.Alert) {
	if _, created, err := w.Incidents.OpenSystemAlert(ctx, a); err != nil {
		w.Log.ErrorContext(ctx, "open system incident", "incident", a.IncidentKey, "err", err)
	} else if created {
		w.Log.ErrorContext(ctx, "system incident opened", "incident", a.IncidentKey, "message", a.Message)
	}
}

// resolve resolves an incident in Postgres when it is open.
func (w *SystemWatch) resolve(ctx context.Context, key string, now time.Time) {
	a, err := w.Incidents.ResolveSystemAlert(ctx, key, now)
	switch {
	case fleet.ErrorCode(err) == fleet.ENOTFOUND:
	case err != nil:
		w.Log.ErrorContext(ctx, "resolve system incident", "incident", key, "err", err)
	default:
		w.Log.InfoContext(ctx, "system incident resolved", "incident", key, "lasted", now.Sub(a.OpenedAt).Round(time.Second).String())
	}
}

// clock formats t as business time of day for messages.
func (w *SystemWatch) clock(t time.Time) string {
	return fleet.FormatTime(t, w.Location)
}

// redisIncident opens the Redis incident after Grace of this replica failing to reach it and
// resolves it when it answers. The outbox holds both messages until Redis is back.
func (w *SystemWatch) redisIncident(ctx context.Context, now time.Time) {
	if w.redisDownSince.IsZero() {
		w.resolve(ctx, RedisIncident, now)
		return
	}
	if now.Sub(w.redisDownSince) < w.Grace {
		return
	}
	w.open(ctx, w.systemAlert(RedisIncident, fmt.Sprintf("Redis has been unreachable since %s. LocoNav webhooks are "+
		"refused with 503 (LocoNav retries them) and Slack notifications wait until it is back.", w.clock(w.redisDownSince)),
		w.redisDownSince))
}

// deadLetters keeps one incident per dead-letter stream open while the stream has entries.
func (w *SystemWatch) deadLetters(ctx context.Context, now time.Time) {
	streams := []struct{ key, stream, what string }{
		{DeadIncidentIngest, fleet.Keys{Prefix: w.Prefix}.IngestDead(), "LocoNav events could not be applied"},
		{DeadIncidentNotify, fleet.Keys{Prefix: w.Prefix}.NotifyDead(), "Slack notifications could not be posted"},
	}
	for _, s := range streams {
		n, err := w.Redis.XLen(ctx, s.stream).Result()
		if err != nil {
			w.Log.WarnContext(ctx, "read dead-letter stream", "stream", s.stream, "err", err)
			continue
		}
		if n == 0 {
			w.resolve(ctx, s.key, now)
			continue
		}
		w.open(ctx, w.systemAlert(s.key, fmt.Sprintf("%s entries in %s: %s and were set aside. "+
			"See the runbook (dead letters); the incident clears when the stream is emptied.",
			strconv.FormatInt(n, 10), s.stream, s.what), now))
	}
}

// failedJobs keeps one incident per job whose latest run failed, resolved by its next success.
func (w *SystemWatch) failedJobs(ctx context.Context, now time.Time) {
	runs, err := w.Jobs.LastJobRuns(ctx)
	if err != nil {
		w.Log.WarnContext(ctx, "read job runs", "err", err)
		return
	}
	for name, r := range runs {
		key := jobIncidentPrefix + name
		switch r.Outcome {
		case fleet.JobOK:
			w.resolve(ctx, key, now)
		case fleet.JobFailed:
			at := r.FinishedAt
			if at.IsZero() {
				at = r.StartedAt
			}
			w.open(ctx, w.systemAlert(key, fmt.Sprintf("The scheduled job %s failed at %s. The log line \"job failed\" "+
				"with job=%s has the reason; /watchtower jobs shows the last outcome.", name, w.clock(at), name), at))
		}
	}
}
