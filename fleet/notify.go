package fleet

import (
	"encoding/json"
	"strconv"
	"time"
)

// NotificationKind says what a notification announces; the Slack side renders each kind.
type NotificationKind string

// Notification kinds.
const (
	NotifyAlertOpened   NotificationKind = "alert.opened"   // first message of an incident
	NotifyAlertUpdated  NotificationKind = "alert.updated"  // reply in the incident's thread
	NotifyAlertResolved NotificationKind = "alert.resolved" // reply and parent updated
	NotifyAlertActed    NotificationKind = "alert.acted"    // parent updated: acknowledged, snoozed or muted
	NotifyAlertEscalate NotificationKind = "alert.escalate" // reply mentioning on-call, parent updated
	NotifyAlertDigest   NotificationKind = "alert.digest"   // info alerts of a period, one message per channel (Data: the alerts)
	NotifyTripApproval  NotificationKind = "trip.approval"  // approval request with buttons
	NotifyTripDecided   NotificationKind = "trip.decided"   // approved or rejected
	NotifyTripEvent     NotificationKind = "trip.event"     // departed, arrived, delayed, …
	NotifyDailySummary  NotificationKind = "digest.daily"
	NotifyWeeklyReport  NotificationKind = "digest.weekly"
	NotifySyncReport    NotificationKind = "sync.report" // Google Sheets sync outcome
	NotifySystem        NotificationKind = "system"      // Watch Tower's own trouble
)

// Audience says which configured channel a notification goes to when Channel is empty.
type Audience string

// Audiences, mapped to SLACK_ALERTS_CHANNEL, SLACK_SUMMARY_CHANNEL, SLACK_DISPATCH_CHANNEL and
// SLACK_OPS_CHANNEL (Watch Tower's own incidents; default the alerts channel).
const (
	AudienceAlerts   Audience = "alerts"
	AudienceSummary  Audience = "summary"
	AudienceDispatch Audience = "dispatch"
	AudienceOps      Audience = "ops"
)

// Notification is a typed message for Slack, appended to the notify stream by ingest, tools and
// schedule and rendered only by the bot. ID makes delivery idempotent: the sender skips an ID it
// has already delivered.
type Notification struct {
	ID        string           `json:"id"`
	Kind      NotificationKind `json:"kind"`
	Audience  Audience         `json:"audience,omitempty"`
	Channel   string           `json:"channel,omitempty"`   // explicit channel, overrides Audience
	ThreadTS  string           `json:"thread_ts,omitempty"` // reply in this thread when set
	Text      string           `json:"text,omitempty"`      // plain fallback / extra line
	Alert     *Alert           `json:"alert,omitempty"`
	Trip      *Trip            `json:"trip,omitempty"`
	Event     *Event           `json:"event,omitempty"`
	Summary   *DailySummary    `json:"summary,omitempty"`
	Data      json.RawMessage  `json:"data,omitempty"` // kind-specific extras (weekly report, sync counts)
	CreatedAt time.Time        `json:"created_at"`
}

// TripNotificationID is the delivery ID of a notification about trip: kind, the trip code and
// the trip's creation time, so a trip code that is used again (a database restored or reset
// while Redis keeps its delivery marks) is a new notification, never taken for a delivered one.
func TripNotificationID(kind string, t Trip, extra ...string) string {
	id := kind + ":" + t.Code
	if !t.CreatedAt.IsZero() {
		id += "@" + strconv.FormatInt(t.CreatedAt.Unix(), 36)
	}
	for _, e := range extra {
		id += ":" + e
	}
	return id
}

// DailySummary is the operations picture of one Lagos calendar day.
type DailySummary struct {
	Date             time.Time         `json:"date"` // midnight, Lagos
	TripsCreated     int               `json:"trips_created"`
	TripsStarted     int               `json:"trips_started"`
	TripsCompleted   int               `json:"trips_completed"`
	TripsDelayed     int               `json:"trips_delayed"`
	TripsCancelled   int               `json:"trips_cancelled"`
	TripsRejected    int               `json:"trips_rejected"`
	OnTimePct        *float64          `json:"on_time_pct"`     // nil when no trip arrived
	AvgTurnaround    *time.Duration    `json:"avg_turnaround"`  // departure → completion
	DistanceKm       float64           `json:"distance_km"`     // from position history
	UtilisationPct   float64           `json:"utilisation_pct"` // DayUtilisationPct: on an ongoing trip ÷ not in maintenance
	IdleHours        float64           `json:"idle_hours"`
	AlertsByKind     map[AlertKind]int `json:"alerts_by_kind"`
	TrucksTotal      int               `json:"trucks_total"`
	TrucksOfflineNow []string          `json:"trucks_offline_now"`
	Fleet            *Census           `json:"fleet_now,omitempty"`     // the fleet as of now; nil in summaries stored before it existed
	LongestWaits     []SiteWait        `json:"longest_waits,omitempty"` // the SummaryWaits trucks inside a site longest now
	WorstQueue       *SiteQueue        `json:"worst_queue,omitempty"`   // the site with the most trucks inside now; nil: none
}

// MovedApproval is the Data of the trip.approval notification of a decided trip that was
// changed and waits for approval again: where its old approval message is and who moved the
// trip, so the bot can mark that message, which still shows the old decision, as moved.
type MovedApproval struct {
	Channel string `json:"channel"` // the old approval message
	TS      string `json:"ts"`
	By      string `json:"by"` // who moved the trip, as users see them
}

// MovedApprovalOf returns the MovedApproval in a notification's Data; ok is false when there is
// none.
func MovedApprovalOf(n Notification) (m MovedApproval, ok bool) {
	if len(n.Data) == 0 || json.Unmarshal(n.Data, &m) != nil || m.Channel == "" || m.TS == "" {
		return MovedApproval{}, false
	}
	return m, true
}
