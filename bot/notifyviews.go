package bot

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/watchtower-ops/watchtower/fleet"
)

// AlertReply is a reply in an incident's thread: an update, or the resolution.
func (r *Renderer) AlertReply(a fleet.Alert, resolved bool, extra string) View {
	msg := a.Message
	if extra != "" {
		msg = extra
	}
	if resolved {
		at := r.now()
		if a.ResolvedAt != nil {
			at = *a.ResolvedAt
		}
		line := fmt.Sprintf(":white_check_mark: *Resolved* %s after %s", clock(at, r.Zone), duration(at.Sub(a.OpenedAt)))
		if msg != "" {
			line += "\n" + esc(msg)
		}
		return View{Text: "Resolved: " + msg}.add(&Section{Text: line})
	}
	return View{Text: "Update: " + msg}.add(&Section{Text: ":arrows_counterclockwise: " + esc(orDash(msg))},
		&Context{Items: []string{clock(r.now(), r.Zone)}})
}

// Approval is the trip approval message with Approve and Reject buttons (value = trip ID).
func (r *Renderer) Approval(t fleet.Trip) View {
	v := r.tripDecisionCard(t, ":hourglass_flowing_sand: Trip approval needed: "+t.Code)
	v.Text = fmt.Sprintf("Trip %s needs approval: %s from %s to %s, departing %s", t.Code, t.Plate, t.Origin, t.Destination, clock(t.ScheduledDeparture, r.Zone))
	return v.add(&Buttons{BlockID: blockDecision, Buttons: []Button{
		{ActionID: ActionApprove, Text: "Approve", Value: t.Code, Style: "primary"},
		{ActionID: ActionReject, Text: "Reject", Value: t.Code, Style: "danger"},
	}})
}

// Decided is the approval message once decided: the same card, no buttons, who and when.
func (r *Renderer) Decided(t fleet.Trip) View {
	verb, emoji, by, at, why := "Approved", ":white_check_mark:", t.DecidedBy, t.DecidedAt, ""
	switch {
	case t.Status == fleet.TripRejected:
		verb, emoji, why = "Rejected", ":x:", t.RejectReason
	case t.Status == fleet.TripCancelled && t.DecidedBy == "":
		verb, emoji, by, at, why = "Cancelled", ":no_entry_sign:", t.CancelledBy, t.CancelledAt, t.CancelReason
	}
	v := r.tripDecisionCard(t, tripEmoji(t.Status)+" Trip "+t.Code+" "+strings.ToLower(verb))
	line := fmt.Sprintf("%s *%s*", emoji, verb)
	if by != "" {
		line += " by " + userRef(by)
	}
	if at != nil {
		line += " · " + clock(*at, r.Zone)
	}
	if t.Status == fleet.TripCancelled && verb == "Approved" {
		line += "\n" + tripEmoji(t.Status) + " since cancelled"
	}
	if why != "" {
		line += "\n_" + esc(why) + "_"
	}
	v.Text = plainLine(fmt.Sprintf("Trip %s %s", t.Code, strings.ToLower(verb)) + strings.TrimPrefix(line, emoji+" *"+verb+"*"))
	return v.add(&Section{Text: line})
}

func (r *Renderer) tripDecisionCard(t fleet.Trip, title string) View {
	fields := []Field{
		{"Truck", esc(t.Plate)},
		{"Driver", driverText(t.DriverName, t.DriverPhone)},
		{"Route", esc(t.Origin) + " → " + esc(t.Destination)},
		{"Departure", clock(t.ScheduledDeparture, r.Zone)},
		{"Planned arrival", r.plannedArrival(t)},
		{"Container", esc(t.ContainerNo)},
		{"Cargo", esc(t.CargoType)},
		{"Requested by", userRef(t.RequestedBy) + viaSuffix(t.RequestedBy, t.RequestedVia)},
	}
	v := View{}.add(&Header{Text: title}, &Section{Fields: fields})
	if t.Notes != "" {
		v = v.add(&Section{Text: "_" + esc(t.Notes) + "_"})
	}
	if u := r.trackingLink(t); u != "" {
		v = v.add(&Context{Items: []string{":round_pushpin: " + link(u, "customer tracking link")}})
	}
	return v
}

