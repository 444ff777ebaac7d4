package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/tools/intent"
)

// The trip-changing functions' names, fixed by DESIGN.md.
const (
	ToolCancelTrip = "cancel_trip"
	ToolUpdateTrip = "update_trip"
)

// CancelTripArgs are cancel_trip's arguments.
type CancelTripArgs struct {
	TripID string  `json:"trip_id" desc:"The trip's ID (TRP-0042)."`
	Reason *string `json:"reason" desc:"Why it is cancelled, as the user said it; null when not given."`
}

// UpdateTripArgs are update_trip's arguments.
type UpdateTripArgs struct {
	TripID      string  `json:"trip_id" desc:"The trip's ID (TRP-0042)."`
	Departure   *string `json:"departure" desc:"The new departure in Lagos time, RFC 3339 or as the user said it (\"3pm\" is 15:00 on the trip's own day, \"tomorrow 8am\"); null to keep it."`
	Destination *string `json:"destination" desc:"The new destination site code or name; null to keep it."`
}

// TripChanged answers cancel_trip and update_trip.
type TripChanged struct {
	TripID  string           `json:"trip_id"`
	Status  fleet.TripStatus `json:"status"`
	Plate   string           `json:"plate"`
	Changes []string         `json:"changes"` // "departure Tue 8 Dec 21:00 → Tue 8 Dec 15:00"; "cancelled"
	Message string           `json:"message"`
	Trip    fleet.Trip       `json:"-"`
}

func (r *Registry) cancelTripTool() Tool {
	return Tool{
		Name: ToolCancelTrip,
		Description: "Cancel a trip that has not arrived. Only the trip's requester or a dispatch approver may. A trip " +
			"already in LocoNav is cancelled there too. Only call it when the user asked to cancel this trip.",
		Parameters: strictSchema(CancelTripArgs{}),
		run: func(ctx context.Context, raw json.RawMessage, c Caller) (any, error) {
			var a CancelTripArgs
			if err := decodeArgs(raw, &a); err != nil {
				return nil, err
			}
			return r.CancelTrip(ctx, a.TripID, str(a.Reason), c)
		},
	}
}

func (r *Registry) updateTripTool() Tool {
	return Tool{
		Name: ToolUpdateTrip,
		Description: "Move a trip that has not started to a new departure time and/or destination. The same rules as " +
			"create_trip apply. A trip already approved goes back to pending_approval with a new approval message. " +
			"Only the trip's requester or a dispatch approver may.",
		Parameters: strictSchema(UpdateTripArgs{}),
		run: func(ctx context.Context, raw json.RawMessage, c Caller) (any, error) {
			var a UpdateTripArgs
			if err := decodeArgs(raw, &a); err != nil {
				return nil, err
			}
			return r.UpdateTrip(ctx, a, c)
		},
	}
}

// mayChange refuses a caller who is neither the trip's requester nor an approver (EFORBIDDEN).
func mayChange(t fleet.Trip, c Caller, verb string) error {
	if c.Approver || t.RequestedBy != "" && t.RequestedBy == callerID(c) {
		return nil
	}
	return fleet.Errorf(fleet.EFORBIDDEN, "trip %s is not yours; only its requester or a dispatch approver can %s it", t.Code, verb)
}

// CancelTrip cancels trip code for caller, exactly once (under the trip's row lock), with
// its audit entry ("trip.cancel") and the trip.decided notification that updates its approval
// message in place. A trip pushed to LocoNav is then deleted there by the LocoNav pusher,
// which retries until it is. It returns ENOTFOUND for an unknown trip, EFORBIDDEN for a
// caller who is neither the requester nor an approver, and ECONFLICT for a trip already
// cancelled, completed, arrived or rejected.
func (r *Registry) CancelTrip(ctx context.Context, code, reason string, c Caller) (*TripChanged, error) {
	at := r.now().UTC()
	reason = strings.TrimSpace(reason)
	trip, err := r.fleet.TransitionTrip(ctx, code, r.actor(c), "trip.cancel", func(t fleet.Trip) (fleet.Trip, error) {
		if err := mayChange(t, c, "cancel"); err != nil {
			return t, err
		}
		return t.Cancel(callerID(c), reason, at)
	})
	if err != nil {
		return nil, err
	}
	text := fmt.Sprintf("Trip %s cancelled by %s", trip.Code, displayName(c))
	if reason != "" {
		text += ": " + reason
	}
	r.notify(ctx, fleet.Notification{ID: fleet.TripNotificationID("trip.cancel", trip), Kind: fleet.NotifyTripDecided,
		Audience: fleet.AudienceDispatch, Channel: trip.SlackChannel, ThreadTS: trip.SlackTS, Trip: &trip, Text: text, CreatedAt: at})
	return &TripChanged{TripID: trip.Code, Status: trip.Status, Plate: trip.Plate, Changes: []string{"cancelled"},
		Message: text + ".", Trip: trip}, nil
}

