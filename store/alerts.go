package store

import (
	"context"
	"encoding/json"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/watchtower-ops/watchtower/fleet"
)

const alertCols = `id, kind, source_kind, incident_key, plate, trip_code, site_code, severity, message,
	lat, lng, data, opened_at, resolved_at, slack_channel, slack_ts, acked_by, acked_name, acked_via, acked_at,
	snoozed_by, snoozed_name, snoozed_via, snoozed_at, muted_by, muted_name, muted_via, muted_at, escalated_at,
	resolution`

// actScan holds the who/how/when columns of one alert action while scanned.
type actScan struct {
	by, name, via string
	at            *time.Time
}

func (s *actScan) dest() []any { return []any{&s.by, &s.name, &s.via, &s.at} }

func (s *actScan) act() *fleet.AlertAct {
	if s.at == nil {
		return nil
	}
	return &fleet.AlertAct{By: s.by, Name: s.name, Via: s.via, At: s.at.UTC()}
}

func scanAlert(row pgx.Row) (fleet.Alert, error) {
	var (
		a              fleet.Alert
		kind, severity string
		lat, lng       *float64
		data           []byte
		ack, snz, mute actScan
	)
	dest := []any{&a.ID, &kind, &a.SourceKind, &a.IncidentKey, &a.Plate, &a.TripCode, &a.SiteCode, &severity,
		&a.Message, &lat, &lng, &data, &a.OpenedAt, &a.ResolvedAt, &a.SlackChannel, &a.SlackTS}
	dest = append(append(append(dest, ack.dest()...), snz.dest()...), mute.dest()...)
	if err := row.Scan(append(dest, &a.EscalatedAt, &a.Resolution)...); err != nil {
		return fleet.Alert{}, err
	}
	a.Acked, a.Snoozed, a.Muted, a.EscalatedAt = ack.act(), snz.act(), mute.act(), utcPtr(a.EscalatedAt)
	a.Kind, a.Severity = fleet.AlertKind(kind), fleet.Severity(severity)
	if lat != nil && lng != nil {
		a.Point = &fleet.Point{Lat: *lat, Lng: *lng}
	}
	if data != nil {
		a.Data = json.RawMessage(data)
	}
	a.OpenedAt, a.ResolvedAt = a.OpenedAt.UTC(), utcPtr(a.ResolvedAt)
	return a, nil
}

func collectAlerts(rows pgx.Rows, err error) ([]fleet.Alert, error) {
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (fleet.Alert, error) { return scanAlert(r) })
}

// openAlertSQL inserts unless an open alert has the key (the partial unique index), returning
// nothing then.
const openAlertSQL = `
INSERT INTO alerts (kind, source_kind, incident_key, plate, trip_code, site_code, severity, message,
	lat, lng, data, opened_at, resolved_at, slack_channel, slack_ts)
SELECT $1::text, $2::text, $3::text, $4::text, $5::text, $6::text, $7::text, $8::text, $9::float8, $10::float8,
	$11::jsonb, $12::timestamptz, $13::timestamptz, $15::text, $16::text
WHERE ` + notQuietSQL + `
ON CONFLICT (incident_key) WHERE resolved_at IS NULL DO NOTHING
RETURNING ` + alertCols

// notQuietSQL holds when the alert of kind $1 about plate $4 opening at $12 may be raised: the
// kind is not snoozed for the truck, the truck is not muted, and a truck in maintenance raises
// none of the kinds in $14 (fleet.MaintenanceSilenced).
const notQuietSQL = `NOT EXISTS (SELECT 1 FROM alert_snoozes z WHERE z.plate = $4 AND z.kind = $1 AND z.until > $12)
	AND NOT EXISTS (SELECT 1 FROM trucks t WHERE $4 <> '' AND t.plate = $4 AND (t.muted_at IS NOT NULL
		OR (t.status = 'maintenance' AND (t.maintenance_until IS NULL OR t.maintenance_until > $12)
			AND $1 = ANY($14::text[]))))`

