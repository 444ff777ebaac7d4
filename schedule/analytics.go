package schedule

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
)

// FleetScope is the daily_metrics scope of the fleet-wide figures; the other scopes are plates.
const FleetScope = "fleet"

// Summarizer computes the operations picture of one business day (*store.Store). It is the
// one implementation behind get_daily_summary, /summary, the analytics job and the 07:00
// digest, so all of them show the same numbers.
type Summarizer interface {
	// DailySummary returns the summary of the business day starting at day (midnight in the
	// business zone) as of now.
	DailySummary(ctx context.Context, day, now time.Time, th fleet.Thresholds) (fleet.DailySummary, error)
}

// TruckActivity computes per-truck activity (*store.Store).
type TruckActivity interface {
	// TruckDayMetrics returns one row per truck and business day of [from, to) (midnights in the
	// business zone) on which the truck did anything; quiet truck-days are left out.
	TruckDayMetrics(ctx context.Context, from, to time.Time, th fleet.Thresholds) ([]fleet.TruckDay, error)
}

// MetricsWriter stores a day's analytics for a scope (*store.Store).
type MetricsWriter interface {
	SaveDailyMetrics(ctx context.Context, day time.Time, scope string, data json.RawMessage) error
}

// Analytics is the analytics job: at 06:00 it stores the daily metrics of the previous
// business day in daily_metrics, the fleet's (the DailySummary, scope "fleet") and each
// active truck's (a fleet.TruckDay, scope = plate). Rerunning a day replaces its rows.
type Analytics struct {
	Summaries  Summarizer
	Trucks     TruckActivity
	Metrics    MetricsWriter
	Thresholds fleet.Thresholds
	Location   *time.Location // business zone; nil means Lagos
}

// Run stores the metrics of the business day before now's.
func (a *Analytics) Run(ctx context.Context, now time.Time) error {
	day := fleet.Day(now, a.Location).AddDate(0, 0, -1)
	sum, err := a.Summaries.DailySummary(ctx, day, now, a.Thresholds)
	if err != nil {
		return fmt.Errorf("summarise %s: %w", day.Format(time.DateOnly), err)
	}
	if err := a.save(ctx, day, FleetScope, sum); err != nil {
		return err
	}
	rows, err := a.Trucks.TruckDayMetrics(ctx, day, day.AddDate(0, 0, 1), a.Thresholds)
	if err != nil {
		return fmt.Errorf("truck activity of %s: %w", day.Format(time.DateOnly), err)
	}
	var errs []error
	for _, r := range rows {
		errs = append(errs, a.save(ctx, day, r.Plate, r))
	}
	return errors.Join(errs...)
}

func (a *Analytics) save(ctx context.Context, day time.Time, scope string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s metrics: %w", scope, err)
	}
	if err := a.Metrics.SaveDailyMetrics(ctx, day, scope, data); err != nil {
		return fmt.Errorf("save %s metrics of %s: %w", scope, day.Format(time.DateOnly), err)
	}
	return nil
}
