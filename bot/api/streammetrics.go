package api

import (
	"errors"

	"github.com/prometheus/client_golang/prometheus"
)

// registerHub exports the live map's open streams and the viewers dropped as too slow on reg.
func registerHub(reg prometheus.Registerer, h *Hub) error {
	if reg == nil || h == nil {
		return nil
	}
	viewers := prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "watchtower_map_viewers", Help: "Live map streams open in this process.",
	}, func() float64 { return float64(h.Viewers()) })
	dropped := prometheus.NewCounterFunc(prometheus.CounterOpts{
		Name: "watchtower_map_viewers_dropped_total", Help: "Live map streams dropped for falling behind.",
	}, func() float64 { return float64(h.Dropped()) })
	for _, c := range []prometheus.Collector{viewers, dropped} {
		if err := reg.Register(c); err != nil {
			return errors.Join(errors.New("register live map metrics"), err)
		}
	}
	return nil
}
