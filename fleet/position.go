package fleet

import "time"

// Position is one GPS fix of a truck, as received from telematics.
type Position struct {
	Plate      string    // normalised plate ("" when the source gave only the device)
	IMEI       string    // device serial
	FixTime    time.Time // when the device took the fix (UTC)
	ReceivedAt time.Time // when Watch Tower accepted it
	Point      Point
	SpeedKmh   float64
	Heading    float64 // degrees clockwise from north
	Ignition   bool
	Cell       int64  // H3 cell at CellResolution
	Source     string // "webhook", "poll", "simulator"
}

// Motion is a truck's freshness state, derived from its latest fix and the time now.
type Motion string

// Motion states.
const (
	MotionMoving  Motion = "moving"  // speed above the moving threshold
	MotionIdle    Motion = "idle"    // ignition on, stopped
	MotionParked  Motion = "parked"  // ignition off, stopped
	MotionOffline Motion = "offline" // no fix for the offline threshold
)

// Thresholds are the configurable limits the detection rules and freshness states use.
type Thresholds struct {
	MovingKmh     float64       // above this a truck is moving (default 5)
	OfflineAfter  time.Duration // no fix for this long is offline (default 30 min)
	OverspeedKmh  float64       // above this is overspeed (default 60)
	OverspeedFor  time.Duration // sustained for this long (default 30 s)
	IdleAfter     time.Duration // ignition on and stopped this long is idle (default 20 min)
	GeofenceDwell time.Duration // inside a site this long counts as entry (default 5 min)
	DelayedAfter  time.Duration // a trip not departed this long after its time is delayed (default 2 h)
	MinLeadTime   time.Duration // a trip's departure must be at least this far ahead (default 30 min)
	Severity      SeverityRules // ALERT_SEVERITY overrides; nil: the defaults of SeverityRules.Of
	DwellAlertMin time.Duration // a dwell alert needs at least this long inside a site (default 3 h)
}

// DefaultThresholds returns the defaults of DESIGN.md.
func DefaultThresholds() Thresholds {
	return Thresholds{
		MovingKmh:     5,
		OfflineAfter:  30 * time.Minute,
		OverspeedKmh:  60,
		OverspeedFor:  30 * time.Second,
		IdleAfter:     20 * time.Minute,
		GeofenceDwell: 5 * time.Minute,
		DelayedAfter:  2 * time.Hour,
		MinLeadTime:   30 * time.Minute,
		DwellAlertMin: 3 * time.Hour,
	}
}

// TruckState is the latest known state of one truck, kept up to date by ingest.
type TruckState struct {
	Plate      string
	IMEI       string
	FixTime    time.Time
	ReceivedAt time.Time
	Point      Point
	SpeedKmh   float64
	Heading    float64
	Ignition   bool
	Cell       int64 // H3 cell at CellResolution
	CellCoarse int64 // H3 cell at CoarseResolution

	// Detection memory, so rules survive restarts and replicas.
	SiteCode       string     // site the truck is confirmed inside, "" when none
	SiteSince      *time.Time // when it entered SiteCode (after dwell)
	CandidateSite  string     // site the truck is inside but has not dwelt long enough
	CandidateSince *time.Time
	StoppedSince   *time.Time // first fix with speed ≤ MovingKmh in the current stop
	OverspeedSince *time.Time // first fix above OverspeedKmh in the current run
	OverspeedOpen  bool       // an overspeed incident is open
	IdleOpen       bool       // an idle incident is open
	OfflineOpen    bool       // an offline incident is open
	UpdatedAt      time.Time
}

// Motion returns the truck's freshness state at now.
func (s TruckState) Motion(now time.Time, th Thresholds) Motion {
	switch {
	case s.FixTime.IsZero() || now.Sub(s.FixTime) >= th.OfflineAfter:
		return MotionOffline
	case s.SpeedKmh > th.MovingKmh:
		return MotionMoving
	case s.Ignition:
		return MotionIdle
	default:
		return MotionParked
	}
}

// Age returns how old the fix is at now (never negative).
func (s TruckState) Age(now time.Time) time.Duration {
	if d := now.Sub(s.FixTime); d > 0 {
		return d
	}
	return 0
}