// OpenAlert opens the incident a (OpenedAt defaults to now, Severity to the kind's default)
// and returns it with created true, or returns the incident already open under a.IncidentKey
// with created false. An alert kept quiet (its kind snoozed for the truck, the truck muted, or
// in maintenance for idle, offline and overspeed) is not opened: it returns a zero Alert
// (ID 0) and created false. It returns EINVALID without a kind or incident key.
func (s *Store) OpenAlert(ctx context.Context, a fleet.Alert) (_ fleet.Alert, created bool, err error) {
	defer wrap(&err, "OpenAlert(%q)", a.IncidentKey)
	if a.Kind == "" || a.IncidentKey == "" {
		return fleet.Alert{}, false, fleet.Errorf(fleet.EINVALID, "an alert needs a kind and an incident key")
	}
	if a.Severity == "" {
		a.Severity = fleet.SeverityRules(nil).Of(a.Kind, a.SourceKind)
	}
	args := append(incidentArgs(a), a.SlackChannel, a.SlackTS)
	// The open incident can resolve between our insert and select; then insert again.
	for range 3 {
		got, err := scanAlert(s.pool.QueryRow(ctx, openAlertSQL, args...))
		if err == nil {
			return got, true, nil
		}
		if !isNoRows(err) {
			return fleet.Alert{}, false, err
		}
		open, err := s.OpenAlertByKey(ctx, a.IncidentKey)
		if fleet.ErrorCode(err) != fleet.ENOTFOUND {
			return open, false, err
		}
		if quiet, err := s.quiet(ctx, a); err != nil || quiet {
			return fleet.Alert{}, false, err
		}
	}
	return fleet.Alert{}, false, fleet.Errorf(fleet.ECONFLICT, "incident %s keeps opening and resolving", a.IncidentKey)
}

const resolveAlertSQL = `
UPDATE alerts SET resolved_at = $2, resolution = $3 WHERE incident_key = $1 AND resolved_at IS NULL
RETURNING ` + alertCols

// quiet reports whether a would be kept quiet (see OpenAlert).
func (s *Store) quiet(ctx context.Context, a fleet.Alert) (bool, error) {
	var open bool
	err := s.pool.QueryRow(ctx, `SELECT `+notQuietSQL+` FROM (SELECT $1::text, $2::text, $3::text, $4::text,
		$5::text, $6::text, $7::text, $8::text, $9::float8, $10::float8, $11::jsonb, $12::timestamptz,
		$13::timestamptz) AS args`, incidentArgs(a)...).Scan(&open)
	return !open, err
}

// ResolveAlert closes the open incident with incidentKey at at (now when zero), its condition
// gone ("back to normal"), and returns it. It returns ENOTFOUND when no incident with that key
// is open.
func (s *Store) ResolveAlert(ctx context.Context, incidentKey string, at time.Time) (_ fleet.Alert, err error) {
	defer wrap(&err, "ResolveAlert(%q)", incidentKey)
	a, err := scanAlert(s.pool.QueryRow(ctx, resolveAlertSQL, incidentKey, orNow(at), fleet.ResolutionCleared))
	if isNoRows(err) {
		return fleet.Alert{}, fleet.Errorf(fleet.ENOTFOUND, "no open alert %s", incidentKey)
	}
	return a, err
}

// OpenAlertByKey returns the open incident with incidentKey. It returns ENOTFOUND.
func (s *Store) OpenAlertByKey(ctx context.Context, incidentKey string) (_ fleet.Alert, err error) {
	defer wrap(&err, "OpenAlertByKey(%q)", incidentKey)
	a, err := scanAlert(s.pool.QueryRow(ctx,
		`SELECT `+alertCols+` FROM alerts WHERE incident_key = $1 AND resolved_at IS NULL`, incidentKey))
	if isNoRows(err) {
		return fleet.Alert{}, fleet.Errorf(fleet.ENOTFOUND, "no open alert %s", incidentKey)
	}
	return a, err
}

// AlertByID returns alert id. It returns ENOTFOUND.
func (s *Store) AlertByID(ctx context.Context, id int64) (_ fleet.Alert, err error) {
	defer wrap(&err, "AlertByID(%d)", id)
	a, err := scanAlert(s.pool.QueryRow(ctx, `SELECT `+alertCols+` FROM alerts WHERE id = $1`, id))
	if isNoRows(err) {
		return fleet.Alert{}, fleet.Errorf(fleet.ENOTFOUND, "alert %d not found", id)
	}
	return a, err
}

