package api

import (
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/tools"
)

// Fix is one applied position of the positions stream, with its stream entry ID.
type Fix = fleet.Fix

// Feed reads the positions stream every replica's consumers append to. *ingest.PositionStream
// satisfies it.
type Feed interface {
	// Read returns up to count fixes after the entry ID after ("0": from the oldest kept),
	// waiting up to block for the first when there is none yet (block < 0: not at all). It
	// returns EUNAVAILABLE when the stream cannot be reached.
	Read(ctx context.Context, after string, count int, block time.Duration) ([]Fix, error)
	// Bounds returns the IDs of the oldest and newest entries kept ("" when empty). It returns
	// EUNAVAILABLE.
	Bounds(ctx context.Context) (first, last string, err error)
}

// Drivers names the trucks' current drivers for the map. main adapts *store.Store to it.
type Drivers interface {
	// DriverNames returns plate → name of the current driver, for every truck that has one.
	DriverNames(ctx context.Context) (map[string]string, error)
}

// StreamConfig tunes the live map stream. Zero fields take the defaults.
type StreamConfig struct {
	ClientBuffer int           // frames queued per viewer before it is dropped as too slow (default 64)
	Coalesce     time.Duration // fixes arriving within this window go out as one frame (default 1 s)
	Refresh      time.Duration // states are recomputed at most this often after fixes (default 2 s)
	Tick         time.Duration // and at least this often, for trucks going offline (default 15 s)
	Block        time.Duration // how long one read of the positions stream waits (default 2 s)
	WriteTimeout time.Duration // a write to a viewer taking longer drops it (default 10 s)
	Heartbeat    time.Duration // a comment line keeps proxies from closing a quiet stream (default 20 s)
}

func (c *StreamConfig) defaults() {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	if c.ClientBuffer <= 0 {
		c.ClientBuffer = 64
	}
	def(&c.Coalesce, time.Second)
	def(&c.Refresh, 2*time.Second)
	def(&c.Tick, 15*time.Second)
	def(&c.Block, 2*time.Second)
	def(&c.WriteTimeout, 10*time.Second)
	def(&c.Heartbeat, 20*time.Second)
}

// Hub fans the positions stream out to the open map streams of this process: one goroutine
// reads Redis, encodes each batch of fixes once and hands it to every viewer's bounded queue;
// a viewer whose queue is full is dropped (its page reconnects and catches up by
// Last-Event-ID), so a slow viewer never holds back ingest or other viewers. It also keeps the
// fleet view (each truck's state by get_fleet_status, the computation /fleet uses) and sends
// the trucks whose state changed. It is safe for concurrent use.
type Hub struct {
	feed    Feed
	trucks  Trucks
	drivers Drivers
	cfg     StreamConfig
	log     *slog.Logger
	warn    rate.Sometimes

	mu     sync.Mutex
	subs   map[*viewer]struct{}
	closed bool

	computeMu sync.Mutex // serialises recomputes; guards names and namesAt
	names     map[string]string
	namesAt   time.Time
	view      atomic.Pointer[mapView]
	dropped   atomic.Int64
}

// NewHub returns a hub reading feed and computing states with trucks. drivers may be nil (no
// driver names); log may be nil. Its intervals run on the wall clock; the states are as of the
// fleet functions' clock.
func NewHub(feed Feed, trucks Trucks, drivers Drivers, cfg StreamConfig, log *slog.Logger) *Hub {
	cfg.defaults()
	if log == nil {
		log = slog.Default()
	}
	return &Hub{feed: feed, trucks: trucks, drivers: drivers, cfg: cfg, log: log,
		warn: rate.Sometimes{Interval: time.Minute}, subs: map[*viewer]struct{}{}}
}

// viewer is one open map stream.
type viewer struct {
	ch   chan *frame
	gone chan struct{} // closed when the hub drops the viewer or stops
	once sync.Once
}

func (v *viewer) drop() { v.once.Do(func() { close(v.gone) }) }

// frame is a batch of server-sent events, encoded once for every viewer.
type frame struct{ events []sseEvent }

// sseEvent is one encoded event; id is its stream entry ID, "" for events outside the stream.
type sseEvent struct {
	id   string
	data []byte
}

