package api

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
)

// Paths of the live map.
const (
	mapPath       = "/map"
	mapPattern    = "GET /map"
	streamPath    = "/api/v1/stream/positions"
	streamPattern = "GET " + streamPath
)

// freshReplay is how far before its snapshot a new viewer's fixes start: the fleet functions'
// view may lag the stream by a few seconds (the state index reloads every 2 s), and a replayed
// fix the snapshot already holds is ignored by the page (it is not newer).
const freshReplay = 10 * time.Second

// backfillMax bounds how many missed fixes one reconnect replays; past that the viewer gets a
// fresh snapshot instead (the positions stream keeps fewer than this anyway).
const backfillMax = 50_000

// streamPositions serves GET /api/v1/stream/positions: Server-Sent Events for the live map.
// It authenticates with a bearer token of scope read or a map token (?t=, as EventSource
// cannot send headers), then sends a "snapshot" of the fleet, the fixes missed since
// Last-Event-ID (when the page reconnects), and live "fix" and "state" events until the
// viewer leaves, falls behind (dropped) or the server stops.
func (s *Server) streamPositions(w http.ResponseWriter, r *http.Request) {
	if err := s.streamAuth(w, r); err != nil {
		s.writeError(w, r, err)
		return
	}
	if s.hub == nil {
		s.writeError(w, r, fleet.Errorf(fleet.EUNAVAILABLE, "the live map is not available on this server"))
		return
	}
	v := s.hub.subscribe()
	if v == nil {
		s.writeError(w, r, fleet.Errorf(fleet.EUNAVAILABLE, "the server is shutting down; try again"))
		return
	}
	defer s.hub.unsubscribe(v)
	ctx := r.Context()
	view, err := s.hub.current(ctx)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	lastID := r.Header.Get("Last-Event-ID") // sent by the browser when it reconnects by itself
	if lastID == "" {
		lastID = r.URL.Query().Get("last_event_id") // sent by the page when it opens a new stream
	}
	cursor, resumed, err := s.streamStart(ctx, lastID, view)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out := newSSEWriter(w, s.hub.cfg.WriteTimeout)
	out.header()
	out.buffer([]byte("retry: 2000\n\n")) // a dropped page reconnects after 2 s
	if !resumed && cursor != "0" {
		// A fresh viewer resumes after the snapshot next time.
		out.buffer([]byte("id: " + cursor + "\n"))
	}
	if out.write(view.snapshot.data) != nil {
		return
	}
	if cursor, err = s.backfill(ctx, out, cursor); err != nil {
		s.log.InfoContext(ctx, "live map viewer left during catch-up", "err", err)
		return
	}
	s.live(ctx, out, v, cursor)
}

// streamAuth accepts a map token (?t=) or a bearer token of scope read.
func (s *Server) streamAuth(w http.ResponseWriter, r *http.Request) error {
	if t := r.URL.Query().Get("t"); t != "" {
		_, err := ParseMapToken(s.cfg.TrackingSecret, t, s.now())
		return err
	}
	tok, err := s.authenticate(r)
	if err != nil {
		return err
	}
	return s.limit(w, r, tok)
}

// streamStart decides where the viewer's fixes start: after lastID when the positions stream
// still holds everything since (resumed), else freshReplay before the view was computed.
func (s *Server) streamStart(ctx context.Context, lastID string, view *mapView) (cursor string, resumed bool, err error) {
	first, last, err := s.hub.feed.Bounds(ctx)
	if err != nil {
		return "", false, err
	}
	if lastID != "" && validStreamID(lastID) && (first == "" || !fleet.StreamIDLess(lastID, first)) && !fleet.StreamIDLess(last, lastID) {
		return lastID, true, nil
	}
	if last == "" {
		return "0", false, nil
	}
	return strconv.FormatInt(view.built.Add(-freshReplay).UnixMilli(), 10) + "-0", false, nil
}

// validStreamID reports whether id looks like a stream entry ID ("<ms>-<seq>").
func validStreamID(id string) bool {
	dash := false
	for i, c := range id {
		switch {
		case c == '-' && !dash && i > 0 && i < len(id)-1:
			dash = true
		case c < '0' || c > '9':
			return false
		}
	}
	return dash && len(id) <= 41
}

// backfill sends the fixes after cursor that are in the stream now and returns the last ID sent.
func (s *Server) backfill(ctx context.Context, out *sseWriter, cursor string) (string, error) {
	for sent := 0; sent < backfillMax; {
		fixes, err := s.hub.feed.Read(ctx, cursor, 1000, -1)
		if err != nil || len(fixes) == 0 {
			return cursor, err
		}
		f := fixFrame(fixes)
		for _, e := range f.events {
			out.buffer(e.data)
		}
		if err := out.flush(); err != nil {
			return cursor, err
		}
		cursor, sent = fixes[len(fixes)-1].ID, sent+len(fixes)
	}
	return cursor, nil
}

// live forwards the hub's frames, skipping fixes the catch-up already sent, until the viewer
// leaves or is dropped.
func (s *Server) live(ctx context.Context, out *sseWriter, v *viewer, cursor string) {
	beat := time.NewTicker(s.hub.cfg.Heartbeat)
	defer beat.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-v.gone:
			return
		case <-beat.C:
			if out.write([]byte(": keep-alive\n\n")) != nil {
				return
			}
		case f := <-v.ch:
			for _, e := range f.events {
				if e.id != "" {
					if !fleet.StreamIDLess(cursor, e.id) {
						continue // sent by the catch-up
					}
					cursor = e.id
				}
				out.buffer(e.data)
			}
			if out.flush() != nil {
				return // too slow or gone: the page reconnects and catches up
			}
		}
	}
}

// sseWriter writes events with a deadline per write, so a viewer that stops reading is cut off
// instead of holding its goroutine.
type sseWriter struct {
	w       http.ResponseWriter
	rc      *http.ResponseController
	timeout time.Duration
	err     error
}

func newSSEWriter(w http.ResponseWriter, timeout time.Duration) *sseWriter {
	return &sseWriter{w: w, rc: http.NewResponseController(w), timeout: timeout}
}

func (o *sseWriter) header() {
	h := o.w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no") // nginx: do not buffer the stream
	h.Set("Referrer-Policy", "no-referrer")
	// A stream reads nothing after its headers: the server's ReadTimeout must not bound it.
	if err := o.rc.SetReadDeadline(time.Time{}); err != nil && !errors.Is(err, http.ErrNotSupported) {
		o.err = err
	}
	o.w.WriteHeader(http.StatusOK)
}

// buffer writes b without flushing; the first error sticks.
func (o *sseWriter) buffer(b []byte) {
	if o.err != nil {
		return
	}
	if err := o.rc.SetWriteDeadline(time.Now().Add(o.timeout)); err != nil && !errors.Is(err, http.ErrNotSupported) {
		o.err = err
		return
	}
	_, o.err = o.w.Write(b)
}

// flush sends what was buffered.
func (o *sseWriter) flush() error {
	if o.err == nil {
		o.err = o.rc.Flush()
	}
	return o.err
}

func (o *sseWriter) write(b []byte) error {
	o.buffer(b)
	return o.flush()
}
