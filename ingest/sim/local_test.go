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

// TestLocalEnv checks the local try-out's defaults: they fill only what the environment
// leaves unset, and a secret is made up only when neither webhook credential is set.
func TestLocalEnv(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	get := sim.LocalEnv(env(map[string]string{"HTTP_ADDR": ":9000", "IDLE_AFTER": "20m"}))
	if get("HTTP_ADDR") != ":9000" || get("IDLE_AFTER") != "20m" || get("OFFLINE_AFTER") != "3m" {
		t.Errorf("HTTP_ADDR %q IDLE_AFTER %q OFFLINE_AFTER %q; want :9000, 20m (set) and 3m (demo default)",
			get("HTTP_ADDR"), get("IDLE_AFTER"), get("OFFLINE_AFTER"))
	}
	if s := get("LOCONAV_WEBHOOK_SECRET"); len(s) != 64 || get("LOCONAV_WEBHOOK_SECRET") != s {
		t.Errorf("LOCONAV_WEBHOOK_SECRET = %q; want one 64-hex secret for the whole run", s)
	}
	if got := get("PUBLIC_BASE_URL"); got != "http://127.0.0.1:9000" {
		t.Errorf("PUBLIC_BASE_URL = %q; want the listener, http://127.0.0.1:9000", got)
	}
	if got := get("DATABASE_URL"); got != sim.LocalDatabaseURL {
		t.Errorf("DATABASE_URL = %q; want the local default %q", got, sim.LocalDatabaseURL)
	}
	if got := sim.LocalEnv(env(map[string]string{"DATABASE_URL": "postgres://h/x"}))("DATABASE_URL"); got != "postgres://h/x" {
		t.Errorf("DATABASE_URL set = %q; want it kept", got)
	}
	tokenOnly := sim.LocalEnv(env(map[string]string{"LOCONAV_WEBHOOK_TOKEN": "tok"}))
	if s := tokenOnly("LOCONAV_WEBHOOK_SECRET"); s != "" {
		t.Errorf("with LOCONAV_WEBHOOK_TOKEN set, LOCONAV_WEBHOOK_SECRET = %q; want it left unset", s)
	}
}

func TestLocal(t *testing.T) {
	vs := []sim.Vehicle{{Plate: "T1LA", IMEI: "1"}, {Plate: "T2LA", IMEI: "2"}}
	c, err := sim.Local(":8080", "s", "tok", nil, 2, vs)
	if err != nil || c.URL != "http://127.0.0.1:8080/webhooks/loconav" || c.Secret != "s" || c.Token != "" || c.Trucks != 2 {
		t.Errorf("Local with a secret and a token = %+v, %v; want the loopback URL, signed with the secret, 2 trucks", c, err)
	}
	if c, err := sim.Local(":8080", "", "tok", nil, 1, vs); err != nil || c.Token != "tok" {
		t.Errorf("Local with a token only = %+v, %v; want the token", c, err)
	}
	if _, err := sim.Local(":8080", "", "", nil, 1, vs); err == nil {
		t.Error("Local without secret or token = nil error; want an error")
	}
}
