package bot

import (
	"context"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/tools"
)

// Lookups are the read-only fleet functions the slash commands call: the very functions the
// model calls, so both front doors give the same answers. *tools.Registry satisfies it.
type Lookups interface {
	// TruckLocation answers get_truck_location. It returns ENOTFOUND with suggestions.
	TruckLocation(ctx context.Context, truck string) (*tools.TruckLocation, error)
	// FleetStatus answers get_fleet_status. It returns EINVALID for an unknown filter.
	FleetStatus(ctx context.Context, a tools.FleetStatusArgs) (*tools.FleetStatus, error)
	// TripDetails answers get_trip_details. It returns ENOTFOUND.
	TripDetails(ctx context.Context, ref string) (*tools.TripDetails, error)
	// NearbyTrucks answers find_nearby_trucks. It returns ENOTFOUND or EINVALID.
	NearbyTrucks(ctx context.Context, a tools.NearbyArgs) (*tools.NearbyTrucks, error)
	// DailySummary answers get_daily_summary. It returns EINVALID for a bad date.
	DailySummary(ctx context.Context, date string) (*tools.DailySummary, error)
	// SiteStatus answers get_site_status. It returns ENOTFOUND "I don't know a site called …"
	// with suggestions.
	SiteStatus(ctx context.Context, a tools.SiteStatusArgs) (*tools.SiteStatus, error)
}

// TripDesk creates trip requests and decides them. *tools.Registry satisfies it.
type TripDesk interface {
	// CreateTrip answers create_trip: a pending_approval trip, never a scheduled one. It
	// returns EINVALID, ENOTFOUND (with suggestions) or ECONFLICT.
	CreateTrip(ctx context.Context, a tools.CreateTripArgs, c tools.Caller) (*tools.TripCreated, error)
	// ApproveTrip approves a pending trip exactly once. It returns ENOTFOUND, or ECONFLICT
	// when the trip was already decided.
	ApproveTrip(ctx context.Context, code string, c tools.Caller) (fleet.Trip, error)
	// RejectTrip rejects a pending trip exactly once. It returns ENOTFOUND or ECONFLICT.
	RejectTrip(ctx context.Context, code, reason string, c tools.Caller) (fleet.Trip, error)
	// CancelTrip cancels a trip exactly once for its requester or an approver (c.Approver).
	// It returns ENOTFOUND, EFORBIDDEN or ECONFLICT (already cancelled, completed).
	CancelTrip(ctx context.Context, code, reason string, c tools.Caller) (*tools.TripChanged, error)
	// UpdateTrip moves a trip to a new departure and/or destination under the rules of a new
	// trip. It returns ENOTFOUND, EFORBIDDEN, EINVALID or ECONFLICT.
	UpdateTrip(ctx context.Context, a tools.UpdateTripArgs, c tools.Caller) (*tools.TripChanged, error)
}

// Approvers says who may decide trips and run jobs: SLACK_APPROVERS, where "*" is anyone.
type Approvers []string

// Allowed reports whether userID is an approver.
func (a Approvers) Allowed(userID string) bool {
	return userID != "" && (slices.Contains(a, "*") || slices.Contains(a, userID))
}

// Handler answers what people type, whatever the front door: slash commands, free text for
// the model, and trip decisions. The Slack app and the demo's console both use it, so they
// give the same answers; Slack renders the Views as Block Kit, the console as text.
type Handler struct {
	lookups   Lookups
	desk      TripDesk
	asker     Asker
	jobs      Jobs
	trips     TripMessages
	maps      MapLinks
	alerts    AlertDesk
	trucks    TruckService
	history   AlertHistory
	approvers Approvers
	oncall    *OnCall
	r         *Renderer
	log       *slog.Logger
	timeout   time.Duration
}

