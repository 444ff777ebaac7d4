package main

import (
	"context"
	"strings"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/ingest"
	"github.com/watchtower-ops/watchtower/store/sheets"
)

// The notify stream is what carries the sync's reports and trip approval requests to Slack.
var _ sheets.Notifier = (*ingest.NotifyStream)(nil)

// newSheetsSyncer builds the Google Sheets two-way sync from the app's configuration
// (GOOGLE_SHEETS_ID, GOOGLE_APPLICATION_CREDENTIALS, GOOGLE_SHEETS_URL), reporting through n
// (the notify stream). With GOOGLE_SHEETS_ID unset it logs one line and returns nil, nil: the
// sheets-sync job is then disabled. Unusable credentials are a *configError naming the
// variable at fault, so the process exits 2 at startup rather than failing every cycle.
// The syncer makes no request until its first cycle (the sheets-sync job).
func newSheetsSyncer(ctx context.Context, a *app, n sheets.Notifier) (*sheets.Syncer, error) {
	if a.cfg.GoogleSheetsID == "" {
		a.log.InfoContext(ctx, "google sheets sync off: GOOGLE_SHEETS_ID is not set", "job", "sheets-sync")
		return nil, nil
	}
	s, err := sheets.New(ctx, a.store, n, sheets.Options{
		SpreadsheetID:   a.cfg.GoogleSheetsID,
		CredentialsFile: a.cfg.GoogleApplicationCredentials,
		Endpoint:        a.cfg.GoogleSheetsURL,
		Zone:            a.cfg.Timezone,
		Thresholds:      a.cfg.Thresholds,
		Logger:          a.log,
	})
	if err != nil {
		return nil, sheetsConfigError(err)
	}
	return s, nil
}

// sheetsConfigError names the variable a sheets.New error is about.
func sheetsConfigError(err error) error {
	msg := fleet.ErrorMessage(err)
	for _, v := range []string{"GOOGLE_APPLICATION_CREDENTIALS", "GOOGLE_SHEETS_ID"} {
		if rest, ok := strings.CutPrefix(msg, v); ok {
			return &configError{Var: v, Reason: strings.TrimLeft(rest, ": ")}
		}
	}
	return &configError{Var: "GOOGLE_SHEETS_ID", Reason: "cannot be synced: " + msg}
}
