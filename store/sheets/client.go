package sheets

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/cenkalti/backoff/v5"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/option"
	gsheets "google.golang.org/api/sheets/v4"

	"github.com/watchtower-ops/watchtower/fleet"
)

// Retry defaults: Google asks for truncated exponential backoff on 429 and 5xx, and the Go
// client does not retry Sheets calls itself.
const (
	defaultRetryBase  = time.Second
	defaultMaxBackoff = 64 * time.Second
	defaultTries      = 5
)

// client is the Sheets API for one spreadsheet, with retries.
type client struct {
	svc           *gsheets.Service
	id            string
	account       string // service account e-mail, for the "share the sheet" hint
	base, maxWait time.Duration
	tries         int
}

// newClient builds the Sheets client from o: the service account key file (typed credentials
// option), or no authentication when only an endpoint is given (a fake). It returns EINVALID
// naming the variable at fault; the message never holds the key.
func newClient(ctx context.Context, o Options) (*client, error) {
	c := &client{id: o.SpreadsheetID, base: o.RetryBase, maxWait: defaultMaxBackoff, tries: o.Tries}
	if c.base <= 0 {
		c.base = defaultRetryBase
	}
	if c.tries <= 0 {
		c.tries = defaultTries
	}
	opts := []option.ClientOption{option.WithScopes(gsheets.SpreadsheetsScope)}
	if o.Endpoint != "" {
		opts = append(opts, option.WithEndpoint(o.Endpoint))
	}
	switch {
	case o.HTTPClient != nil:
		opts = append(opts, option.WithHTTPClient(o.HTTPClient))
	case o.CredentialsFile != "":
		key, email, err := readServiceAccount(o.CredentialsFile)
		if err != nil {
			return nil, err
		}
		c.account = email
		opts = append(opts, option.WithAuthCredentialsJSON(option.ServiceAccount, key))
	case o.Endpoint != "":
		opts = append(opts, option.WithoutAuthentication())
	default:
		return nil, fleet.Errorf(fleet.EINVALID, "GOOGLE_APPLICATION_CREDENTIALS must name a service account key file for the Sheets sync")
	}
	svc, err := gsheets.NewService(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", fleet.Errorf(fleet.EINVALID, "cannot build the Google Sheets client"), err)
	}
	c.svc = svc
	return c, nil
}

// readServiceAccount reads a service account key file and returns it with the account's
// e-mail address. It returns EINVALID when the file is unreadable or holds another kind of
// credential.
func readServiceAccount(path string) (key []byte, email string, err error) {
	key, err = os.ReadFile(path)
	if err != nil {
		return nil, "", fleet.Errorf(fleet.EINVALID, "GOOGLE_APPLICATION_CREDENTIALS: cannot read %s", path)
	}
	var f struct {
		Type        string `json:"type"`
		ClientEmail string `json:"client_email"`
	}
	if json.Unmarshal(key, &f) != nil || f.Type != "service_account" || f.ClientEmail == "" {
		return nil, "", fleet.Errorf(fleet.EINVALID, "GOOGLE_APPLICATION_CREDENTIALS: %s is not a Google service account key (JSON with \"type\": \"service_account\")", path)
	}
	return key, f.ClientEmail, nil
}

// spreadsheetMeta is what spreadsheets.get tells the sync: tab titles and the time zone of
// date serials.
type spreadsheetMeta struct {
	tabs map[string]bool
	zone *time.Location
}

func (c *client) meta(ctx context.Context) (spreadsheetMeta, error) {
	var ss *gsheets.Spreadsheet
	err := c.call(ctx, "spreadsheets.get", true, func(ctx context.Context) (err error) {
		ss, err = c.svc.Spreadsheets.Get(c.id).Fields("properties.timeZone", "sheets.properties.title").Context(ctx).Do()
		return err
	})
	if err != nil {
		return spreadsheetMeta{}, err
	}
	m := spreadsheetMeta{tabs: map[string]bool{}, zone: time.UTC}
	for _, sh := range ss.Sheets {
		if sh.Properties != nil {
			m.tabs[sh.Properties.Title] = true
		}
	}
	if ss.Properties != nil && ss.Properties.TimeZone != "" {
		if loc, err := time.LoadLocation(ss.Properties.TimeZone); err == nil {
			m.zone = loc
		}
	}
	return m, nil
}

