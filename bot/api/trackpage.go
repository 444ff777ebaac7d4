package api

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/tools"
)

// trackRefresh is how often an open tracking page reloads itself, in seconds.
const trackRefresh = 60

//go:embed track.html
var trackHTML string

// parseTrackTemplate parses the page; html/template escapes every value by its context.
func parseTrackTemplate() *template.Template {
	return template.Must(template.New("track").Parse(trackHTML))
}

// trackView is what the tracking page shows. It holds only what a customer may see: no
// notes, no requester, and the truck's position only while it is on this trip.
type trackView struct {
	Title, TripID, Plate, ContainerNo    string
	Driver                               string // the driver's first name only
	StatusLabel, Tone                    string
	Origin, Destination, Departure       string
	ETALabel, ETA, ETANote, DistanceLeft string
	HasProgress                          bool
	Progress                             int
	Live                                 bool
	FixAge, FixTime                      string
	MapURL                               string
	Steps                                []trackStep
	Updated                              string
	Refresh                              int
	Expired                              bool
	// The trip map: tiles, the route's two sites and the truck while on the way, as JSON.
	TileURL, Attribution, Route, Truck string
	Now                                int64 // the server's clock, Unix milliseconds, for the map's ages
}

type trackStep struct {
	Label, At string
	Done      bool
}

// trackPage serves GET /track/{token}: the trip the token names, or the "link expired" page
// for a token that is forged, malformed, expired, or names a trip that is gone or long over.
func (s *Server) trackPage(w http.ResponseWriter, r *http.Request) {
	now := s.now()
	code, _, err := ParseTrackingToken(s.cfg.TrackingSecret, r.PathValue("token"), now)
	if err != nil {
		s.renderTrack(w, r, expiredStatus(err), trackView{Title: "Link expired", Expired: true})
		return
	}
	d, err := s.deps.Trips.TripDetails(r.Context(), code)
	switch {
	case fleet.ErrorCode(err) == fleet.ENOTFOUND:
		s.renderTrack(w, r, http.StatusNotFound, trackView{Title: "Link expired", Expired: true})
		return
	case err != nil:
		s.log.ErrorContext(r.Context(), "tracking page", "err", err, "trip_id", code)
		w.Header().Set("Retry-After", "30")
		http.Error(w, "Tracking is temporarily unavailable. Please try again in a minute.", http.StatusServiceUnavailable)
		return
	case d.TripID != code || endedBefore(d.Trip, now.Add(-TrackingAfterEnd)):
		s.renderTrack(w, r, http.StatusGone, trackView{Title: "Link expired", Expired: true})
		return
	}
	v := s.trackView(d, now)
	s.tripMap(r.Context(), &v, d)
	s.renderTrack(w, r, http.StatusOK, v)
}

// expiredStatus is 410 for a genuine link past its expiry and 404 for anything else.
func expiredStatus(err error) int {
	if fleet.ErrorCode(err) == fleet.EFORBIDDEN {
		return http.StatusGone
	}
	return http.StatusNotFound
}

// endedBefore reports whether t is finished and ended before cutoff.
func endedBefore(t fleet.Trip, cutoff time.Time) bool {
	var end *time.Time
	switch t.Status {
	case fleet.TripCompleted:
		end = t.CompletedAt
	case fleet.TripCancelled:
		end = t.CancelledAt
	case fleet.TripRejected:
		end = t.DecidedAt
	default:
		return false
	}
	return end == nil || end.Before(cutoff)
}

