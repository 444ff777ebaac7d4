package loconav

import (
	"context"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
)

// MaxLastKnownBatch is how many vehicle UUIDs one last_known call asks for; the poller splits
// larger sets into batches of this size.
const MaxLastKnownBatch = 50

// Reading is one sensor value of last_known: {value, unit, timestamp}; some sensors omit the
// unit or the timestamp.
type Reading struct {
	Value     FlexString `json:"value"`
	Unit      string     `json:"unit"`
	Timestamp FlexString `json:"timestamp"` // Unix seconds
}

// Time returns the reading's timestamp in UTC, or the zero time when it has none.
func (r *Reading) Time() time.Time {
	if r == nil {
		return time.Time{}
	}
	secs, ok := r.Timestamp.Float()
	if !ok || secs <= 0 {
		return time.Time{}
	}
	return time.Unix(int64(secs), 0).UTC()
}

// Number returns the reading's value as a number; ok is false when it has none.
func (r *Reading) Number() (float64, bool) {
	if r == nil {
		return 0, false
	}
	return r.Value.Float()
}

// GPS is last_known's special "gps" sensor.
type GPS struct {
	Speed                      *Reading `json:"speed"`       // km/h
	Ignition                   *Reading `json:"ignition"`    // "ON" / "OFF"
	Orientation                *Reading `json:"orientation"` // degrees, often a string
	CurrentLocationCoordinates *struct {
		Lat  *Reading `json:"lat"`
		Long *Reading `json:"long"`
	} `json:"currentLocationCoordinates"`
}

// LastKnown is one vehicle's answer from POST /vehicles/telematics/last_known.
type LastKnown struct {
	VehicleNumber string `json:"vehicleNumber"`
	VehicleID     string `json:"vehicleId"` // the vehicle UUID
	GPS           *GPS   `json:"gps"`
}

// Fix is the position a LastKnown answer describes.
type Fix struct {
	Point    fleet.Point
	Time     time.Time // when the coordinates were taken (UTC)
	SpeedKmh float64
	Heading  float64
	Ignition bool
}

// Fix returns the answer's position. The fix time is the coordinates' own timestamp, which can
// be older than the speed's: a device that lost GPS keeps reporting speed. ok is false when the
// answer has no valid coordinates or no coordinate timestamp.
func (l LastKnown) Fix() (Fix, bool) {
	g := l.GPS
	if g == nil || g.CurrentLocationCoordinates == nil {
		return Fix{}, false
	}
	lat, okLat := g.CurrentLocationCoordinates.Lat.Number()
	lng, okLng := g.CurrentLocationCoordinates.Long.Number()
	p := fleet.Point{Lat: lat, Lng: lng}
	if !okLat || !okLng || !p.Valid() {
		return Fix{}, false
	}
	at := g.CurrentLocationCoordinates.Lat.Time()
	if t := g.CurrentLocationCoordinates.Long.Time(); at.IsZero() || (!t.IsZero() && t.Before(at)) {
		at = t
	}
	if at.IsZero() {
		return Fix{}, false
	}
	f := Fix{Point: p, Time: at}
	if v, ok := g.Speed.Number(); ok && v >= 0 && !math.IsInf(v, 0) {
		f.SpeedKmh = v
	}
	if v, ok := g.Orientation.Number(); ok {
		f.Heading = math.Mod(math.Mod(v, 360)+360, 360)
	}
	if g.Ignition != nil {
		f.Ignition = strings.EqualFold(string(g.Ignition.Value), "ON") || string(g.Ignition.Value) == "1" ||
			strings.EqualFold(string(g.Ignition.Value), "true")
	}
	return f, true
}

// LastKnownPage is one page of last_known answers.
type LastKnownPage struct {
	Values     []LastKnown `json:"values"`
	Pagination Pagination  `json:"pagination"`
}

// lastKnownBody is the request body of last_known.
type lastKnownBody struct {
	VehicleIDs []string `json:"vehicleIds"`
	Sensors    []string `json:"sensors"`
}

// LastKnownPageOf asks last_known for the GPS sensor of vehicleUUIDs and returns page (from 1),
// perPage at a time. An empty vehicleUUIDs would ask for the whole fleet, so it is refused with
// EINVALID.
func (c *Client) LastKnownPageOf(ctx context.Context, vehicleUUIDs []string, page, perPage int) (LastKnownPage, error) {
	if len(vehicleUUIDs) == 0 {
		return LastKnownPage{}, fleet.Errorf(fleet.EINVALID, "last_known needs at least one vehicle")
	}
	page, perPage = max(page, 1), perPageOr(perPage)
	q := url.Values{"page": {strconv.Itoa(page)}, "perPage": {strconv.Itoa(perPage)}}
	var out LastKnownPage
	err := c.do(ctx, request{
		call:   fmt.Sprintf("LastKnown(%d vehicles, page=%d)", len(vehicleUUIDs), page),
		method: "POST", path: "/vehicles/telematics/last_known", query: q,
		body:       lastKnownBody{VehicleIDs: vehicleUUIDs, Sensors: []string{"gps"}},
		idempotent: true, // a read, even though it is a POST
	}, &out)
	return out, err
}

// LastKnown returns the GPS answers for vehicleUUIDs (at most MaxLastKnownBatch), asking for a
// page as large as the batch so nothing is truncated and following "more" if LocoNav still
// splits it.
func (c *Client) LastKnown(ctx context.Context, vehicleUUIDs []string) ([]LastKnown, error) {
	if len(vehicleUUIDs) > MaxLastKnownBatch {
		return nil, fleet.Errorf(fleet.EINVALID, "last_known takes at most %d vehicles, not %d", MaxLastKnownBatch, len(vehicleUUIDs))
	}
	perPage := len(vehicleUUIDs)
	var all []LastKnown
	for page := 1; page <= maxPages; page++ {
		p, err := c.LastKnownPageOf(ctx, vehicleUUIDs, page, perPage)
		if err != nil {
			return nil, err
		}
		all = append(all, p.Values...)
		if !p.Pagination.HasMore(page, perPage, len(p.Values)) || len(all) >= len(vehicleUUIDs) {
			break
		}
	}
	return all, nil
}
