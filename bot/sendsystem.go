package bot

import (
	"context"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
)

// incidentParentTTL keeps the parent of an incident that has no row in the alerts table (the
// Postgres outage, announced while Postgres was down) long enough for its resolution.
const incidentParentTTL = 30 * 24 * time.Hour

// incidentParentKey is where the parent message of an incident without an alert ID is kept:
// by incident key and opening time, which every replica derives alike.
func (s *Sender) incidentParentKey(a fleet.Alert) string {
	return fleet.Keys{Prefix: s.cfg.Prefix}.NotifyParent(a.IncidentKey, a.OpenedAt.UnixMilli())
}

// incidentParent finds the parent message of an incident without an alert ID in Redis.
func (s *Sender) incidentParent(ctx context.Context, a fleet.Alert) (parentRef, bool, error) {
	if a.IncidentKey == "" || a.OpenedAt.IsZero() {
		return parentRef{}, false, nil
	}
	h, err := s.rdb.HGetAll(ctx, s.incidentParentKey(a)).Result()
	if err != nil {
		return parentRef{}, false, err
	}
	if h["channel"] == "" || h["ts"] == "" {
		return parentRef{}, false, nil
	}
	return parentRef{channel: h["channel"], ts: h["ts"]}, true, nil
}

// rememberIncident records the parent message of an incident without an alert ID in Redis,
// so its resolution replies in the thread.
func (s *Sender) rememberIncident(ctx context.Context, a fleet.Alert, p parentRef) error {
	if a.IncidentKey == "" || a.OpenedAt.IsZero() {
		return nil
	}
	key := s.incidentParentKey(a)
	if err := s.rdb.HSet(ctx, key, "channel", p.channel, "ts", p.ts).Err(); err != nil {
		return err
	}
	return s.rdb.Expire(ctx, key, incidentParentTTL).Err()
}
