package bot

import (
	"fmt"
	"math"
	"regexp"
	"strings"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
)

// Slack's three entities, escaped in mrkdwn and unescaped for the console.
var (
	escaper   = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;")
	unescaper = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&")
)

// esc escapes text for Slack mrkdwn: &, < and > would otherwise start entities and links.
func esc(s string) string { return escaper.Replace(s) }

// link formats a mrkdwn link.
func link(url, text string) string {
	if url == "" {
		return esc(text)
	}
	return "<" + url + "|" + esc(text) + ">"
}

// userRef mentions a Slack user ID ("U…", "W…") so Slack shows the name; anything else (the
// console, an API token) is printed as it is.
func userRef(id string) string {
	if id == "" {
		return "someone"
	}
	if len(id) > 1 && (id[0] == 'U' || id[0] == 'W') && strings.ToUpper(id) == id && !strings.ContainsAny(id, " -") {
		return "<@" + id + ">"
	}
	return esc(id)
}

// ago formats how long before now t was with fleet.FormatAge; "never" for the zero time.
func ago(now, t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return fleet.FormatAge(now.Sub(t))
}

// duration formats a span with fleet.FormatDuration.
func duration(d time.Duration) string { return fleet.FormatDuration(d) }

// clock formats t in loc with fleet.FormatTime ("Tue 8 Dec 21:00").
func clock(t time.Time, loc *time.Location) string { return fleet.FormatTime(t, loc) }

func km(v float64) string {
	if v < 10 {
		return fmt.Sprintf("%.1f km", v)
	}
	return fmt.Sprintf("%.0f km", v)
}

func pct(p *float64) string {
	if p == nil || math.IsNaN(*p) {
		return "—"
	}
	return fmt.Sprintf("%.0f%%", *p)
}

// motionEmoji is the status dot of a truck's state (fleet.StateOf).
func motionEmoji(m fleet.State) string {
	switch m {
	case fleet.StateMoving:
		return ":large_green_circle:"
	case fleet.StateIdle:
		return ":large_yellow_circle:"
	case fleet.StateParked:
		return ":large_blue_circle:"
	case fleet.StateMaintenance:
		return ":wrench:"
	}
	return ":red_circle:"
}

// tripEmoji is the icon of a trip status.
func tripEmoji(s fleet.TripStatus) string {
	switch s {
	case fleet.TripPendingApproval:
		return ":hourglass_flowing_sand:"
	case fleet.TripScheduled:
		return ":spiral_calendar_pad:"
	case fleet.TripDelayed:
		return ":warning:"
	case fleet.TripOngoing:
		return ":truck:"
	case fleet.TripArrived:
		return ":round_pushpin:"
	case fleet.TripCompleted:
		return ":white_check_mark:"
	case fleet.TripRejected:
		return ":x:"
	}
	return ":no_entry_sign:"
}

// severityEmoji is the icon of an alert: a check when resolved, else by severity.
func severityEmoji(a fleet.Alert) string {
	if !a.Open() {
		return ":white_check_mark:"
	}
	switch a.Severity {
	case fleet.SeverityCritical:
		return ":rotating_light:"
	case fleet.SeverityWarning:
		return ":warning:"
	}
	return ":information_source:"
}

// capitalize upper-cases the first letter of s.
func capitalize(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// human turns an identifier such as "pending_approval" into "pending approval".
func human[S ~string](s S) string { return strings.ReplaceAll(string(s), "_", " ") }

var (
	mdBold    = regexp.MustCompile(`\*\*([^*\n]+)\*\*`)
	mdUBold   = regexp.MustCompile(`__([^_\n]+)__`)
	mdLink    = regexp.MustCompile(`\[([^\]\n]+)\]\((https?://[^)\s]+)\)`)
	mdHeading = regexp.MustCompile(`(?m)^#{1,6}\s+(.+)$`)
	mdBullet  = regexp.MustCompile(`(?m)^(\s*)[-*]\s+`)
	slackTok  = regexp.MustCompile(`<(?:https?://[^<>\s]+|[@#!][^<>\s]+)>`)
)

// mrkdwnFromMarkdown converts the model's Markdown into Slack mrkdwn: bold, links, headings
// and bullets. Text is escaped except for links and mentions already in Slack's syntax.
func mrkdwnFromMarkdown(s string) string {
	var kept []string
	s = slackTok.ReplaceAllStringFunc(s, func(tok string) string {
		kept = append(kept, tok)
		return fmt.Sprintf("\x00%d\x00", len(kept)-1)
	})
	s = esc(s)
	s = mdLink.ReplaceAllString(s, "<$2|$1>")
	s = mdBold.ReplaceAllString(s, "*$1*")
	s = mdUBold.ReplaceAllString(s, "*$1*")
	s = mdHeading.ReplaceAllString(s, "*$1*")
	s = mdBullet.ReplaceAllString(s, "$1• ")
	for i, tok := range kept {
		s = strings.Replace(s, fmt.Sprintf("\x00%d\x00", i), tok, 1)
	}
	return s
}
