package tools

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/responses"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/tools/intent"
)

// Agent defaults.
const (
	DefaultMaxTurns        = 8
	DefaultQuestionTimeout = 60 * time.Second
	DefaultMemoryTTL       = 24 * time.Hour
	DefaultOpenAIBaseURL   = "https://api.openai.com/v1/"
)

// ErrMaxTurns is returned (wrapped) when the model keeps calling functions past the turn limit.
var ErrMaxTurns = errors.New("the model did not finish within the turn limit")

// Engine names what answered a question.
type Engine string

// Engines.
const (
	EngineModel   Engine = "model"   // the OpenAI-compatible model, calling the functions
	EngineOffline Engine = "offline" // the offline intent parser, calling one function
)

// Question is one free-text message to answer.
type Question struct {
	Text string
	// Conversation keys the memory of a thread (Slack: "C0123:1700000000.000100"); "" asks
	// without memory.
	Conversation string
	// ThreadTrip is the trip ID of the thread the question was asked in ("abeg cancel that
	// trip"), "" when unknown.
	ThreadTrip string
	Caller     Caller
}

// Answer is what the agent says, the same shape whichever engine answered.
type Answer struct {
	Text    string   // what to post
	Results []Result // the function calls made, in order, for cards under the text
	Engine  Engine
	// Degraded says why the offline parser answered although a model is configured (the
	// model failed or timed out); "" otherwise.
	Degraded   string
	ResponseID string // the model's last response ID; "" offline
}

// AgentConfig configures an Agent. The model is used when APIKey is set, or when BaseURL
// names a server other than OpenAI's (Ollama, LM Studio and vLLM need no key); otherwise the
// offline parser answers.
type AgentConfig struct {
	APIKey  string // OPENAI_API_KEY; "" = offline parser only
	BaseURL string // OPENAI_BASE_URL; "" = OpenAI
	Model   string // OPENAI_MODEL
	// Stateless resends the transcript with store:false instead of previous_response_id.
	// nil = automatic: stateless whenever BaseURL is not OpenAI's (Ollama, LM Studio, vLLM).
	Stateless       *bool
	MaxTurns        int           // model calls per question; 0 = DefaultMaxTurns
	Timeout         time.Duration // total deadline per question; 0 = DefaultQuestionTimeout
	MaxRetries      int           // SDK retries per call (429, 5xx, connection errors); < 0 = none
	MaxOutputTokens int64         // 0 = 1024
	HTTPClient      *http.Client  // nil = the SDK's default
	// NoFallback returns the model's failure instead of answering with the offline parser.
	NoFallback bool
}

// Agent answers free text: with the model (OpenAI Responses API, function calling over the
// registry) when an API key is configured, else, or when the model fails, with the offline
// intent parser. It is safe for concurrent use.
type Agent struct {
	reg       *Registry
	mem       Memory
	cfg       AgentConfig
	client    openai.Client
	online    bool
	stateless bool
	tools     []responses.ToolUnionParam
	log       *slog.Logger
}

// NewAgent returns an agent calling reg's functions, remembering threads in mem (nil: no
// memory).
func NewAgent(reg *Registry, mem Memory, cfg AgentConfig, log *slog.Logger) *Agent {
	if cfg.MaxTurns <= 0 {
		cfg.MaxTurns = DefaultMaxTurns
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultQuestionTimeout
	}
	if cfg.MaxOutputTokens <= 0 {
		cfg.MaxOutputTokens = 1024
	}
	localModel := cfg.BaseURL != "" && !isOpenAI(cfg.BaseURL)
	if cfg.BaseURL == "" {
		cfg.BaseURL = DefaultOpenAIBaseURL
	}
	if log == nil {
		log = slog.Default()
	}
	a := &Agent{reg: reg, mem: mem, cfg: cfg, online: cfg.APIKey != "" || localModel, log: log}
	a.stateless = !isOpenAI(cfg.BaseURL)
	if cfg.Stateless != nil {
		a.stateless = *cfg.Stateless
	}
	opts := []option.RequestOption{option.WithAPIKey(cfg.APIKey), option.WithBaseURL(cfg.BaseURL),
		option.WithMaxRetries(max(cfg.MaxRetries, 0))}
	if cfg.HTTPClient != nil {
		opts = append(opts, option.WithHTTPClient(cfg.HTTPClient))
	}
	a.client = openai.NewClient(opts...)
	for _, t := range reg.Tools() {
		a.tools = append(a.tools, responses.ToolUnionParam{OfFunction: &responses.FunctionToolParam{
			Name: t.Name, Description: openai.String(t.Description), Parameters: t.Parameters, Strict: openai.Bool(true)}})
	}
	return a
}

// isOpenAI reports whether base is OpenAI's own API (which keeps conversation state).
func isOpenAI(base string) bool {
	u, err := url.Parse(base)
	return err == nil && strings.EqualFold(u.Hostname(), "api.openai.com")
}

// Online reports whether a model is configured.
func (a *Agent) Online() bool { return a.online }

// Stateless reports whether the agent resends transcripts instead of using server state.
func (a *Agent) Stateless() bool { return a.stateless }

