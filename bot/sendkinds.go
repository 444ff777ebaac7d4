package bot

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"

	"github.com/slack-go/slack"

	"github.com/watchtower-ops/watchtower/fleet"
)

// run performs the notification's steps; each Slack call waits for the lane's rate limit.
func (d *delivery) run(ctx context.Context) error {
	n := d.n
	switch n.Kind {
	case fleet.NotifyAlertOpened, fleet.NotifyAlertUpdated, fleet.NotifyAlertResolved, fleet.NotifyAlertActed,
		fleet.NotifyAlertEscalate:
		return d.alert(ctx)
	case fleet.NotifyTripApproval:
		return d.approval(ctx)
	case fleet.NotifyTripDecided:
		return d.decided(ctx)
	case fleet.NotifyTripEvent:
		return d.tripEvent(ctx)
	case fleet.NotifyDailySummary:
		if n.Summary == nil {
			return fleet.Errorf(fleet.EINVALID, "digest.daily notification without a summary")
		}
		_, err := d.step(ctx, "post", d.poster(d.lane.channel, n.ThreadTS, d.s.r.DigestSummary(n.Summary)))
		return err
	case fleet.NotifyWeeklyReport:
		return d.weekly(ctx)
	case fleet.NotifyAlertDigest:
		return d.alertDigest(ctx)
	}
	_, err := d.step(ctx, "post", d.poster(d.lane.channel, n.ThreadTS, d.s.r.Report(n)))
	return err
}

// poster returns a step that posts v to channel (in threadTS's thread when set) and yields
// the new message's ts.
func (d *delivery) poster(channel, threadTS string, v View) func(context.Context) (string, error) {
	return func(ctx context.Context) (string, error) {
		if err := d.wait(ctx); err != nil {
			return "", err
		}
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), callTimeout)
		defer cancel()
		_, ts, err := d.s.api.PostMessageContext(cctx, channel, messageOptions(v, threadTS)...)
		if blocksRejected(err) {
			d.s.log.WarnContext(ctx, "slack refused the blocks; posting the text alone", "channel", channel, "entry_id", d.entryID, "err", err)
			_, ts, err = d.s.api.PostMessageContext(cctx, channel, textOptions(v, threadTS)...)
		}
		return ts, err
	}
}

// updater returns a step that replaces the message ts in channel with v. A message that is
// gone or no longer editable is skipped: the thread reply already says what changed.
func (d *delivery) updater(channel, ts string, v View) func(context.Context) (string, error) {
	return func(ctx context.Context) (string, error) {
		if err := d.wait(ctx); err != nil {
			return "", err
		}
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), callTimeout)
		defer cancel()
		_, _, _, err := d.s.api.UpdateMessageContext(cctx, channel, ts, messageOptions(v, "")...)
		if blocksRejected(err) {
			_, _, _, err = d.s.api.UpdateMessageContext(cctx, channel, ts, textOptions(v, "")...)
		}
		if messageGone(err) {
			d.s.log.WarnContext(ctx, "parent message gone; not updated", "channel", channel, "entry_id", d.entryID, "err", err)
			return "skipped", nil
		}
		return ts, err
	}
}

// messageOptions renders v as a message: blocks, text fallback, no link previews.
func messageOptions(v View, threadTS string) []slack.MsgOption {
	opts := []slack.MsgOption{slack.MsgOptionText(esc(v.FallbackText()), false), slack.MsgOptionDisableLinkUnfurl(),
		slack.MsgOptionDisableMediaUnfurl()}
	if blocks := v.Blocks(); len(blocks) > 0 {
		opts = append(opts, slack.MsgOptionBlocks(blocks...))
	}
	if threadTS != "" {
		opts = append(opts, slack.MsgOptionTS(threadTS))
	}
	return opts
}

// textOptions renders v as its text fallback alone, for when Slack refuses the blocks.
func textOptions(v View, threadTS string) []slack.MsgOption {
	return messageOptions(View{Text: v.FallbackText()}, threadTS)
}

// parentWait is how long an update or resolution waits for its incident's parent message
// (posted by another replica, say) before posting one of its own.
const parentWait = 30 * time.Second

