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

// API token scopes: a read token may call every GET of the JSON API, a write token also the
// calls that change something (POST, PATCH, DELETE).
const (
	ScopeRead  = "read"
	ScopeWrite = "write"
)

// APIToken is a bearer token of the JSON API as stored: never the token itself, only its
// SHA-256 and first characters.
type APIToken struct {
	ID         int64
	Name       string // unique, lower case; the audit log's actor for the token's writes
	Scope      string // ScopeRead or ScopeWrite
	Prefix     string // the token's first characters, to tell tokens apart
	CreatedAt  time.Time
	LastUsedAt *time.Time // nil when never used; updated at most once a minute
	RevokedAt  *time.Time // nil while the token is valid
}

// Allows reports whether the token's scope covers need (ScopeRead or ScopeWrite).
func (t APIToken) Allows(need string) bool { return need == ScopeRead || t.Scope == ScopeWrite }
