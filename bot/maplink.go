package bot

import (
	"context"
	"time"
)

// MapLinks makes links to the live fleet map. *api.MapLinker satisfies it.
type MapLinks interface {
	// MapLink returns a signed link to the map and when it expires. It returns EINVALID when
	// map links are off (no TRACKING_SECRET).
	MapLink() (link string, expires time.Time, err error)
}

// mapLink answers /watchtower map: a link only the one who asked sees, since anyone holding it
// can watch the fleet until it expires.
func (h *Handler) mapLink(ctx context.Context) Reply {
	if h.maps == nil {
		return usage(":world_map: The live map is not available on this server.")
	}
	link, exp, err := h.maps.MapLink()
	if err != nil {
		return Reply{View: h.problem(ctx, err, "make map link")}
	}
	text := ":world_map: Live fleet map, valid until " + clock(exp, h.r.Zone) +
		" (keep it to yourself: anyone with the link sees the fleet until then):\n<" + link + ">"
	v := View{Text: "Live fleet map: " + link}.add(&Section{Text: text})
	return Reply{View: v}
}
