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

// Token scopes: a read token may call every GET, a write token also the calls that change
// something.
const (
	ScopeRead  = "read"
	ScopeWrite = "write"
)

// TokenPrefix starts every API token, so secret scanners and people recognise one.
const TokenPrefix = "wt_"

// tokenLen is the length of a token: the prefix and 32 random bytes in unpadded base64url.
var tokenLen = len(TokenPrefix) + base64.RawURLEncoding.EncodedLen(32)

// displayPrefixLen is how much of a token is stored and listed to tell tokens apart.
const displayPrefixLen = 10

// Token is the authenticated caller of a request.
type Token struct {
	ID    int64
	Name  string // the audit log's actor for the token's writes
	Scope string // ScopeRead or ScopeWrite
}

// allows reports whether the token's scope covers need.
func (t Token) allows(need string) bool { return need == ScopeRead || t.Scope == ScopeWrite }

// TokenStore finds API tokens by hash. main adapts *store.Store to it.
type TokenStore interface {
	// AuthenticateToken returns the valid token whose SHA-256 is hash. It returns ENOTFOUND
	// for an unknown or revoked token.
	AuthenticateToken(ctx context.Context, hash []byte) (Token, error)
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
	tok     Token
	expires time.Time
}

func newTokenCache(ttl time.Duration, max int) *tokenCache {
	return &tokenCache{ttl: ttl, max: max, m: make(map[[32]byte]cachedToken)}
}

func (c *tokenCache) get(hash [32]byte, now time.Time) (Token, bool) {
	if c.ttl <= 0 {
		return Token{}, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[hash]
	if !ok || now.After(e.expires) {
		return Token{}, false
	}
	return e.tok, true
}

func (c *tokenCache) put(hash [32]byte, tok Token, now time.Time) {
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
func (s *Server) authenticate(r *http.Request) (Token, error) {
	raw, err := bearer(r)
	if err != nil {
		return Token{}, err
	}
	hash := sha256.Sum256([]byte(raw))
	now := s.now()
	if tok, ok := s.tokens.get(hash, now); ok {
		return tok, nil
	}
	tok, err := s.deps.Tokens.AuthenticateToken(r.Context(), hash[:])
	switch {
	case fleet.ErrorCode(err) == fleet.ENOTFOUND:
		return Token{}, fleet.Errorf(fleet.EUNAUTHORIZED, "invalid or revoked token")
	case err != nil:
		return Token{}, err
	}
	s.tokens.put(hash, tok, now)
	return tok, nil
}

type tokenKey struct{}

// withToken returns ctx carrying tok.
func withToken(ctx context.Context, tok Token) context.Context {
	return context.WithValue(ctx, tokenKey{}, tok)
}

// tokenOf returns the token the request was authenticated with.
func tokenOf(ctx context.Context) Token {
	tok, _ := ctx.Value(tokenKey{}).(Token)
	return tok
}