// batchGet reads ranges unformatted, dates as serial numbers, in one request.
func (c *client) batchGet(ctx context.Context, ranges ...string) ([]*gsheets.ValueRange, error) {
	var resp *gsheets.BatchGetValuesResponse
	err := c.call(ctx, "values.batchGet", true, func(ctx context.Context) (err error) {
		resp, err = c.svc.Spreadsheets.Values.BatchGet(c.id).Ranges(ranges...).MajorDimension("ROWS").
			ValueRenderOption("UNFORMATTED_VALUE").DateTimeRenderOption("SERIAL_NUMBER").Context(ctx).Do()
		return err
	})
	if err != nil {
		return nil, err
	}
	if len(resp.ValueRanges) != len(ranges) {
		return nil, fleet.Errorf(fleet.EUNAVAILABLE, "Google Sheets returned %d ranges for %d asked", len(resp.ValueRanges), len(ranges))
	}
	return resp.ValueRanges, nil
}

// batchUpdate writes every range RAW in one atomic request, so plates and phones keep their
// leading zeros and plus signs. Writing is idempotent, so it is retried like a read.
func (c *client) batchUpdate(ctx context.Context, data []*gsheets.ValueRange) error {
	req := &gsheets.BatchUpdateValuesRequest{ValueInputOption: "RAW", Data: data}
	return c.call(ctx, "values.batchUpdate", true, func(ctx context.Context) error {
		_, err := c.svc.Spreadsheets.Values.BatchUpdate(c.id, req).Context(ctx).Do()
		return err
	})
}

// appendRows adds rows after the tab's data, RAW, inserting rows. An append is not idempotent:
// it is retried only on 429, which Google answers before doing anything.
func (c *client) appendRows(ctx context.Context, tab string, rows [][]any) error {
	vr := &gsheets.ValueRange{MajorDimension: "ROWS", Values: rows}
	return c.call(ctx, "values.append", false, func(ctx context.Context) error {
		_, err := c.svc.Spreadsheets.Values.Append(c.id, quoteTab(tab)+"!A1", vr).
			ValueInputOption("RAW").InsertDataOption("INSERT_ROWS").Context(ctx).Do()
		return err
	})
}

// call runs fn, retrying on 429 and (when idempotent) on 5xx and transport errors with
// truncated exponential backoff plus jitter, honouring Retry-After and ctx; a wait that would
// outlast ctx's deadline is not started. The final error is classified (see classify).
func (c *client) call(ctx context.Context, name string, idempotent bool, fn func(context.Context) error) error {
	var last error // fn's last error; backoff.Retry returns ctx's instead when ctx ends a wait
	_, err := backoff.Retry(ctx, func() (struct{}, error) {
		last = fn(ctx)
		switch {
		case last == nil:
			return struct{}{}, nil
		case ctx.Err() != nil || !retryable(last, idempotent):
			return struct{}{}, backoff.Permanent(last)
		}
		if d, ok := retryAfter(last); ok {
			if dl, ok := ctx.Deadline(); ok && time.Until(dl) < min(d, c.maxWait) {
				return struct{}{}, backoff.Permanent(last)
			}
			return struct{}{}, &backoff.RetryAfterError{Duration: min(d, c.maxWait)}
		}
		return struct{}{}, last
	}, backoff.WithBackOff(c.newBackOff(ctx)), backoff.WithMaxTries(uint(c.tries)), backoff.WithMaxElapsedTime(0))
	if err == nil {
		return nil
	}
	return c.classify(ctx, name, last)
}

