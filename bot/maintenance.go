package bot

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/tools"
	"github.com/watchtower-ops/watchtower/tools/intent"
)

// TruckService puts trucks in and out of maintenance and unmutes them, each audited.
// *store.Store satisfies it.
type TruckService interface {
	// SetTruckMaintenance puts plate in maintenance until until (nil: until set active). It
	// returns ENOTFOUND or EINVALID.
	SetTruckMaintenance(ctx context.Context, plate string, until *time.Time, who fleet.Actor) (fleet.Truck, error)
	// SetTruckActive puts plate back in service and unmutes it. It returns ENOTFOUND.
	SetTruckActive(ctx context.Context, plate string, who fleet.Actor) (fleet.Truck, error)
	// UnmuteTruck lets plate raise alerts again and reports whether it was muted. It returns
	// ENOTFOUND.
	UnmuteTruck(ctx context.Context, plate string, who fleet.Actor) (bool, error)
}

// truckService answers `/truck <plate> maintenance [until <date>]`, `/truck <plate> active`
// and `/truck <plate> unmute`; handled is false for any other /truck text.
func (h *Handler) truckService(ctx context.Context, caller tools.Caller, text string) (reply Reply, handled bool) {
	words := strings.Fields(text)
	if len(words) < 2 {
		return Reply{}, false
	}
	verb := strings.ToLower(words[1])
	if verb != "maintenance" && verb != "active" && verb != "unmute" {
		return Reply{}, false
	}
	if h.trucks == nil {
		return usage(":warning: Changing a truck's status is not available here."), true
	}
	who := fleet.Actor{ID: callerIDOf(caller), Name: caller.Name, Via: caller.Via}
	plate := words[0]
	switch verb {
	case "maintenance":
		return h.maintenance(ctx, who, plate, words[2:]), true
	case "active":
		t, err := h.trucks.SetTruckActive(ctx, plate, who)
		if err != nil {
			return Reply{View: h.problem(ctx, err, "truck active", "plate", plate)}, true
		}
		return inChannel(fmt.Sprintf(":white_check_mark: %s is back in service: it can take trips and raises alerts again.", esc(t.Plate))), true
	}
	was, err := h.trucks.UnmuteTruck(ctx, plate, who)
	if err != nil {
		return Reply{View: h.problem(ctx, err, "truck unmute", "plate", plate)}, true
	}
	if !was {
		return usage(fmt.Sprintf(":information_source: %s was not muted.", esc(fleet.NormalizePlate(plate)))), true
	}
	return inChannel(fmt.Sprintf(":bell: %s is unmuted: its alerts are posted again.", esc(fleet.NormalizePlate(plate)))), true
}

// maintenance puts plate in maintenance; rest is empty or "until <time or date>".
func (h *Handler) maintenance(ctx context.Context, who fleet.Actor, plate string, rest []string) Reply {
	var until *time.Time
	if len(rest) > 0 {
		if !strings.EqualFold(rest[0], "until") || len(rest) == 1 {
			return usage("Use `/truck " + esc(plate) + " maintenance` or `/truck " + esc(plate) + " maintenance until 2026-12-10`.")
		}
		t, err := h.untilTime(strings.Join(rest[1:], " "))
		if err != nil {
			return Reply{View: h.problem(ctx, err, "maintenance until", "plate", plate)}
		}
		until = &t
	}
	t, err := h.trucks.SetTruckMaintenance(ctx, plate, until, who)
	if err != nil {
		return Reply{View: h.problem(ctx, err, "truck maintenance", "plate", plate)}
	}
	msg := fmt.Sprintf(":wrench: %s is in maintenance: no idle, offline or overspeed alerts and no trips", esc(t.Plate))
	if until != nil {
		msg += " until " + clock(*until, h.r.Zone) + " (it then returns to service by itself)."
	} else {
		msg += " until `/truck " + esc(t.Plate) + " active`."
	}
	return inChannel(msg)
}

// untilTime reads the end of maintenance: a time ("tomorrow 8am") or a day ("2026-12-10",
// meaning the start of that day).
func (h *Handler) untilTime(s string) (time.Time, error) {
	now := h.r.now()
	t, err := intent.ParseTime(s, now, h.r.Zone)
	if err == nil {
		return t, nil
	}
	if d, derr := intent.ParseDate(s, now, h.r.Zone); derr == nil && d.After(now) {
		return d, nil
	}
	return time.Time{}, err
}

// inChannel is a sentence the whole channel sees.
func inChannel(text string) Reply {
	r := usage(text)
	r.InChannel = true
	return r
}

// callerIDOf is who the caller is for the audit log.
func callerIDOf(c tools.Caller) string {
	if c.UserID != "" {
		return c.UserID
	}
	if c.Via != "" {
		return c.Via
	}
	return "unknown"
}
