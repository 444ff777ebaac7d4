package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/watchtower-ops/watchtower/ingest"
	"github.com/watchtower-ops/watchtower/store"
)

// The store is what ingest records into.
var (
	_ ingest.Recorder = (*store.Store)(nil)
	_ ingest.Keeper   = (*store.Store)(nil)
)

// wireIngest mounts the LocoNav webhook listener (POST /webhooks/loconav and
// /webhooks/loconav/{token}), registers ingest's metrics, and returns IngestWorkers consumer
// workers of group "processors" plus the upkeep chores.
func wireIngest(ctx context.Context, a *app) ([]component, error) {
	m := ingest.NewMetrics(a.registry)
	var secrets []string
	if a.cfg.LoconavWebhookSecret != "" {
		secrets = []string{a.cfg.LoconavWebhookSecret}
	}
	if len(secrets) == 0 && a.cfg.LoconavWebhookToken == "" {
		a.log.WarnContext(ctx, "LOCONAV_WEBHOOK_SECRET and LOCONAV_WEBHOOK_TOKEN are unset: every webhook will be refused")
	}
	l := ingest.NewListener(ingest.NewProducer(a.rdb, a.cfg.RedisPrefix), ingest.ListenerConfig{
		Secrets: secrets, Token: a.cfg.LoconavWebhookToken, Zone: a.cfg.LoconavTimezone,
	}, m, a.log)
	l.Mount(a.mux)
	if err := ingest.EnsureGroup(ctx, a.rdb, a.cfg.RedisPrefix); err != nil {
		return nil, fmt.Errorf("ingest consumer group: %w", err)
	}
	host, _ := os.Hostname()
	if host == "" {
		host = "watchtower"
	}
	var comps []component
	if a.cfg.IngestWorkers == 0 {
		a.log.InfoContext(ctx, "ingest consumers off (INGEST_WORKERS=0): this replica only accepts webhooks; others apply them")
	}
	for i := range a.cfg.IngestWorkers {
		c := ingest.NewConsumer(a.rdb, a.store, ingest.ConsumerConfig{
			Prefix: a.cfg.RedisPrefix, Name: fmt.Sprintf("%s-%d", host, i), Batch: a.cfg.IngestBatch,
			Thresholds: a.cfg.Thresholds,
		}, m, a.log)
		comps = append(comps, c.Run)
	}
	u := ingest.NewUpkeep(a.rdb, a.store, ingest.UpkeepConfig{Prefix: a.cfg.RedisPrefix, Thresholds: a.cfg.Thresholds,
		SweepFrom: a.offlineSweepFrom()}, m, a.log)
	return append(comps, u.Run), nil
}

// maxOfflineGrace bounds how long after start-up offline incidents are held back.
const maxOfflineGrace = 5 * time.Minute

// offlineSweepFrom is when this process may start opening offline incidents: after a start-up
// grace of OFFLINE_AFTER (at most five minutes), so trucks that report within it after a
// restart are not all declared offline first. Ingest's sweep and the connectivity job share it.
func (a *app) offlineSweepFrom() time.Time {
	if a.sweepFrom.IsZero() {
		a.sweepFrom = time.Now().Add(min(a.cfg.Thresholds.OfflineAfter, maxOfflineGrace))
	}
	return a.sweepFrom
}
