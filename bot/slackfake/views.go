package slackfake

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"
)

// Slack's documented limits the fake enforces.
const (
	maxMessageBlocks = 50
	maxViewBlocks    = 100
	maxSectionText   = 3000
	maxFieldText     = 2000
	maxFields        = 10
	maxHeaderText    = 150
	maxMessageText   = 40000
	maxResponseUses  = 5
)

// checkMessage returns the Slack error for a message Slack would refuse, or "".
func checkMessage(text, blocks string) string {
	if text == "" && (blocks == "" || blocks == "[]") {
		return "no_text"
	}
	if utf8.RuneCountInString(text) > maxMessageText {
		return "msg_too_long"
	}
	if blocks == "" {
		return ""
	}
	return checkBlocks([]byte(blocks), maxMessageBlocks)
}

type textObj struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

type rawBlock struct {
	Type     string            `json:"type"`
	BlockID  string            `json:"block_id"`
	Text     *textObj          `json:"text"`
	Fields   []textObj         `json:"fields"`
	Elements []json.RawMessage `json:"elements"`
}

// checkBlocks returns "invalid_blocks" when blocks break Slack's limits, or "".
func checkBlocks(raw []byte, maxBlocks int) string {
	var blocks []rawBlock
	if err := json.Unmarshal(raw, &blocks); err != nil || len(blocks) > maxBlocks {
		return "invalid_blocks"
	}
	for _, b := range blocks {
		if !blockOK(b) {
			return "invalid_blocks"
		}
	}
	return ""
}

func blockOK(b rawBlock) bool {
	if len(b.BlockID) > 255 {
		return false
	}
	switch b.Type {
	case "section":
		if b.Text == nil && len(b.Fields) == 0 {
			return false
		}
		if b.Text != nil && (b.Text.Text == "" || utf8.RuneCountInString(b.Text.Text) > maxSectionText) {
			return false
		}
		if len(b.Fields) > maxFields {
			return false
		}
		for _, f := range b.Fields {
			if f.Text == "" || utf8.RuneCountInString(f.Text) > maxFieldText {
				return false
			}
		}
	case "header":
		return b.Text != nil && b.Text.Type == "plain_text" && b.Text.Text != "" && utf8.RuneCountInString(b.Text.Text) <= maxHeaderText
	case "context":
		return len(b.Elements) > 0 && len(b.Elements) <= 10
	case "actions":
		return len(b.Elements) > 0 && len(b.Elements) <= 25
	case "divider", "image", "input", "rich_text", "markdown", "file":
	default:
		return false
	}
	return true
}

func (s *Server) openView(r request) map[string]any {
	var body struct {
		TriggerID string          `json:"trigger_id"`
		View      json.RawMessage `json:"view"`
	}
	if err := json.Unmarshal(r.JSON, &body); err != nil || len(body.View) == 0 {
		return fail("invalid_arguments")
	}
	user, ok := s.triggers[body.TriggerID]
	if !ok {
		return fail("invalid_trigger_id")
	}
	delete(s.triggers, body.TriggerID) // a trigger opens one view
	return s.storeViewLocked(View{ID: s.nextIDLocked("V"), TriggerID: body.TriggerID, UserID: user, JSON: body.View})
}

func (s *Server) updateView(r request) map[string]any {
	var body struct {
		ViewID string          `json:"view_id"`
		View   json.RawMessage `json:"view"`
	}
	if err := json.Unmarshal(r.JSON, &body); err != nil || len(body.View) == 0 {
		return fail("invalid_arguments")
	}
	for _, v := range s.views {
		if v.ID == body.ViewID {
			return s.storeViewLocked(View{ID: v.ID, UserID: v.UserID, JSON: body.View})
		}
	}
	return fail("not_found")
}

func (s *Server) storeViewLocked(v View) map[string]any {
	var view map[string]any
	if err := json.Unmarshal(v.JSON, &view); err != nil {
		return fail("invalid_arguments")
	}
	if blocks, err := json.Marshal(view["blocks"]); err != nil || checkBlocks(blocks, maxViewBlocks) != "" {
		return fail("invalid_blocks")
	}
	s.views = append(s.views, v)
	view["id"], view["team_id"], view["app_id"] = v.ID, TeamID, AppID
	return map[string]any{"ok": true, "view": view}
}

