// Package sim simulates a Lagos container fleet and posts its positions as signed LocoNav
// location pushes to a webhook URL. Trucks shuttle between the demo sites (ports to clients,
// clients to depots or back to the port) with dwells, engine-on loading, traffic stops, the odd
// overspeed stretch and one truck that falls silent. It is the demo's data source and the load
// generator of the ingest benchmarks: it paces requests open-loop at a target rate and reports
// the achieved rate and latency percentiles.
//
// It imports fleet and ingest only, never store: main hands it the demo roster's vehicles.
package sim

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
	"github.com/watchtower-ops/watchtower/ingest"
)

// Vehicle is a truck to simulate.
type Vehicle struct{ Plate, IMEI string }

// Config configures a run. URL and one of Secret or Token are required.
type Config struct {
	URL         string         // the webhook, e.g. http://127.0.0.1:8080/webhooks/loconav
	Secret      string         // signs each body (X-LocoNav-Signature)
	Token       string         // instead of signing, appended to URL as the path token
	Trucks      int            // how many trucks (default 84)
	Vehicles    []Vehicle      // plates and IMEIs to use first; generated beyond them
	Sites       []fleet.Site   // default DefaultSites()
	Rate        float64        // positions per second for the fleet (default one per truck every 10 s; < 0: as fast as possible)
	Batch       int            // positions per request (default 1)
	Duration    time.Duration  // 0: until ctx is done
	Concurrency int            // requests in flight (default 64)
	Speedup     float64        // simulated movement runs this many times faster than the clock (default 1)
	Zone        *time.Location // zone of LocoNav's naive gpstime (default Africa/Lagos)
	Client      *http.Client   // default: a pooled client sized for Concurrency
	Seed        uint64         // deterministic routes for a given seed
	Silent      bool           // make the last truck fall silent (always on with ≥ 5 trucks)
	SilentAfter time.Duration  // when it falls silent (default 1 min)
}

// DefaultSites returns the Lagos demo sites (the same codes and places as the seed).
func DefaultSites() []fleet.Site {
	s := func(code, name string, kind fleet.SiteKind, lat, lng, r float64) fleet.Site {
		return fleet.Site{Code: code, Name: name, Kind: kind, Point: fleet.Point{Lat: lat, Lng: lng}, RadiusM: r}
	}
	return []fleet.Site{
		s("ESSLIBRA", "ESSLIBRA Terminal Ibeshe", fleet.SiteTerminal, 6.556389, 3.475556, 300),
		s("APAPA", "Apapa Port Complex", fleet.SiteTerminal, 6.4478, 3.3680, 300),
		s("TINCAN", "Tin Can Island Port", fleet.SiteTerminal, 6.4383, 3.3436, 300),
		s("ECLAT", "Eclat Warehouse Ikeja", fleet.SiteClient, 6.6050, 3.3490, 150),
		s("DEEKAY", "Deekay Group Agbara", fleet.SiteClient, 6.5100, 3.1000, 200),
		s("OTA", "Ota Industrial Cluster", fleet.SiteClient, 6.6930, 3.2350, 200),
		s("OREGUN", "Oregun Distribution Centre", fleet.SiteClient, 6.6100, 3.3650, 150),
		s("ILUPEJU", "Ilupeju Industrial Estate", fleet.SiteClient, 6.5540, 3.3580, 150),
		s("MILE2", "Mile 2 Truck Park", fleet.SiteDepot, 6.4650, 3.3090, 250),
		s("IKORODU", "Ikorodu Yard", fleet.SiteDepot, 6.6194, 3.5105, 200),
	}
}

func (c *Config) defaults() error {
	switch {
	case c.URL == "":
		return fmt.Errorf("sim: a webhook URL is required")
	case c.Secret == "" && c.Token == "":
		return fmt.Errorf("sim: a signing secret or a path token is required")
	}
	if c.Trucks <= 0 {
		c.Trucks = 84
	}
	if c.Batch <= 0 {
		c.Batch = 1
	}
	if c.Rate == 0 {
		c.Rate = float64(c.Trucks) / 10
	}
	if c.Concurrency <= 0 {
		c.Concurrency = 64
	}
	if c.Speedup <= 0 {
		c.Speedup = 1
	}
	if c.Zone == nil {
		c.Zone = fleet.Lagos()
	}
	if len(c.Sites) == 0 {
		c.Sites = DefaultSites()
	}
	if c.Client == nil {
		c.Client = &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
			MaxIdleConns: c.Concurrency, MaxIdleConnsPerHost: c.Concurrency, IdleConnTimeout: time.Minute}}
	}
	if c.Token != "" {
		c.URL = strings.TrimRight(c.URL, "/") + "/" + c.Token
	}
	c.Silent = c.Silent || c.Trucks >= 5
	if c.SilentAfter <= 0 {
		c.SilentAfter = time.Minute
	}
	return nil
}