// trackingLink is the customer link of a trip that is approved and not over, or "".
func (r *Renderer) trackingLink(t fleet.Trip) string {
	switch t.Status {
	case fleet.TripScheduled, fleet.TripDelayed, fleet.TripOngoing, fleet.TripArrived:
	default:
		return ""
	}
	if r.TrackingLink != nil {
		return r.TrackingLink(t)
	}
	return t.TrackingURL
}

// plannedArrival is a trip's planned arrival and how it was estimated; "" when unknown.
func (r *Renderer) plannedArrival(t fleet.Trip) string {
	return withBasis(clock(t.PlannedArrival, r.Zone), t.PlannedBasis, t.PlannedTrips)
}

func viaSuffix(by, via string) string {
	if via == "" || via == "slack" || via == by {
		return ""
	}
	return " (via " + esc(via) + ")"
}

// TripEvent is a one-message trip event: departed, arrived, delayed, completed, cancelled…
func (r *Renderer) TripEvent(n fleet.Notification) View {
	var t fleet.Trip
	if n.Trip != nil {
		t = *n.Trip
	}
	kind := "update"
	at := n.CreatedAt
	if n.Event != nil {
		kind = strings.TrimPrefix(string(n.Event.Kind), "trip.")
		if !n.Event.At.IsZero() {
			at = n.Event.At
		}
	}
	line := fmt.Sprintf("%s *%s* %s", tripEmoji(t.Status), orDash(t.Code), kind)
	if t.Plate != "" {
		line = fmt.Sprintf("%s *%s* (%s) %s", tripEmoji(t.Status), t.Code, esc(t.Plate), kind)
	}
	if n.Event != nil && n.Event.SiteCode != "" {
		line += " at " + esc(n.Event.SiteCode)
	}
	if !at.IsZero() {
		line += " · " + clock(at, r.Zone)
	}
	if n.Text != "" {
		line += "\n" + esc(n.Text)
	}
	v := View{Text: plainLine(line)}.add(&Section{Text: line})
	if t.Code != "" {
		v = v.add(&Context{Items: []string{r.tripLine(t)}})
	}
	return v
}

// Report renders the weekly report, the Sheets sync report and system notices: the text as
// written, then the simple figures of Data as fields.
func (r *Renderer) Report(n fleet.Notification) View {
	title := map[fleet.NotificationKind]string{
		fleet.NotifyWeeklyReport: ":bar_chart: Weekly report",
		fleet.NotifySyncReport:   ":arrows_counterclockwise: Google Sheets sync",
		fleet.NotifySystem:       ":gear: Watch Tower",
	}[n.Kind]
	if title == "" {
		title = ":information_source: " + capitalize(human(string(n.Kind)))
	}
	v := View{Text: plainLine(strings.Join(strings.Fields(title+" — "+n.Text), " "))}.add(&Header{Text: title})
	if n.Text != "" {
		v = v.add(&Section{Text: n.Text})
	}
	if fields := dataFields(n.Data); len(fields) > 0 {
		v = v.add(&Section{Fields: fields})
	}
	return v
}

// dataFields lists the scalar top-level values of a notification's Data, by key.
func dataFields(data json.RawMessage) []Field {
	var m map[string]any
	if len(data) == 0 || json.Unmarshal(data, &m) != nil {
		return nil
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []Field
	for _, k := range keys {
		if k == chartField || strings.HasPrefix(k, "_") {
			continue
		}
		switch val := m[k].(type) {
		case string:
			out = append(out, Field{capitalize(human(k)), esc(val)})
		case float64:
			out = append(out, Field{capitalize(human(k)), strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.2f", val), "0"), ".")})
		case bool:
			out = append(out, Field{capitalize(human(k)), fmt.Sprint(val)})
		}
	}
	return out
}

// plainLine strips mrkdwn for a fallback text.
func plainLine(s string) string { return strings.Join(strings.Fields(plain(s)), " ") }
