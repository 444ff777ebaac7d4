package store

import (
	"context"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/watchtower-ops/watchtower/fleet"
)

// Fixes that arrive after a newer one (a device uploading its buffer, a delayed webhook) do not
// move the truck's state, but they may change where a visit starts or ends: the applier revises
// the visits around them with fleet.ReviseVisit over the stored fixes, in the same transaction.

const (
	// lateLookback is how far before a late fix the stored fixes are read, so that an entry
	// can move back over fixes stored earlier that the late fix now joins to the visit.
	lateLookback = 6 * time.Hour
	// lateVisitsSQL lists a truck's visits that end after t (or are open), oldest first, and
	// the one before them, whose exit bounds how far back an entry may move.
	lateVisitsSQL = `
(SELECT ` + visitCols + ` FROM site_visits WHERE plate = $1 AND exited_at <= $2 ORDER BY exited_at DESC LIMIT 1)
UNION ALL
(SELECT ` + visitCols + ` FROM site_visits WHERE plate = $1 AND (exited_at IS NULL OR exited_at > $2)
	ORDER BY entered_at LIMIT 50)`
	lateFixesSQL = `
SELECT fix_time, lat, lng FROM positions WHERE plate = $1 AND fix_time >= $2 AND fix_time <= $3
ORDER BY fix_time LIMIT 50000`
	reviseVisitSQL = `
UPDATE site_visits v SET entered_at = $2, exited_at = $3, updated_at = now()
WHERE v.id = $1 AND NOT EXISTS (SELECT 1 FROM site_visits o
	WHERE o.plate = v.plate AND o.site_code = v.site_code AND o.entered_at = $2 AND o.id <> v.id)`
	reviseSiteSinceSQL = `UPDATE truck_state SET site_since = $3 WHERE plate = $1 AND site_code = $2`
)

// lateFix records that plate's fix at t came after a newer one.
func (a *applier) lateFix(plate string, t time.Time) {
	if a.late == nil {
		a.late = map[string][]time.Time{}
	}
	a.late[plate] = append(a.late[plate], t)
}

// reviseVisits revises the visits each late fix may change.
func (a *applier) reviseVisits(ctx context.Context) error {
	if len(a.late) == 0 {
		return nil
	}
	sites := make(map[string]fleet.Site, len(a.sites))
	for _, s := range a.sites {
		sites[s.Code] = s
	}
	for _, plate := range sortedPlates(a.late) {
		if err := a.revisePlate(ctx, plate, a.late[plate], sites); err != nil {
			return err
		}
	}
	return nil
}

// revisePlate revises plate's visits that a fix at one of times may change: the first visit
// ending after the earliest of them, and every later one that one of them falls before the end
// of, after the previous visit's exit.
func (a *applier) revisePlate(ctx context.Context, plate string, times []time.Time, sites map[string]fleet.Site) error {
	earliest := slices.MinFunc(times, func(x, y time.Time) int { return x.Compare(y) })
	visits, err := collectVisits(a.tx.Query(ctx, lateVisitsSQL, plate, earliest))
	if err != nil {
		return err
	}
	var prevExit time.Time
	for _, v := range visits {
		if !v.Open() && !v.ExitedAt.After(earliest) {
			prevExit = *v.ExitedAt // the visit before: bounds the lookback
			continue
		}
		from, ok := affecting(times, prevExit, v)
		if s, known := sites[v.SiteCode]; ok && known {
			lookFrom := from.Add(-lateLookback)
			if lookFrom.Before(prevExit) {
				lookFrom = prevExit
			}
			if err := a.reviseOne(ctx, v, s, lookFrom); err != nil {
				return err
			}
		}
		if v.ExitedAt != nil {
			prevExit = *v.ExitedAt
		}
	}
	return nil
}

// affecting returns the earliest of times after prevExit and before v ends; ok is false when
// none is.
func affecting(times []time.Time, prevExit time.Time, v fleet.Visit) (first time.Time, ok bool) {
	for _, t := range times {
		if t.Before(prevExit) || (v.ExitedAt != nil && !t.Before(*v.ExitedAt)) {
			continue
		}
		if !ok || t.Before(first) {
			first, ok = t, true
		}
	}
	return first, ok
}

// reviseOne applies fleet.ReviseVisit to v over the stored fixes from from to its end and
// writes what moved.
func (a *applier) reviseOne(ctx context.Context, v fleet.Visit, s fleet.Site, from time.Time) error {
	to := time.Now().Add(24 * time.Hour) // open: every fix since
	if v.ExitedAt != nil {
		to = *v.ExitedAt
	}
	rows, err := a.tx.Query(ctx, lateFixesSQL, v.Plate, from, to)
	if err != nil {
		return err
	}
	var (
		fixes []fleet.Position
		p     fleet.Position
	)
	_, err = pgx.ForEachRow(rows, []any{&p.FixTime, &p.Point.Lat, &p.Point.Lng}, func() error {
		fixes = append(fixes, p)
		return nil
	})
	if err != nil {
		return err
	}
	revised, next, changed := fleet.ReviseVisit(v, s, fixes)
	if !changed {
		return nil
	}
	if _, err := a.tx.Exec(ctx, reviseVisitSQL, v.ID, revised.EnteredAt, revised.ExitedAt); err != nil {
		return err
	}
	since := revised.EnteredAt
	if next != nil {
		if _, err := a.tx.Exec(ctx, enterVisitSQL, next.Plate, next.SiteCode, next.EnteredAt); err != nil {
			return err
		}
		since = next.EnteredAt
	}
	if !v.Open() {
		return nil
	}
	if st := a.states[v.Plate]; st != nil && st.SiteCode == v.SiteCode {
		st.SiteSince = &since
	}
	_, err = a.tx.Exec(ctx, reviseSiteSinceSQL, v.Plate, v.SiteCode, since)
	return err
}
