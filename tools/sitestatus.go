package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
)

// ToolSiteStatus is the site queue function.
const ToolSiteStatus = "get_site_status"

// MaxSiteTrucks bounds the trucks get_site_status lists; Count says how many are inside.
const MaxSiteTrucks = 50

// SiteVisits reads a site's queue. *store.Store satisfies it.
type SiteVisits interface {
	// SiteStatus returns site's queue at now: the trucks inside (longest wait first) and the
	// median and p90 dwell of its visits over fleet.DwellWindow (fleet.NewSiteStatus).
	SiteStatus(ctx context.Context, site fleet.Site, now time.Time) (fleet.SiteStatus, error)
}

// SiteStatusArgs are get_site_status' arguments.
type SiteStatusArgs struct {
	Site  string  `json:"site" desc:"The site: a code or name (APAPA, \"Tin Can\", \"Apapa port\")."`
	Truck *string `json:"truck" desc:"A truck asked about at that site (\"how long has T28737LA been at Apapa?\"), plate in any spelling; null = none."`
}

// SiteStatus answers get_site_status: who waits at a site now and how long visits there
// usually take.
type SiteStatus struct {
	Site      string          `json:"site"` // "APAPA (Apapa Port)"
	Code      string          `json:"code"`
	Name      string          `json:"name"`
	At        time.Time       `json:"at"`     // when the answer was computed
	Count     int             `json:"count"`  // trucks inside now
	Trucks    []SiteTruck     `json:"trucks"` // longest wait first, at most 50
	Truncated bool            `json:"truncated"`
	Typical   TypicalDwell    `json:"typical"`
	Truck     *SiteTruckCheck `json:"truck,omitempty"` // the truck asked about, when one was
}

// SiteTruck is one truck inside the site.
type SiteTruck struct {
	Plate     string    `json:"plate"`
	Since     string    `json:"since"` // "Mon 7 Dec 08:10", business time
	EnteredAt time.Time `json:"entered_at"`
	Dwell     string    `json:"dwell"` // "3 h 20 min"
	Minutes   int       `json:"dwell_minutes"`
}

// TypicalDwell is how long visits of the site took over the last 7 days.
type TypicalDwell struct {
	Days          int    `json:"days"`   // the window: 7
	Visits        int    `json:"visits"` // finished visits the figures rest on; 0: no history
	Median        string `json:"median,omitempty"`
	MedianMinutes int    `json:"median_minutes"`
	P90           string `json:"p90,omitempty"`
	P90Minutes    int    `json:"p90_minutes"`
}

// SiteTruckCheck answers "how long has <truck> been at <site>".
type SiteTruckCheck struct {
	Plate  string     `json:"plate"`
	Inside bool       `json:"inside"`
	Wait   *SiteTruck `json:"wait,omitempty"` // when inside
}

func (r *Registry) siteStatusTool() Tool {
	return Tool{
		Name: ToolSiteStatus,
		Description: "The queue at one site (port gate, terminal, client, depot): the trucks inside now with how long " +
			"each has waited (longest first), and the median and 90th-percentile dwell of visits there over the last " +
			"7 days with how many visits they rest on. Use it for \"how long is the Apapa queue\", \"which trucks are " +
			"at Tin Can\", \"how long has T28737LA been at Apapa?\" (pass the truck).",
		Parameters: strictSchema(SiteStatusArgs{}),
		ReadOnly:   true,
		run: func(ctx context.Context, raw json.RawMessage, _ Caller) (any, error) {
			var a SiteStatusArgs
			if err := decodeArgs(raw, &a); err != nil {
				return nil, err
			}
			return r.SiteStatus(ctx, a)
		},
	}
}

