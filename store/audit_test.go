package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/store"
)

func TestQueryAudit(t *testing.T) {
	ctx := context.Background()
	s, _ := newStore(t)
	at := time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)
	ada := fleet.Actor{ID: "U123", Name: "Ada", Via: "slack"}
	erp := fleet.Actor{ID: "erp-sync", Name: "erp-sync", Via: "api"}
	entries := []store.AuditEntry{
		{Actor: ada, Action: "trip.create", Subject: "TRP-0001"},  // 10:00
		{Actor: erp, Action: "trip.cancel", Subject: "TRP-0001"},  // 10:01
		{Actor: erp, Action: "trip.create", Subject: "TRP-0002"},  // 10:02
		{Actor: ada, Action: "truck.status", Subject: "T11985LA"}, // 10:03
		{Actor: erp, Action: "trip_x.amend", Subject: "TRP-0002"}, // 10:04: "_" is not a LIKE wildcard
		{Actor: erp, Action: "alert.ack", Subject: "alert:7"},     // 10:05
	}
	for i, e := range entries {
		e.At = at.Add(time.Duration(i) * time.Minute)
		must(t, s.Audit(ctx, nil, e))
	}
	tests := []struct {
		name string
		q    fleet.AuditQuery
		want []string // action@subject, newest first
	}{
		{"all", fleet.AuditQuery{}, []string{"alert.ack@alert:7", "trip_x.amend@TRP-0002", "truck.status@T11985LA",
			"trip.create@TRP-0002", "trip.cancel@TRP-0001", "trip.create@TRP-0001"}},
		{"actor", fleet.AuditQuery{Actor: "U123"}, []string{"truck.status@T11985LA", "trip.create@TRP-0001"}},
		{"action", fleet.AuditQuery{Action: "trip.create"}, []string{"trip.create@TRP-0002", "trip.create@TRP-0001"}},
		{"family", fleet.AuditQuery{Action: "trip.*"}, []string{"trip.create@TRP-0002", "trip.cancel@TRP-0001", "trip.create@TRP-0001"}},
		{"subject", fleet.AuditQuery{Subject: "TRP-0002"}, []string{"trip_x.amend@TRP-0002", "trip.create@TRP-0002"}},
		{"since until", fleet.AuditQuery{Since: at.Add(time.Minute), Until: at.Add(3 * time.Minute)},
			[]string{"trip.create@TRP-0002", "trip.cancel@TRP-0001"}},
		{"actor and action", fleet.AuditQuery{Actor: "erp-sync", Action: "trip.*"}, []string{"trip.create@TRP-0002", "trip.cancel@TRP-0001"}},
		{"nobody", fleet.AuditQuery{Actor: "ERP-SYNC"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, next, err := s.QueryAudit(ctx, tt.q)
			must(t, err)
			if diff := cmp.Diff(tt.want, auditKeys(got)); diff != "" || next != 0 {
				t.Errorf("QueryAudit(%+v) next %d, -want +got:\n%s", tt.q, next, diff)
			}
		})
	}

	// paging: two at a time, no entry skipped or repeated
	var seen []string
	q := fleet.AuditQuery{Limit: 2}
	for page := 0; ; page++ {
		got, next, err := s.QueryAudit(ctx, q)
		must(t, err)
		if len(got) > 2 || page > 3 {
			t.Fatalf("page %d has %d entries (next %d); want at most 2 and 3 pages", page, len(got), next)
		}
		seen = append(seen, auditKeys(got)...)
		if next == 0 {
			break
		}
		q.Before = next
	}
	all, _, err := s.QueryAudit(ctx, fleet.AuditQuery{})
	must(t, err)
	if diff := cmp.Diff(auditKeys(all), seen); diff != "" {
		t.Errorf("paged audit, -all at once +paged:\n%s", diff)
	}
	if all[0].Actor != erp || !all[0].At.Equal(at.Add(5*time.Minute)) {
		t.Errorf("newest entry = %+v; want alert.ack by %+v at 10:05", all[0], erp)
	}
}

func auditKeys(es []store.AuditEntry) []string {
	var out []string
	for _, e := range es {
		out = append(out, e.Action+"@"+e.Subject)
	}
	return out
}
