package schedule

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
)

// Visits reads the site visit history (*store.Store).
type Visits interface {
	// OpenVisits returns the visits still open that started at or before enteredBefore.
	OpenVisits(ctx context.Context, enteredBefore time.Time) ([]fleet.Visit, error)
	// DwellStats returns each of codes' dwell statistics over the fleet.DwellWindow before now;
	// a site without finished visits is absent.
	DwellStats(ctx context.Context, codes []string, now time.Time) (map[string]fleet.DwellStats, error)
}

// DwellWatch raises the dwell alerts, as part of the alert-upkeep job (every minute): a truck
// inside a site longer than fleet.DwellThreshold (the site's p90, at least
// Thresholds.DwellAlertMin) gets one `dwell` incident per visit, keyed by truck and site. The
// exit resolves it in ingest; a run also resolves any whose truck is no longer inside that
// site (a visit revised by late fixes), so none stays open by mistake.
type DwellWatch struct {
	Visits     Visits
	Sites      SiteLister
	Incidents  OpenIncidents
	Alerts     Alerts
	Notifier   Notifier
	Thresholds fleet.Thresholds
}

// Run opens the dwell alerts due at now and resolves those whose visit has ended.
func (w *DwellWatch) Run(ctx context.Context, now time.Time) error {
	open, err := w.Visits.OpenVisits(ctx, now)
	if err != nil {
		return fmt.Errorf("list open visits: %w", err)
	}
	return errors.Join(w.raise(ctx, now, open), w.resolveLeft(ctx, now, open))
}

// raise opens (once) the incident of each visit past its site's threshold.
func (w *DwellWatch) raise(ctx context.Context, now time.Time, open []fleet.Visit) error {
	least := w.Thresholds.DwellAlertMin
	if least <= 0 {
		least = fleet.DefaultThresholds().DwellAlertMin
	}
	var long []fleet.Visit
	var codes []string
	for _, v := range open {
		if v.Dwell(now) >= least {
			long = append(long, v)
			if !slices.Contains(codes, v.SiteCode) {
				codes = append(codes, v.SiteCode)
			}
		}
	}
	if len(long) == 0 {
		return nil
	}
	stats, err := w.Visits.DwellStats(ctx, codes, now)
	if err != nil {
		return fmt.Errorf("read dwell statistics: %w", err)
	}
	names, err := w.siteNames(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for _, v := range long {
		st := stats[v.SiteCode]
		if v.Dwell(now) < fleet.DwellThreshold(st, least) {
			continue
		}
		a, created, err := w.Alerts.OpenAlert(ctx, fleet.Alert{
			Kind: fleet.AlertDwell, IncidentKey: fleet.DwellKey(v.Plate, v.SiteCode), Plate: v.Plate, SiteCode: v.SiteCode,
			Severity: w.Thresholds.Severity.Of(fleet.AlertDwell, ""),
			Message:  fleet.DwellMessage(v, names[v.SiteCode], st, now), OpenedAt: now.UTC(),
		})
		if err == nil && created {
			err = w.Notifier.Notify(ctx, fleet.AlertNotification(a, fleet.NotifyAlertOpened, now))
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("raise dwell of %s at %s: %w", v.Plate, v.SiteCode, err))
		}
	}
	return errors.Join(errs...)
}

// resolveLeft resolves the open dwell incidents whose truck is no longer inside their site.
func (w *DwellWatch) resolveLeft(ctx context.Context, now time.Time, open []fleet.Visit) error {
	alerts, err := w.Incidents.OpenAlerts(ctx, fleet.AlertDwell)
	if err != nil || len(alerts) == 0 {
		return wrapErr("list open dwell alerts", err)
	}
	inside := make(map[string]bool, len(open))
	for _, v := range open {
		inside[fleet.DwellKey(v.Plate, v.SiteCode)] = true
	}
	var errs []error
	for _, a := range alerts {
		if inside[a.IncidentKey] {
			continue
		}
		at := now.UTC()
		a.ResolvedAt = &at
		if err := w.Notifier.Notify(ctx, fleet.AlertNotification(a, fleet.NotifyAlertResolved, now)); err != nil {
			errs = append(errs, fmt.Errorf("announce %s resolved: %w", a.IncidentKey, err))
			continue
		}
		if _, err := w.Alerts.ResolveAlert(ctx, a.IncidentKey, at); err != nil && fleet.ErrorCode(err) != fleet.ENOTFOUND {
			errs = append(errs, fmt.Errorf("resolve %s: %w", a.IncidentKey, err))
		}
	}
	return errors.Join(errs...)
}

func (w *DwellWatch) siteNames(ctx context.Context) (map[string]string, error) {
	sites, err := w.Sites.ListSites(ctx)
	if err != nil {
		return nil, fmt.Errorf("list sites: %w", err)
	}
	names := make(map[string]string, len(sites))
	for _, s := range sites {
		names[s.Code] = s.Name
	}
	return names, nil
}
