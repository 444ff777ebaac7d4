package slackfake

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/gorilla/websocket"
)

// Ack is an envelope acknowledgement the app sent over the websocket.
type Ack struct {
	EnvelopeID string
	Payload    json.RawMessage // nil when the ack carried none
	At         time.Time
	Latency    time.Duration // from the envelope leaving the fake to its ack arriving
}

type envelope struct {
	id   string
	data []byte
}

type socketState struct {
	outbox      chan envelope
	connections int // websocket connections accepted so far
}

// serveSocket upgrades the Socket Mode websocket, sends hello, then envelopes and pings until
// the connection drops; a reader records acks. Both goroutines exit when the connection closes.
func (s *Server) serveSocket(w http.ResponseWriter, r *http.Request) {
	conn, err := s.upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader already answered 403/400
	}
	s.mu.Lock()
	s.socket.connections++
	s.notifyLocked()
	s.mu.Unlock()
	hello := map[string]any{"type": "hello", "num_connections": 1,
		"connection_info": map[string]any{"app_id": AppID},
		"debug_info":      map[string]any{"host": "applink-fake", "approximate_connection_time": 18060}}
	if err := conn.WriteJSON(hello); err != nil {
		conn.Close()
		return
	}
	done := make(chan struct{})
	go s.readAcks(conn, done)
	s.writeLoop(conn, done)
}

// writeLoop sends queued envelopes and pings on conn until done closes or a write fails; an
// envelope that could not be written goes back to the outbox for the next connection.
func (s *Server) writeLoop(conn *websocket.Conn, done <-chan struct{}) {
	defer conn.Close()
	ping := time.NewTicker(s.pingEvery)
	defer ping.Stop()
	for {
		select {
		case <-done:
			return
		case <-ping.C:
			if err := conn.WriteControl(websocket.PingMessage, []byte("ping"), time.Now().Add(time.Second)); err != nil {
				return
			}
		case env := <-s.socket.outbox:
			s.mu.Lock()
			if env.id != "" {
				s.sentAt[env.id] = time.Now()
			}
			s.mu.Unlock()
			if err := conn.WriteMessage(websocket.TextMessage, env.data); err != nil {
				s.socket.outbox <- env
				return
			}
		}
	}
}

// readAcks records every ack until the connection fails, then closes done.
func (s *Server) readAcks(conn *websocket.Conn, done chan<- struct{}) {
	defer close(done)
	for {
		_, data, err := conn.ReadMessage()
		if err != nil {
			return
		}
		now := time.Now()
		var a struct {
			EnvelopeID string          `json:"envelope_id"`
			Payload    json.RawMessage `json:"payload"`
		}
		if json.Unmarshal(data, &a) != nil || a.EnvelopeID == "" {
			continue
		}
		s.mu.Lock()
		ack := Ack{EnvelopeID: a.EnvelopeID, Payload: a.Payload, At: now}
		if sent, ok := s.sentAt[a.EnvelopeID]; ok {
			ack.Latency = now.Sub(sent)
		}
		if s.ackCount[a.EnvelopeID]++; s.ackCount[a.EnvelopeID] == 1 {
			s.acks[a.EnvelopeID] = ack
		}
		s.notifyLocked()
		s.mu.Unlock()
	}
}

// Connections returns how many websocket connections the app has opened so far.
func (s *Server) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.socket.connections
}

// Ack returns the ack of an envelope.
func (s *Server) Ack(envelopeID string) (Ack, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.acks[envelopeID]
	return a, ok
}

// AckCount returns how many times an envelope was acknowledged; more than one is a bug.
func (s *Server) AckCount(envelopeID string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ackCount[envelopeID]
}

// WaitAck waits up to d for the ack of an envelope.
func (s *Server) WaitAck(d time.Duration, envelopeID string) (Ack, error) {
	var a Ack
	err := s.WaitTimeout(d, "ack of "+envelopeID, func() bool {
		var ok bool
		a, ok = s.Ack(envelopeID)
		return ok
	})
	return a, err
}

// SendRaw queues a raw websocket message (JSON) for the app; it is delivered on the current or
// next connection.
func (s *Server) SendRaw(v any) {
	data, err := json.Marshal(v)
	if err != nil {
		panic("slackfake: unmarshalable message: " + err.Error())
	}
	s.socket.outbox <- envelope{data: data}
}

// Disconnect asks the app to reconnect, as Slack does before it rotates a connection.
func (s *Server) Disconnect() {
	s.SendRaw(map[string]any{"type": "disconnect", "reason": "refresh_requested",
		"debug_info": map[string]any{"host": "applink-fake"}})
}

// sendEnvelope queues an envelope of type typ with payload and returns its envelope ID.
func (s *Server) sendEnvelope(typ string, payload any, retry int, acceptsResponse bool) string {
	s.mu.Lock()
	id := s.nextIDLocked("env-")
	s.mu.Unlock()
	env := map[string]any{"envelope_id": id, "type": typ, "payload": payload,
		"accepts_response_payload": acceptsResponse, "retry_attempt": retry, "retry_reason": ""}
	if retry > 0 {
		env["retry_reason"] = "timeout"
	}
	data, err := json.Marshal(env)
	if err != nil {
		panic("slackfake: unmarshalable envelope: " + err.Error())
	}
	s.socket.outbox <- envelope{id: id, data: data}
	return id
}
