package main

import (
	"bytes"
	"context"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/ingest/envcfg"
	"github.com/watchtower-ops/watchtower/store"
	"github.com/watchtower-ops/watchtower/store/sheets"
	"github.com/watchtower-ops/watchtower/store/sheets/sheetsfake"
	"github.com/watchtower-ops/watchtower/store/storetest"
)

func TestNewSheetsSyncerOffWithoutID(t *testing.T) {
	var logs bytes.Buffer
	a := &app{cfg: envcfg.Config{}, log: slog.New(slog.NewTextHandler(&logs, nil))}
	s, err := newSheetsSyncer(context.Background(), a, nil)
	if s != nil || err != nil {
		t.Fatalf("newSheetsSyncer without GOOGLE_SHEETS_ID = %v, %v; want nil, nil", s, err)
	}
	if n := strings.Count(logs.String(), "\n"); n != 1 || !strings.Contains(logs.String(), "GOOGLE_SHEETS_ID") {
		t.Errorf("logs = %q; want one line naming GOOGLE_SHEETS_ID", logs.String())
	}
}

func TestNewSheetsSyncerBadCredentials(t *testing.T) {
	dir := t.TempDir()
	user := filepath.Join(dir, "user.json")
	secret := `{"type":"authorized_user","client_secret":"s3cret-value","refresh_token":"r3fresh"}`
	if err := os.WriteFile(user, []byte(secret), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, creds, wantVar string
	}{
		{"no credentials", "", "GOOGLE_APPLICATION_CREDENTIALS"},
		{"missing file", filepath.Join(dir, "nope.json"), "GOOGLE_APPLICATION_CREDENTIALS"},
		{"not a service account", user, "GOOGLE_APPLICATION_CREDENTIALS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := &app{cfg: envcfg.Config{GoogleSheetsID: "1abc", GoogleApplicationCredentials: tt.creds},
				log: slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil))}
			_, err := newSheetsSyncer(context.Background(), a, nil)
			ce, ok := err.(*envcfg.Error)
			if !ok || ce.Var != tt.wantVar {
				t.Fatalf("newSheetsSyncer = %v; want a config error naming %s", err, tt.wantVar)
			}
			if strings.Contains(err.Error(), "s3cret") || strings.Contains(err.Error(), "r3fresh") {
				t.Errorf("error %q shows the credential", err)
			}
		})
	}
}

func TestNewSheetsSyncerRunsACycle(t *testing.T) {
	fake := sheetsfake.New(t, "1abc")
	fake.AddTab(sheets.TrucksTab, []any{"ID", "Plate", "LocoNav ID", "Company", "Fleet Manager", "Status", "Brand",
		"Trailer Size", "Home Site", "Driver", "Driver Phone", "Sync Note"}, []any{"", "T11985LA"})
	fake.AddTab(sheets.TripsTab, []any{"Trip ID", "Truck", "Origin", "Destination", "Planned Departure", "Container", "Cargo", "Status", "Sync Note"})
	st := store.New(storetest.NewDB(t))
	a := &app{cfg: envcfg.Config{GoogleSheetsID: "1abc", GoogleSheetsURL: fake.URL(), Timezone: fleet.Lagos(),
		Thresholds: fleet.DefaultThresholds()}, store: st, log: slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil))}
	s, err := newSheetsSyncer(context.Background(), a, nil)
	if err != nil || s == nil {
		t.Fatalf("newSheetsSyncer = %v, %v; want a syncer", s, err)
	}
	if err := s.Run(context.Background(), time.Now()); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if _, err := st.TruckByPlate(context.Background(), "T11985LA"); err != nil {
		t.Errorf("TruckByPlate after a cycle: %v; want the sheet's truck", err)
	}
}
