package ingest

import (
	"github.com/redis/go-redis/v9"

	"github.com/watchtower-ops/watchtower/fleet"
)

// DecodeStreamEntry exposes decodeEntry to the external tests.
func DecodeStreamEntry(m redis.XMessage) (fleet.Observation, error) { return decodeEntry(m) }
