package ingest

import (
	"context"
	"errors"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/watchtower-ops/watchtower/fleet"
)

// Observer keeps, in Redis (fleet.Keys.Observing), the time ingest started observing the
// fleet, so any process (a cron run of the connectivity job included) can tell whether the
// fleet's silence is real or ingest just came back. It is safe for concurrent use.
type Observer struct {
	rdb  *redis.Client
	key  string
	life time.Duration
}

// NewObserver returns the observer of prefix's keys. life is how long a mark lasts without a
// refresh (ingest's upkeep marks every round; default 2 min).
func NewObserver(rdb *redis.Client, prefix string, life time.Duration) *Observer {
	if life <= 0 {
		life = 2 * time.Minute
	}
	return &Observer{rdb: rdb, key: fleet.Keys{Prefix: prefix}.Observing(), life: life}
}

// Mark records that ingest is observing at now: it keeps the start time when one is recorded
// and still alive, else records now.
func (o *Observer) Mark(ctx context.Context, now time.Time) error {
	_, err := o.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.SetNX(ctx, o.key, now.UTC().Format(time.RFC3339Nano), o.life)
		p.PExpire(ctx, o.key, o.life)
		return nil
	})
	return err
}

// ObservingSince returns when ingest started observing; ok is false when no replica of ingest
// has marked it within its life.
func (o *Observer) ObservingSince(ctx context.Context) (since time.Time, ok bool, err error) {
	v, err := o.rdb.Get(ctx, o.key).Result()
	switch {
	case errors.Is(err, redis.Nil):
		return time.Time{}, false, nil
	case err != nil:
		return time.Time{}, false, err
	}
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return time.Time{}, false, nil // unreadable: as if unmarked; the next mark rewrites it after expiry
	}
	return t, true, nil
}
