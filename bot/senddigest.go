package bot

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/watchtower-ops/watchtower/fleet"
)

// digestTTL keeps where a digest lists an alert for as long as anyone may still act on it.
const digestTTL = 30 * 24 * time.Hour

// digestRef is one digest message: where it is, the period and page it shows, and the alerts
// it lists, in order.
type digestRef struct {
	channel, ts, period string
	part, parts         int
	ids                 []int64
}

// alertDigest posts the info alerts of a period: per channel they route to, one message (or
// one per digestPage alerts). Each alert shows as stored now, and its digest message is
// recorded so that acting on it later updates the message in place.
func (d *delivery) alertDigest(ctx context.Context) error {
	var alerts []fleet.Alert
	if err := json.Unmarshal(d.n.Data, &alerts); err != nil {
		return fleet.Errorf(fleet.EINVALID, "alert.digest notification without its alerts")
	}
	byChannel := map[string][]fleet.Alert{}
	var order []string
	for _, a := range alerts {
		ch := d.s.channelFor(fleet.Notification{Kind: fleet.NotifyAlertOpened, Alert: &a})
		if _, ok := byChannel[ch]; !ok {
			order = append(order, ch)
		}
		byChannel[ch] = append(byChannel[ch], a)
	}
	for _, ch := range order {
		if ch == "" {
			continue
		}
		list := byChannel[ch]
		parts := (len(list) + digestPage - 1) / digestPage
		for p := range parts {
			page := list[p*digestPage : min(len(list), (p+1)*digestPage)]
			ref := digestRef{channel: ch, period: d.n.Text, part: p + 1, parts: parts}
			for i := range page {
				page[i] = d.s.stored(ctx, page[i])
				ref.ids = append(ref.ids, page[i].ID)
			}
			name := "digest:" + ch
			if p > 0 {
				name += ":" + strconv.Itoa(p+1)
			}
			ts, err := d.step(ctx, name, d.poster(ch, "", d.s.r.AlertDigest(page, ref.period, ref.part, ref.parts)))
			if err != nil {
				return err
			}
			ref.ts = ts
			if _, err := d.step(ctx, name+":record", func(ctx context.Context) (string, error) {
				return "", d.s.rememberDigest(ctx, ref)
			}); err != nil {
				return err
			}
		}
	}
	return nil
}

// rememberDigest records, for each alert of ref, the digest message listing it.
func (s *Sender) rememberDigest(ctx context.Context, ref digestRef) error {
	ids := make([]string, len(ref.ids))
	for i, id := range ref.ids {
		ids[i] = strconv.FormatInt(id, 10)
	}
	_, err := s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		for _, id := range ref.ids {
			key := s.keys.NotifyDigest(id)
			p.HSet(ctx, key, "channel", ref.channel, "ts", ref.ts, "period", ref.period, "part", ref.part,
				"parts", ref.parts, "ids", strings.Join(ids, ","))
			p.Expire(ctx, key, digestTTL)
		}
		return nil
	})
	return err
}

// digestOf finds the digest message listing alert id, if any.
func (s *Sender) digestOf(ctx context.Context, id int64) (digestRef, bool, error) {
	if id == 0 {
		return digestRef{}, false, nil
	}
	h, err := s.rdb.HGetAll(ctx, s.keys.NotifyDigest(id)).Result()
	if err != nil || h["channel"] == "" || h["ts"] == "" {
		return digestRef{}, false, err
	}
	ref := digestRef{channel: h["channel"], ts: h["ts"], period: h["period"]}
	ref.part, _ = strconv.Atoi(h["part"])
	ref.parts, _ = strconv.Atoi(h["parts"])
	for _, f := range strings.Split(h["ids"], ",") {
		if n, err := strconv.ParseInt(f, 10, 64); err == nil {
			ref.ids = append(ref.ids, n)
		}
	}
	return ref, len(ref.ids) > 0, nil
}

// updateDigest renders the digest message ref again from the alerts as stored now (who
// acknowledged, snoozed or muted which, which ended) and replaces it in place.
func (d *delivery) updateDigest(ctx context.Context, ref digestRef) error {
	alerts := make([]fleet.Alert, 0, len(ref.ids))
	for _, id := range ref.ids {
		a, err := d.s.alerts.AlertByID(ctx, id)
		switch {
		case fleet.ErrorCode(err) == fleet.ENOTFOUND:
			continue // pruned after 90 days: the digest lists the rest
		case err != nil:
			return err
		}
		alerts = append(alerts, a)
	}
	_, err := d.step(ctx, "digest-update", d.updater(ref.channel, ref.ts, d.s.r.AlertDigest(alerts, ref.period, ref.part, ref.parts)))
	return err
}
