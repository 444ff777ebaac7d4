package api

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
)

// TokenPrefix starts every API token, so secret scanners and people recognise one.
const TokenPrefix = "wt_"

// tokenLen is the length of a token: the prefix and 32 random bytes in unpadded base64url.
var tokenLen = len(TokenPrefix) + base64.RawURLEncoding.EncodedLen(32)

// displayPrefixLen is how much of a token is stored and listed to tell tokens apart.
const displayPrefixLen = 10

// TokenStore finds API tokens by hash (*store.Store).
type TokenStore interface {
	// AuthenticateAPIToken returns the valid token whose SHA-256 is hash. It returns
	// ENOTFOUND for an unknown or revoked token.
	AuthenticateAPIToken(ctx context.Context, hash []byte) (fleet.APIToken, error)
}

// NewToken returns a new random token (shown to the operator once), its SHA-256 (stored) and
// its first characters (stored, to tell tokens apart).
func NewToken() (token string, hash []byte, prefix string) {
	b := make([]byte, 32)
	rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	token = TokenPrefix + base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token), token[:displayPrefixLen]
}

// HashToken returns the SHA-256 of token, as stored.
func HashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

// bearer returns the token of an "Authorization: Bearer <token>" header. It returns
// EUNAUTHORIZED when the header is missing or is not a well-formed Watch Tower token, so
// garbage never reaches the database.
func bearer(r *http.Request) (string, error) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return "", fleet.Errorf(fleet.EUNAUTHORIZED, "missing bearer token: send Authorization: Bearer <token>")
	}
	scheme, tok, ok := strings.Cut(h, " ")
	tok = strings.TrimSpace(tok)
	if !ok || !strings.EqualFold(scheme, "Bearer") || len(tok) != tokenLen || !strings.HasPrefix(tok, TokenPrefix) {
		return "", fleet.Errorf(fleet.EUNAUTHORIZED, "invalid or revoked token")
	}
	return tok, nil
}

// tokenCache remembers authenticated tokens for a short TTL, so a busy client does not cost a
// database round trip per request. A revoked token stops working within the TTL on every
// replica. Unknown tokens are never cached (a flood of random tokens cannot grow it).
type tokenCache struct {
	ttl time.Duration // ≤ 0: no caching
	max int

	mu sync.Mutex
	m  map[[32]byte]cachedToken
}

type cachedToken struct {
	tok     fleet.APIToken
	expires time.Time
}

func newTokenCache(ttl time.Duration, max int) *tokenCache {
	return &tokenCache{ttl: ttl, max: max, m: make(map[[32]byte]cachedToken)}
}

func (c *tokenCache) get(hash [32]byte, now time.Time) (fleet.APIToken, bool) {
	if c.ttl <= 0 {
		return fleet.APIToken{}, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[hash]
	if !ok || now.After(e.expires) {
		return fleet.APIToken{}, false
	}
	return e.tok, true
}

func (c *tokenCache) put(hash [32]byte, tok fleet.APIToken, now time.Time) {
	if c.ttl <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= c.max {
		clear(c.m) // tokens are few; a full cache means churn, and refilling is cheap
	}
	c.m[hash] = cachedToken{tok: tok, expires: now.Add(c.ttl)}
}

// authenticate returns the token of r. It returns EUNAUTHORIZED for a missing, malformed,
// unknown or revoked token, and the store's error (EUNAVAILABLE) when it cannot tell.
func (s *Server) authenticate(r *http.Request) (fleet.APIToken, error) {
	raw, err := bearer(r)
	if err != nil {
		return fleet.APIToken{}, err
	}
	hash := sha256.Sum256([]byte(raw))
	now := s.now()
	if tok, ok := s.tokens.get(hash, now); ok {
		return tok, nil
	}
	tok, err := s.deps.Tokens.AuthenticateAPIToken(r.Context(), hash[:])
	switch {
	case fleet.ErrorCode(err) == fleet.ENOTFOUND:
		return fleet.APIToken{}, fleet.Errorf(fleet.EUNAUTHORIZED, "invalid or revoked token")
	case err != nil:
		return fleet.APIToken{}, err
	}
	s.tokens.put(hash, tok, now)
	return tok, nil
}

type tokenKey struct{}

// withToken returns ctx carrying tok.
func withToken(ctx context.Context, tok fleet.APIToken) context.Context {
	return context.WithValue(ctx, tokenKey{}, tok)
}

// tokenOf returns the token the request was authenticated with.
func tokenOf(ctx context.Context) fleet.APIToken {
	tok, _ := ctx.Value(tokenKey{}).(fleet.APIToken)
	return tok
}