func (s *Server) uploadURL(r request) map[string]any {
	name := r.arg("filename")
	if name == "" || r.arg("length") == "" {
		return fail("invalid_arguments")
	}
	id := s.nextIDLocked("F")
	s.files[id] = &File{ID: id, Name: name}
	return map[string]any{"ok": true, "upload_url": s.srv.URL + "/upload/" + id, "file_id": id}
}

func (s *Server) serveUpload(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	f, _, err := r.FormFile("file")
	var content []byte
	if err == nil {
		content, err = io.ReadAll(f)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.notifyLocked()
	s.calls = append(s.calls, Call{Method: "upload", At: time.Now(), Token: strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")})
	file, ok := s.files[id]
	if err != nil || !ok {
		http.Error(w, "bad upload", http.StatusBadRequest)
		return
	}
	file.Content = content
	w.Header().Set("Content-Type", "text/plain")
	io.WriteString(w, "OK - "+id)
}

func (s *Server) completeUpload(r request) map[string]any {
	var files []struct {
		ID    string `json:"id"`
		Title string `json:"title"`
	}
	if err := json.Unmarshal([]byte(r.arg("files")), &files); err != nil || len(files) == 0 {
		return fail("invalid_arguments")
	}
	ch := r.arg("channel_id")
	if code := s.checkChannelLocked(ch); code != "" {
		return fail(code)
	}
	out := make([]map[string]any, 0, len(files))
	m := &Message{Channel: ch, TS: s.nextTSLocked(), ThreadTS: r.arg("thread_ts"), User: BotUserID, Text: r.arg("initial_comment")}
	for _, fs := range files {
		f, ok := s.files[fs.ID]
		if !ok || f.Content == nil {
			return fail("file_not_found")
		}
		f.Title, f.Channel, f.ThreadTS, f.Comment = fs.Title, ch, m.ThreadTS, m.Text
		m.FileIDs = append(m.FileIDs, f.ID)
		out = append(out, map[string]any{"id": f.ID, "title": f.Title})
	}
	if b := r.arg("blocks"); b != "" {
		m.Blocks = []byte(b)
	}
	s.messages = append(s.messages, m)
	return map[string]any{"ok": true, "files": out}
}

// serveResponseURL answers a post to a response_url the fake issued. Like Slack, each URL
// takes at most five posts.
func (s *Server) serveResponseURL(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	var msg struct {
		Text            string          `json:"text"`
		Blocks          json.RawMessage `json:"blocks"`
		ResponseType    string          `json:"response_type"`
		ReplaceOriginal bool            `json:"replace_original"`
		DeleteOriginal  bool            `json:"delete_original"`
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.notifyLocked()
	u := s.srv.URL + r.URL.Path
	s.calls = append(s.calls, Call{Method: "response_url", JSON: body, At: time.Now()})
	if err := json.Unmarshal(body, &msg); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		writeJSON(w, fail("invalid_payload"))
		return
	}
	if s.respUses[u]++; s.respUses[u] > maxResponseUses {
		w.WriteHeader(http.StatusNotFound)
		writeJSON(w, fail("used_url"))
		return
	}
	blocks := []byte(nil)
	if len(msg.Blocks) > 0 && string(msg.Blocks) != "null" {
		blocks = msg.Blocks
	}
	if code := checkMessage(msg.Text, string(blocks)); code != "" && !msg.DeleteOriginal {
		writeJSON(w, fail(code))
		return
	}
	s.responses = append(s.responses, ResponsePost{URL: u, ResponseType: msg.ResponseType,
		ReplaceOriginal: msg.ReplaceOriginal, DeleteOriginal: msg.DeleteOriginal, Text: msg.Text, Blocks: blocks})
	writeJSON(w, map[string]any{"ok": true})
}
