package api

import (
	"context"
	"encoding/json"
	"time"

	"github.com/watchtower-ops/watchtower/tools"
)

// tripMapSite is a site of the tracking page's map.
type tripMapSite struct {
	Name string  `json:"name"`
	Lat  float64 `json:"lat"`
	Lng  float64 `json:"lng"`
}

// tripMapTruck is the truck on the tracking page's map.
type tripMapTruck struct {
	Plate   string    `json:"plate"`
	State   string    `json:"status"`
	Lat     float64   `json:"lat"`
	Lng     float64   `json:"lng"`
	FixTime time.Time `json:"fix_time"`
}

// tripMap fills the trip map of v: the origin and destination (when the catalog knows where
// they are) and the truck while the trip is live. Without sites the page shows no map; a
// failure to list them is logged and costs only the map.
func (s *Server) tripMap(ctx context.Context, v *trackView, d *tools.TripDetails) {
	sites, err := s.deps.Catalog.ListSites(ctx)
	if err != nil {
		s.log.WarnContext(ctx, "tracking page map: list sites", "err", err, "trip_id", d.TripID)
		return
	}
	var route []tripMapSite
	for _, ref := range []tools.SiteRef{d.Origin, d.Destination} {
		for _, st := range sites {
			if st.Code == ref.Code {
				route = append(route, tripMapSite{Name: siteLabel(ref), Lat: st.Point.Lat, Lng: st.Point.Lng})
			}
		}
	}
	if len(route) == 0 {
		return
	}
	b, _ := json.Marshal(route)
	v.Route, v.TileURL, v.Attribution, v.Now = string(b), s.tiles.url, s.tiles.attribution, s.now().UnixMilli()
	if v.Live {
		b, _ := json.Marshal(tripMapTruck{Plate: d.Truck.Plate, State: string(d.Truck.Status), Lat: d.Truck.Lat,
			Lng: d.Truck.Lng, FixTime: d.Truck.FixTime})
		v.Truck = string(b)
	}
}
