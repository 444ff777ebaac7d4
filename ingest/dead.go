package ingest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"time"

	"github.com/cenkalti/backoff/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/redis/go-redis/v9"

	"github.com/watchtower-ops/watchtower/fleet"
)

// DeadIncident is the incident key of the system alert raised when ingest entries are
// dead-lettered. It stays open until an operator resolves it; later entries reply in its
// thread.
const DeadIncident = "system:ingest_dead"

// deadLetter moves m to {prefix}:ingest:dead with the error, raises (or updates) the system
// alert, and acknowledges m. It reports whether m was settled.
func (c *Consumer) deadLetter(ctx context.Context, m redis.XMessage, deliveries int64, cause error) bool {
	payload, _ := m.Values[EntryField].(string)
	err := c.rdb.XAdd(ctx, &redis.XAddArgs{Stream: c.keys.IngestDead(), Values: []any{
		"id", m.ID, EntryField, payload, "error", cause.Error(), "deliveries", strconv.FormatInt(deliveries, 10),
		"consumer", c.cfg.Name, "at", time.Now().UTC().Format(time.RFC3339Nano),
	}}).Err()
	if err != nil {
		c.fail(ctx, "dead-letter", err)
		return false
	}
	c.metrics.deadOne()
	c.log.ErrorContext(ctx, "ingest entry dead-lettered", "entry_id", m.ID, "err", cause)
	if err := c.raiseDead(ctx, m.ID, cause); err != nil {
		c.fail(ctx, "dead-letter alert", err) // the entry is safe in the dead stream; do not retry it
	}
	if err := c.rdb.XAck(ctx, c.keys.Ingest(), Group, m.ID).Err(); err != nil {
		c.fail(ctx, "ack", err)
		return false
	}
	return true
}

// raiseDead opens the system incident for dead-lettered entries, or adds to it when open.
func (c *Consumer) raiseDead(ctx context.Context, entryID string, cause error) error {
	now := time.Now().UTC()
	data, _ := json.Marshal(map[string]string{"entry_id": entryID, "stream": c.keys.IngestDead(), "error": cause.Error()})
	a, created, err := c.rec.OpenAlert(ctx, fleet.Alert{
		Kind: fleet.AlertSystem, IncidentKey: DeadIncident, Severity: fleet.SeverityCritical, OpenedAt: now, Data: data,
		Message: fmt.Sprintf("Ingest could not apply entry %s after repeated tries; it is in %s for inspection", entryID, c.keys.IngestDead()),
	})
	if err != nil {
		return err
	}
	if created {
		return c.notify.Notify(ctx, fleet.AlertNotification(a, fleet.NotifyAlertOpened, now))
	}
	n := fleet.AlertNotification(a, fleet.NotifyAlertUpdated, now)
	n.ID += ":" + entryID
	n.Text = fmt.Sprintf("Another ingest entry was dead-lettered: %s (%s)", entryID, cause)
	return c.notify.Notify(ctx, n)
}

// isTransient reports whether err is an outage worth waiting out (database or Redis down, a
// timeout, a serialization failure) rather than something wrong with the entries.
func isTransient(err error) bool {
	if err == nil {
		return false
	}
	if fleet.ErrorCode(err) == fleet.EUNAVAILABLE || errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) {
		return true
	}
	var ne net.Error
	var ce *pgconn.ConnectError
	if errors.As(err, &ne) || errors.As(err, &ce) || pgconn.Timeout(err) {
		return true
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		// 08 connection, 40001/40P01 serialization and deadlock, 57P01/57P03 shutdown and
		// start-up, 53 insufficient resources (disk full, out of memory, too many
		// connections), 25006 read-only transaction (a failover in progress), 55P03 lock
		// not available: all pass when the database recovers, so the entry waits rather than
		// being dead-lettered.
		case pe.Code[:2] == "08", pe.Code[:2] == "53", pe.Code == "40001", pe.Code == "40P01", pe.Code == "57P01",
			pe.Code == "57P03", pe.Code == "25006", pe.Code == "55P03":
			return true
		}
	}
	return false
}

// newBackOff is the wait between retries of an outage: 0.5 s, 1 s, 2 s … up to 30 s, each
// spread by ±50% so replicas do not retry in step.
func newBackOff() *backoff.ExponentialBackOff {
	return &backoff.ExponentialBackOff{InitialInterval: 500 * time.Millisecond, RandomizationFactor: 0.5,
		Multiplier: 2, MaxInterval: 30 * time.Second}
}

// sleep waits d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
