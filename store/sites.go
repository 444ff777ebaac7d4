package store

import (
	"context"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/watchtower-ops/watchtower/fleet"
)

const siteCols = `id, code, name, kind, lat, lng, radius_m, h3_cell, created_at, updated_at, archived_at`

func scanSite(row pgx.Row) (fleet.Site, error) {
	var (
		s    fleet.Site
		kind string
	)
	err := row.Scan(&s.ID, &s.Code, &s.Name, &kind, &s.Point.Lat, &s.Point.Lng, &s.RadiusM, &s.Cell, &s.CreatedAt, &s.UpdatedAt, &s.ArchivedAt)
	if err != nil {
		return fleet.Site{}, err
	}
	s.Kind, s.CreatedAt, s.UpdatedAt, s.ArchivedAt = fleet.SiteKind(kind), s.CreatedAt.UTC(), s.UpdatedAt.UTC(), utcPtr(s.ArchivedAt)
	return s, nil
}

// siteCode normalises a site code: upper case, trimmed.
func siteCode(code string) string { return strings.ToUpper(strings.TrimSpace(code)) }

// upsertSiteSQL changes nothing (not even updated_at) when the site is already as given.
const upsertSiteSQL = `
INSERT INTO sites AS s (code, name, kind, lat, lng, radius_m, h3_cell)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (code) DO UPDATE SET
	name = EXCLUDED.name, kind = EXCLUDED.kind, lat = EXCLUDED.lat, lng = EXCLUDED.lng,
	radius_m = EXCLUDED.radius_m, h3_cell = EXCLUDED.h3_cell, archived_at = NULL, updated_at = now()
WHERE (s.name, s.kind, s.lat, s.lng, s.radius_m, s.h3_cell, s.archived_at)
	IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.kind, EXCLUDED.lat, EXCLUDED.lng, EXCLUDED.radius_m, EXCLUDED.h3_cell, NULL)
RETURNING ` + siteCols

// UpsertSite creates or replaces the site with st's code (upper-cased), computing its H3 cell,
// and returns it as stored. Upserting an archived site brings it back. It returns EINVALID
// (from fleet.Site.Validate) naming the bad field.
func (s *Store) UpsertSite(ctx context.Context, st fleet.Site) (_ fleet.Site, err error) {
	defer wrap(&err, "UpsertSite(%q)", st.Code)
	st.Code, st.Name = siteCode(st.Code), strings.TrimSpace(st.Name)
	if err := st.Validate(); err != nil {
		return fleet.Site{}, err
	}
	st.Cell = fleet.CellOf(st.Point, fleet.CellResolution)
	got, err := scanSite(s.pool.QueryRow(ctx, upsertSiteSQL, st.Code, st.Name, string(st.Kind),
		st.Point.Lat, st.Point.Lng, st.RadiusM, st.Cell))
	if isNoRows(err) { // unchanged
		return s.SiteByCode(ctx, st.Code)
	}
	return got, err
}

const siteByCodeSQL = `SELECT ` + siteCols + ` FROM sites WHERE code = $1`

// SiteByCode returns the site with code (any case), archived or not. It returns ENOTFOUND
// "site X not found" with close site codes as suggestions.
func (s *Store) SiteByCode(ctx context.Context, code string) (_ fleet.Site, err error) {
	defer wrap(&err, "SiteByCode(%q)", code)
	st, err := scanSite(s.pool.QueryRow(ctx, siteByCodeSQL, siteCode(code)))
	if isNoRows(err) {
		return fleet.Site{}, s.siteNotFound(ctx, code)
	}
	return st, err
}

// siteNotFound builds ENOTFOUND for query with fleet.MatchSite's suggestions.
func (s *Store) siteNotFound(ctx context.Context, query string) error {
	e := fleet.Errorf(fleet.ENOTFOUND, "site %s not found", strings.TrimSpace(query))
	if sites, err := s.ListSites(ctx); err == nil {
		if site, suggestions, ok := fleet.MatchSite(query, sites); ok {
			e.Suggestions = []string{site.Code}
		} else {
			e.Suggestions = suggestions
		}
	}
	return e
}

// FindSite resolves what a user typed ("tin can", "Eclat warehouse", "esslibra termnal") to
// one site with fleet.MatchSite. It returns ENOTFOUND with close site codes as suggestions
// when nothing matches clearly.
func (s *Store) FindSite(ctx context.Context, query string) (_ fleet.Site, err error) {
	defer wrap(&err, "FindSite(%q)", query)
	sites, err := s.ListSites(ctx)
	if err != nil {
		return fleet.Site{}, err
	}
	site, suggestions, ok := fleet.MatchSite(query, sites)
	if !ok {
		e := fleet.Errorf(fleet.ENOTFOUND, "I don't know a site called '%s'", strings.TrimSpace(query))
		e.Suggestions = suggestions[:min(len(suggestions), 3)]
		return fleet.Site{}, e
	}
	return site, nil
}

const listSitesSQL = `SELECT ` + siteCols + ` FROM sites WHERE archived_at IS NULL ORDER BY code`

// ListSites returns every site that is not archived, by code.
func (s *Store) ListSites(ctx context.Context) (_ []fleet.Site, err error) {
	defer wrap(&err, "ListSites")
	rows, err := s.pool.Query(ctx, listSitesSQL)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (fleet.Site, error) { return scanSite(r) })
}