// Ask answers q. With a model it runs the function-calling loop (at most MaxTurns model calls,
// independent calls of one turn run concurrently, function errors go back to the model) within
// the question's deadline, and remembers the thread. When the model fails before any writing
// function succeeded, the offline parser answers instead (Answer.Degraded says why); after a
// write, the answer is built from the results so the write is never repeated. Ask returns an
// error only when nothing could answer: EUNAVAILABLE wrapping the model's failure (ErrMaxTurns,
// a timeout, an API error) when the offline parser does not understand the text either, or
// fallback is off.
func (a *Agent) Ask(ctx context.Context, q Question) (Answer, error) {
	q.Text = strings.TrimSpace(q.Text)
	if !a.online || q.Text == "" { // no model, or nothing to ask it: the offline parser answers
		return a.offline(ctx, q, ""), nil
	}
	ans, err := a.askModel(ctx, q)
	if err == nil {
		return ans, nil
	}
	reason := modelFailure(err)
	a.log.WarnContext(ctx, "model failed", "err", err, "conversation", q.Conversation, "results", len(ans.Results))
	if wroteSomething(ans.Results) {
		ans.Text, ans.Engine, ans.Degraded = RenderResults(ans.Results), EngineModel, reason
		return ans, nil
	}
	if !a.cfg.NoFallback {
		if in := intent.Parse(q.Text); in.Tool != "" {
			return a.offline(ctx, q, reason), nil
		}
	}
	return Answer{Engine: EngineModel, Degraded: reason}, &modelError{reason: reason, err: err}
}

// modelError is the failure of the model when nothing else could answer: EUNAVAILABLE with a
// safe message, wrapping the cause.
type modelError struct {
	reason string
	err    error
}

// Error describes the cause, for logs.
func (e *modelError) Error() string { return "model: " + e.err.Error() }

// Unwrap gives both the safe classification and the cause to errors.Is/As.
func (e *modelError) Unwrap() []error {
	return []error{fleet.Errorf(fleet.EUNAVAILABLE, "the assistant is unavailable (%s); try /truck, /fleet, /trip, /near or /summary", e.reason), e.err}
}

// modelFailure is a short, safe reason for a model failure.
func modelFailure(err error) string {
	var apiErr *openai.Error
	switch {
	case errors.Is(err, ErrMaxTurns):
		return "it did not finish within the step limit"
	case errors.Is(err, context.DeadlineExceeded):
		return "it timed out"
	case errors.As(err, &apiErr):
		return fmt.Sprintf("the model API answered %d", apiErr.StatusCode)
	}
	return "the model could not be reached"
}

// writers are the functions that change trips.
var writers = map[string]bool{ToolCreateTrip: true, ToolCancelTrip: true, ToolUpdateTrip: true}

// wroteSomething reports whether a writing function succeeded among results.
func wroteSomething(results []Result) bool {
	for _, r := range results {
		if t, ok := writers[r.Tool]; r.Err == nil && ok && t {
			return true
		}
	}
	return false
}

// offline answers q with the intent parser and one function call, or the one short question
// the parser asks; the answer to that question in the same thread continues the request. A
// failed call is part of the answer (its safe message and suggestions); an internal failure
// is logged here.
func (a *Agent) offline(ctx context.Context, q Question, degraded string) Answer {
	ans := Answer{Engine: EngineOffline, Degraded: degraded}
	conv := a.load(ctx, q.Conversation)
	in := intent.Parse(q.Text)
	if conv.Pending != nil {
		in = intent.Continue(*conv.Pending, q.Text)
	}
	in = in.InThread(q.ThreadTrip)
	a.remember(ctx, q.Conversation, conv, in)
	tool, known := a.reg.Tool(in.Tool)
	if err := permit(tool, q.Caller); known && err != nil { // refused before asking for what is missing
		ans.Results = []Result{{Tool: in.Tool, Args: in.Args, Err: err, Output: output(nil, err)}}
		ans.Text = RenderResults(ans.Results)
		return ans
	}
	switch {
	case in.Tool == "":
		ans.Text = intent.Help
		return ans
	case in.Missing == "origin":
		ans.Text = a.originQuestion(ctx, in)
		return ans
	case in.Missing != "":
		ans.Text = in.Question
		return ans
	case !known:
		ans.Text = "I cannot cancel or change trips in chat yet; ask an approver in the dispatch channel."
		return ans
	}
	res, err := a.reg.Call(ctx, in.Tool, in.Args, q.Caller)
	if code := fleet.ErrorCode(err); code == fleet.EINTERNAL || code == fleet.EUNAVAILABLE {
		a.log.ErrorContext(ctx, "fleet function failed", "err", err, "tool", in.Tool)
	}
	ans.Results = []Result{res}
	ans.Text = RenderResults(ans.Results)
	return ans
}

// originQuestion asks where a trip starts, offering the truck's current site when it is at
// one; the parser's own question when the truck is not known yet.
func (a *Agent) originQuestion(ctx context.Context, in intent.Intent) string {
	var args struct {
		Truck string `json:"truck"`
	}
	if err := json.Unmarshal(in.Args, &args); err != nil || args.Truck == "" {
		return in.Question
	}
	truck, err := a.reg.fleet.FindTruck(ctx, args.Truck)
	if err != nil {
		return in.Question
	}
	q, err := a.reg.OriginQuestion(ctx, truck.Plate)
	if err != nil {
		a.log.WarnContext(ctx, "origin question", "err", err, "plate", truck.Plate)
		return in.Question
	}
	return q
}

// remember keeps an offline request that still lacks something as the thread's pending
// request, and forgets it once the request is complete or replaced.
func (a *Agent) remember(ctx context.Context, key string, conv Conversation, in intent.Intent) {
	if a.mem == nil || key == "" || conv.Pending == nil && in.Missing == "" {
		return
	}
	conv.Pending = nil
	if in.Missing != "" {
		conv.Pending = &in
	}
	if err := a.mem.Save(ctx, key, conv); err != nil {
		a.log.WarnContext(ctx, "save conversation", "err", err, "conversation", key)
	}
}
