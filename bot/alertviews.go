package bot

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/watchtower-ops/watchtower/fleet"
)

// Action IDs of the buttons on an opened alert; value = alert ID.
const (
	ActionAlertAck    = "alert_ack"    // Acknowledge
	ActionAlertSnooze = "alert_snooze" // Snooze 1h: the same kind for the same truck stays quiet
	ActionAlertMute   = "alert_mute"   // Mute truck: nothing from the truck until unmuted

	blockAlertActions = "alert_actions" // the row of alert buttons
)

// alertActions maps the alert buttons to what they do.
var alertActions = map[string]fleet.AlertAction{
	ActionAlertAck: fleet.ActAck, ActionAlertSnooze: fleet.ActSnooze, ActionAlertMute: fleet.ActMute,
}

// severityBadge is the severity as shown: a coloured circle and the word.
func severityBadge(s fleet.Severity) string {
	dot := map[fleet.Severity]string{fleet.SeverityCritical: ":red_circle:", fleet.SeverityWarning: ":large_orange_circle:"}[s]
	if dot == "" {
		dot = ":large_blue_circle:"
	}
	return dot + " *" + fleet.SeverityWord(s) + "*"
}

// AlertParent is an incident's parent message: severity, what happened, to which truck, since
// when; then who acknowledged, snoozed or muted it, whether it was escalated, and once
// resolved how it ended and how long it lasted. The original text stays as it was. An open
// alert carries the buttons not used yet.
func (r *Renderer) AlertParent(a fleet.Alert) View {
	title := capitalize(human(a.Kind))
	if a.Kind == fleet.AlertLoconav && a.SourceKind != "" {
		title = a.SourceKind
	}
	subject := esc(a.Plate)
	if subject == "" {
		subject = esc(a.TripCode)
	}
	head := fmt.Sprintf("%s %s · *%s* — %s\n%s", severityEmoji(a), severityBadge(orSeverity(a.Severity)), title, subject, esc(a.Message))
	var fields []Field
	if a.TripCode != "" {
		fields = append(fields, Field{"Trip", a.TripCode})
	}
	if a.SiteCode != "" {
		fields = append(fields, Field{"Site", esc(a.SiteCode)})
	}
	fields = append(fields, Field{"Opened", clock(a.OpenedAt, r.Zone) + " (" + ago(r.now(), a.OpenedAt) + ")"})
	if a.ResolvedAt != nil {
		fields = append(fields, Field{"Resolved", clock(*a.ResolvedAt, r.Zone)})
	}
	notes := []string{fmt.Sprintf("alert #%d", a.ID)}
	if a.Point != nil && a.Point.Valid() {
		notes = append([]string{link(a.Point.MapURL(), ":world_map: map")}, notes...)
	}
	text := fmt.Sprintf("%s %s: %s · %s", capitalize(human(a.Kind)), orDash(a.Plate), a.Message, fleet.SeverityWord(orSeverity(a.Severity)))
	v := View{}.add(&Section{Text: head, Fields: fields})
	if lines := r.alertHistory(a); lines != "" {
		v = v.add(&Section{Text: lines})
	}
	v = v.add(&Context{Items: notes})
	if a.Open() {
		if b := alertButtons(a); len(b) > 0 {
			v = v.add(&Buttons{BlockID: blockAlertActions, Buttons: b})
		}
	} else {
		text = fmt.Sprintf("Resolved — %s · ended: %s after %s", text, orDash(a.Resolution), duration(a.ResolvedAt.Sub(a.OpenedAt)))
	}
	v.Text = plainLine(text)
	return v
}

// alertHistory lists what people and Watch Tower did to a: acknowledged, snoozed, muted,
// escalated, and how it ended.
func (r *Renderer) alertHistory(a fleet.Alert) string {
	var out string
	line := func(s string) {
		if out != "" {
			out += "\n"
		}
		out += s
	}
	if a.Acked != nil {
		line(fmt.Sprintf(":ballot_box_with_check: Acknowledged by %s · %s", actorRef(*a.Acked), clock(a.Acked.At, r.Zone)))
	}
	if a.Snoozed != nil {
		line(fmt.Sprintf(":zzz: Snoozed by %s · %s — %s quiet for %s until %s", actorRef(*a.Snoozed), clock(a.Snoozed.At, r.Zone),
			human(a.Kind), orDash(esc(a.Plate)), clock(a.Snoozed.At.Add(fleet.SnoozeFor), r.Zone)))
	}
	if a.Muted != nil {
		line(fmt.Sprintf(":no_bell: %s muted by %s · %s — no alerts until `/truck %s unmute`", esc(a.Plate),
			actorRef(*a.Muted), clock(a.Muted.At, r.Zone), esc(a.Plate)))
	}
	if a.EscalatedAt != nil {
		line(":mega: Escalated to on-call · " + clock(*a.EscalatedAt, r.Zone))
	}
	if a.ResolvedAt != nil {
		line(fmt.Sprintf(":white_check_mark: *Ended:* %s · lasted %s", esc(orDash(a.Resolution)), duration(a.ResolvedAt.Sub(a.OpenedAt))))
	}
	return out
}

