package slackfake

import (
	"encoding/json"
	"fmt"
	"time"
)

// Delivery identifies an Events API event the fake delivered.
type Delivery struct {
	EnvelopeID string
	EventID    string
	TS         string         // ts of the user's message
	Payload    map[string]any // the envelope payload, for Redeliver
}

// Interaction identifies a slash command or interaction the fake delivered.
type Interaction struct {
	EnvelopeID  string
	ResponseURL string
	TriggerID   string
}

// Event delivers an Events API event whose inner event is inner (type, user, text, channel…).
// ts and event_ts are filled in when missing.
func (s *Server) Event(inner map[string]any) Delivery {
	s.mu.Lock()
	eventID := s.nextIDLocked("Ev")
	if inner["ts"] == nil {
		inner["ts"] = s.nextTSLocked()
	}
	s.mu.Unlock()
	if inner["event_ts"] == nil {
		inner["event_ts"] = inner["ts"]
	}
	payload := map[string]any{"token": "legacy", "team_id": TeamID, "api_app_id": AppID,
		"type": "event_callback", "event_id": eventID, "event_time": time.Now().Unix(),
		"event": inner, "authorizations": []map[string]any{{"team_id": TeamID, "user_id": BotUserID, "is_bot": true}}}
	id := s.sendEnvelope("events_api", payload, 0, false)
	return Delivery{EnvelopeID: id, EventID: eventID, TS: fmt.Sprint(inner["ts"]), Payload: payload}
}

// Redeliver sends an event again with the same event ID, as Slack does when it did not see an
// ack in time, and returns the new envelope ID.
func (s *Server) Redeliver(d Delivery, attempt int) string {
	return s.sendEnvelope("events_api", d.Payload, attempt, false)
}

// Mention delivers an app_mention of the bot by user in channel; threadTS is "" for a
// top-level message.
func (s *Server) Mention(user, channel, text, threadTS string) Delivery {
	inner := map[string]any{"type": "app_mention", "user": user, "channel": channel,
		"text": "<@" + BotUserID + "> " + text}
	if threadTS != "" {
		inner["thread_ts"] = threadTS
	}
	return s.Event(inner)
}

// DirectMessage delivers a message.im event: user writes text to the bot in the DM channel.
func (s *Server) DirectMessage(user, channel, text string) Delivery {
	return s.Event(map[string]any{"type": "message", "channel_type": "im", "user": user,
		"channel": channel, "text": text, "client_msg_id": fmt.Sprintf("cm-%d", time.Now().UnixNano())})
}

// newInteractionLocked issues a response_url and a trigger_id for user; s.mu must be held.
func (s *Server) newInteractionLocked(user string) Interaction {
	trigger := s.nextIDLocked("trig.")
	s.triggers[trigger] = user
	return Interaction{ResponseURL: s.srv.URL + "/response/" + s.nextIDLocked("R"), TriggerID: trigger}
}

// SlashCommand delivers "/command text" typed by user in channel.
func (s *Server) SlashCommand(user, channel, command, text string) Interaction {
	s.mu.Lock()
	in := s.newInteractionLocked(user)
	s.mu.Unlock()
	payload := map[string]any{"token": "legacy", "team_id": TeamID, "team_domain": "fakefleet",
		"channel_id": channel, "channel_name": channel, "user_id": user, "user_name": user,
		"command": command, "text": text, "api_app_id": AppID, "is_enterprise_install": "false",
		"response_url": in.ResponseURL, "trigger_id": in.TriggerID}
	in.EnvelopeID = s.sendEnvelope("slash_commands", payload, 0, true)
	return in
}

