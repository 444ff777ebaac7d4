// Package sheets keeps the operations team's Google Sheet and Watch Tower's Postgres database
// in step, both ways, without losing anyone's edit.
//
// The spreadsheet (GOOGLE_SHEETS_ID, reached as a service account through
// google.golang.org/api/sheets/v4) has two tabs found by name, whose columns are found by their
// header row (row 1, or the first of the top ten rows that names them all, below blank or title
// rows), in any order, next to any columns of the team's own:
//
//	Trucks: ID, Plate, LocoNav ID, Company, Fleet Manager, Status, Brand, Trailer Size,
//	        Home Site, Driver, Driver Phone, Sync Note
//	Trips:  Trip ID, Truck, Origin, Destination, Planned Departure, Container, Cargo, Status,
//	        Sync Note
//
// ID and Trip ID are written by Watch Tower (a dispatcher leaves them empty on a new row) and
// Sync Note is where the sync explains what it did not apply. An empty tab gets the header
// row written; a tab with no header but rows below a blank row 1 gets it written into row 1 and
// its rows are read by it from the next cycle on, so nothing typed is erased or misread first. Planned departures are Lagos
// wall-clock time, written as "2006-01-02 15:04".
//
// Each cycle (Syncer.Run) reads both tabs in one request and compares every row three ways:
// against the database, and against the values both held after the last sync (kept per row in
// sheet_sync_state as a hash plus the values, so no cell timestamps are needed). A change on one
// side is copied to the other; changes to different fields of a row are merged; a field changed
// differently on both sides goes to its owner (the sheet for the roster and the trip plan,
// Watch Tower for truck and trip status and the LocoNav ID), is logged in sheet_sync_conflicts
// and explained in the row's note.
//
// New sheet rows become trucks, or trips awaiting approval through the same rules as every
// other front door (fleet.NewTrip, store.CreateTrip, an approval request to Slack), and get
// their ID written back; new database records are appended to the sheet. A trip's truck, route
// and departure change only while it awaits approval (approval is then asked again), its
// container and cargo until it is final, and its Status only to "cancelled". A truck row
// deleted from the sheet archives the truck; a deleted trip row only stops syncing that trip.
// Nothing is ever hard-deleted. A row or change that breaks a rule (unknown truck or site,
// departure under 30 minutes ahead, overlapping trip, unknown status, a status only Watch Tower
// sets) is not applied: its cells stay as typed, its note says why, and it is tried again each
// cycle until someone fixes it, so nothing typed is lost.
//
// All writes are RAW, so "08031234567" keeps its zero. The writes of a cycle are one batch
// update plus at most one append per tab, made only after re-reading the sheet shows no row
// moved; a moved row aborts the cycle before anything is written to the sheet (database changes
// already made are then found equal on both sides next cycle, and a trip created from a row
// whose ID was not written back is matched to that row by its plan, not created twice). The
// sync's own writes leave both sides equal to the new base, so they never echo back.
//
// Sheets calls are retried with truncated exponential backoff on 429 and 5xx, and each cycle
// has a deadline. After a cycle that changed something or failed, a sync.report notification
// with the counts goes to the notify stream.
//
// It belongs to store's row: it imports store and fleet only, never ingest or bot; the
// notify stream is reached through Notifier, satisfied by main's *ingest.NotifyStream.
package sheets

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/store"
)

// Defaults of Options.
const (
	DefaultCycleTimeout = 2 * time.Minute
	DefaultTripWindow   = 7 * 24 * time.Hour
)

// syncLockKey is the Postgres advisory lock that keeps two cycles (a scheduled one and
// `watchtower run-job sheets-sync`, or two replicas) from running at once.
const syncLockKey int64 = 0x5754_5348_4545_5453 // "WTSHEETS"

// Notifier appends a notification to the notify stream, from which the bot posts it to Slack.
// The ingest notify stream satisfies it. Notification IDs make delivery idempotent.
type Notifier interface {
	Notify(ctx context.Context, n fleet.Notification) error
}

// Options configure a Syncer. SpreadsheetID is required; the rest have defaults.
type Options struct {
	SpreadsheetID   string         // GOOGLE_SHEETS_ID
	CredentialsFile string         // GOOGLE_APPLICATION_CREDENTIALS: a service account key file
	Endpoint        string         // GOOGLE_SHEETS_URL: overrides Google's endpoint (tests, proxies)
	HTTPClient      *http.Client   // replaces the authenticated client when set (tests)
	Zone            *time.Location // business zone departures are read in; Lagos when nil
	Thresholds      fleet.Thresholds
	CycleTimeout    time.Duration // total deadline of one cycle; DefaultCycleTimeout when 0
	TripWindow      time.Duration // finished trips departing this long ago still join the sheet; DefaultTripWindow when 0
	RetryBase       time.Duration // first backoff after a 429 or 5xx; 1 s when 0
	Tries           int           // attempts per Sheets call; 5 when 0
	Logger          *slog.Logger  // slog.Default() when nil
}

// Syncer runs the two-way sync between one Google Sheet and the store. Its cycles are
// serialised across processes by a Postgres advisory lock. It is safe for concurrent use.
type Syncer struct {
	store   *store.Store
	notify  Notifier
	client  *client
	log     *slog.Logger
	zone    *time.Location
	th      fleet.Thresholds
	timeout time.Duration
	window  time.Duration
	actor   fleet.Actor

	mu          sync.Mutex
	lastFailure string // message of the last failure reported, so a failing sheet is reported once
}

