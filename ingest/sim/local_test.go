package sim_test

import (
	"testing"

	"github.com/watchtower-ops/watchtower/ingest/sim"
)

func TestLoopback(t *testing.T) {
	for in, want := range map[string]string{":8080": "127.0.0.1:8080", "0.0.0.0:9": "127.0.0.1:9", "10.1.2.3:80": "10.1.2.3:80"} {
		if got := sim.Loopback(in); got != want {
			t.Errorf("Loopback(%q) = %q; want %q", in, got, want)
		}
	}
}

func TestRateText(t *testing.T) {
	for _, tc := range []struct {
		c    sim.Config
		want string
	}{
		{sim.Config{Trucks: 84}, "8.4 positions/s"},
		{sim.Config{Rate: -1}, "full speed"},
		{sim.Config{Rate: 500, Batch: 100}, "500 positions/s in bodies of 100"},
	} {
		if got := tc.c.RateText(); got != tc.want {
			t.Errorf("%+v.RateText() = %q; want %q", tc.c, got, tc.want)
		}
	}
}