// fleetOf builds the trucks: the given vehicles first, then generated T#####SM plates.
func fleetOf(cfg Config, start time.Time) []*truck {
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x5eed))
	trucks := make([]*truck, cfg.Trucks)
	for i := range trucks {
		v := Vehicle{Plate: fmt.Sprintf("T%05dSM", 10000+i), IMEI: fmt.Sprintf("86%013d", 1000+i)}
		if i < len(cfg.Vehicles) {
			v = cfg.Vehicles[i]
		}
		trucks[i] = newTruck(v.Plate, v.IMEI, cfg.Sites, rand.New(rand.NewPCG(rng.Uint64(), uint64(i))), start)
	}
	if cfg.Silent {
		trucks[len(trucks)-1].silentAfter = start.Add(cfg.SilentAfter)
	}
	return trucks
}

// request is one body ready to post.
type request struct {
	body      []byte
	positions int
}

// Run drives the fleet until cfg.Duration passes or ctx is done and returns what it achieved.
// It returns an error only for a bad configuration; failed requests are counted in the report.
func Run(ctx context.Context, cfg Config) (Report, error) {
	if err := cfg.defaults(); err != nil {
		return Report{}, err
	}
	if cfg.Duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, cfg.Duration)
		defer cancel()
	}
	start := time.Now()
	trucks := fleetOf(cfg, start)
	reqs := make(chan request, cfg.Concurrency)
	results := make(chan workerResult, cfg.Concurrency)
	for range cfg.Concurrency {
		go func() { results <- post(ctx, cfg, reqs) }()
	}
	dispatch(ctx, cfg, trucks, start, reqs)
	close(reqs)
	var all []workerResult
	for range cfg.Concurrency {
		all = append(all, <-results)
	}
	return report(all, time.Since(start)), nil
}

// dispatch builds requests round-robin over the trucks at cfg.Rate positions per second
// (open loop: a request's slot does not wait for earlier answers, only for a free worker).
func dispatch(ctx context.Context, cfg Config, trucks []*truck, start time.Time, reqs chan<- request) {
	every := time.Duration(0)
	if cfg.Rate > 0 {
		every = time.Duration(float64(cfg.Batch) / cfg.Rate * float64(time.Second))
	}
	perTruck := time.Duration(float64(len(trucks)) / max(cfg.Rate, 1) * float64(time.Second))
	b := &builder{cfg: cfg, rfc3339: perTruck < time.Second}
	next, k := start, 0
	for ctx.Err() == nil {
		if every > 0 {
			if wait := time.Until(next); wait > 0 {
				sleep(ctx, wait)
			}
			next = next.Add(every)
		}
		now := time.Now()
		sim := start.Add(time.Duration(float64(now.Sub(start)) * cfg.Speedup))
		body, n := b.build(trucks, &k, now, sim)
		select {
		case reqs <- request{body: body, positions: n}:
		case <-ctx.Done():
			return
		}
	}
}

func sleep(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

type workerResult struct {
	latencies []time.Duration
	positions int64
	codes     map[int]int64
	errors    int64
}

// post sends requests until reqs closes, timing each from send to the end of the answer.
func post(ctx context.Context, cfg Config, reqs <-chan request) workerResult {
	r := workerResult{codes: map[int]int64{}}
	for req := range reqs {
		hreq, _ := http.NewRequestWithContext(context.WithoutCancel(ctx), http.MethodPost, cfg.URL, bytes.NewReader(req.body))
		hreq.Header.Set("Content-Type", "application/json")
		if cfg.Token == "" {
			hreq.Header.Set(ingest.SignatureHeader, ingest.Sign(cfg.Secret, req.body))
		}
		t0 := time.Now()
		res, err := cfg.Client.Do(hreq)
		if err != nil {
			r.errors++
			continue
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		r.latencies = append(r.latencies, time.Since(t0))
		r.codes[res.StatusCode]++
		if res.StatusCode == http.StatusAccepted {
			r.positions += int64(req.positions)
		}
	}
	return r
}
