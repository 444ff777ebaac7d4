package slackfake

import (
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"time"
)

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/api/{method}", s.serveAPI)
	mux.HandleFunc("GET /link", s.serveSocket)
	mux.HandleFunc("POST /upload/{id}", s.serveUpload)
	mux.HandleFunc("POST /response/{id}", s.serveResponseURL)
	return mux
}

// request is a decoded Web API call.
type request struct {
	Call
	form url.Values
}

// arg returns a form field, or a top-level string of a JSON body.
func (r request) arg(name string) string {
	if v := r.form.Get(name); v != "" {
		return v
	}
	if len(r.JSON) > 0 {
		var m map[string]any
		if json.Unmarshal(r.JSON, &m) == nil {
			if v, ok := m[name].(string); ok {
				return v
			}
		}
	}
	return ""
}

func decodeRequest(r *http.Request, method string) (request, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 8<<20))
	if err != nil {
		return request{}, err
	}
	req := request{Call: Call{Method: method, At: time.Now()}}
	req.form = r.URL.Query()
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct == "application/json" {
		req.JSON = body
	} else if len(body) > 0 {
		vals, err := url.ParseQuery(string(body))
		if err != nil {
			return request{}, err
		}
		for k, v := range vals {
			req.form[k] = v
		}
	}
	req.Token = req.form.Get("token")
	if auth := r.Header.Get("Authorization"); strings.HasPrefix(auth, "Bearer ") {
		req.Token = strings.TrimPrefix(auth, "Bearer ")
	}
	req.Form = req.form
	return req, nil
}

func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request) {
	method := r.PathValue("method")
	req, err := decodeRequest(r, method)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	channel := req.arg("channel")
	if channel == "" {
		channel = req.arg("channel_id")
	}
	s.mu.Lock()
	f := s.faultLocked(method, channel)
	if f != nil && f.Hang {
		req.Fault = f.name()
		s.calls = append(s.calls, req.Call)
		s.notifyLocked()
		s.mu.Unlock()
		<-r.Context().Done() // the caller hung up, or Close dropped the connection
		return
	}
	defer s.mu.Unlock()
	defer s.notifyLocked()
	if f != nil {
		req.Fault = f.name()
		s.calls = append(s.calls, req.Call)
		f.write(w)
		return
	}
	s.calls = append(s.calls, req.Call)
	if code := checkToken(method, req.Token); code != "" {
		writeJSON(w, map[string]any{"ok": false, "error": code})
		return
	}
	h, ok := s.methods()[method]
	if !ok {
		writeJSON(w, map[string]any{"ok": false, "error": "unknown_method"})
		return
	}
	writeJSON(w, h(req))
}

// checkToken returns the Slack error for a missing or wrong kind of token.
func checkToken(method, token string) string {
	want := "xoxb-"
	if method == "apps.connections.open" {
		want = "xapp-"
	}
	switch {
	case token == "":
		return "not_authed"
	case !strings.HasPrefix(token, want):
		return "invalid_auth"
	}
	return ""
}

type handler func(request) map[string]any

// methods maps Web API methods to handlers that run with s.mu held.
func (s *Server) methods() map[string]handler {
	return map[string]handler{
		"apps.connections.open":        s.connectionsOpen,
		"auth.test":                    s.authTest,
		"chat.postMessage":             s.postMessage,
		"chat.update":                  s.updateMessage,
		"chat.postEphemeral":           s.postEphemeral,
		"views.open":                   s.openView,
		"views.update":                 s.updateView,
		"users.info":                   s.userInfo,
		"usergroups.users.list":        s.userGroupMembers,
		"conversations.info":           s.conversationInfo,
		"files.getUploadURLExternal":   s.uploadURL,
		"files.completeUploadExternal": s.completeUpload,
	}
}

func fail(code string) map[string]any { return map[string]any{"ok": false, "error": code} }

func (s *Server) connectionsOpen(request) map[string]any {
	return map[string]any{"ok": true, "url": "ws" + strings.TrimPrefix(s.srv.URL, "http") + "/link"}
}

