package main

import (
	"github.com/watchtower-ops/watchtower/bot/api"
	"github.com/watchtower-ops/watchtower/ingest"
	"github.com/watchtower-ops/watchtower/store"
	"github.com/watchtower-ops/watchtower/tools"
)

// The store is what the fleet functions read and write; the notify stream carries their trip
// approvals to Slack.
var (
	_ tools.Fleet        = (*store.Store)(nil)
	_ tools.RosterSource = (*store.Store)(nil)
	_ tools.Notifier     = (*ingest.NotifyStream)(nil)
)

// fleetTools is the fleet functions and the agent over them, shared by the Slack bot, the
// console and the JSON API: one implementation, several front doors.
type fleetTools struct {
	Registry *tools.Registry   // the six functions, and ApproveTrip/RejectTrip
	Agent    *tools.Agent      // free text: the model, or the offline parser
	Index    *tools.StateIndex // nearby searches from memory
	Tracker  *api.Tracker      // customer tracking links: LocoNav's, else signed /track links
}

// newFleetTools returns the process's fleet functions, building them on first use: the
// registry over the store, with find_nearby_trucks and get_fleet_status answered from an
// in-memory index of the fleet's latest fixes (at most two reload intervals old), and the agent
// with per-thread memory in Redis. The first call also returns the component that keeps the
// index fresh; later calls share the same tools and return no component, so Slack, the console
// and the JSON API never run a second index.
func newFleetTools(a *app) (*fleetTools, []component) {
	if a.tools != nil {
		return a.tools, nil
	}
	idx := tools.NewStateIndex(a.store, tools.DefaultIndexInterval, a.log)
	tracker := api.NewTracker([]byte(a.cfg.TrackingSecret), a.cfg.PublicBaseURL)
	reg := tools.NewRegistry(a.store, ingest.NewNotifyStream(a.rdb, a.cfg.RedisPrefix), tools.Options{
		Thresholds: a.cfg.Thresholds, Location: a.cfg.Timezone, Nearby: idx, Roster: idx, Logger: a.log,
		TrackingLink: tracker.Link,
	})
	agent := tools.NewAgent(reg, tools.NewRedisMemory(a.rdb, a.cfg.RedisPrefix, tools.DefaultMemoryTTL), tools.AgentConfig{
		APIKey: a.cfg.OpenAIAPIKey, BaseURL: a.cfg.OpenAIBaseURL, Model: a.cfg.OpenAIModel, MaxRetries: 2,
	}, a.log)
	a.tools = &fleetTools{Registry: reg, Agent: agent, Index: idx, Tracker: tracker}
	return a.tools, []component{idx.Run}
}