// Run reads the positions stream and feeds the viewers until ctx is done, then drops every
// viewer and returns nil. Redis outages are logged and retried.
func (h *Hub) Run(ctx context.Context) error {
	defer h.stop()
	var cursor string
	for ctx.Err() == nil {
		_, last, err := h.feed.Bounds(ctx)
		if err == nil {
			cursor = last
			if cursor == "" {
				cursor = "0"
			}
			break
		}
		h.fail(ctx, err)
		sleepCtx(ctx, time.Second)
	}
	lastCompute, dirty := time.Now(), false
	for ctx.Err() == nil {
		fixes, err := h.feed.Read(ctx, cursor, 1000, h.cfg.Block)
		if err != nil {
			h.fail(ctx, err)
			sleepCtx(ctx, time.Second)
			continue
		}
		if len(fixes) > 0 {
			cursor = fixes[len(fixes)-1].ID
			h.broadcast(fixFrame(fixes))
			dirty = true
		}
		if now := time.Now(); h.watched() && (dirty && now.Sub(lastCompute) >= h.cfg.Refresh || now.Sub(lastCompute) >= h.cfg.Tick) {
			if err := h.recompute(ctx, true); err != nil {
				h.fail(ctx, err)
			}
			lastCompute, dirty = now, false
		}
		if len(fixes) > 0 {
			sleepCtx(ctx, h.cfg.Coalesce) // let a few more fixes gather into the next frame
		}
	}
	return nil
}

func (h *Hub) fail(ctx context.Context, err error) {
	if ctx.Err() == nil {
		h.warn.Do(func() { h.log.WarnContext(ctx, "live map stream", "err", err) })
	}
}

// stop drops every viewer; later subscriptions fail.
func (h *Hub) stop() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closed = true
	for v := range h.subs {
		v.drop()
		delete(h.subs, v)
	}
}

// subscribe adds a viewer, or returns nil when the hub has stopped.
func (h *Hub) subscribe() *viewer {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil
	}
	v := &viewer{ch: make(chan *frame, h.cfg.ClientBuffer), gone: make(chan struct{})}
	h.subs[v] = struct{}{}
	return v
}

// unsubscribe removes v.
func (h *Hub) unsubscribe(v *viewer) {
	h.mu.Lock()
	delete(h.subs, v)
	h.mu.Unlock()
	v.drop()
}

// watched reports whether any viewer is connected.
func (h *Hub) watched() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs) > 0
}

// Viewers returns how many map streams are open in this process.
func (h *Hub) Viewers() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.subs)
}

// Dropped returns how many viewers were dropped for falling behind.
func (h *Hub) Dropped() int64 { return h.dropped.Load() }

// broadcast queues f for every viewer, dropping those whose queue is full. It never blocks.
func (h *Hub) broadcast(f *frame) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for v := range h.subs {
		select {
		case v.ch <- f:
		default:
			delete(h.subs, v)
			v.drop()
			h.dropped.Add(1)
		}
	}
}

// fixEvent is what a "fix" event carries.
type fixEvent struct {
	Plate    string    `json:"plate"`
	Lat      float64   `json:"lat"`
	Lng      float64   `json:"lng"`
	SpeedKmh float64   `json:"speed_kmh"`
	Heading  float64   `json:"heading"`
	FixTime  time.Time `json:"fix_time"`
}

// fixFrame encodes fixes as "fix" events carrying their stream IDs.
func fixFrame(fixes []Fix) *frame {
	f := &frame{events: make([]sseEvent, 0, len(fixes))}
	for _, x := range fixes {
		p := x.Position
		f.events = append(f.events, encodeEvent(x.ID, "fix", fixEvent{Plate: p.Plate, Lat: p.Point.Lat, Lng: p.Point.Lng,
			SpeedKmh: p.SpeedKmh, Heading: p.Heading, FixTime: p.FixTime.UTC()}))
	}
	return f
}

// encodeEvent encodes one server-sent event. JSON has no raw newlines, so data is one line.
func encodeEvent(id, name string, v any) sseEvent {
	body, err := json.Marshal(v)
	if err != nil { // the values are ours: plain structs and maps
		panic(err)
	}
	var b []byte
	if id != "" {
		b = append(append(append(b, "id: "...), id...), '\n')
	}
	b = append(append(append(b, "event: "...), name...), '\n')
	b = append(append(append(b, "data: "...), body...), "\n\n"...)
	return sseEvent{id: id, data: b}
}

// sleepCtx waits d or until ctx is done.
func sleepCtx(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// statusArgs asks get_fleet_status for every truck.
func statusArgs() tools.FleetStatusArgs {
	all := tools.FilterAll
	return tools.FleetStatusArgs{Filter: &all}
}