// renderPage executes template name of t with v and writes it with headers that keep a
// page's token private: no caching, no referrer (links must not carry it away), scripts from
// this server only (the map), no indexing. The tracking page and the live map both use it.
func (s *Server) renderPage(w http.ResponseWriter, r *http.Request, status int, t *template.Template, name string, v any) {
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, name, v); err != nil {
		s.log.ErrorContext(r.Context(), "render page", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Robots-Tag", "noindex, nofollow")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", s.tiles.csp())
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// renderTrack writes the tracking page.
func (s *Server) renderTrack(w http.ResponseWriter, r *http.Request, status int, v trackView) {
	s.renderPage(w, r, status, s.trackTmpl, "page", v)
}

// trackView turns get_trip_details' answer into what the customer sees.
func (s *Server) trackView(d *tools.TripDetails, now time.Time) trackView {
	v := trackView{Title: "Trip " + d.TripID, TripID: d.TripID, Plate: d.Plate, ContainerNo: d.ContainerNo, Driver: firstName(d.DriverName),
		Origin: siteLabel(d.Origin), Destination: siteLabel(d.Destination), Departure: d.ScheduledDepartureLagos,
		Updated: s.lagos(now), Steps: trackSteps(d)}
	v.StatusLabel, v.Tone = statusLabel(d.Status)
	if !d.Status.Final() {
		v.Refresh = trackRefresh
	}
	if d.ProgressPct != nil && !d.Status.Final() || d.Status == fleet.TripCompleted {
		v.HasProgress, v.Progress = true, 100
		if d.ProgressPct != nil {
			v.Progress = int(*d.ProgressPct)
		}
	}
	switch d.Status {
	case fleet.TripOngoing:
		v.ETALabel = "Expected arrival"
		v.Live = d.Truck != nil && d.Truck.HasFix
		if v.Live {
			v.FixAge, v.FixTime, v.MapURL = d.Truck.FixAge, d.Truck.FixTimeLagos, d.Truck.MapURL
		}
	case fleet.TripPendingApproval, fleet.TripScheduled, fleet.TripDelayed:
		v.ETALabel = "Expected arrival"
	case fleet.TripArrived, fleet.TripCompleted:
		v.ETALabel = "Arrived"
	}
	if v.ETALabel == "Arrived" {
		v.ETA = arrivedAt(d)
	} else if v.ETALabel != "" && d.ETA != nil {
		v.ETA, v.ETANote = d.ETALagos, d.ETANote+" on this route"
		if d.ETABasis == nil || *d.ETABasis != fleet.ETALearned {
			v.ETANote = d.ETANote + "; Lagos traffic can make it longer"
		}
	}
	if d.DistanceLeftKm != nil && d.Status == fleet.TripOngoing {
		v.DistanceLeft = fmt.Sprintf("%.1f km (straight line)", *d.DistanceLeftKm)
	}
	return v
}

// statusLabel says a trip status in a customer's words, with its colour.
func statusLabel(st fleet.TripStatus) (label, tone string) {
	switch st {
	case fleet.TripPendingApproval:
		return "Booked, awaiting confirmation", "wait"
	case fleet.TripScheduled:
		return "Scheduled", "wait"
	case fleet.TripDelayed:
		return "Delayed: not yet departed", "warn"
	case fleet.TripOngoing:
		return "On the way", "ok"
	case fleet.TripArrived:
		return "Arrived at destination", "ok"
	case fleet.TripCompleted:
		return "Delivered", "ok"
	}
	return "Cancelled", "stop"
}

// trackSteps are the customer's milestones, done or still to come.
func trackSteps(d *tools.TripDetails) []trackStep {
	at := map[string]string{}
	for _, m := range d.Timeline {
		at[m.Event] = m.AtLagos
	}
	if d.Status == fleet.TripCancelled || d.Status == fleet.TripRejected {
		return []trackStep{{Label: "Booked", At: at["requested"], Done: true}, {Label: "Cancelled", At: at[string(d.Status)], Done: true}}
	}
	steps := []trackStep{{Label: "Booked", At: at["requested"], Done: true}, {Label: "Confirmed", At: at["approved"]},
		{Label: "Departed", At: at["departed"]}, {Label: "Arrived", At: at["arrived"]}, {Label: "Delivered", At: at["completed"]}}
	for i := range steps {
		steps[i].Done = steps[i].At != "" || i == 0
	}
	return steps
}

// arrivedAt is when the trip arrived, in Lagos time.
func arrivedAt(d *tools.TripDetails) string {
	for _, m := range d.Timeline {
		if m.Event == "arrived" {
			return m.AtLagos
		}
	}
	return ""
}

// siteLabel names a site for a customer: its name, else its code.
func siteLabel(ref tools.SiteRef) string {
	if ref.Name != "" {
		return ref.Name
	}
	return ref.Code
}

// lagos formats t in the business zone.
func (s *Server) lagos(t time.Time) string { return fleet.FormatTime(t, s.loc) }

// firstName is the first word of a driver's name: all a customer sees of the driver.
func firstName(name string) string {
	if f := strings.Fields(name); len(f) > 0 {
		return f[0]
	}
	return ""
}