// Result counts what a cycle did.
type Result struct {
	Created   int // trucks and trips created from new sheet rows, plus rows appended for new records
	Updated   int // rows changed on either side
	Archived  int // rows deleted from the sheet (trucks archived, trips no longer synced)
	Conflicts int // fields both sides changed to different values
	Invalid   int // rows left with a note because they could not be applied
	// HeadersWritten names the tabs that had no header row but rows below a blank row 1: the
	// cycle wrote the header there and left those rows for the next cycle.
	HeadersWritten []string
}

// Changed reports whether the cycle changed anything on either side.
func (r Result) Changed() bool {
	return r.Created+r.Updated+r.Archived+r.Conflicts+len(r.HeadersWritten) > 0
}

// New returns a Syncer for the spreadsheet of o, writing to st and reporting through n (nil:
// no reports). It makes no request yet. It returns EINVALID when the spreadsheet ID is missing
// or the credentials are unusable.
func New(ctx context.Context, st *store.Store, n Notifier, o Options) (*Syncer, error) {
	if o.SpreadsheetID == "" {
		return nil, fleet.Errorf(fleet.EINVALID, "GOOGLE_SHEETS_ID is required for the Sheets sync")
	}
	c, err := newClient(ctx, o)
	if err != nil {
		return nil, err
	}
	s := &Syncer{store: st, notify: n, client: c, log: o.Logger, zone: o.Zone, th: o.Thresholds,
		timeout: o.CycleTimeout, window: o.TripWindow,
		actor: fleet.Actor{ID: "sheets-sync", Name: "Google Sheets sync", Via: "sheets"}}
	if s.log == nil {
		s.log = slog.Default()
	}
	if s.zone == nil {
		s.zone = fleet.Lagos()
	}
	if s.th.IsZero() {
		s.th = fleet.DefaultThresholds()
	}
	if s.timeout <= 0 {
		s.timeout = DefaultCycleTimeout
	}
	if s.window <= 0 {
		s.window = DefaultTripWindow
	}
	return s, nil
}

// Run runs one cycle as of now (the schedule's job function for "sheets-sync" and `watchtower
// run-job sheets-sync`) and posts the sync report when the cycle changed something or failed.
// It returns the cycle's error (see Sync); a report that cannot be posted is logged, not
// returned.
func (s *Syncer) Run(ctx context.Context, now time.Time) error {
	res, err := s.Sync(ctx, now)
	if res.Changed() {
		s.log.InfoContext(ctx, "sheets sync cycle", "job", "sheets-sync", "created", res.Created, "updated", res.Updated,
			"archived", res.Archived, "conflicts", res.Conflicts, "invalid", res.Invalid)
	}
	if n, ok := s.report(res, err, now); ok && s.notify != nil {
		if nerr := s.notify.Notify(ctx, n); nerr != nil {
			s.log.WarnContext(ctx, "sheets sync report not queued", "job", "sheets-sync", "err", nerr)
		}
	}
	return err
}

// Sync runs one cycle as of now within the cycle deadline and returns what it did (counts so
// far when it fails). It returns EINVALID for a missing tab or header, ECONFLICT when another
// cycle is running or rows moved in the sheet during the cycle (nothing is written to the
// sheet then; the next cycle starts over), ERATELIMITED when Sheets quota stays exhausted,
// EFORBIDDEN when the spreadsheet is not shared with the service account, ENOTFOUND for an
// unknown spreadsheet, and EUNAVAILABLE when Sheets is down or the deadline passes.
func (s *Syncer) Sync(ctx context.Context, now time.Time) (Result, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	c := &cycle{s: s, now: now.UTC()}
	err := s.store.InTx(ctx, func(tx pgx.Tx) error {
		var locked bool
		if err := tx.QueryRow(ctx, `SELECT pg_try_advisory_xact_lock($1)`, syncLockKey).Scan(&locked); err != nil {
			return fmt.Errorf("take the sheets sync lock: %w", err)
		}
		if !locked {
			return fleet.Errorf(fleet.ECONFLICT, "another Google Sheets sync is running")
		}
		return c.run(ctx)
	})
	if err != nil {
		return c.res, fmt.Errorf("sheets sync: %w", err)
	}
	return c.res, nil
}

// report builds the sync.report notification of a cycle; ok is false when there is nothing to
// say: nothing changed, or the cycle failed the same way as the last reported failure.
func (s *Syncer) report(res Result, err error, now time.Time) (fleet.Notification, bool) {
	data := map[string]any{"created": res.Created, "updated": res.Updated, "archived": res.Archived,
		"conflicts": res.Conflicts, "invalid": res.Invalid}
	text := fmt.Sprintf("Google Sheets sync: %d created, %d updated, %d archived, %d %s", res.Created, res.Updated,
		res.Archived, res.Conflicts, plural(res.Conflicts, "conflict", "conflicts"))
	if res.Conflicts+res.Invalid > 0 {
		text += " (see the Sync Note column)"
	}
	for _, tab := range res.HeadersWritten {
		text += fmt.Sprintf(". Tab %q had no header row: it is now in row 1; check that the rows below line up with it, as the next sync reads them by it", tab)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		msg := fleet.ErrorMessage(err)
		if msg == s.lastFailure && !res.Changed() {
			return fleet.Notification{}, false
		}
		s.lastFailure = msg
		data["error"] = msg
		text = "Google Sheets sync failed: " + msg + ". " + text
	} else {
		s.lastFailure = ""
		if !res.Changed() {
			return fleet.Notification{}, false
		}
	}
	raw, _ := json.Marshal(data) // a map of ints and strings always marshals
	return fleet.Notification{ID: "sync.report:" + now.UTC().Format("20060102T1504Z"), Kind: fleet.NotifySyncReport,
		Audience: fleet.AudienceSummary, Text: text, Data: raw, CreatedAt: now.UTC()}, true
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
