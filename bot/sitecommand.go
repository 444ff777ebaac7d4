package bot

import (
	"context"
	"fmt"
	"strings"

	"github.com/watchtower-ops/watchtower/tools"
)

// CmdSite is the site queue command: who is inside a site now, for how long, and what is usual.
const CmdSite = "/site"

// site answers "/site <code or name> [plate]".
func (h *Handler) site(ctx context.Context, text string) Reply {
	if text == "" {
		return usage("Which site? " + helpLines[CmdSite])
	}
	args := tools.SiteStatusArgs{Site: text}
	if words := strings.Fields(text); len(words) > 1 {
		if plate := words[len(words)-1]; looksLikePlate(plate) {
			args.Site, args.Truck = strings.Join(words[:len(words)-1], " "), &plate
		}
	}
	s, err := h.lookups.SiteStatus(ctx, args)
	if err != nil {
		return Reply{View: h.problem(ctx, err, "site status")}
	}
	return Reply{View: h.r.SiteStatus(s), InChannel: true}
}

// looksLikePlate reports whether w is written like a plate: letters and at least three digits.
func looksLikePlate(w string) bool {
	digits, letters := 0, 0
	for _, c := range strings.ToUpper(w) {
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c >= 'A' && c <= 'Z':
			letters++
		}
	}
	return digits >= 3 && letters >= 2
}

// SiteStatus shows a site's queue: who is inside, longest wait first, and the usual dwell.
func (r *Renderer) SiteStatus(s *tools.SiteStatus) View {
	title := fmt.Sprintf("%d trucks at %s", s.Count, s.Site)
	v := View{Text: title}.add(&Header{Text: ":hourglass_flowing_sand: " + truncate(s.Site, 120)})
	if c := s.Truck; c != nil {
		line := fmt.Sprintf("*%s* is not at %s now.", esc(c.Plate), esc(s.Code))
		if c.Inside {
			line = fmt.Sprintf("*%s* has been here *%s* (since %s).", esc(c.Plate), esc(c.Wait.Dwell), esc(c.Wait.Since))
		}
		v = v.add(&Section{Text: line})
	}
	if s.Count == 0 {
		v = v.add(&Section{Text: "No trucks inside now."})
	} else {
		lines := make([]string, 0, len(s.Trucks))
		for i, t := range s.Trucks {
			lines = append(lines, fmt.Sprintf("%d. *%s* — %s · since %s", i+1, esc(t.Plate), esc(t.Dwell), esc(t.Since)))
		}
		head := fmt.Sprintf("*%d inside now*, longest wait first:\n", s.Count)
		if s.Count == 1 {
			head = "*1 inside now:*\n"
		}
		v = v.add(&Section{Text: head + strings.Join(lines, "\n")})
	}
	notes := []string{esc(s.Typical.Text())}
	if s.Truncated {
		notes = append(notes, fmt.Sprintf("longest %d of %d shown", len(s.Trucks), s.Count))
	}
	return v.add(&Context{Items: notes})
}
