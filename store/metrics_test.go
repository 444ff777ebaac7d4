package store_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/store"
)

func TestDailyMetrics(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	lagos := fleet.Lagos()
	day := time.Date(2026, 3, 2, 0, 0, 0, 0, lagos) // 23:00 UTC the day before
	must(t, s.SaveDailyMetrics(ctx, day, store.FleetScope, json.RawMessage(`{"trips":3}`)))
	must(t, s.SaveDailyMetrics(ctx, day, store.FleetScope, json.RawMessage(`{"trips":4}`)))
	must(t, s.SaveDailyMetrics(ctx, day, "T11985LA", json.RawMessage(`{"km":12.5}`)))
	must(t, s.SaveDailyMetrics(ctx, day.AddDate(0, 0, 1), store.FleetScope, json.RawMessage(`{"trips":1}`)))
	wantCode(t, "SaveDailyMetrics bad JSON", s.SaveDailyMetrics(ctx, day, "x", json.RawMessage(`{`)), fleet.EINVALID)

	got, err := s.DailyMetrics(ctx, day, day.AddDate(0, 0, 1), store.FleetScope)
	must(t, err)
	if len(got) != 1 || !got[0].Day.Equal(day) || string(got[0].Data) != `{"trips": 4}` {
		t.Errorf("DailyMetrics = %+v; want one day (%v) with trips 4", got, day)
	}
	all, err := s.DailyMetrics(ctx, day, day.AddDate(0, 0, 7), "")
	must(t, err)
	if len(all) != 3 {
		t.Errorf("DailyMetrics all scopes = %d rows; want 3", len(all))
	}
	n, err := s.PruneDailyMetrics(ctx, day.AddDate(0, 0, 1))
	must(t, err)
	if n != 2 {
		t.Errorf("PruneDailyMetrics = %d; want 2", n)
	}
}
