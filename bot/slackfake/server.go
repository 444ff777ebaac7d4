// Package slackfake is a fake Slack for tests: an httptest server that speaks the real wire
// formats slack-go v0.35.0 parses. It serves the Socket Mode handshake (apps.connections.open
// and a websocket that sends hello, pings and envelopes and reads acks) and the Web API methods
// Watch Tower calls: auth.test, chat.postMessage, chat.update, chat.postEphemeral, views.open,
// views.update, users.info, conversations.info, files.getUploadURLExternal,
// files.completeUploadExternal, plus the upload URL and response_url endpoints.
//
// It keeps what a workspace would (messages per channel, threads, edits, ephemeral messages,
// response_url posts, opened views, uploaded files), records every call, enforces Slack's
// message limits (50 blocks, 3,000 characters a section), and can inject faults: HTTP 429 with
// Retry-After, 5xx, or a Slack error code, for a number of calls or for one channel.
//
// It is imported by tests only, and imports no Watch Tower package.
package slackfake

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// Identities the fake workspace reports in auth.test and hello.
const (
	TeamID    = "T0FAKE"
	AppID     = "A0FAKE"
	BotUserID = "UWATCHBOT"
	BotID     = "BWATCHBOT"
)

// Call is one Web API request as the fake received it.
type Call struct {
	Method string     // "chat.postMessage", "upload", "response_url"
	Token  string     // from the form field or the Authorization header
	Form   url.Values // form-encoded bodies (and the query)
	JSON   []byte     // JSON bodies, raw
	At     time.Time
	Fault  string // the injected fault that answered it, "" when served normally
}

// Message is a message in a channel as the workspace holds it after posts and updates.
type Message struct {
	Channel  string
	TS       string
	ThreadTS string // the parent's ts for a reply, "" for a top-level message
	User     string // the bot user for everything the app posts
	Text     string
	Blocks   []byte // the blocks JSON as last posted or updated, nil when none
	Updates  int    // how many times chat.update changed it
	FileIDs  []string
}

// Ephemeral is a message only one user sees (chat.postEphemeral).
type Ephemeral struct {
	Channel, User, Text, ThreadTS string
	Blocks                        []byte
}

// ResponsePost is one post to a response_url.
type ResponsePost struct {
	URL             string
	ResponseType    string // "ephemeral" or "in_channel"
	ReplaceOriginal bool
	DeleteOriginal  bool
	Text            string
	Blocks          []byte
}

// View is a modal opened (or updated) through views.open or views.update.
type View struct {
	ID        string
	TriggerID string
	UserID    string // who the trigger belonged to, when the fake issued it
	JSON      []byte // the view object as the app sent it
}

// File is a file uploaded with the external upload flow and shared to a channel.
type File struct {
	ID, Name, Title, Channel, ThreadTS, Comment string
	Content                                     []byte
}

// User is a workspace member users.info answers for.
type User struct {
	ID, Name, RealName string
}

// Server is the fake Slack. Create it with New; it is safe for concurrent use.
type Server struct {
	srv       *httptest.Server
	upgrader  websocket.Upgrader
	pingEvery time.Duration

	mu         sync.Mutex
	changed    chan struct{} // closed and replaced on every state change
	calls      []Call
	faults     []*Fault
	messages   []*Message
	ephemerals []Ephemeral
	responses  []ResponsePost
	respUses   map[string]int
	views      []View
	files      map[string]*File
	users      map[string]User
	groups     map[string][]string // user-group ID → member user IDs
	channels   map[string]string   // id → name
	missing    map[string]bool     // channels that do not exist
	triggers   map[string]string   // trigger_id → user
	acks       map[string]Ack
	ackCount   map[string]int
	sentAt     map[string]time.Time
	seq        int64
	socket     socketState
}

// Option configures a Server.
type Option func(*Server)

// WithPingInterval sets how often the websocket sends PING frames (default 1 s); it must be
// shorter than the client's socketmode.OptionPingInterval.
func WithPingInterval(d time.Duration) Option { return func(s *Server) { s.pingEvery = d } }

// New starts a fake Slack. Close it when done (t.Cleanup(s.Close)).
func New(opts ...Option) *Server {
	s := &Server{
		pingEvery: time.Second,
		changed:   make(chan struct{}),
		respUses:  make(map[string]int),
		files:     make(map[string]*File),
		users:     make(map[string]User),
		groups:    make(map[string][]string),
		channels:  make(map[string]string),
		missing:   make(map[string]bool),
		triggers:  make(map[string]string),
		acks:      make(map[string]Ack),
		ackCount:  make(map[string]int),
		sentAt:    make(map[string]time.Time),
	}
	s.upgrader = websocket.Upgrader{
		// Slack's client sends Origin https://api.slack.com; accept exactly that.
		CheckOrigin: func(r *http.Request) bool { return r.Header.Get("Origin") == "https://api.slack.com" },
	}
	for _, o := range opts {
		o(s)
	}
	s.socket.outbox = make(chan envelope, 4096)
	s.srv = httptest.NewServer(s.routes())
	return s
}

// Close stops the server and drops the websocket.
func (s *Server) Close() {
	s.srv.CloseClientConnections()
	s.srv.Close()
}

// URL returns the server's base URL, "http://127.0.0.1:N".
func (s *Server) URL() string { return s.srv.URL }

// APIURL returns the Web API base with its trailing slash, for slack.OptionAPIURL and
// SLACK_API_URL.
func (s *Server) APIURL() string { return s.srv.URL + "/api/" }

// AddUser makes users.info know a member.
func (s *Server) AddUser(id, name, realName string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.users[id] = User{ID: id, Name: name, RealName: realName}
}

// AddUserGroup makes usergroups.users.list know a user group (S…) and its members.
func (s *Server) AddUserGroup(id string, members ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.groups[id] = append([]string(nil), members...)
}

// AddChannel names a channel for conversations.info. Unknown channels still accept posts.
func (s *Server) AddChannel(id, name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.channels[id] = name
	delete(s.missing, id)
}

// RemoveChannel makes a channel not exist: posts to it fail with channel_not_found.
func (s *Server) RemoveChannel(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.missing[id] = true
}

// notifyLocked wakes every waiter; s.mu must be held.
func (s *Server) notifyLocked() {
	close(s.changed)
	s.changed = make(chan struct{})
}

// Wait blocks until cond (called with no lock held) returns true or ctx is done, re-checking
// after every change of the fake's state and every 25 ms (cond may look at more than the
// fake: a database, a stream). It returns ctx's error on timeout.
func (s *Server) Wait(ctx context.Context, cond func() bool) error {
	tick := time.NewTicker(25 * time.Millisecond)
	defer tick.Stop()
	for {
		s.mu.Lock()
		ch := s.changed
		s.mu.Unlock()
		if cond() {
			return nil
		}
		select {
		case <-ch:
		case <-tick.C:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// WaitTimeout is Wait with a timeout, returning an error naming what was awaited.
func (s *Server) WaitTimeout(d time.Duration, what string, cond func() bool) error {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	if err := s.Wait(ctx, cond); err != nil {
		return fmt.Errorf("slackfake: waited %s for %s", d, what)
	}
	return nil
}

// nextTSLocked returns a new, increasing message timestamp; s.mu must be held.
func (s *Server) nextTSLocked() string {
	s.seq++
	return fmt.Sprintf("%d.%06d", 1700000000+s.seq/1000000, s.seq%1000000)
}

// nextIDLocked returns a new ID with prefix; s.mu must be held.
func (s *Server) nextIDLocked(prefix string) string {
	s.seq++
	return fmt.Sprintf("%s%06d", prefix, s.seq)
}
