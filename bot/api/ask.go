package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/tools"
)

// Agent answers free text: the model calling the fleet functions, or the offline parser
// without one (*tools.Agent, the same one Slack uses).
type Agent interface {
	// Ask answers q. It returns EUNAVAILABLE when neither the model nor the offline parser
	// could answer.
	Ask(ctx context.Context, q tools.Question) (tools.Answer, error)
}

// maxQuestion bounds a question, in characters.
const maxQuestion = 2000

// AskRequest is the body of POST /api/v1/ask.
type AskRequest struct {
	Question string `json:"question"`
}

// askAnswer is the answer of POST /api/v1/ask.
type askAnswer struct {
	Answer    string     `json:"answer"`
	Engine    string     `json:"engine"` // model or offline
	ToolCalls []toolCall `json:"tool_calls"`
	Trip      *TripItem  `json:"trip,omitempty"` // the trip requested, pending_approval
}

// toolCall is one fleet function the agent called.
type toolCall struct {
	Name      string          `json:"name"`
	Arguments json.RawMessage `json:"arguments"`
	Error     *callError      `json:"error,omitempty"`
}

// callError is how a function call failed: the safe message only.
type callError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// ask serves POST /api/v1/ask through the agent Slack uses, for the token: any token may ask;
// a question that would request, cancel or change a trip needs a write token (403 otherwise,
// and nothing is done). A trip it requests is pending_approval with its approval message in
// Slack. Each question stands alone: there is no thread to continue.
func (s *Server) ask(w http.ResponseWriter, r *http.Request, _ *query) (int, any, error) {
	if s.deps.Agent == nil {
		return 0, nil, fleet.Errorf(fleet.EUNAVAILABLE, "the assistant is not available")
	}
	var req AskRequest
	if err := decodeBody(w, r, &req); err != nil {
		return 0, nil, err
	}
	question := strings.TrimSpace(req.Question)
	switch {
	case question == "":
		return 0, nil, badParam("question", "question is required: ask as you would in Slack, e.g. \"where is T11985LA?\"")
	case utf8.RuneCountInString(question) > maxQuestion:
		return 0, nil, badParam("question", "question must be at most %d characters", maxQuestion)
	}
	tok := tokenOf(r.Context())
	ans, err := s.deps.Agent.Ask(r.Context(), tools.Question{Text: question, Caller: caller(r)})
	if err != nil {
		if fleet.ErrorCode(err) == fleet.EUNAVAILABLE && ans.Degraded != "" {
			return 0, nil, &unavailable{reason: ans.Degraded, err: err}
		}
		return 0, nil, err
	}
	out := askAnswer{Answer: ans.Text, Engine: string(ans.Engine), ToolCalls: make([]toolCall, 0, len(ans.Results))}
	for _, res := range ans.Results {
		var ro *tools.ReadOnlyError
		if errors.As(res.Err, &ro) {
			return 0, nil, fleet.Errorf(fleet.EFORBIDDEN, "token %s has scope %s: it may ask questions, but %s needs a write token",
				tok.Name, tok.Scope, ro.What())
		}
		out.ToolCalls = append(out.ToolCalls, toolCallOf(res))
		if c, ok := res.Value.(*tools.TripCreated); ok && res.Err == nil && out.Trip == nil {
			it := s.tripItem(c.Trip)
			out.Trip = &it
		}
	}
	return http.StatusOK, out, nil
}

// toolCallOf is a call as the API shows it: arguments as the JSON object called with ({} when
// the model sent something else), failures by their safe message.
func toolCallOf(res tools.Result) toolCall {
	c := toolCall{Name: res.Tool, Arguments: json.RawMessage(`{}`)}
	var obj map[string]any
	if json.Unmarshal(res.Args, &obj) == nil && obj != nil {
		c.Arguments = res.Args
	}
	if res.Err != nil {
		c.Error = &callError{Code: fleet.ErrorCode(res.Err), Message: fleet.ErrorMessage(res.Err)}
	}
	return c
}

// unavailable is the model's failure when nothing else could answer: logged whole, shown as a
// sentence with the safe reason.
type unavailable struct {
	reason string
	err    error
}

func (e *unavailable) Error() string { return e.err.Error() }
func (e *unavailable) Unwrap() error {
	return fleet.Errorf(fleet.EUNAVAILABLE, "the assistant could not answer (%s); ask again later, or use the other routes of this API", e.reason)
}
