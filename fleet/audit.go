package fleet

import (
	"encoding/json"
	"time"
)

// AuditEntry is one line of the audit log: who did what to which subject, when.
type AuditEntry struct {
	ID      int64
	At      time.Time // now when zero
	Actor   Actor
	Action  string          // "trip.create", "trip.approve", "truck.status", …
	Subject string          // what it was done to: "TRP-0042", "T11985LA", "alert:7"
	Details json.RawMessage // action-specific JSON object, may be nil
}

// AuditQuery selects audit entries (GET /api/v1/audit); zero fields match everything. Results
// are newest first (in the order they were written); Before pages on (the last ID seen).
type AuditQuery struct {
	Actor   string    // the actor's ID exactly: a Slack user ID, an API token name, "system"
	Action  string    // an action exactly ("trip.cancel"), or a family ending in ".*" ("trip.*")
	Subject string    // the subject exactly ("TRP-0042")
	Since   time.Time // at or after
	Until   time.Time // before
	Before  int64     // cursor: only entries with a smaller ID
	Limit   int       // default 100, at most 500
}
