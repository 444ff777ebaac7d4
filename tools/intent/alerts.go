package intent

import (
	"strings"

	"github.com/watchtower-ops/watchtower/fleet"
)

// ListAlerts is the alert history function's name.
const ListAlerts = "list_alerts"

var (
	alertWords = []string{"alert", "alerts", "alarm", "alarms", "incident", "incidents"}
	// alertActs are what people do to alerts; the parser never does them from free text (the
	// buttons do), so such a request is not a question about the history.
	alertActs  = []string{"ack", "acknowledge", "acknowledged by me", "snooze", "mute", "unmute", "silence", "cancel", "delete", "remove", "clear", "turn off", "switch off", "stop", "disable", "enable", "set up", "setup", "create", "add", "send me", "notify me"}
	openWords  = []string{"open", "still open", "active", "unresolved", "not resolved", "pending", "ongoing", "outstanding"}
	endedWords = []string{"resolved", "closed", "ended", "cleared"}
	// kindWords map list_alerts kinds (or families) to the words dispatchers use for them.
	kindWords = []struct {
		kind  string
		words []string
	}{
		{"overspeed", []string{"overspeed", "over speed", "over-speed", "overspeeding", "speeding", "speed"}},
		{"idle", []string{"idle", "idling"}},
		{"offline", []string{"offline", "no signal", "not reporting"}},
		{"geofence", []string{"geofence", "geo-fence", "geofencing", "site entry", "site exit"}},
		{"ignition", []string{"ignition"}},
		{"trip_delayed", []string{"delayed", "delay", "late trip", "late trips"}},
		{"trip_at_risk", []string{"at risk", "at-risk"}},
		{"dwell", []string{"dwell", "dwelling", "long wait"}},
		{"harsh_driving", []string{"harsh", "harsh driving", "harsh braking"}},
		{"system", []string{"system"}},
	}
	severityWords = []string{"critical", "warning", "info"}
)

// isAlertQuery reports whether lower asks about alerts (not to act on them).
func isAlertQuery(lower string) bool {
	return hasWord(lower, alertWords...) && !hasWord(lower, alertActs...)
}

// isAlertAct reports whether lower asks to do something to alerts (mute, snooze…).
func isAlertAct(lower string) bool {
	return hasWord(lower, alertWords...) && hasWord(lower, alertActs...)
}

// parseAlerts reads the arguments of list_alerts: open or resolved, a truck, a kind, a
// severity and the first day, each only when the text names it.
func parseAlerts(text, plate string) Intent {
	lower := strings.ToLower(text)
	var status string
	switch {
	case hasWord(lower, openWords...):
		status = "open"
	case hasWord(lower, endedWords...):
		status = "resolved"
	}
	var kind string
	for _, k := range kindWords {
		if hasWord(lower, k.words...) {
			kind = k.kind
			break
		}
	}
	var severity string
	for _, s := range severityWords {
		if hasWord(lower, s) {
			severity = s
			break
		}
	}
	return alertCall(status, plate, kind, severity, findDate(text))
}

// commandAlerts reads "/alerts [open|today|<plate>|<kind>]" as the Slack command does.
func commandAlerts(rest string) Intent {
	word := strings.ToLower(strings.TrimSpace(rest))
	switch {
	case word == "":
		return alertCall("", "", "", "", "")
	case word == "open":
		return alertCall("open", "", "", "", "")
	case word == "today":
		return alertCall("", "", "", "", "today")
	case fleet.ExpandKind(word) != nil:
		return alertCall("", "", word, "", "")
	}
	return alertCall("", fleet.NormalizePlate(rest), "", "", "")
}

func alertCall(status, plate, kind, severity, since string) Intent {
	return call(ListAlerts, map[string]any{"status": nullable(status), "plate": nullable(plate), "kind": nullable(kind),
		"severity": nullable(severity), "since": nullable(since)})
}
