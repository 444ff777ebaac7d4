package bot

import (
	"fmt"
	"strings"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/tools"
)

// TripChanged confirms a cancellation or a change of a trip: what changed, old → new.
func (r *Renderer) TripChanged(c *tools.TripChanged) View {
	v := View{Text: plainLine(c.Message)}
	v = v.add(&Header{Text: tripEmoji(c.Status) + " " + c.TripID + " · " + c.Plate})
	var lines []string
	for _, ch := range c.Changes {
		lines = append(lines, "• "+esc(ch))
	}
	fields := []Field{{"Status", capitalize(human(string(c.Status)))}}
	if c.Trip.Code != "" {
		fields = append(fields, Field{"Route", esc(c.Trip.Origin) + " → " + esc(c.Trip.Destination)},
			Field{"Departure", esc(fleet.FormatTime(c.Trip.ScheduledDeparture, r.Zone))})
	}
	v = v.add(&Section{Text: strings.Join(lines, "\n"), Fields: fields})
	return v.add(&Context{Items: []string{esc(c.Message)}})
}

// driverText shows a driver's name and phone, or says there is none on record.
func driverText(name, phone string) string {
	switch {
	case name == "":
		return "none on record"
	case phone == "":
		return esc(name)
	}
	return esc(name) + " · " + esc(phone)
}

// orNone is s, or "none" when s is empty.
func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// cancelButton is the Cancel trip button of a trip card, for trips that can still be
// cancelled.
func cancelButton(code string, status fleet.TripStatus) (*Buttons, bool) {
	switch status {
	case fleet.TripPendingApproval, fleet.TripScheduled, fleet.TripDelayed, fleet.TripOngoing:
	default:
		return nil, false
	}
	return &Buttons{BlockID: blockTripCard, Buttons: []Button{{ActionID: ActionCancel, Text: "Cancel trip", Value: code, Style: "danger"}}}, true
}

// cancelledReply tells the requester, in the approval thread, that the trip was cancelled.
func (r *Renderer) cancelledReply(t fleet.Trip) View {
	line := fmt.Sprintf("%s your trip *%s* (%s, %s → %s) was cancelled by %s.", userRef(t.RequestedBy), t.Code, esc(t.Plate),
		esc(t.Origin), esc(t.Destination), userRef(t.CancelledBy))
	if t.CancelReason != "" {
		line += " Reason: _" + esc(t.CancelReason) + "_"
	}
	return View{Text: plainLine(line)}.add(&Section{Text: line})
}
