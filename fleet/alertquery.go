package fleet

import "time"

// AlertQuery selects alerts for the history (/alerts, list_alerts, GET /api/v1/alerts); zero
// fields match everything. Results are newest first; Before pages on (the last ID seen).
type AlertQuery struct {
	Open     *bool // true: open only; false: ended only
	Plate    string
	Kinds    []AlertKind
	Severity Severity
	Since    time.Time // opened at or after
	Before   int64     // cursor: only alerts with a smaller ID
	Limit    int       // default 20, at most 200
}