// alertButtons are the buttons of an open alert that nobody used yet.
func alertButtons(a fleet.Alert) []Button {
	id := strconv.FormatInt(a.ID, 10)
	var out []Button
	if a.ID == 0 {
		return nil
	}
	if a.Acked == nil {
		out = append(out, Button{ActionID: ActionAlertAck, Text: "Acknowledge", Value: id, Style: "primary"})
	}
	if a.Plate != "" && a.Snoozed == nil {
		out = append(out, Button{ActionID: ActionAlertSnooze, Text: "Snooze 1h", Value: id})
	}
	if a.Plate != "" && a.Muted == nil {
		out = append(out, Button{ActionID: ActionAlertMute, Text: "Mute truck", Value: id, Style: "danger"})
	}
	return out
}

// actorRef names who acted: a Slack mention for Slack users, else the name (an API token's).
func actorRef(act fleet.AlertAct) string {
	if act.Via == "slack" || act.Via == "" {
		return userRef(act.By)
	}
	name := act.Name
	if name == "" {
		name = act.By
	}
	return esc(name) + " (via " + esc(act.Via) + ")"
}

// AlertActed is the ephemeral sentence after a click that did nothing: the alert is unknown,
// resolved, or someone already did the same.
func (r *Renderer) AlertActed(a fleet.Alert, act fleet.AlertAction, err error) View {
	var msg string
	done := a.Done(act)
	switch {
	case fleet.ErrorCode(err) == fleet.ENOTFOUND || a.ID == 0:
		msg = ":information_source: I can't find that alert any more; it may have been cleaned up after 90 days."
	case done != nil:
		msg = fmt.Sprintf(":information_source: %s was already %s by %s at %s.", capitalize(esc(a.Label())), act.Past(), actorRef(*done), clock(done.At, r.Zone))
	case !a.Open():
		msg = fmt.Sprintf(":information_source: %s already ended at %s (%s); there is nothing to %s.", capitalize(esc(a.Label())),
			clock(*a.ResolvedAt, r.Zone), esc(orDash(a.Resolution)), map[fleet.AlertAction]string{fleet.ActAck: "acknowledge", fleet.ActSnooze: "snooze", fleet.ActMute: "mute"}[act])
	default:
		msg = ":warning: " + esc(capitalize(fleet.ErrorMessage(err))) + "."
	}
	return View{Text: plainLine(msg)}.add(&Section{Text: msg})
}

// AlertEscalation is the reply in a critical alert's thread that nobody acknowledged in time,
// mentioning the on-call person or group.
func (r *Renderer) AlertEscalation(a fleet.Alert, oncall string, after string) View {
	who := "on-call"
	if oncall != "" {
		who = mentionOf(oncall)
	}
	line := fmt.Sprintf(":mega: %s — nobody has acknowledged this %s alert for %s: %s", who, fleet.SeverityWord(orSeverity(a.Severity)), after, esc(a.Message))
	return View{Text: plainLine(line)}.add(&Section{Text: line})
}

// mentionOf mentions a user (U…) or a user group (S…).
func mentionOf(id string) string {
	if strings.HasPrefix(id, "S") {
		return "<!subteam^" + id + ">"
	}
	return userRef(id)
}

func orSeverity(s fleet.Severity) fleet.Severity {
	if s == "" {
		return fleet.SeverityInfo
	}
	return s
}

// digestPage is how many alerts one digest message lists: each takes two blocks (its line
// and its buttons), within Slack's 50 blocks a message. A longer digest is several messages.
const digestPage = 20

// AlertDigest is one message listing the info alerts of a period (ALERT_DIGEST_EVERY), part
// of parts when the period had more than digestPage of them. Each alert is a line, with who
// acknowledged, snoozed or muted it, and the buttons of an opened alert not used yet (one
// row per alert, block ID alert_actions:<id>); acting on one updates the digest in place.
func (r *Renderer) AlertDigest(alerts []fleet.Alert, period string, part, parts int) View {
	title := fmt.Sprintf("%s *%d info alerts* in the last %s", severityBadge(fleet.SeverityInfo), len(alerts), period)
	if len(alerts) == 1 {
		title = fmt.Sprintf("%s *1 info alert* in the last %s", severityBadge(fleet.SeverityInfo), period)
	}
	if parts > 1 {
		title += fmt.Sprintf(" (part %d of %d)", part, parts)
	}
	lines := []string{title}
	v := View{}.add(&Section{Text: title})
	for _, a := range alerts {
		state := "open"
		if !a.Open() {
			state = "ended after " + duration(a.ResolvedAt.Sub(a.OpenedAt))
		}
		line := fmt.Sprintf("• %s *%s* %s — %s (#%d, %s)", clock(a.OpenedAt, r.Zone), capitalize(human(a.Kind)),
			esc(orDash(a.Plate)), esc(a.Message), a.ID, state)
		lines = append(lines, line)
		if h := r.alertHistory(fleet.Alert{Acked: a.Acked, Snoozed: a.Snoozed, Muted: a.Muted, Kind: a.Kind, Plate: a.Plate}); h != "" {
			line += "\n" + h
		}
		v = v.add(&Section{Text: line})
		if b := alertButtons(a); a.Open() && len(b) > 0 {
			v = v.add(&Buttons{BlockID: digestActionsBlock(a.ID), Buttons: b})
		}
	}
	v.Text = plainLine(strings.Join(lines, "\n"))
	return v
}

// digestActionsBlock is the block ID of an alert's buttons in a digest: unique in the message,
// and telling a click on a digest from one on the alert's own message.
func digestActionsBlock(id int64) string {
	return blockAlertActions + ":" + strconv.FormatInt(id, 10)
}

// inDigest reports whether a clicked button row (its block ID) is in a digest.
func inDigest(blockID string) bool { return strings.HasPrefix(blockID, blockAlertActions+":") }
