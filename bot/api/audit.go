package api

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strconv"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
)

// Audit reads the audit log (*store.Store).
type Audit interface {
	// QueryAudit returns the entries q selects, newest first, and the next page's cursor (0
	// on the last page).
	QueryAudit(ctx context.Context, q fleet.AuditQuery) ([]fleet.AuditEntry, int64, error)
}

const cursorAudit = "audit"

// actionRE is an audit action ("trip.cancel") or a family of them ("trip.*").
var actionRE = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*(\.\*)?$`)

// AuditItem is one entry of the audit log, as the API shows it.
type AuditItem struct {
	ID        int64           `json:"id"`
	At        time.Time       `json:"at"`
	Actor     string          `json:"actor"`      // Slack user ID, API token name, "system", "cli"
	ActorName string          `json:"actor_name"` // display name, "" when unknown
	Via       string          `json:"via"`        // slack, api, console, system, sheets, cli, …
	Action    string          `json:"action"`
	Subject   string          `json:"subject"`
	Details   json.RawMessage `json:"details"` // object, or null
}

type auditPage struct {
	Data       []AuditItem `json:"data"`
	NextCursor *string     `json:"next_cursor"`
}

// listAudit serves GET /api/v1/audit (admin tokens): filters actor, action (or "family.*"),
// subject, since, until; cursor paging, newest first.
func (s *Server) listAudit(_ http.ResponseWriter, r *http.Request, q *query) (int, any, error) {
	if s.deps.Audit == nil {
		return 0, nil, fleet.Errorf(fleet.EUNAVAILABLE, "the audit log is not available")
	}
	aq := fleet.AuditQuery{Actor: q.str("actor"), Action: q.str("action"), Subject: q.str("subject"),
		Since: q.instant("since", s.loc, false), Until: q.instant("until", s.loc, true),
		Limit: q.intIn("limit", defaultPageSize, 1, maxPageSize)}
	if q.err != nil {
		return 0, nil, q.err
	}
	if aq.Action != "" && !actionRE.MatchString(aq.Action) {
		return 0, nil, badParam("action", "action must be an action such as trip.cancel, or a family such as trip.*, not %q", aq.Action)
	}
	if !aq.Since.IsZero() && !aq.Until.IsZero() && !aq.Since.Before(aq.Until) {
		return 0, nil, badParam("until", "until must be after since")
	}
	if pos, err := decodeCursor(q.str("cursor"), cursorAudit); err != nil {
		return 0, nil, err
	} else if pos != "" {
		if aq.Before, err = strconv.ParseInt(pos, 10, 64); err != nil || aq.Before <= 0 {
			return 0, nil, badParam("cursor", "cursor is not a next_cursor of this list; start again without it")
		}
	}
	entries, next, err := s.deps.Audit.QueryAudit(r.Context(), aq)
	if err != nil {
		return 0, nil, err
	}
	out := auditPage{Data: make([]AuditItem, 0, len(entries))}
	for _, e := range entries {
		it := AuditItem{ID: e.ID, At: e.At.UTC(), Actor: e.Actor.ID, ActorName: e.Actor.Name, Via: e.Actor.Via,
			Action: e.Action, Subject: e.Subject, Details: e.Details}
		if len(it.Details) == 0 {
			it.Details = json.RawMessage("null")
		}
		out.Data = append(out.Data, it)
	}
	if next != 0 {
		out.NextCursor = optional(encodeCursor(cursorAudit, strconv.FormatInt(next, 10)))
	}
	return http.StatusOK, out, nil
}
