package loconav

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/watchtower-ops/watchtower/fleet"
)

// TripPlace is a source, destination or checkpoint of a LocoNav trip: an existing geofence, or
// coordinates with an address. Times are Unix seconds; LocoNav requires etd after eta.
type TripPlace struct {
	GeofenceID   int64   `json:"geofenceId,omitempty"`
	GeofenceName string  `json:"geofenceName,omitempty"`
	Address      string  `json:"address,omitempty"`
	Coordinates  string  `json:"coordinates,omitempty"` // "lat,lng"
	Radius       float64 `json:"radius,omitempty"`      // metres
	ETA          int64   `json:"eta,omitempty"`
	ETD          int64   `json:"etd,omitempty"`
}

// TripVehicle names the vehicle of a trip by LocoNav's vehicle number.
type TripVehicle struct {
	Number string `json:"number"`
}

// NewTrip is the "trip" object of POST /trips. UniqueID is Watch Tower's trip code, so a
// second create of the same trip is refused by LocoNav instead of duplicated.
type NewTrip struct {
	Vehicle                TripVehicle       `json:"vehicle"`
	UniqueID               string            `json:"uniqueId"`
	ShouldStartAt          int64             `json:"shouldStartAt"` // Unix seconds
	SourceName             string            `json:"sourceName,omitempty"`
	DestinationName        string            `json:"destinationName,omitempty"`
	Source                 TripPlace         `json:"source"`
	Destination            *TripPlace        `json:"destination,omitempty"`
	ShouldExpireOldTrips   bool              `json:"shouldExpireOldTrips"`
	TripDelayAlertsEnabled bool              `json:"tripDelayAlertsEnabled"`
	CustomFields           map[string]string `json:"customFields,omitempty"`
}

// TripRef identifies a LocoNav trip: its numeric ID (kept as text) and its unique ID.
type TripRef struct {
	ID       string
	UniqueID string
}

// tripRefJSON is {id, uniqueId} as LocoNav sends it.
type tripRefJSON struct {
	ID       FlexString `json:"id"`
	UniqueID string     `json:"uniqueId"`
}

// CreateTrip creates t in LocoNav and returns its reference. A uniqueId LocoNav already has is
// EINVALID ("unique Id has already been taken"); see IsDuplicateTrip.
func (c *Client) CreateTrip(ctx context.Context, t NewTrip) (TripRef, error) {
	var out tripRefJSON
	err := c.do(ctx, request{call: fmt.Sprintf("CreateTrip(%s)", t.UniqueID), method: "POST",
		path: "/trips", body: struct {
			Trip NewTrip `json:"trip"`
		}{t}}, &out)
	if err != nil {
		return TripRef{}, err
	}
	if out.ID == "" {
		return TripRef{}, &Error{Call: "CreateTrip(" + t.UniqueID + ")", Message: "no trip id in the answer",
			kind: fleet.Errorf(fleet.EUNAVAILABLE, "LocoNav did not return a trip ID for %s", t.UniqueID)}
	}
	return TripRef{ID: string(out.ID), UniqueID: out.UniqueID}, nil
}

// IsDuplicateTrip reports whether err is LocoNav refusing a create because the uniqueId is
// taken: the trip exists there already (an earlier attempt whose answer was lost).
func IsDuplicateTrip(err error) bool {
	var e *Error
	if !errors.As(err, &e) || e.Status < 400 || e.Status >= 500 {
		return false
	}
	m := strings.ToLower(e.Message)
	return strings.Contains(m, "already been taken") || strings.Contains(m, "already exists")
}

// FindTrip returns the LocoNav trip whose uniqueId is uniqueID, looking at the newest trips
// first. It returns ENOTFOUND when there is none.
func (c *Client) FindTrip(ctx context.Context, uniqueID string) (TripRef, error) {
	q := url.Values{"uniqueId": {uniqueID}, "sortColumn": {"createdAt"}, "sortOrder": {"desc"},
		"page": {"1"}, "perPage": {"50"}}
	var out struct {
		Values []tripRefJSON `json:"values"`
	}
	call := fmt.Sprintf("FindTrip(%s)", uniqueID)
	if err := c.do(ctx, request{call: call, method: "GET", path: "/trips", query: q, idempotent: true}, &out); err != nil {
		return TripRef{}, err
	}
	for _, v := range out.Values {
		if v.UniqueID == uniqueID && v.ID != "" {
			return TripRef{ID: string(v.ID), UniqueID: v.UniqueID}, nil
		}
	}
	return TripRef{}, &Error{Call: call, Message: "no such trip",
		kind: fleet.Errorf(fleet.ENOTFOUND, "LocoNav has no trip %s", uniqueID)}
}

// DeleteTrip deletes the LocoNav trip id. It returns ENOTFOUND when LocoNav has no such trip.
func (c *Client) DeleteTrip(ctx context.Context, id string) error {
	return c.do(ctx, request{call: fmt.Sprintf("DeleteTrip(%s)", id), method: "DELETE",
		path: "/trips/" + url.PathEscape(id), idempotent: true}, nil)
}

// TrackURL returns the public tracking link of the LocoNav trip id, with all its checkpoints.
// It returns ENOTFOUND for an unknown trip.
func (c *Client) TrackURL(ctx context.Context, id string) (string, error) {
	var out struct {
		URL string `json:"url"`
	}
	call := fmt.Sprintf("TrackURL(%s)", id)
	err := c.do(ctx, request{call: call, method: "GET", path: "/trips/" + url.PathEscape(id) + "/track_url",
		query: url.Values{"allCheckPoints": {"true"}}, idempotent: true}, &out)
	if err != nil {
		return "", err
	}
	if out.URL == "" {
		return "", &Error{Call: call, Message: "no url in the answer",
			kind: fleet.Errorf(fleet.EUNAVAILABLE, "LocoNav did not return a tracking link for trip %s", id)}
	}
	return out.URL, nil
}
