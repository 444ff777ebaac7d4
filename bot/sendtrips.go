package bot

import (
	"context"
	"fmt"
	"strings"

	"github.com/slack-go/slack"

	"github.com/watchtower-ops/watchtower/fleet"
)

// currentTrip returns the stored trip of a trip notification, or its snapshot when the store
// no longer has it.
func (d *delivery) currentTrip(ctx context.Context) (fleet.Trip, error) {
	if d.n.Trip == nil || d.n.Trip.Code == "" {
		return fleet.Trip{}, fleet.Errorf(fleet.EINVALID, "%s notification without a trip", d.n.Kind)
	}
	t, err := d.s.trips.TripByCode(ctx, d.n.Trip.Code)
	if fleet.ErrorCode(err) == fleet.ENOTFOUND {
		return *d.n.Trip, nil
	}
	return t, err
}

// approval posts the approval message with its buttons and records where it is. A trip that
// was decided before the message went out (from the console, say) gets the decided card.
func (d *delivery) approval(ctx context.Context) error {
	t, err := d.currentTrip(ctx)
	if err != nil {
		return err
	}
	if t.SlackTS != "" && d.progress["post"] == "" {
		return d.reapproval(ctx, t) // an approval message exists already
	}
	v := d.s.r.Approval(t)
	if t.Status != fleet.TripPendingApproval {
		v = d.s.r.Decided(t)
	} else if strings.HasPrefix(d.n.ID, "trip.amend:") && d.n.Text != "" {
		v = v.add(&Context{Items: []string{":pencil2: " + esc(d.n.Text)}}) // a changed trip: old → new
	}
	ts, err := d.step(ctx, "post", d.poster(d.lane.channel, d.n.ThreadTS, v))
	if err != nil {
		return err
	}
	_, err = d.step(ctx, "record", func(ctx context.Context) (string, error) {
		err := d.s.trips.SetTripSlackMessage(ctx, t.Code, d.lane.channel, ts)
		if fleet.ErrorCode(err) == fleet.ENOTFOUND {
			return "missing", nil
		}
		return "", err
	})
	if err != nil {
		return err
	}
	return d.markMoved(ctx, t)
}

// markMoved updates the old approval message of a decided trip that was moved (it still shows
// the old decision) to say who moved it and that the trip waits for approval again.
func (d *delivery) markMoved(ctx context.Context, t fleet.Trip) error {
	m, ok := fleet.MovedApprovalOf(d.n)
	if !ok {
		return nil
	}
	_, err := d.step(ctx, "moved", d.updater(m.Channel, m.TS, d.s.r.MovedApproval(t, m.By, d.n.Text)))
	return err
}

// MovedApproval replaces the approval message of a decided trip that was moved: the trip,
// who moved it, what changed and that it waits for approval in a new message.
func (r *Renderer) MovedApproval(t fleet.Trip, by, change string) View {
	state := "is awaiting approval again in a new message"
	if t.Status != fleet.TripPendingApproval {
		state = "went back for approval in a new message"
	}
	line := fmt.Sprintf(":arrows_counterclockwise: Trip *%s* (%s, %s → %s) was moved by %s and %s.", t.Code, esc(t.Plate),
		esc(t.Origin), esc(t.Destination), esc(by), state)
	v := View{Text: plainLine(line)}.add(&Section{Text: line})
	if change != "" {
		v = v.add(&Context{Items: []string{":pencil2: " + esc(change)}})
	}
	return v
}

// reapproval handles an approval request for a trip that already has its approval message: a
// trip still pending (re-planned in the Google Sheet, say) gets that message updated in place,
// so its buttons never approve a plan nobody sees, and a reply in its thread says what changed.
// A decided trip's message is left alone.
func (d *delivery) reapproval(ctx context.Context, t fleet.Trip) error {
	if t.Status != fleet.TripPendingApproval || t.SlackChannel == "" {
		return nil
	}
	if _, err := d.step(ctx, "update", d.updater(t.SlackChannel, t.SlackTS, d.s.r.Approval(t))); err != nil {
		return err
	}
	if d.n.Text == "" {
		return nil
	}
	line := ":pencil2: " + esc(d.n.Text) + " — the message above shows the new plan."
	_, err := d.step(ctx, "reply", d.poster(t.SlackChannel, t.SlackTS, View{Text: plainLine(line)}.add(&Section{Text: line})))
	return err
}

// decided updates the approval message in place and tells the requester in its thread; with
// no approval message on record it posts the decided card.
func (d *delivery) decided(ctx context.Context) error {
	t, err := d.currentTrip(ctx)
	if err != nil {
		return err
	}
	if t.SlackChannel == "" || t.SlackTS == "" {
		_, err := d.step(ctx, "post", d.poster(d.lane.channel, "", d.s.r.Decided(t)))
		return err
	}
	if _, err := d.step(ctx, "update", d.updater(t.SlackChannel, t.SlackTS, d.s.r.Decided(t))); err != nil {
		return err
	}
	_, err = d.step(ctx, "reply", d.poster(t.SlackChannel, t.SlackTS, d.s.r.DecisionReply(t)))
	return err
}

// tripEvent posts a trip event in the thread of the trip's approval message when there is
// one (a delay is also broadcast to the channel), else in the dispatch channel.
func (d *delivery) tripEvent(ctx context.Context) error {
	t, err := d.currentTrip(ctx)
	if err != nil {
		return err
	}
	n := d.n
	snapshot := t
	if n.Trip != nil {
		snapshot = *n.Trip // the status the event announced, not a later one
	}
	n.Trip = &snapshot
	v := d.s.r.TripEvent(n)
	channel, thread := d.lane.channel, n.ThreadTS
	if thread == "" && t.SlackChannel != "" && t.SlackTS != "" {
		channel, thread = t.SlackChannel, t.SlackTS
	}
	broadcast := thread != "" && n.Event != nil && n.Event.Kind == fleet.EventTripDelayed
	_, err = d.step(ctx, "post", func(ctx context.Context) (string, error) {
		if err := d.wait(ctx); err != nil {
			return "", err
		}
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), callTimeout)
		defer cancel()
		opts := messageOptions(v, thread)
		if broadcast {
			opts = append(opts, slack.MsgOptionBroadcast())
		}
		_, ts, err := d.s.api.PostMessageContext(cctx, channel, opts...)
		return ts, err
	})
	if err != nil || t.SlackChannel == "" || t.SlackTS == "" || t.Status == fleet.TripPendingApproval {
		return err
	}
	// Refresh the approval message in place, so it shows the trip as it is now (its status and
	// the tracking link LocoNav may just have given it).
	_, err = d.step(ctx, "refresh", d.updater(t.SlackChannel, t.SlackTS, d.s.r.Decided(t)))
	return err
}

// DecisionReply tells the requester, in the approval thread, what was decided.
func (r *Renderer) DecisionReply(t fleet.Trip) View {
	if t.Status == fleet.TripCancelled {
		return r.cancelledReply(t)
	}
	verb := "approved"
	if t.Status == fleet.TripRejected {
		verb = "rejected"
	}
	line := fmt.Sprintf("%s your trip *%s* (%s, %s → %s) was %s by %s.", userRef(t.RequestedBy), t.Code, esc(t.Plate),
		esc(t.Origin), esc(t.Destination), verb, userRef(t.DecidedBy))
	if t.RejectReason != "" {
		line += " Reason: _" + esc(t.RejectReason) + "_"
	}
	return View{Text: plainLine(line)}.add(&Section{Text: line})
}
