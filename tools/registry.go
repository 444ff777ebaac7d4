package tools

import (
	"context"
	"encoding/json"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
)

// The fleet functions' names, fixed by DESIGN.md.
const (
	ToolTruckLocation = "get_truck_location"
	ToolCreateTrip    = "create_trip"
	ToolFleetStatus   = "get_fleet_status"
	ToolTripDetails   = "get_trip_details"
	ToolDailySummary  = "get_daily_summary"
	ToolNearbyTrucks  = "find_nearby_trucks"
)

// Tool is one fleet function as the model sees it.
type Tool struct {
	Name        string
	Description string         // written for the model
	Parameters  map[string]any // strict JSON schema of the arguments
	ReadOnly    bool           // false: the function writes (create_trip)
	run         func(ctx context.Context, args json.RawMessage, c Caller) (any, error)
}

// Options tunes a Registry; the zero value is usable.
type Options struct {
	Thresholds fleet.Thresholds // zero: fleet.DefaultThresholds()
	Location   *time.Location   // business zone; nil: Africa/Lagos
	Now        func() time.Time // clock; nil: time.Now
	// Nearby answers find_nearby_trucks' cell lookups; nil: the Fleet (Postgres). A
	// *StateIndex answers from memory.
	Nearby CellSource
	// Roster gives get_fleet_status the whole fleet's trucks and fixes; nil: the Fleet
	// (Postgres). A *StateIndex answers from memory, as fresh as its reload interval.
	Roster    RosterSource
	MaxListed int          // trucks listed by get_fleet_status; 0: 50
	Logger    *slog.Logger // nil: slog.Default()
	// TrackingLink gives a trip's customer tracking link: LocoNav's URL when the trip has one,
	// else a signed Watch Tower /track link, else "". nil: LocoNav's URL only.
	TrackingLink func(fleet.Trip) string
}

// Registry holds the fleet functions. Slash commands, the console, the API and the model
// all call them through it: one implementation, several front doors. It is safe for
// concurrent use.
type Registry struct {
	fleet    Fleet
	notifier Notifier
	nearby   CellSource
	roster   RosterSource
	th       fleet.Thresholds
	loc      *time.Location
	now      func() time.Time
	max      int
	log      *slog.Logger
	link     func(fleet.Trip) string
	tools    []Tool

	fenceMu  sync.Mutex // guards the geofence cache
	fence    *geofences
	fenceKey uint64
}

// NewRegistry returns the registry of the fleet functions over f, queuing trip approvals
// through n.
func NewRegistry(f Fleet, n Notifier, opts Options) *Registry {
	r := &Registry{fleet: f, notifier: n, nearby: opts.Nearby, roster: opts.Roster, th: opts.Thresholds, loc: opts.Location,
		now: opts.Now, max: opts.MaxListed, log: opts.Logger, link: opts.TrackingLink}
	if r.th.IsZero() {
		r.th = fleet.DefaultThresholds()
	}
	if r.loc == nil {
		r.loc = fleet.Lagos()
	}
	if r.now == nil {
		r.now = time.Now
	}
	if r.nearby == nil {
		r.nearby = f
	}
	if r.roster == nil {
		r.roster = f
	}
	if r.max <= 0 {
		r.max = 50
	}
	if r.log == nil {
		r.log = slog.Default()
	}
	if r.link == nil {
		r.link = func(t fleet.Trip) string { return t.TrackingURL }
	}
	r.tools = []Tool{r.truckLocationTool(), r.createTripTool(), r.fleetStatusTool(), r.tripDetailsTool(),
		r.dailySummaryTool(), r.nearbyTool(), r.cancelTripTool(), r.updateTripTool(), r.listAlertsTool(), r.siteStatusTool()}
	return r
}

// Tools returns the functions in a stable order.
func (r *Registry) Tools() []Tool { return slices.Clone(r.tools) }

// Tool returns the function called name.
func (r *Registry) Tool(name string) (Tool, bool) {
	for _, t := range r.tools {
		if t.Name == name {
			return t, true
		}
	}
	return Tool{}, false
}

// Call runs the function called name with JSON args for caller. The Result always carries
// the Output to give the model: the typed value as JSON, or {"error", "code", "suggestions"}.
// The error is the function's: ENOTFOUND for an unknown function name, EINVALID for
// arguments that do not fit its schema, and whatever the function returns (each documents its
// codes). Call does not log; callers log errors they handle.
func (r *Registry) Call(ctx context.Context, name string, args json.RawMessage, caller Caller) (Result, error) {
	res := Result{Tool: name, Args: args}
	t, ok := r.Tool(name)
	if !ok {
		names := make([]string, len(r.tools))
		for i, t := range r.tools {
			names[i] = t.Name
		}
		res.Err = fleet.Errorf(fleet.ENOTFOUND, "unknown function %q; the functions are %s", name, strings.Join(names, ", "))
	} else {
		res.Value, res.Err = t.run(ctx, args, caller)
	}
	if res.Err != nil {
		res.Value = nil
	}
	res.Output = output(res.Value, res.Err)
	return res, res.Err
}

// errorOutput is what the model sees of a failure: the safe message only.
type errorOutput struct {
	Error       string   `json:"error"`
	Code        string   `json:"code"`
	Suggestions []string `json:"suggestions,omitempty"`
}

// output is the JSON the model sees for a value or an error.
func output(v any, err error) json.RawMessage {
	if err == nil {
		if b, merr := json.Marshal(v); merr == nil {
			return b
		}
		err = fleet.Errorf(fleet.EINTERNAL, "internal error")
	}
	b, _ := json.Marshal(errorOutput{Error: fleet.ErrorMessage(err), Code: fleet.ErrorCode(err), Suggestions: fleet.ErrorSuggestions(err)})
	return b
}

// nowIn returns the registry's clock in the business zone.
func (r *Registry) nowIn() time.Time { return r.now().In(r.loc) }