// SiteStatus answers get_site_status. It returns ENOTFOUND "I don't know a site called …"
// with up to three close site codes as suggestions, and ENOTFOUND with suggestions for an
// unknown truck.
func (r *Registry) SiteStatus(ctx context.Context, a SiteStatusArgs) (*SiteStatus, error) {
	site, err := r.fleet.FindSite(ctx, a.Site)
	if err != nil {
		return nil, err
	}
	var plate string
	if t := str(a.Truck); t != "" {
		truck, err := r.fleet.FindTruck(ctx, t)
		if err != nil {
			return nil, err
		}
		plate = truck.Plate
	}
	st, err := r.fleet.SiteStatus(ctx, site, r.now().UTC())
	if err != nil {
		return nil, err
	}
	out := r.siteStatus(st)
	if plate != "" {
		out.Truck = &SiteTruckCheck{Plate: plate}
		for _, w := range st.Inside {
			if w.Plate == plate {
				line := r.siteTruck(w)
				out.Truck.Inside, out.Truck.Wait = true, &line
			}
		}
	}
	return out, nil
}

// siteStatus turns the domain status into the answer.
func (r *Registry) siteStatus(st fleet.SiteStatus) *SiteStatus {
	out := &SiteStatus{Site: st.Site.Code + " (" + st.Site.Name + ")", Code: st.Site.Code, Name: st.Site.Name,
		At: st.At, Count: len(st.Inside), Trucks: []SiteTruck{}, Truncated: len(st.Inside) > MaxSiteTrucks,
		Typical: TypicalDwell{Days: int(fleet.DwellWindow / (24 * time.Hour)), Visits: st.Stats.Visits}}
	for _, w := range st.Inside[:min(len(st.Inside), MaxSiteTrucks)] {
		out.Trucks = append(out.Trucks, r.siteTruck(w))
	}
	if st.Stats.Visits > 0 {
		out.Typical.Median, out.Typical.MedianMinutes = fleet.FormatDuration(st.Stats.Median), minutes(st.Stats.Median)
		out.Typical.P90, out.Typical.P90Minutes = fleet.FormatDuration(st.Stats.P90), minutes(st.Stats.P90)
	}
	return out
}

func (r *Registry) siteTruck(w fleet.SiteWait) SiteTruck {
	return SiteTruck{Plate: w.Plate, Since: fleet.FormatTime(w.EnteredAt, r.loc), EnteredAt: w.EnteredAt,
		Dwell: fleet.FormatDuration(w.Dwell), Minutes: minutes(w.Dwell)}
}

func minutes(d time.Duration) int { return int(d.Round(time.Minute) / time.Minute) }

// Text says who waits at the site and what is usual there.
func (s *SiteStatus) Text() string {
	var b strings.Builder
	if c := s.Truck; c != nil {
		if c.Inside {
			fmt.Fprintf(&b, "%s has been at %s for %s (since %s).\n", c.Plate, s.Site, c.Wait.Dwell, c.Wait.Since)
		} else {
			fmt.Fprintf(&b, "%s is not at %s now.\n", c.Plate, s.Site)
		}
	}
	switch s.Count {
	case 0:
		fmt.Fprintf(&b, "No trucks at %s now.", s.Site)
	case 1:
		fmt.Fprintf(&b, "1 truck at %s now:", s.Site)
	default:
		fmt.Fprintf(&b, "%d trucks at %s now, longest wait first:", s.Count, s.Site)
	}
	for _, t := range s.Trucks {
		fmt.Fprintf(&b, "\n• %s — %s (since %s)", t.Plate, t.Dwell, t.Since)
	}
	if s.Truncated {
		fmt.Fprintf(&b, "\n… and %d more.", s.Count-len(s.Trucks))
	}
	b.WriteString("\n" + s.Typical.Text())
	return b.String()
}

// Text is the typical dwell in one sentence.
func (t TypicalDwell) Text() string {
	if t.Visits == 0 {
		return fmt.Sprintf("No finished visits in the last %d days to say what is usual.", t.Days)
	}
	return fmt.Sprintf("Last %d days: median stay %s, 90%% within %s (%d %s).", t.Days, t.Median, t.P90, t.Visits,
		plural(t.Visits, "visit", "visits"))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