// HandlerDeps are a Handler's dependencies. Jobs may be nil (the job commands then say they
// are not available); Trips may be nil (a double-click refusal then cannot name who decided).
type HandlerDeps struct {
	Lookups   Lookups
	Desk      TripDesk
	Asker     Asker
	Jobs      Jobs
	Trips     TripMessages
	Maps      MapLinks     // nil: /watchtower map says the map is not available
	Alerts    AlertDesk    // nil: the alert buttons say they are not available
	Trucks    TruckService // nil: /truck maintenance, active and unmute say they are not available
	History   AlertHistory // nil: /alerts says it is not available
	Approvers Approvers
	OnCall    *OnCall // SLACK_ONCALL: may act on alerts, like the approvers; nil: nobody
	Renderer  *Renderer
	Log       *slog.Logger
	Timeout   time.Duration // per command or question; default 90 s
}

// NewHandler returns a Handler.
func NewHandler(d HandlerDeps) *Handler {
	if d.Renderer == nil {
		d.Renderer = NewRenderer(nil)
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	if d.Timeout <= 0 {
		d.Timeout = 90 * time.Second
	}
	return &Handler{lookups: d.Lookups, desk: d.Desk, asker: d.Asker, jobs: d.Jobs, trips: d.Trips, maps: d.Maps,
		alerts: d.Alerts, trucks: d.Trucks, history: d.History, approvers: d.Approvers, oncall: d.OnCall, r: d.Renderer, log: d.Log, timeout: d.Timeout}
}

// vouch marks caller as an approver when SLACK_APPROVERS lists them, so the fleet functions
// let them cancel and change any trip.
func (h *Handler) vouch(c tools.Caller) tools.Caller {
	c.Approver = c.Approver || h.approvers.Allowed(c.UserID)
	return c
}

// Renderer returns the handler's renderer.
func (h *Handler) Renderer() *Renderer { return h.r }

// Reply is a Handler's answer: a View, whether the whole channel sees it (else only the one
// who asked), and, for /trip alone, that the trip form should open instead.
type Reply struct {
	View      View
	InChannel bool
	OpenForm  bool
}

// problem turns err into what the user sees. Domain errors (not found with suggestions,
// invalid input, conflicts) show their safe message; anything else is logged here with a
// reference ID and the user gets a friendly line carrying that ID.
func (h *Handler) problem(ctx context.Context, err error, doing string, attrs ...any) View {
	switch fleet.ErrorCode(err) {
	case fleet.ENOTFOUND, fleet.EINVALID, fleet.ECONFLICT, fleet.EFORBIDDEN, fleet.ERATELIMITED:
		msg := ":warning: " + esc(capitalize(fleet.ErrorMessage(err)))
		if s := fleet.ErrorSuggestions(err); len(s) > 0 {
			msg += "\nDid you mean " + esc(strings.Join(s, ", ")) + "?"
		}
		return View{Text: plainLine(msg)}.add(&Section{Text: msg})
	}
	ref := NewRef()
	h.log.ErrorContext(ctx, doing+" failed", append(attrs, "err", err, "ref", ref)...)
	if fleet.ErrorCode(err) == fleet.EUNAVAILABLE {
		msg := ":warning: " + esc(capitalize(fleet.ErrorMessage(err))) + " (reference *" + ref + "*)"
		return View{Text: plainLine(msg)}.add(&Section{Text: msg})
	}
	return FailureView(ref)
}

// FailureView is the friendly line for a failure the user cannot fix, with the reference ID
// that is also in the log.
func FailureView(ref string) View {
	msg := ":warning: Sorry, something went wrong on my side. Please try again in a minute; if it keeps happening, give the operators reference *" + ref + "*."
	return View{Text: "Sorry, something went wrong on my side (reference " + ref + ")."}.add(&Section{Text: msg})
}

// NewRef returns a short reference ID ("WT-7KX2QDPM") to tie a user's error message to a log
// record: fleet.NewRef.
func NewRef() string { return fleet.NewRef() }

// usage is a short help reply shown only to the one who typed it.
func usage(lines ...string) Reply {
	text := strings.Join(lines, "\n")
	return Reply{View: View{Text: plainLine(text)}.add(&Section{Text: text})}
}
