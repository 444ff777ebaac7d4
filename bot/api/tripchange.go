package api

import (
	"net/http"
	"strings"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/tools"
)

// UpdateTripRequest is the body of PATCH /api/v1/trips/{id}: what to change, each field
// optional (absent or null keeps it). Departure is RFC 3339; departure_time is the first
// release's spelling of it. Notes "" clears the notes.
type UpdateTripRequest struct {
	Departure     *string `json:"departure"`
	DepartureTime *string `json:"departure_time"`
	Destination   *string `json:"destination"`
	Notes         *string `json:"notes"`
}

// CancelTripRequest is the optional body of POST /api/v1/trips/{id}/cancel.
type CancelTripRequest struct {
	Reason string `json:"reason"`
}

// tripChange answers PATCH /api/v1/trips/{id} and POST /api/v1/trips/{id}/cancel: what the
// service said, and the trip as it is now.
type tripChange struct {
	*tools.TripChanged
	Trip TripItem `json:"trip"`
}

// caller is the token of r as the fleet functions' caller: its name is the audit log's actor.
// A write token may cancel and change the trips it requested, like a dispatcher in Slack, and
// act on alerts; an admin token any trip, like a dispatch approver. A read token may only read.
func caller(r *http.Request) tools.Caller {
	tok := tokenOf(r.Context())
	write := tok.Allows(fleet.ScopeWrite)
	return tools.Caller{UserID: tok.Name, Name: tok.Name, Via: "api", Approver: tok.Allows(fleet.ScopeAdmin),
		ReadOnly: !write, AlertHandler: write}
}

// tripCode returns the trip code in the path. It returns ENOTFOUND for something that is not
// a trip code.
func tripCode(r *http.Request) (string, error) {
	id := r.PathValue("id")
	code, ok := fleet.ParseTripCode(id)
	if !ok {
		return "", fleet.Errorf(fleet.ENOTFOUND, "trip %s not found", id)
	}
	return code, nil
}

// updateTrip serves PATCH /api/v1/trips/{id} with update_trip's service, the one chat uses: a
// pending trip changes in place, a scheduled trip whose plan changed goes back to
// pending_approval with a new approval message in Slack; notes alone keep the status.
func (s *Server) updateTrip(w http.ResponseWriter, r *http.Request, _ *query) (int, any, error) {
	code, err := tripCode(r)
	if err != nil {
		return 0, nil, err
	}
	var req UpdateTripRequest
	if err := decodeBody(w, r, &req); err != nil {
		return 0, nil, err
	}
	args, err := req.args(code)
	if err != nil {
		return 0, nil, err
	}
	ch, err := s.deps.Trips.UpdateTrip(r.Context(), args, caller(r))
	if err != nil {
		return 0, nil, notYours(err, "change")
	}
	return http.StatusOK, tripChange{TripChanged: ch, Trip: s.tripItem(ch.Trip)}, nil
}

// args checks the request and turns it into update_trip's arguments. It returns EINVALID
// naming the field that is malformed, or when nothing would change.
func (req UpdateTripRequest) args(code string) (tools.UpdateTripArgs, error) {
	a := tools.UpdateTripArgs{TripID: code, Notes: req.Notes}
	dep, field := req.Departure, "departure"
	switch {
	case req.Departure != nil && req.DepartureTime != nil:
		return a, badParam("departure_time", "give departure or departure_time, not both")
	case req.DepartureTime != nil:
		dep, field = req.DepartureTime, "departure_time"
	}
	if dep != nil {
		v := strings.TrimSpace(*dep)
		if _, err := time.Parse(time.RFC3339, v); err != nil {
			return a, badParam(field, "%s must be an RFC 3339 time such as 2025-11-27T08:00:00+01:00, not %q", field, *dep)
		}
		a.Departure = &v
	}
	if req.Destination != nil {
		v := strings.TrimSpace(*req.Destination)
		if v == "" {
			return a, badParam("destination", "destination must be a site code or name; leave it out to keep the destination")
		}
		a.Destination = &v
	}
	if a.Departure == nil && a.Destination == nil && a.Notes == nil {
		return a, fleet.Errorf(fleet.EINVALID, "nothing to change: give departure, destination or notes")
	}
	return a, nil
}

// cancelTrip serves POST /api/v1/trips/{id}/cancel with cancel_trip's service: exactly once,
// the approval message updated, a trip pushed to LocoNav cancelled there too; 409 for a trip
// already cancelled or over.
func (s *Server) cancelTrip(w http.ResponseWriter, r *http.Request, _ *query) (int, any, error) {
	code, err := tripCode(r)
	if err != nil {
		return 0, nil, err
	}
	var req CancelTripRequest
	if r.ContentLength != 0 { // the body is optional
		if err := decodeBody(w, r, &req); err != nil {
			return 0, nil, err
		}
	}
	ch, err := s.deps.Trips.CancelTrip(r.Context(), code, req.Reason, caller(r))
	if err != nil {
		return 0, nil, notYours(err, "cancel")
	}
	return http.StatusOK, tripChange{TripChanged: ch, Trip: s.tripItem(ch.Trip)}, nil
}

// notYours adds to the service's refusal of a trip the token did not request what would be
// allowed to act on it.
func notYours(err error, verb string) error {
	if fleet.ErrorCode(err) != fleet.EFORBIDDEN {
		return err
	}
	return fleet.Errorf(fleet.EFORBIDDEN, "%s; a write token may %s only the trips it requested, an admin token any trip",
		fleet.ErrorMessage(err), verb)
}
