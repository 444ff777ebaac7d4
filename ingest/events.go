package ingest

import (
	"context"

	"github.com/redis/go-redis/v9"

	"github.com/watchtower-ops/watchtower/fleet"
)

// EventStream appends domain events to {prefix}:events for parts outside ingest's consumers
// (the connectivity job), so they publish exactly as the consumers do.
type EventStream struct {
	rdb    *redis.Client
	prefix string
}

// NewEventStream returns an EventStream writing under prefix.
func NewEventStream(rdb *redis.Client, prefix string) *EventStream {
	return &EventStream{rdb: rdb, prefix: prefix}
}

// PublishEvents appends events to the events stream (PublishEvents).
func (s *EventStream) PublishEvents(ctx context.Context, events []fleet.Event) error {
	return PublishEvents(ctx, s.rdb, s.prefix, events)
}
