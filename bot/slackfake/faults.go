package slackfake

import (
	"fmt"
	"net/http"
	"strconv"
)

// Fault makes the fake answer some calls of a method with an error instead of serving them.
type Fault struct {
	Method     string // "chat.postMessage"; required
	Channel    string // only calls for this channel, when set
	Times      int    // how many calls to fail; 0 means every call until ClearFaults
	Status     int    // HTTP status: 429, 500, 503…; 0 with Error set means 200 {"ok":false}
	RetryAfter int    // seconds, sent as Retry-After with a 429
	Error      string // Slack error code for a 200 {"ok":false,"error":…} answer
	// Hang holds the call without answering until the caller hangs up (a client killed
	// mid-call) or the fake closes; nothing is served, as when the request never arrived.
	Hang bool

	used int
}

// Inject adds a fault. Faults are checked in the order they were added.
func (s *Server) Inject(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, &f)
}

// RateLimit makes the next n calls of method answer HTTP 429 with Retry-After seconds.
func (s *Server) RateLimit(method string, n, retryAfter int) {
	s.Inject(Fault{Method: method, Times: n, Status: http.StatusTooManyRequests, RetryAfter: retryAfter})
}

// FailWith makes the next n calls of method answer {"ok":false,"error":code}.
func (s *Server) FailWith(method string, n int, code string) {
	s.Inject(Fault{Method: method, Times: n, Error: code})
}

// ClearFaults removes every fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

// faultLocked returns the fault that answers a call of method for channel, consuming one use;
// s.mu must be held.
func (s *Server) faultLocked(method, channel string) *Fault {
	for _, f := range s.faults {
		if f.Method != method || (f.Channel != "" && f.Channel != channel) {
			continue
		}
		if f.Times > 0 && f.used >= f.Times {
			continue
		}
		f.used++
		return f
	}
	return nil
}

// write answers the call with the fault.
func (f *Fault) write(w http.ResponseWriter) {
	if f.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(f.RetryAfter))
	}
	switch {
	case f.Status != 0 && f.Status != http.StatusOK:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(f.Status)
		fmt.Fprintf(w, "<html>%d</html>", f.Status)
	default:
		writeJSON(w, map[string]any{"ok": false, "error": f.Error})
	}
}

// name describes the fault for Call.Fault.
func (f *Fault) name() string {
	if f.Hang {
		return "hang"
	}
	if f.Error != "" {
		return f.Error
	}
	return strconv.Itoa(f.Status)
}
