package api

import (
	"crypto/hmac"
	"encoding/base64"
	"encoding/binary"
	"strings"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
)

// A map token is base64url(payload ‖ MAC) like a tracking token, where payload is a version
// byte and the expiry in Unix seconds as a uvarint, and MAC is the first 16 bytes of
// HMAC-SHA256(TRACKING_SECRET, mapTokenDomain ‖ payload). Its own domain string keeps a
// tracking token from ever opening the fleet map, and the other way round.
const (
	mapTokenVersion = 1
	mapTokenDomain  = "watchtower/map/v1\x00"
)

// MapValidFor is how long a fleet map link works.
const MapValidFor = 12 * time.Hour

// MapToken returns a signed fleet map token valid until expiry. It returns EINVALID for an
// empty secret.
func MapToken(secret []byte, expiry time.Time) (string, error) {
	if len(secret) == 0 {
		return "", fleet.Errorf(fleet.EINVALID, "map links are off: set TRACKING_SECRET to turn them on")
	}
	payload := binary.AppendUvarint([]byte{mapTokenVersion}, uint64(max(expiry.Unix(), 0)))
	return base64.RawURLEncoding.EncodeToString(append(payload, tokenMAC(secret, mapTokenDomain, payload)...)), nil
}

// ParseMapToken checks token's signature with secret and its expiry at now, and returns the
// expiry. It returns EUNAUTHORIZED for a token that is missing, malformed, not signed with
// secret for the map, or expired (saying which). The signature is checked before anything else
// is believed.
func ParseMapToken(secret []byte, token string, now time.Time) (time.Time, error) {
	invalid := fleet.Errorf(fleet.EUNAUTHORIZED, "this map link is not valid")
	if len(secret) == 0 || token == "" || len(token) > maxTokenLen {
		return time.Time{}, invalid
	}
	raw, err := base64.RawURLEncoding.Strict().DecodeString(token)
	if err != nil || len(raw) <= macLen+1 {
		return time.Time{}, invalid
	}
	payload, mac := raw[:len(raw)-macLen], raw[len(raw)-macLen:]
	if !hmac.Equal(mac, tokenMAC(secret, mapTokenDomain, payload)) || payload[0] != mapTokenVersion {
		return time.Time{}, invalid
	}
	exp, k := binary.Uvarint(payload[1:])
	if k <= 0 || 1+k != len(payload) || exp > 1<<40 {
		return time.Time{}, invalid
	}
	expiry := time.Unix(int64(exp), 0).UTC()
	if !now.Before(expiry) {
		return expiry, fleet.Errorf(fleet.EUNAUTHORIZED, "this map link has expired")
	}
	return expiry, nil
}

// MapLinker makes fleet map links for /watchtower map. It is safe for concurrent use.
type MapLinker struct {
	secret  []byte
	baseURL string
	now     func() time.Time
}

// NewMapLinker returns a linker signing with secret (TRACKING_SECRET) for links under baseURL
// (PUBLIC_BASE_URL). now may be nil (time.Now).
func NewMapLinker(secret []byte, baseURL string, now func() time.Time) *MapLinker {
	if now == nil {
		now = time.Now
	}
	return &MapLinker{secret: secret, baseURL: strings.TrimRight(baseURL, "/"), now: now}
}

// MapLink returns a link to the live fleet map valid for MapValidFor, and when it expires. It
// returns EINVALID when TRACKING_SECRET is unset.
func (m *MapLinker) MapLink() (link string, expires time.Time, err error) {
	expires = m.now().Add(MapValidFor).Truncate(time.Second)
	tok, err := MapToken(m.secret, expires)
	if err != nil {
		return "", time.Time{}, err
	}
	return m.baseURL + mapPath + "?t=" + tok, expires, nil
}
