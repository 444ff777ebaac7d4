package main

import (
	"github.com/watchtower-ops/watchtower/bot"
	"github.com/watchtower-ops/watchtower/bot/api"
	"github.com/watchtower-ops/watchtower/bot/api/tokencli"
	"github.com/watchtower-ops/watchtower/bot/console"
	"github.com/watchtower-ops/watchtower/ingest"
	"github.com/watchtower-ops/watchtower/ingest/loconav"
	"github.com/watchtower-ops/watchtower/schedule"
	"github.com/watchtower-ops/watchtower/store"
	"github.com/watchtower-ops/watchtower/store/sheets"
	"github.com/watchtower-ops/watchtower/tools"
)

// Each consumer declares the small interfaces it needs; these are the concrete values main
// hands them, checked at compile time in one list: the store, the streams, the fleet
// functions and the scheduler.
var (
	_ ingest.Recorder          = (*store.Store)(nil)
	_ ingest.Keeper            = (*store.Store)(nil)
	_ loconav.RosterStore      = (*store.Store)(nil)
	_ loconav.PollStore        = (*store.Store)(nil)
	_ loconav.PushStore        = (*store.Store)(nil)
	_ schedule.Ledger          = (*store.Store)(nil)
	_ schedule.Store           = (*store.Store)(nil)
	_ schedule.SystemIncidents = (*store.Store)(nil)
	_ schedule.JobHistory      = (*store.Store)(nil)
	_ tools.Fleet              = (*store.Store)(nil)
	_ tools.RosterSource       = (*store.Store)(nil)
	_ bot.AlertThreads         = (*store.Store)(nil)
	_ bot.TripMessages         = (*store.Store)(nil)
	_ bot.Catalog              = (*store.Store)(nil)
	_ api.Catalog              = (*store.Store)(nil)
	_ api.Roster               = (*store.Store)(nil)
	_ api.Audit                = (*store.Store)(nil)
	_ api.TokenStore           = (*store.Store)(nil)
	_ api.Drivers              = (*store.Store)(nil)
	_ tokencli.Store           = (*store.Store)(nil)

	_ loconav.Enqueuer        = (*ingest.Producer)(nil)
	_ loconav.Notifier        = (*ingest.NotifyStream)(nil)
	_ schedule.Notifier       = (*ingest.NotifyStream)(nil)
	_ schedule.BatchNotifier  = (*ingest.NotifyStream)(nil)
	_ sheets.Notifier         = (*ingest.NotifyStream)(nil)
	_ tools.Notifier          = (*ingest.NotifyStream)(nil)
	_ schedule.EventPublisher = (*ingest.EventStream)(nil)
	_ api.Feed                = (*ingest.PositionStream)(nil)

	_ api.Trucks           = (*tools.Registry)(nil)
	_ api.Trips            = (*tools.Registry)(nil)
	_ api.Reports          = (*tools.Registry)(nil)
	_ api.Alerts           = (*tools.Registry)(nil)
	_ bot.Lookups          = (*tools.Registry)(nil)
	_ bot.TripDesk         = (*tools.Registry)(nil)
	_ bot.Asker            = (*tools.Agent)(nil)
	_ api.Agent            = (*tools.Agent)(nil)
	_ console.RosterSource = (*tools.StateIndex)(nil)
	_ bot.Jobs             = (*schedule.Scheduler)(nil)
	_ console.Liner        = (*bot.Handler)(nil)
	_ console.Printer      = (*bot.ConsoleSender)(nil)
)