// SetAlertSlack records the Slack message that announced alert id, so updates thread under
// it. It returns ENOTFOUND.
func (s *Store) SetAlertSlack(ctx context.Context, id int64, channel, ts string) (err error) {
	defer wrap(&err, "SetAlertSlack(%d)", id)
	tag, err := s.pool.Exec(ctx, `UPDATE alerts SET slack_channel = $2, slack_ts = $3 WHERE id = $1`, id, channel, ts)
	if err == nil && tag.RowsAffected() == 0 {
		return fleet.Errorf(fleet.ENOTFOUND, "alert %d not found", id)
	}
	return err
}

// AlertFilter selects alerts for ListAlerts; zero fields match everything.
type AlertFilter struct {
	Since, Until time.Time // opened in [Since, Until)
	Kinds        []fleet.AlertKind
	Plate        string
	OpenOnly     bool
	Limit        int // default 100, at most 1000
}

const listAlertsSQL = `
SELECT ` + alertCols + ` FROM alerts
WHERE ($1::timestamptz IS NULL OR opened_at >= $1)
  AND ($2::timestamptz IS NULL OR opened_at < $2)
  AND (cardinality($3::text[]) = 0 OR kind = ANY($3))
  AND ($4 = '' OR plate = $4)
  AND (NOT $5 OR resolved_at IS NULL)
ORDER BY opened_at DESC, id DESC
LIMIT $6`

// ListAlerts returns the alerts matching f, newest first.
func (s *Store) ListAlerts(ctx context.Context, f AlertFilter) (_ []fleet.Alert, err error) {
	defer wrap(&err, "ListAlerts")
	kinds := make([]string, len(f.Kinds))
	for i, k := range f.Kinds {
		kinds[i] = string(k)
	}
	return collectAlerts(s.pool.Query(ctx, listAlertsSQL, nullTime(f.Since), nullTime(f.Until), kinds,
		fleet.NormalizePlate(f.Plate), f.OpenOnly, pageSize(f.Limit, 100, 1000)))
}

// OpenAlerts returns the open incidents of kinds (any kind when none), newest first, at
// most 1,000.
func (s *Store) OpenAlerts(ctx context.Context, kinds ...fleet.AlertKind) ([]fleet.Alert, error) {
	return s.ListAlerts(ctx, AlertFilter{Kinds: kinds, OpenOnly: true, Limit: 1000})
}

const countAlertsSQL = `
SELECT kind, count(*) FROM alerts WHERE opened_at >= $1 AND opened_at < $2 GROUP BY kind`

// CountAlertsByKind counts the alerts opened in [from, to) by kind.
func (s *Store) CountAlertsByKind(ctx context.Context, from, to time.Time) (_ map[fleet.AlertKind]int, err error) {
	defer wrap(&err, "CountAlertsByKind")
	return alertCounts(s.pool.Query(ctx, countAlertsSQL, from, to))
}

// alertCounts reads (kind, count) rows, as the query returned them.
func alertCounts(rows pgx.Rows, err error) (map[fleet.AlertKind]int, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make(map[fleet.AlertKind]int)
	for rows.Next() {
		var (
			kind string
			n    int
		)
		if err := rows.Scan(&kind, &n); err != nil {
			return nil, err
		}
		out[fleet.AlertKind(kind)] = n
	}
	return out, rows.Err()
}

// PruneAlerts deletes resolved alerts opened before before (retention) and returns how many.
// Open incidents are kept however old.
func (s *Store) PruneAlerts(ctx context.Context, before time.Time) (_ int64, err error) {
	defer wrap(&err, "PruneAlerts(%s)", before.Format(time.RFC3339))
	tag, err := s.pool.Exec(ctx, `DELETE FROM alerts WHERE opened_at < $1 AND resolved_at IS NOT NULL`, before)
	return tag.RowsAffected(), err
}
