package ingest

import (
	"bytes"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/watchtower-ops/watchtower/fleet"
)

// DecodeStreamEntry exposes decodeEntry to the external tests.
func DecodeStreamEntry(m redis.XMessage) (fleet.Observation, error) { return decodeEntry(m) }

// DecodeGeneral exposes the encoding/json path of Decode, to check the fast path against it.
func (d *Decoder) DecodeGeneral(body []byte, recv time.Time) ([]Event, error) {
	return d.decodeGeneral(bytes.TrimSpace(body), recv)
}