func (s *Server) authTest(request) map[string]any {
	return map[string]any{"ok": true, "url": "https://fake.slack.com/", "team": "Fake Fleet",
		"user": "watchtower", "team_id": TeamID, "user_id": BotUserID, "bot_id": BotID}
}

func (s *Server) postMessage(r request) map[string]any {
	ch := r.arg("channel")
	if code := s.checkChannelLocked(ch); code != "" {
		return fail(code)
	}
	text, blocks := r.arg("text"), r.arg("blocks")
	if code := checkMessage(text, blocks); code != "" {
		return fail(code)
	}
	m := &Message{Channel: ch, TS: s.nextTSLocked(), ThreadTS: r.arg("thread_ts"), User: BotUserID, Text: text}
	if blocks != "" {
		m.Blocks = []byte(blocks)
	}
	s.messages = append(s.messages, m)
	return map[string]any{"ok": true, "channel": ch, "ts": m.TS,
		"message": map[string]any{"type": "message", "user": BotUserID, "bot_id": BotID, "text": text, "ts": m.TS}}
}

func (s *Server) updateMessage(r request) map[string]any {
	ch, ts := r.arg("channel"), r.arg("ts")
	if code := s.checkChannelLocked(ch); code != "" {
		return fail(code)
	}
	m := s.findLocked(ch, ts)
	if m == nil {
		return fail("message_not_found")
	}
	text, blocks := r.arg("text"), r.arg("blocks")
	if code := checkMessage(text, blocks); code != "" {
		return fail(code)
	}
	m.Text, m.Updates = text, m.Updates+1
	if _, ok := r.form["blocks"]; ok {
		m.Blocks = []byte(blocks)
	}
	return map[string]any{"ok": true, "channel": ch, "ts": ts, "text": text}
}

func (s *Server) postEphemeral(r request) map[string]any {
	ch, user := r.arg("channel"), r.arg("user")
	if code := s.checkChannelLocked(ch); code != "" {
		return fail(code)
	}
	if user == "" {
		return fail("user_not_in_channel")
	}
	text, blocks := r.arg("text"), r.arg("blocks")
	if code := checkMessage(text, blocks); code != "" {
		return fail(code)
	}
	e := Ephemeral{Channel: ch, User: user, Text: text, ThreadTS: r.arg("thread_ts")}
	if blocks != "" {
		e.Blocks = []byte(blocks)
	}
	s.ephemerals = append(s.ephemerals, e)
	return map[string]any{"ok": true, "message_ts": s.nextTSLocked()}
}

func (s *Server) checkChannelLocked(ch string) string {
	if ch == "" || s.missing[ch] {
		return "channel_not_found"
	}
	return ""
}

func (s *Server) userInfo(r request) map[string]any {
	u, ok := s.users[r.arg("user")]
	if !ok {
		return fail("user_not_found")
	}
	return map[string]any{"ok": true, "user": map[string]any{
		"id": u.ID, "name": u.Name, "real_name": u.RealName, "tz": "Africa/Lagos",
		"profile": map[string]any{"real_name": u.RealName, "display_name": u.Name},
	}}
}

func (s *Server) userGroupMembers(r request) map[string]any {
	members, ok := s.groups[r.arg("usergroup")]
	if !ok {
		return fail("no_such_subteam")
	}
	return map[string]any{"ok": true, "users": append([]string{}, members...)}
}

func (s *Server) conversationInfo(r request) map[string]any {
	ch := r.arg("channel")
	if s.missing[ch] || ch == "" {
		return fail("channel_not_found")
	}
	name, ok := s.channels[ch]
	if !ok {
		name = strings.ToLower(ch)
	}
	return map[string]any{"ok": true, "channel": map[string]any{
		"id": ch, "name": name, "is_channel": !strings.HasPrefix(ch, "D"), "is_im": strings.HasPrefix(ch, "D"), "is_member": true,
	}}
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = json.NewEncoder(w).Encode(v)
}
