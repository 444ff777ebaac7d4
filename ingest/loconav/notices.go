package loconav

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
)

// newTrip describes t to LocoNav, by its truck's LocoNav number (the plate until the roster
// import links it) and its sites' coordinates.
func (p *TripPusher) newTrip(ctx context.Context, t fleet.Trip) (NewTrip, error) {
	origin, err := p.store.SiteByCode(ctx, t.Origin)
	if err != nil {
		return NewTrip{}, err
	}
	dest, err := p.store.SiteByCode(ctx, t.Destination)
	if err != nil {
		return NewTrip{}, err
	}
	number, err := p.store.LoconavVehicleNumber(ctx, t.Plate)
	if err != nil {
		return NewTrip{}, err
	}
	if number == "" {
		number = t.Plate
	}
	return TripRequest(t, origin, dest, number), nil
}

// TripRequest is the LocoNav trip of t from origin to dest by vehicle number: uniqueId is the
// trip code, the source is left at the scheduled departure (etd) and the destination reached
// at the planned arrival (eta; departure plus fleet.DefaultTripDuration when none is planned).
func TripRequest(t fleet.Trip, origin, dest fleet.Site, number string) NewTrip {
	_, arrival := t.Window()
	to := tripPlace(dest)
	to.ETA = arrival.Unix()
	from := tripPlace(origin)
	from.ETD = t.ScheduledDeparture.Unix()
	return NewTrip{
		Vehicle:         TripVehicle{Number: number},
		UniqueID:        t.Code,
		ShouldStartAt:   t.ScheduledDeparture.Unix(),
		SourceName:      origin.Name,
		DestinationName: dest.Name,
		Source:          from,
		Destination:     &to,
	}
}

// tripPlace is a site as a LocoNav trip place: its coordinates, name and radius.
func tripPlace(s fleet.Site) TripPlace {
	return TripPlace{
		Address:     fmt.Sprintf("%s (%s)", s.Name, s.Code),
		Coordinates: strconv.FormatFloat(s.Point.Lat, 'f', -1, 64) + "," + strconv.FormatFloat(s.Point.Lng, 'f', -1, 64),
		Radius:      s.RadiusM,
	}
}

// pendingNotice says that t is approved but not in LocoNav yet, and why.
func pendingNotice(t fleet.Trip, err error, now time.Time) fleet.Notification {
	why := fleet.ErrorMessage(err)
	n := tripNotice(t, "loconav-push-pending:"+t.Code, now)
	n.Text = fmt.Sprintf("Trip %s is approved, but LocoNav has not taken it yet (%s). The LocoNav push is pending: "+
		"Watch Tower keeps retrying, and the customer tracking link will follow.", t.Code, why)
	n.Data = noticeData(map[string]string{"loconav_push": "pending", "error": why})
	return n
}

// pushedNotice says that t is in LocoNav, with its tracking link, so the trip's Slack message
// can show it.
func pushedNotice(t fleet.Trip, now time.Time) fleet.Notification {
	n := tripNotice(t, "loconav-pushed:"+t.Code, now)
	n.Text = fmt.Sprintf("Trip %s is in LocoNav. Customer tracking link: %s", t.Code, t.TrackingURL)
	n.Data = noticeData(map[string]string{"loconav_push": "pushed", "loconav_trip_id": t.LoconavTripID,
		"tracking_url": t.TrackingURL})
	return n
}

// tripNotice is a trip.event notification about t for the dispatch channel, threaded under the
// trip's approval message when it has one.
func tripNotice(t fleet.Trip, id string, now time.Time) fleet.Notification {
	n := fleet.Notification{ID: id, Kind: fleet.NotifyTripEvent, Audience: fleet.AudienceDispatch, Trip: &t,
		CreatedAt: now.UTC()}
	if t.SlackChannel != "" && t.SlackTS != "" {
		n.Channel, n.ThreadTS = t.SlackChannel, t.SlackTS
	}
	return n
}

// noticeData encodes the kind-specific extras; a map of strings always encodes.
func noticeData(m map[string]string) json.RawMessage {
	b, _ := json.Marshal(m)
	return b
}
