package sim

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/watchtower-ops/watchtower/fleet"
)

// builder writes LocoNav location pushes with strconv, not reflection: the load generator
// must stay cheap next to the server it measures.
type builder struct {
	cfg     Config
	rfc3339 bool // fixes come faster than one a second per truck: LocoNav's format has no fraction
}

// build returns a body of cfg.Batch positions (a bare object when Batch is 1) of the next trucks
// after *k that are reporting, and how many it holds.
func (b *builder) build(trucks []*truck, k *int, now, sim time.Time) ([]byte, int) {
	buf := make([]byte, 0, 320*b.cfg.Batch+2)
	if b.cfg.Batch > 1 {
		buf = append(buf, '[')
	}
	n := 0
	for tries := 0; n < b.cfg.Batch && tries < len(trucks)*2; tries++ {
		t := trucks[*k%len(trucks)]
		*k++
		if !t.silentAfter.IsZero() && now.After(t.silentAfter) {
			continue
		}
		if n > 0 {
			buf = append(buf, ',')
		}
		t.advance(sim)
		buf = b.push(buf, t, now)
		n++
	}
	if b.cfg.Batch > 1 {
		buf = append(buf, ']')
	}
	return buf, n
}

// push appends one location push; the fix time is kept increasing per truck so no two fixes
// of a device share a timestamp (the server would count the second as a replay).
func (b *builder) push(buf []byte, t *truck, now time.Time) []byte {
	step := time.Second
	if b.rfc3339 {
		step = time.Millisecond
	}
	fix := now.Truncate(step)
	if !fix.After(t.lastFix) {
		fix = t.lastFix.Add(step)
	}
	t.lastFix = fix
	buf = append(buf, `{"imei":"`...)
	buf = append(buf, t.imei...)
	buf = append(buf, `","vehiclenumber":"`...)
	buf = append(buf, t.plate...)
	buf = append(buf, `","gpstime":"`...)
	if b.rfc3339 {
		buf = fix.UTC().AppendFormat(buf, "2006-01-02T15:04:05.000Z")
	} else {
		buf = fix.In(b.cfg.Zone).AppendFormat(buf, "02-01-2006 15:04:05")
	}
	buf = append(buf, `","latitude":`...)
	buf = strconv.AppendFloat(buf, t.pos.Lat, 'f', 6, 64)
	buf = append(buf, `,"longitude":`...)
	buf = strconv.AppendFloat(buf, t.pos.Lng, 'f', 6, 64)
	buf = append(buf, `,"speed":`...)
	buf = strconv.AppendFloat(buf, t.speed, 'f', 1, 64)
	buf = append(buf, `,"orientation":`...)
	buf = strconv.AppendFloat(buf, t.heading, 'f', 1, 64)
	buf = append(buf, `,"ignition":"`...)
	buf = append(buf, "01"[boolInt(t.ign)])
	return append(buf, `","harshBraking":"0","harshAcceleration":"0","sharpTurn":"0","rockBreakerPedal":"0"}`...)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Report is what a run achieved.
type Report struct {
	Elapsed   time.Duration
	Requests  int64 // answered
	Positions int64 // in answered-202 bodies
	Errors    int64 // transport failures (no answer)
	Codes     map[int]int64
	P50, P90  time.Duration
	P99, Max  time.Duration
}

// RequestsPerSecond is the achieved request rate.
func (r Report) RequestsPerSecond() float64 { return float64(r.Requests) / r.Elapsed.Seconds() }

// PositionsPerSecond is the achieved rate of accepted positions.
func (r Report) PositionsPerSecond() float64 { return float64(r.Positions) / r.Elapsed.Seconds() }

// String formats the report in a few lines.
func (r Report) String() string {
	var codes []string
	for c, n := range r.Codes {
		codes = append(codes, strconv.Itoa(c)+"×"+strconv.FormatInt(n, 10))
	}
	slices.Sort(codes)
	ms := func(d time.Duration) string { return strconv.FormatFloat(float64(d)/1e6, 'f', 2, 64) + " ms" }
	return "requests:   " + strconv.FormatInt(r.Requests, 10) + " in " + fleet.FormatElapsed(r.Elapsed) +
		" = " + strconv.FormatFloat(r.RequestsPerSecond(), 'f', 0, 64) + " req/s (" + strings.Join(codes, ", ") +
		"; " + strconv.FormatInt(r.Errors, 10) + " transport errors)\n" +
		"positions:  " + strconv.FormatInt(r.Positions, 10) + " accepted = " + strconv.FormatFloat(r.PositionsPerSecond(), 'f', 0, 64) + " positions/s\n" +
		"latency:    p50 " + ms(r.P50) + ", p90 " + ms(r.P90) + ", p99 " + ms(r.P99) + ", max " + ms(r.Max) + "\n"
}

func report(rs []workerResult, elapsed time.Duration) Report {
	rep := Report{Elapsed: elapsed, Codes: map[int]int64{}}
	var lat []time.Duration
	for _, r := range rs {
		lat = append(lat, r.latencies...)
		rep.Positions += r.positions
		rep.Errors += r.errors
		for c, n := range r.codes {
			rep.Codes[c] += n
		}
	}
	rep.Requests = int64(len(lat))
	if len(lat) == 0 {
		return rep
	}
	slices.Sort(lat)
	q := func(p float64) time.Duration { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
	rep.P50, rep.P90, rep.P99, rep.Max = q(0.50), q(0.90), q(0.99), lat[len(lat)-1]
	return rep
}
