package fleet

import "time"

// Actor is who did something: a Slack user, an API token, the console, or Watch Tower itself.
// The audit log names it.
type Actor struct {
	ID   string // Slack user ID, token name, "system"
	Name string // display name, when known
	Via  string // front door: "slack", "api", "console", "system", "sheets", "cli"
}

// SystemActor is Watch Tower itself, for what its jobs do on their own.
func SystemActor() Actor { return Actor{ID: "system", Name: "Watch Tower", Via: "system"} }

// API token scopes, each including the one before: a read token may call every GET of the
// JSON API and ask questions; a write token also the calls that change something (POST,
// PATCH, DELETE; on trips, only those it requested itself, like a dispatcher); an admin token
// also reads the audit log and may cancel or change any trip, like a dispatch approver.
const (
	ScopeRead  = "read"
	ScopeWrite = "write"
	ScopeAdmin = "admin"
)

// Scopes lists the API token scopes, weakest first.
var Scopes = []string{ScopeRead, ScopeWrite, ScopeAdmin}

// scopeRank is a scope's place in Scopes; -1 for an unknown scope.
func scopeRank(scope string) int {
	for i, s := range Scopes {
		if s == scope {
			return i
		}
	}
	return -1
}

// ValidScope reports whether scope is one of Scopes.
func ValidScope(scope string) bool { return scopeRank(scope) >= 0 }

// APIToken is a bearer token of the JSON API as stored: never the token itself, only its
// SHA-256 and first characters.
type APIToken struct {
	ID         int64
	Name       string // unique, lower case; the audit log's actor for the token's writes
	Scope      string // ScopeRead, ScopeWrite or ScopeAdmin
	Prefix     string // the token's first characters, to tell tokens apart
	CreatedAt  time.Time
	LastUsedAt *time.Time // nil when never used; updated at most once a minute
	RevokedAt  *time.Time // nil while the token is valid
}

// Allows reports whether the token's scope covers need (ScopeRead, ScopeWrite or ScopeAdmin):
// each scope covers the ones before it in Scopes. An unknown need is never allowed.
func (t APIToken) Allows(need string) bool {
	n := scopeRank(need)
	return n >= 0 && scopeRank(t.Scope) >= n
}
