package api

import "testing"

// TestSlowViewerDropped fills one viewer's queue while another keeps reading: the full one is
// dropped (its page reconnects), the other keeps every frame, and broadcasting never waits.
func TestSlowViewerDropped(t *testing.T) {
	h := NewHub(nil, nil, nil, StreamConfig{ClientBuffer: 2}, nil)
	slow, fast := h.subscribe(), h.subscribe()
	got := 0
	for i := range 5 {
		h.broadcast(&frame{events: []sseEvent{encodeEvent("1-"+string(rune('0'+i)), "fix", i)}})
		for len(fast.ch) > 0 {
			<-fast.ch
			got++
		}
	}
	select {
	case <-slow.gone:
	default:
		t.Errorf("the viewer that never read is still subscribed; want it dropped")
	}
	if got != 5 || h.Dropped() != 1 || h.Viewers() != 1 {
		t.Errorf("fast viewer got %d frames, dropped = %d, viewers = %d; want 5, 1, 1", got, h.Dropped(), h.Viewers())
	}
	h.stop()
	select {
	case <-fast.gone:
	default:
		t.Errorf("stop left a viewer subscribed")
	}
	if h.subscribe() != nil {
		t.Errorf("subscribe after stop = a viewer; want nil")
	}
}