// alert posts an incident's parent message, or replies in its thread and updates the parent.
func (d *delivery) alert(ctx context.Context) error {
	if d.n.Alert == nil {
		return fleet.Errorf(fleet.EINVALID, "%s notification without an alert", d.n.Kind)
	}
	a := *d.n.Alert
	parent, ok, err := d.s.parentOf(ctx, a)
	if err != nil {
		return err
	}
	// The parent shows the alert as stored now (acknowledged, snoozed, resolved…), whatever
	// order the notifications arrive in and whichever replica renders it.
	shown := d.s.stored(ctx, a)
	if a.Message != "" {
		shown.Message = a.Message // an update may carry a newer description than the one stored
	}
	if !ok && d.n.Kind != fleet.NotifyAlertOpened && a.ID != 0 {
		// An info alert listed in a digest: acting on it, or its end, updates that digest.
		ref, listed, err := d.s.digestOf(ctx, a.ID)
		if err != nil {
			return err
		}
		if listed {
			return d.updateDigest(ctx, ref)
		}
	}
	if !ok && (d.n.Kind == fleet.NotifyAlertActed || d.n.Kind == fleet.NotifyAlertEscalate) && a.ID != 0 &&
		time.Since(d.n.CreatedAt) >= parentWait {
		return nil // no message to update; the parent, once posted, shows the alert as stored
	}
	if !ok && d.s.cfg.DigestInfo && orSeverity(shown.Severity) == fleet.SeverityInfo {
		return nil // info alerts come in the period's digest, without a thread of their own
	}
	if !ok { // the first message of the incident (or its parent was never posted)
		if d.n.Kind != fleet.NotifyAlertOpened && a.ID != 0 && time.Since(d.n.CreatedAt) < parentWait {
			// With several replicas the incident's first alert may still be in another
			// replica's hands: wait for its parent rather than start a second thread.
			return fleet.Errorf(fleet.EUNAVAILABLE, "incident %d has no parent message yet", a.ID)
		}
		ts, err := d.step(ctx, "parent", d.poster(d.lane.channel, "", d.s.r.AlertParent(shown)))
		if err != nil {
			return err
		}
		parent = parentRef{channel: d.lane.channel, ts: ts}
		_, err = d.step(ctx, "record", func(ctx context.Context) (string, error) {
			if a.ID == 0 {
				return "", d.s.rememberIncident(ctx, a, parent)
			}
			err := d.s.alerts.SetAlertSlack(ctx, a.ID, parent.channel, parent.ts)
			if fleet.ErrorCode(err) == fleet.ENOTFOUND {
				return "missing", nil // pruned meanwhile: nothing to thread under later
			}
			return "", err
		})
		if err == nil {
			// Cached only once stored: a retry after a failed record must find no parent here,
			// take this branch again (the posted step is not repeated) and record it.
			d.s.remember(a.ID, parent)
		}
		return err
	}
	if reply, ok := d.alertReply(a, shown); ok {
		if _, err := d.step(ctx, "reply", d.poster(parent.channel, parent.ts, reply)); err != nil {
			return err
		}
	}
	_, err = d.step(ctx, "update", d.updater(parent.channel, parent.ts, d.s.r.AlertParent(shown)))
	return err
}

// alertReply is the reply an alert notification posts in the incident's thread: none for
// the first message and for actions (the parent shows who did what), the escalation (unless
// the stored alert is acknowledged or resolved by now), an update, or the resolution.
func (d *delivery) alertReply(a, stored fleet.Alert) (View, bool) {
	switch d.n.Kind {
	case fleet.NotifyAlertOpened, fleet.NotifyAlertActed:
		return View{}, false
	case fleet.NotifyAlertEscalate:
		if stored.Acked != nil || !stored.Open() {
			return View{}, false // acknowledged or resolved since: nobody needs waking
		}
		return d.s.r.AlertEscalation(a, d.s.cfg.Oncall, d.n.Text), true
	case fleet.NotifyAlertResolved:
		return d.s.r.AlertReply(a, true, ""), true // the reply says when and after how long itself
	}
	return d.s.r.AlertReply(a, false, d.n.Text), true
}