// newBackOff is base·2^(attempt-1) spread by ±50%, at most maxWait, ending the retries when
// the next wait would outlast ctx's deadline.
func (c *client) newBackOff(ctx context.Context) backoff.BackOff {
	return untilDeadline{ctx: ctx, BackOff: &backoff.ExponentialBackOff{InitialInterval: c.base,
		RandomizationFactor: 0.5, Multiplier: 2, MaxInterval: c.maxWait}}
}

// untilDeadline stops a backoff whose next wait would outlast ctx's deadline, so a sync that
// cannot retry in time reports the API's answer rather than a timeout. It is the one piece
// backoff/v5 lacks: its MaxElapsedTime counts from the first try, not to a deadline.
type untilDeadline struct {
	backoff.BackOff
	ctx context.Context
}

func (b untilDeadline) NextBackOff() time.Duration {
	d := b.BackOff.NextBackOff()
	if dl, ok := b.ctx.Deadline(); ok && time.Until(dl) < d {
		return backoff.Stop
	}
	return d
}

// retryAfter returns the wait a 429 or 503 asked for in Retry-After (whole seconds).
func retryAfter(err error) (time.Duration, bool) {
	var gerr *googleapi.Error
	if !errors.As(err, &gerr) || gerr.Header == nil {
		return 0, false
	}
	s, perr := strconv.Atoi(gerr.Header.Get("Retry-After"))
	if perr != nil || s < 0 {
		return 0, false
	}
	return time.Duration(s) * time.Second, true
}

// retryable reports whether a failed call may be sent again.
func retryable(err error, idempotent bool) bool {
	var gerr *googleapi.Error
	if !errors.As(err, &gerr) {
		return idempotent // transport error: the request may or may not have arrived
	}
	switch gerr.Code {
	case http.StatusTooManyRequests:
		return true
	case http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return idempotent
	}
	return false
}

// classify turns a failed call into a fleet error with a safe message, keeping the cause in
// the chain: ERATELIMITED for 429, EFORBIDDEN for 401/403, ENOTFOUND for 404, EINVALID for
// 400, EUNAVAILABLE for 5xx, transport errors and timeouts.
func (c *client) classify(ctx context.Context, name string, err error) error {
	var gerr *googleapi.Error
	var fe *fleet.Error
	switch {
	case ctx.Err() != nil:
		fe = fleet.Errorf(fleet.EUNAVAILABLE, "Google Sheets %s did not finish before the sync's deadline", name)
	case !errors.As(err, &gerr):
		fe = fleet.Errorf(fleet.EUNAVAILABLE, "Google Sheets is unreachable (%s failed)", name)
	case gerr.Code == http.StatusTooManyRequests:
		fe = fleet.Errorf(fleet.ERATELIMITED, "Google Sheets quota exceeded (%s answered 429 %d times); the next cycle will try again", name, c.tries)
	case gerr.Code == http.StatusUnauthorized || gerr.Code == http.StatusForbidden:
		fe = fleet.Errorf(fleet.EFORBIDDEN, "Google Sheets refused access to spreadsheet %s; share it with the service account%s", c.id, c.accountHint())
	case gerr.Code == http.StatusNotFound:
		fe = fleet.Errorf(fleet.ENOTFOUND, "Google spreadsheet %s not found (check GOOGLE_SHEETS_ID)", c.id)
	case gerr.Code == http.StatusBadRequest:
		fe = fleet.Errorf(fleet.EINVALID, "Google Sheets rejected %s: %s", name, gerr.Message)
	default:
		fe = fleet.Errorf(fleet.EUNAVAILABLE, "Google Sheets is failing (%s answered %d)", name, gerr.Code)
	}
	return fmt.Errorf("%w: %w", fe, err)
}

func (c *client) accountHint() string {
	if c.account == "" {
		return ""
	}
	return " " + c.account
}