// UpdateTrip moves trip a.TripID for caller to a new departure and/or destination with the
// checks of a new trip (fleet.Trip.Amend: departure at least 30 minutes ahead, destination
// not the origin, truck operational; the store refuses an overlap), with its audit entry
// ("trip.amend"). A bare clock ("3pm") is on the trip's own day. A pending trip's approval
// message is updated in place; a scheduled trip goes back to pending_approval and a new
// approval message shows old → new. It returns ENOTFOUND for an unknown trip or site,
// EFORBIDDEN for a caller who may not change it, EINVALID for a broken rule or nothing to
// change, and ECONFLICT for a trip that started or is over, or an overlap.
func (r *Registry) UpdateTrip(ctx context.Context, a UpdateTripArgs, c Caller) (*TripChanged, error) {
	depText, destText := str(a.Departure), str(a.Destination)
	if depText == "" && destText == "" {
		return nil, fleet.Errorf(fleet.EINVALID, "what should change on %s? give a new time or destination", strings.TrimSpace(a.TripID))
	}
	cur, err := r.fleet.TripByCode(ctx, a.TripID)
	if err != nil {
		return nil, err
	}
	if err := mayChange(cur, c, "change"); err != nil {
		return nil, err
	}
	truck, err := r.fleet.FindTruck(ctx, cur.Plate)
	if err != nil {
		return nil, err
	}
	origin, err := r.fleet.FindSite(ctx, cur.Origin)
	if err != nil {
		return nil, err
	}
	dest, err := r.fleet.FindSite(ctx, orString(destText, cur.Destination))
	if err != nil {
		return nil, err
	}
	now := r.now()
	dep := cur.ScheduledDeparture
	if depText != "" {
		if dep, err = intent.ParseTimeOn(depText, cur.ScheduledDeparture, now, r.loc); err != nil {
			return nil, err
		}
	}
	hist, err := r.fleet.LaneHistory(ctx, fleet.LaneOf(origin.Code, dest.Code, dep, r.loc))
	if err != nil {
		return nil, err
	}
	trip, err := r.fleet.TransitionTrip(ctx, cur.Code, r.actor(c), "trip.amend", func(t fleet.Trip) (fleet.Trip, error) {
		if err := mayChange(t, c, "change"); err != nil {
			return t, err
		}
		return t.Amend(truck, origin, dest, dep, now.UTC(), r.th, hist)
	})
	if err != nil {
		return nil, err
	}
	changes := r.changes(cur, trip)
	text := fmt.Sprintf("Trip %s changed by %s: %s", trip.Code, displayName(c), strings.Join(changes, "; "))
	n := fleet.Notification{ID: fleet.TripNotificationID("trip.amend", trip, strconv36(trip.UpdatedAt)), Kind: fleet.NotifyTripApproval,
		Audience: fleet.AudienceDispatch, Trip: &trip, Text: text, CreatedAt: now.UTC()}
	if cur.Status != fleet.TripPendingApproval && cur.SlackChannel != "" && cur.SlackTS != "" {
		// the old approval message still shows the decision: the bot marks it as moved
		n.Data, _ = json.Marshal(fleet.MovedApproval{Channel: cur.SlackChannel, TS: cur.SlackTS, By: displayName(c)})
	}
	queued := r.notify(ctx, n)
	msg := text + ". It waits for approval again."
	if cur.Status == fleet.TripPendingApproval {
		msg = text + ". The approval message shows the new plan."
	}
	if !queued {
		msg = text + ", but the approval message could not be updated yet; ask dispatch to check."
	}
	return &TripChanged{TripID: trip.Code, Status: trip.Status, Plate: trip.Plate, Changes: changes, Message: msg, Trip: trip}, nil
}

// changes lists what an amendment changed, old → new.
func (r *Registry) changes(cur, next fleet.Trip) []string {
	var out []string
	if !cur.ScheduledDeparture.Equal(next.ScheduledDeparture) {
		out = append(out, "departure "+fleet.FormatTime(cur.ScheduledDeparture, r.loc)+" → "+fleet.FormatTime(next.ScheduledDeparture, r.loc))
	}
	if cur.Destination != next.Destination {
		out = append(out, "destination "+cur.Destination+" → "+next.Destination)
	}
	if cur.Status != next.Status {
		out = append(out, "back to pending approval")
	}
	return out
}

// actor is the audit actor of caller.
func (r *Registry) actor(c Caller) fleet.Actor {
	return fleet.Actor{ID: callerID(c), Name: c.Name, Via: c.Via}
}

// orString returns s, or def when s is empty.
func orString(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// strconv36 is t in nanoseconds, base 36: a short, distinct suffix for notification IDs.
func strconv36(t time.Time) string { return strconv.FormatInt(t.UnixNano(), 36) }
