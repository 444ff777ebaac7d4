package api

import (
	"encoding/base64"
	"strconv"
	"strings"
	"time"
)

// Cursors are opaque to clients: base64url of "<kind>:<position>", where the position is the
// sort key of the last item of the previous page (a plate, a site code, or a trip's departure
// and ID). Keyset positions never skip or repeat an item when items are added between pages.
const (
	cursorTrucks = "trucks"
	cursorSites  = "sites"
	cursorTrips  = "trips"
)

// encodeCursor returns the cursor of position in a list of kind.
func encodeCursor(kind, position string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(kind + ":" + position))
}

// decodeCursor returns the position of a cursor of kind; "" for no cursor. It returns
// EINVALID naming "cursor" for a cursor that is malformed or from another list.
func decodeCursor(raw, kind string) (string, error) {
	if raw == "" {
		return "", nil
	}
	b, err := base64.RawURLEncoding.DecodeString(raw)
	k, pos, ok := strings.Cut(string(b), ":")
	if err != nil || !ok || k != kind || pos == "" {
		return "", badParam("cursor", "cursor is not a next_cursor of this list; start again without it")
	}
	return pos, nil
}

// tripPosition is the keyset position of a trip: its departure and ID.
func tripPosition(departure time.Time, id int64) string {
	return strconv.FormatInt(departure.UnixNano(), 10) + "/" + strconv.FormatInt(id, 10)
}

// parseTripPosition reads tripPosition. It returns EINVALID naming "cursor".
func parseTripPosition(pos string) (time.Time, int64, error) {
	ns, id, ok := strings.Cut(pos, "/")
	n, err1 := strconv.ParseInt(ns, 10, 64)
	i, err2 := strconv.ParseInt(id, 10, 64)
	if !ok || err1 != nil || err2 != nil || i <= 0 {
		return time.Time{}, 0, badParam("cursor", "cursor is not a next_cursor of this list; start again without it")
	}
	return time.Unix(0, n).UTC(), i, nil
}
