package sim_test

import (
	"context"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/ingest"
	"github.com/watchtower-ops/watchtower/ingest/sim"
)

// recorder is a webhook that validates every push with the real decoder and keeps the fixes.
type recorder struct {
	mu     sync.Mutex
	fixes  map[string][]fleet.Position
	errors []error
}

func (rc *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	dec := ingest.Decoder{Zone: fleet.Lagos()}
	evs, err := dec.Decode(body, time.Now())
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if err != nil || r.Header.Get(ingest.SignatureHeader) != ingest.Sign("k", body) {
		rc.errors = append(rc.errors, err)
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	for _, e := range evs {
		rc.fixes[e.Position.Plate] = append(rc.fixes[e.Position.Plate], *e.Position)
	}
	w.WriteHeader(http.StatusAccepted)
}

func TestRunDrivesAValidFleet(t *testing.T) {
	rc := &recorder{fixes: map[string][]fleet.Position{}}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	rep, err := sim.Run(context.Background(), sim.Config{URL: srv.URL, Secret: "k", Trucks: 6, Rate: 120, Batch: 3,
		Duration: 2 * time.Second, Speedup: 300, SilentAfter: 500 * time.Millisecond,
		Vehicles: []sim.Vehicle{{Plate: "T11985LA", IMEI: "863577189228059"}}})
	if err != nil {
		t.Fatal(err)
	}
	if len(rc.errors) > 0 || rep.Codes[http.StatusAccepted] != rep.Requests || rep.Positions == 0 {
		t.Fatalf("report %+v, decoder errors %v; want every body valid and accepted", rep, rc.errors)
	}
	if len(rc.fixes["T11985LA"]) == 0 {
		t.Errorf("the given vehicle never reported; plates %v", keys(rc.fixes))
	}
	moved := false
	for plate, fixes := range rc.fixes {
		// Requests are in flight concurrently, so fixes arrive out of order; none may repeat.
		slices.SortFunc(fixes, func(a, b fleet.Position) int { return a.FixTime.Compare(b.FixTime) })
		for i := 1; i < len(fixes); i++ {
			if !fixes[i].FixTime.After(fixes[i-1].FixTime) {
				t.Errorf("%s: two fixes at %v; fix times must differ per truck", plate, fixes[i].FixTime)
			}
		}
		if len(fixes) > 1 && fleet.DistanceM(fixes[0].Point, fixes[len(fixes)-1].Point) > 100 {
			moved = true
		}
	}
	if !moved {
		t.Error("no truck moved more than 100 m at 300× speed-up")
	}
	silent := rc.fixes["T10005SM"]
	if n := len(rc.fixes["T10004SM"]); len(silent) == 0 || len(silent) >= n {
		t.Errorf("the last truck sent %d fixes and its neighbour %d; want it to fall silent", len(silent), n)
	}
	if rep.P50 <= 0 || rep.P99 < rep.P50 {
		t.Errorf("latencies p50 %v p99 %v; want measured", rep.P50, rep.P99)
	}
}

func keys(m map[string][]fleet.Position) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestConfigErrors(t *testing.T) {
	if _, err := sim.Run(context.Background(), sim.Config{Secret: "k"}); err == nil {
		t.Error("Run without URL: no error; want one")
	}
	if _, err := sim.Run(context.Background(), sim.Config{URL: "http://127.0.0.1:1"}); err == nil {
		t.Error("Run without secret or token: no error; want one")
	}
}

func TestCheckFlags(t *testing.T) {
	tests := []struct {
		args []string
		want string // a word of the error; "" for none
	}{
		{nil, ""},
		{[]string{"--trucks", "0"}, "--trucks"},
		{[]string{"--concurrency", "0"}, "--concurrency"},
		{[]string{"--batch", "2001"}, "--batch"},
		{[]string{"--url", "ftp://x"}, "--url"},
	}
	for _, tt := range tests {
		var c sim.Config
		fs := flag.NewFlagSet("simulate", flag.ContinueOnError)
		c.Flags(fs)
		if err := fs.Parse(tt.args); err != nil {
			t.Fatal(err)
		}
		err := c.CheckFlags()
		if got := err != nil && strings.Contains(err.Error(), tt.want); tt.want != "" && !got || tt.want == "" && err != nil {
			t.Errorf("CheckFlags after %v = %v; want an error naming %q", tt.args, err, tt.want)
		}
	}
}
