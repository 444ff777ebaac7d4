package api

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"strconv"
	"strings"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
)

// A tracking token is base64url(payload ‖ MAC), where payload is a version byte, the trip's
// number (TRP-0042 → 42) and the expiry in Unix seconds, both as uvarints, and MAC is the first
// 16 bytes of HMAC-SHA256(TRACKING_SECRET, tokenDomain ‖ payload). The domain string keeps
// these MACs from ever being valid for another use of the same secret.
const (
	tokenVersion = 1
	tokenDomain  = "watchtower/track/v1\x00"
	macLen       = 16
	maxTokenLen  = 64 // base64 of the longest payload and MAC, with room to spare
)

// Tracking link lifetimes.
const (
	// TrackingValidFor is how long after a trip's planned arrival its link keeps working.
	TrackingValidFor = 7 * 24 * time.Hour
	// TrackingAfterEnd is how long a finished (completed, cancelled, rejected) trip's page is
	// still shown; after that its link says expired even before its expiry.
	TrackingAfterEnd = 48 * time.Hour
)

// TrackingToken returns the signed token of the trip with tripCode ("TRP-0042", or any spelling
// fleet.ParseTripCode reads), valid until expiry. It returns EINVALID for an empty secret or a
// malformed trip code.
func TrackingToken(secret []byte, tripCode string, expiry time.Time) (string, error) {
	if len(secret) == 0 {
		return "", fleet.Errorf(fleet.EINVALID, "no TRACKING_SECRET: tracking links are off")
	}
	code, ok := fleet.ParseTripCode(tripCode)
	if !ok {
		return "", fleet.Errorf(fleet.EINVALID, "%q is not a trip code", tripCode)
	}
	n, _ := strconv.ParseUint(strings.TrimPrefix(code, "TRP-"), 10, 64)
	payload := []byte{tokenVersion}
	payload = binary.AppendUvarint(payload, n)
	payload = binary.AppendUvarint(payload, uint64(max(expiry.Unix(), 0)))
	return base64.RawURLEncoding.EncodeToString(append(payload, tokenMAC(secret, tokenDomain, payload)...)), nil
}

// TrackingLink returns the customer tracking URL of the trip with tripCode, valid until
// expiry: baseURL (PUBLIC_BASE_URL) + "/track/" + the token. It returns EINVALID for an empty
// secret or a malformed trip code.
func TrackingLink(secret []byte, baseURL, tripCode string, expiry time.Time) (string, error) {
	tok, err := TrackingToken(secret, tripCode, expiry)
	if err != nil {
		return "", err
	}
	return strings.TrimRight(baseURL, "/") + "/track/" + tok, nil
}

// ParseTrackingToken checks token's signature with secret and its expiry at now, and returns
// the trip code it names. It returns ENOTFOUND for a token that is malformed or not signed
// with secret (forged, or from another secret) and EFORBIDDEN for a genuine token that has
// expired. The signature is checked before anything else is believed.
func ParseTrackingToken(secret []byte, token string, now time.Time) (tripCode string, expiry time.Time, err error) {
	invalid := fleet.Errorf(fleet.ENOTFOUND, "this tracking link is not valid")
	if len(secret) == 0 || len(token) > maxTokenLen {
		return "", time.Time{}, invalid
	}
	raw, err := base64.RawURLEncoding.Strict().DecodeString(token) // one spelling per token
	if err != nil || len(raw) <= macLen+1 {
		return "", time.Time{}, invalid
	}
	payload, mac := raw[:len(raw)-macLen], raw[len(raw)-macLen:]
	if !hmac.Equal(mac, tokenMAC(secret, tokenDomain, payload)) || payload[0] != tokenVersion {
		return "", time.Time{}, invalid
	}
	n, k := binary.Uvarint(payload[1:])
	if k <= 0 || n == 0 {
		return "", time.Time{}, invalid
	}
	exp, k2 := binary.Uvarint(payload[1+k:])
	if k2 <= 0 || 1+k+k2 != len(payload) || exp > 1<<40 {
		return "", time.Time{}, invalid
	}
	expiry = time.Unix(int64(exp), 0).UTC()
	if !now.Before(expiry) {
		return "", expiry, fleet.Errorf(fleet.EFORBIDDEN, "this tracking link has expired")
	}
	return fleet.TripCode(int64(n)), expiry, nil
}

// tokenMAC is the MAC of payload for the use named by domain (tokenDomain, mapTokenDomain).
func tokenMAC(secret []byte, domain string, payload []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(domain))
	m.Write(payload)
	return m.Sum(nil)[:macLen]
}

// TrackingExpiry is when the link of t expires: TrackingValidFor after its planned arrival
// (or its departure plus fleet.DefaultTripDuration when none is planned), rounded up to the
// hour so the link of a trip is the same every time it is made.
func TrackingExpiry(t fleet.Trip) time.Time {
	end := t.PlannedArrival
	if end.IsZero() {
		end = t.ScheduledDeparture.Add(fleet.DefaultTripDuration)
	}
	exp := end.Add(TrackingValidFor).UTC()
	if r := exp.Truncate(time.Hour); !r.Equal(exp) {
		exp = r.Add(time.Hour)
	}
	return exp
}

// Tracker makes the customer tracking link of a trip. It is safe for concurrent use.
type Tracker struct {
	secret  []byte
	baseURL string
}

// NewTracker returns a tracker signing with secret (TRACKING_SECRET) for links under baseURL
// (PUBLIC_BASE_URL). With an empty secret it makes no links.
func NewTracker(secret []byte, baseURL string) *Tracker {
	return &Tracker{secret: secret, baseURL: baseURL}
}

// Link returns the link to give t's customer: LocoNav's tracking URL when the trip has one,
// else a Watch Tower /track link valid until TrackingExpiry(t), else "" (no secret).
func (tr *Tracker) Link(t fleet.Trip) string {
	if t.TrackingURL != "" {
		return t.TrackingURL
	}
	if tr == nil || len(tr.secret) == 0 || t.Code == "" {
		return ""
	}
	link, err := TrackingLink(tr.secret, tr.baseURL, t.Code, TrackingExpiry(t))
	if err != nil {
		return ""
	}
	return link
}

// trackingURL is the link the API shows for t.
func (s *Server) trackingURL(t fleet.Trip) string {
	return s.tracker.Link(t)
}