// stored returns alert a as stored now, or a itself when it has no ID or cannot be read (the
// notification's copy is then the best there is).
func (s *Sender) stored(ctx context.Context, a fleet.Alert) fleet.Alert {
	if a.ID == 0 {
		return a
	}
	got, err := s.alerts.AlertByID(ctx, a.ID)
	if err != nil {
		if fleet.ErrorCode(err) != fleet.ENOTFOUND {
			s.log.WarnContext(ctx, "read alert; rendering the notification's copy", "alert_id", a.ID, "err", err)
		}
		return a
	}
	return got
}

// parentOf finds an incident's parent message: remembered, in the notification, or stored.
func (s *Sender) parentOf(ctx context.Context, a fleet.Alert) (parentRef, bool, error) {
	s.mu.Lock()
	p, ok := s.parents[a.ID]
	s.mu.Unlock()
	if ok && a.ID != 0 {
		return p, true, nil
	}
	if a.SlackChannel != "" && a.SlackTS != "" {
		return parentRef{a.SlackChannel, a.SlackTS}, true, nil
	}
	if a.ID == 0 {
		return s.incidentParent(ctx, a) // an incident kept outside the alerts table (sendsystem.go)
	}
	stored, err := s.alerts.AlertByID(ctx, a.ID)
	switch {
	case fleet.ErrorCode(err) == fleet.ENOTFOUND:
		return parentRef{}, false, nil
	case err != nil:
		return parentRef{}, false, err
	case stored.SlackChannel != "" && stored.SlackTS != "":
		p = parentRef{stored.SlackChannel, stored.SlackTS}
		s.remember(a.ID, p)
		return p, true, nil
	}
	return parentRef{}, false, nil
}

// remember caches an incident's parent; the cache is dropped when it grows large, since the
// store has every parent anyway.
func (s *Sender) remember(id int64, p parentRef) {
	if id == 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.parents) > 10000 {
		s.parents = make(map[int64]parentRef)
	}
	s.parents[id] = p
}

// weekly posts the weekly report and uploads its chart (Data.chart_png, base64 PNG) in the
// report's thread.
func (d *delivery) weekly(ctx context.Context) error {
	ts, err := d.step(ctx, "post", d.poster(d.lane.channel, d.n.ThreadTS, d.s.r.Weekly(d.n)))
	if err != nil {
		return err
	}
	png := chartPNG(d.n.Data)
	if png == nil {
		return nil
	}
	_, err = d.step(ctx, "chart", func(ctx context.Context) (string, error) {
		if err := d.wait(ctx); err != nil {
			return "", err
		}
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), callTimeout)
		defer cancel()
		name, title, alt := chartNames(d.n.Data)
		f, err := d.s.api.UploadFileContext(cctx, slack.UploadFileParameters{Reader: bytes.NewReader(png), FileSize: len(png),
			Filename: name, Title: title, Channel: d.lane.channel, ThreadTimestamp: ts, AltTxt: alt})
		if err != nil {
			return "", fmt.Errorf("upload chart: %w", err)
		}
		return f.ID, nil
	})
	return err
}

// chartNames returns the chart's file name, title and alt text from the report, with defaults.
func chartNames(data json.RawMessage) (name, title, alt string) {
	w, _ := decodeWeekly(data)
	name, title, alt = w.Chart.Filename, w.Chart.Title, w.Chart.AltText
	if name == "" {
		name = "weekly-report.png"
	}
	if title == "" {
		title = "Trips and distance per day"
	}
	if alt == "" {
		alt = "Bar chart of trips completed and distance driven per day, this week against the week before"
	}
	return name, title, alt
}

// chartPNG returns the PNG in data's chart_png field, or nil.
func chartPNG(data json.RawMessage) []byte {
	var m map[string]json.RawMessage
	if len(data) == 0 || json.Unmarshal(data, &m) != nil {
		return nil
	}
	var b64 string
	if json.Unmarshal(m[chartField], &b64) != nil || b64 == "" {
		return nil
	}
	png, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || !bytes.HasPrefix(png, []byte("\x89PNG")) {
		return nil
	}
	return png
}
