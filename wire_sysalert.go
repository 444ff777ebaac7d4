package main

import (
	"context"

	"github.com/watchtower-ops/watchtower/ingest"
	"github.com/watchtower-ops/watchtower/schedule"
	"github.com/watchtower-ops/watchtower/store"
)

// The store records system incidents and the runs they watch.
var (
	_ schedule.SystemIncidents = (*store.Store)(nil)
	_ schedule.JobHistory      = (*store.Store)(nil)
	_ schedule.BatchNotifier   = (*ingest.NotifyStream)(nil)
)

// wireSystemAlerts returns the watch that posts Watch Tower's own incidents (failed jobs,
// dead letters, Postgres or Redis unreachable for over a minute) to SLACK_OPS_CHANNEL.
func wireSystemAlerts(_ context.Context, a *app) ([]component, error) {
	return []component{a.systemWatch().Run}, nil
}

// systemWatch builds the system-incident watch over the app's stores.
func (a *app) systemWatch() *schedule.SystemWatch {
	return &schedule.SystemWatch{
		Incidents:    a.store,
		Jobs:         a.store,
		Notifier:     ingest.NewNotifyStream(a.rdb, a.cfg.RedisPrefix),
		Redis:        a.rdb,
		Prefix:       a.cfg.RedisPrefix,
		PingPostgres: a.pool.Ping,
		Location:     a.cfg.Timezone,
		Log:          a.log,
	}
}
