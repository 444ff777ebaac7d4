package intent

import (
	"regexp"
	"strings"
)

// reWaitAt finds the place in "waiting at Apapa", "dey wait for Apapa", "stuck in Tin Can".
var reWaitAt = regexp.MustCompile(`(?i)\b(?:wait|waiting|waited|stuck|queue|queuing|queueing|stay|staying|stayed|been)\s+(?:at|for|in|inside)\s+([A-Za-z][A-Za-z0-9 '&.-]{1,60})`)

// SiteStatus is the site queue function's name, equal to tools.ToolSiteStatus.
const SiteStatus = "get_site_status"

// waitWords ask how long trucks wait at a site.
var waitWords = []string{"queue", "queues", "queuing", "queueing", "waiting", "wait", "waited", "dwell", "dwelling",
	"been at", "been in", "been inside", "been there", "stayed", "staying", "stuck", "hold up", "holdup", "delay at"}

// notWait are words of trip progress, which get_trip_details answers ("how long before T1
// reaches ECLAT").
var notWait = []string{"arrive", "arrival", "arriving", "reach", "reaches", "eta", "when will", "before"}

// parseSiteWait reads "how long is the Apapa queue", "how long has T28737LA been at Apapa?" and
// "trucks waiting at Tin Can" as get_site_status, with the truck when one is named.
func parseSiteWait(text, lower, plate string) (Intent, bool) {
	if !hasWord(lower, waitWords...) || hasWord(lower, notWait...) {
		return Intent{}, false
	}
	site := queueSite(text)
	if g := reWaitAt.FindStringSubmatch(text); site == "" && g != nil {
		site = siteName(strings.Fields(g[1]))
	}
	if site == "" {
		site = siteOf(text)
	}
	if site == "" {
		return Intent{}, false
	}
	return call(SiteStatus, map[string]any{"site": site, "truck": nullable(plate)}), true
}

// queueStop are the words before a site name in "how long is the Apapa queue".
var queueStop = map[string]bool{"the": true, "is": true, "are": true, "how": true, "long": true, "bad": true,
	"what": true, "whats": true, "what's": true, "s": true, "at": true, "of": true, "for": true, "today": true,
	"now": true, "today's": true, "current": true}

// queueSite returns the place named just before "queue" ("the Apapa queue" → "Apapa", "Tin
// Can gate queue" → "Tin Can gate"), or "".
func queueSite(text string) string {
	words := strings.Fields(strings.NewReplacer("?", " ", ",", " ", "!", " ").Replace(text))
	for i, w := range words {
		lw := strings.ToLower(w)
		if lw != "queue" && lw != "queues" && lw != "line" {
			continue
		}
		start := i
		for start > 0 && !queueStop[strings.ToLower(words[start-1])] && i-start < 3 {
			start--
		}
		if start < i {
			return cleanPhrase(strings.Join(words[start:i], " "))
		}
	}
	return ""
}

// commandSite reads "/site <code>".
func commandSite(rest string) Intent {
	in := call(SiteStatus, map[string]any{"site": cleanPhrase(rest), "truck": nil})
	if strings.TrimSpace(rest) == "" {
		in.Missing = "site"
		in.Question = "Which site? e.g. /site APAPA"
	}
	return in
}