// Click delivers a block_actions interaction: user pressed the button actionID with value on
// the message messageTS in channel.
func (s *Server) Click(user, channel, messageTS, actionID, value string) Interaction {
	s.mu.Lock()
	in := s.newInteractionLocked(user)
	var msg map[string]any
	blockID := "decision"
	if m := s.findLocked(channel, messageTS); m != nil {
		msg = map[string]any{"type": "message", "ts": m.TS, "text": m.Text, "user": m.User, "bot_id": BotID}
		if m.Blocks != nil {
			msg["blocks"] = json.RawMessage(m.Blocks)
			if id := buttonBlock(m.Blocks, actionID, value); id != "" {
				blockID = id
			}
		}
	}
	s.mu.Unlock()
	payload := map[string]any{"type": "block_actions", "api_app_id": AppID, "token": "legacy",
		"user":       map[string]any{"id": user, "username": user, "name": user, "team_id": TeamID},
		"team":       map[string]any{"id": TeamID, "domain": "fakefleet"},
		"channel":    map[string]any{"id": channel, "name": channel},
		"container":  map[string]any{"type": "message", "message_ts": messageTS, "channel_id": channel, "is_ephemeral": false},
		"trigger_id": in.TriggerID, "response_url": in.ResponseURL,
		"actions": []map[string]any{{"type": "button", "action_id": actionID, "block_id": blockID,
			"value": value, "action_ts": fmt.Sprint(time.Now().Unix()) + ".000100", "text": map[string]any{"type": "plain_text", "text": actionID}}}}
	if msg != nil {
		payload["message"] = msg
	}
	in.EnvelopeID = s.sendEnvelope("interactive", payload, 0, false)
	return in
}

// buttonBlock returns the block_id of the actions block holding the button actionID with
// value, as Slack sends it with a click; "" when the message has no such button.
func buttonBlock(blocks json.RawMessage, actionID, value string) string {
	var bs []struct {
		BlockID  string `json:"block_id"`
		Elements []struct {
			ActionID string `json:"action_id"`
			Value    string `json:"value"`
		} `json:"elements"`
	}
	if json.Unmarshal(blocks, &bs) != nil {
		return ""
	}
	for _, b := range bs {
		for _, e := range b.Elements {
			if e.ActionID == actionID && e.Value == value {
				return b.BlockID
			}
		}
	}
	return ""
}

// Submit delivers a view_submission of the view viewID (opened earlier through views.open) by
// user with the given input values, keyed by block_id then action_id; build the values with
// SelectValue, DateValue, TimeValue and TextValue.
func (s *Server) Submit(viewID, user string, values map[string]map[string]any) (string, error) {
	s.mu.Lock()
	var view map[string]any
	for _, v := range s.views {
		if v.ID == viewID {
			view = map[string]any{}
			if err := json.Unmarshal(v.JSON, &view); err != nil {
				s.mu.Unlock()
				return "", err
			}
		}
	}
	s.mu.Unlock()
	if view == nil {
		return "", fmt.Errorf("slackfake: no view %s was opened", viewID)
	}
	view["id"], view["team_id"], view["app_id"] = viewID, TeamID, AppID
	view["state"] = map[string]any{"values": values}
	payload := map[string]any{"type": "view_submission", "api_app_id": AppID, "token": "legacy",
		"team": map[string]any{"id": TeamID, "domain": "fakefleet"},
		"user": map[string]any{"id": user, "username": user, "name": user, "team_id": TeamID},
		"view": view, "trigger_id": "trig.submit." + viewID}
	return s.sendEnvelope("interactive", payload, 0, true), nil
}

// SelectValue is the state of a static_select with value selected.
func SelectValue(value string) map[string]any {
	return map[string]any{"type": "static_select", "selected_option": map[string]any{
		"text": map[string]any{"type": "plain_text", "text": value}, "value": value}}
}

// DateValue is the state of a datepicker set to date ("2006-01-02").
func DateValue(date string) map[string]any {
	return map[string]any{"type": "datepicker", "selected_date": date}
}

// TimeValue is the state of a timepicker set to hhmm ("15:04").
func TimeValue(hhmm string) map[string]any {
	return map[string]any{"type": "timepicker", "selected_time": hhmm}
}

// TextValue is the state of a plain_text_input holding text.
func TextValue(text string) map[string]any {
	return map[string]any{"type": "plain_text_input", "value": text}
}
