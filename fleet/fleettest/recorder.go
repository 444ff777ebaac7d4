// Package fleettest holds test helpers shared by the packages that queue fleet notifications:
// a Notifier that records what it is given. It is imported by tests only.
//
// It imports fleet only.
package fleettest

import (
	"context"
	"slices"
	"sync"

	"github.com/watchtower-ops/watchtower/fleet"
)

// Recorder is a notifier (Notify(ctx, fleet.Notification) error) that keeps every
// notification it is given. When Fail is set, Notify returns it and keeps nothing. It is safe
// for concurrent use; set Fail before sharing it.
type Recorder struct {
	Fail error

	mu sync.Mutex
	ns []fleet.Notification
}

// Notify records n, or returns Fail.
func (r *Recorder) Notify(_ context.Context, n fleet.Notification) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.Fail != nil {
		return r.Fail
	}
	r.ns = append(r.ns, n)
	return nil
}

// All returns the notifications recorded so far, in order.
func (r *Recorder) All() []fleet.Notification {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.ns)
}

// Kinds returns the kinds of the notifications recorded so far, in order.
func (r *Recorder) Kinds() []fleet.NotificationKind {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]fleet.NotificationKind, len(r.ns))
	for i, n := range r.ns {
		out[i] = n.Kind
	}
	return out
}
