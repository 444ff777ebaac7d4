package bot

import (
	"fmt"
	"strings"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/tools"
)

// Renderer builds the views of Watch Tower's answers and notifications: truck cards, fleet
// status, trip cards, daily summaries, nearby lists, alerts and approvals. Zone is the
// business time zone every time is shown in; Now is the clock ages are measured against.
type Renderer struct {
	Zone *time.Location
	Now  func() time.Time
	// TrackingLink gives a trip's customer tracking link (LocoNav's, else a signed Watch Tower
	// link), shown on the trip's approval message once it is approved; nil shows LocoNav's only.
	TrackingLink func(fleet.Trip) string
}

// NewRenderer returns a Renderer for zone (Africa/Lagos when nil) on the wall clock.
func NewRenderer(zone *time.Location) *Renderer {
	if zone == nil {
		zone = fleet.Lagos()
	}
	return &Renderer{Zone: zone, Now: time.Now}
}

// TruckCard shows where a truck is, how fresh the fix is, and its active trip.
func (r *Renderer) TruckCard(l *tools.TruckLocation) View {
	v := View{}.add(&Header{Text: ":truck: " + l.Plate})
	if !l.HasFix {
		v.Text = l.Plate + " has never reported a position."
		return v.add(&Section{Text: motionEmoji(l.Status) + " *" + esc(l.Plate) + "* has never reported a position."})
	}
	head := fmt.Sprintf("%s *%s*", motionEmoji(l.Status), capitalize(human(l.Status)))
	if l.Status == fleet.StateMoving {
		head += fmt.Sprintf(" at %.0f km/h heading %s", l.SpeedKmh, l.Direction)
	}
	head += " · " + esc(l.Place)
	fields := []Field{
		{"Last fix", esc(l.FixTimeLagos) + " (" + esc(l.FixAge) + ")"},
		{"Ignition", onOff(l.Ignition)},
		{"Speed", fmt.Sprintf("%.0f km/h", l.SpeedKmh)},
		{"Position", link(l.MapURL, fmt.Sprintf("%.5f, %.5f", l.Lat, l.Lng))},
	}
	if l.DriverName != "" {
		fields = append(fields, Field{"Driver", driverText(l.DriverName, l.DriverPhone)})
	}
	if l.ActiveTrip != nil {
		t := l.ActiveTrip
		fields = append(fields, Field{"Trip", fmt.Sprintf("%s %s · %s → %s", tripEmoji(t.Status), t.TripID, esc(t.Origin), esc(t.Destination))})
	}
	if l.TruckStatus != "" && l.TruckStatus != fleet.TruckOperational {
		fields = append(fields, Field{"Roster", human(l.TruckStatus)})
	}
	v.Text = fmt.Sprintf("%s: %s, %s — fix %s", l.Plate, human(l.Status), l.Place, l.FixAge)
	return v.add(&Section{Text: head, Fields: fields}, &Context{Items: []string{link(l.MapURL, ":world_map: Open map")}})
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

// FleetStatus shows counts by state and the trucks matching the filter.
func (r *Renderer) FleetStatus(fs *tools.FleetStatus) View {
	title := ":bar_chart: Fleet status"
	if fs.Filter != "" && fs.Filter != "all" {
		title += " — " + human(fs.Filter)
	}
	if fs.Site != nil {
		title += " at " + fs.Site.Code
	}
	s := fs.States
	v := View{Text: fmt.Sprintf("Fleet: %d trucks — %d moving, %d idle, %d parked, %d offline, %d in maintenance; "+
		"utilisation %.0f%%; %d active trips, %d scheduled, %d pending",
		fs.TrucksTotal, s.Moving, s.Idle, s.Parked, s.Offline, s.Maintenance, fs.UtilisationPct, fs.ActiveTrips, fs.ScheduledTrips, fs.PendingTrips)}
	v = v.add(&Header{Text: title}, &Section{Fields: []Field{
		{"Moving", fmt.Sprintf("%s %d", motionEmoji(fleet.StateMoving), s.Moving)},
		{"Idle", fmt.Sprintf("%s %d", motionEmoji(fleet.StateIdle), s.Idle)},
		{"Parked", fmt.Sprintf("%s %d", motionEmoji(fleet.StateParked), s.Parked)},
		{"Offline", fmt.Sprintf("%s %d", motionEmoji(fleet.StateOffline), s.Offline)},
		{"Maintenance", fmt.Sprintf("%s %d", motionEmoji(fleet.StateMaintenance), s.Maintenance)},
		{"Utilisation", fmt.Sprintf("%.0f%% (%d on a trip)", fs.UtilisationPct, fs.Roster.OnTrip)},
		{"Active trips", fmt.Sprintf("%d ongoing · %d scheduled · %d pending", fs.ActiveTrips, fs.ScheduledTrips, fs.PendingTrips)},
		{"Connectivity", fmt.Sprintf("%.0f%% of %d", fs.ConnectivityPct, fs.TrucksTotal)},
		{"At a site", fmt.Sprint(fs.Roster.AtSite)},
	}})
	if len(fs.Trucks) > 0 {
		lines := make([]string, 0, len(fs.Trucks))
		for _, t := range fs.Trucks {
			lines = append(lines, fleetLine(t))
		}
		v = v.add(&Divider{}, &Section{Text: strings.Join(lines, "\n")})
	}
	notes := []string{"as of " + esc(fs.AsOfLagos), fmt.Sprintf("moving above %.0f km/h · offline after %.0f min without a fix",
		fs.Thresholds.MovingAboveKmh, fs.Thresholds.OfflineAfterMin)}
	if fs.Truncated {
		notes = append(notes, fmt.Sprintf("showing %d of %d — narrow it down, e.g. `/fleet offline`", len(fs.Trucks), fs.Matching))
	}
	return v.add(&Context{Items: notes})
}

func fleetLine(t tools.FleetTruck) string {
	parts := []string{motionEmoji(t.Status) + " " + link(mapURL(t.Lat, t.Lng), t.Plate)}
	if t.Status == fleet.StateMoving {
		parts = append(parts, fmt.Sprintf("%.0f km/h", t.SpeedKmh))
	} else {
		parts = append(parts, human(t.Status))
	}
	if t.Site != "" {
		parts = append(parts, "at "+esc(t.Site))
	}
	if t.TripID != "" {
		parts = append(parts, t.TripID)
	}
	if t.TruckStatus != "" && t.TruckStatus != fleet.TruckOperational {
		parts = append(parts, human(t.TruckStatus))
	}
	parts = append(parts, esc(orDash(t.FixAge)))
	return strings.Join(parts, " · ")
}

// mapURL links a coordinate, or "" when there is none.
func mapURL(lat, lng float64) string {
	p := fleet.Point{Lat: lat, Lng: lng}
	if !p.Valid() {
		return ""
	}
	return p.MapURL()
}

// Nearby lists the trucks nearest a site, truck or point.
func (r *Renderer) Nearby(n *tools.NearbyTrucks) View {
	status := ""
	if n.StatusOnly != "" {
		status = " " + human(n.StatusOnly)
	}
	v := View{Text: fmt.Sprintf("%d%s trucks within %s of %s", n.Count, status, km(n.RadiusKm), n.Near)}
	v = v.add(&Header{Text: ":mag: Near " + truncate(n.Near, 100)})
	if len(n.Trucks) == 0 {
		v = v.add(&Section{Text: fmt.Sprintf("No%s trucks within %s.", status, km(n.RadiusKm))})
	} else {
		lines := make([]string, 0, len(n.Trucks))
		for i, t := range n.Trucks {
			line := fmt.Sprintf("%d. %s %s — *%s* · %s", i+1, motionEmoji(t.Status), link(mapURL(t.Lat, t.Lng), t.Plate), km(t.DistanceKm), human(t.Status))
			if t.Status == fleet.StateMoving {
				line += fmt.Sprintf(" %.0f km/h", t.SpeedKmh)
			}
			if t.Site != "" {
				line += " · at " + esc(t.Site)
			}
			lines = append(lines, line+" · "+esc(orDash(t.FixAge)))
		}
		v = v.add(&Section{Text: fmt.Sprintf("%d%s within %s:\n", n.Count, status, km(n.RadiusKm)) + strings.Join(lines, "\n")})
	}
	notes := []string{link(n.MapURL, ":world_map: "+truncate(n.Near, 60)), esc(n.Distances)}
	if n.Excluded != "" {
		notes = append(notes, esc(n.Excluded)+" itself is not listed")
	}
	if n.Truncated {
		notes = append(notes, fmt.Sprintf("nearest %d of %d shown", len(n.Trucks), n.Count))
	}
	return v.add(&Context{Items: notes})
}
