package ingest

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are ingest's Prometheus series. A nil *Metrics records nothing, so tests and tools
// can leave it out.
type Metrics struct {
	requests     *prometheus.CounterVec           // by HTTP status code
	accepted     prometheus.Counter               // requests' 202 series, looked up once
	seen         map[[2]string]prometheus.Counter // events' series of the webhook's hot path, looked up once
	latency      prometheus.Histogram             // webhook request latency
	events       *prometheus.CounterVec           // by type and result (accepted, duplicate, rejected)
	applied      *prometheus.CounterVec           // by type
	applyLatency prometheus.Histogram             // one batch transaction
	batchSize    prometheus.Histogram             // entries per batch
	fixAge       prometheus.Histogram             // fix time → applied
	dead         prometheus.Counter               // dead-lettered entries
	detected     *prometheus.CounterVec           // domain events by kind
	notified     prometheus.Counter               // notifications appended
	lag          *prometheus.GaugeVec             // entries not yet delivered to the group, and pending
	failures     *prometheus.CounterVec           // consumer failures by stage
}

// NewMetrics creates ingest's metrics and registers them on reg. It panics if they are
// already registered there (a wiring mistake).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	lat := []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5}
	m := &Metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "watchtower_ingest_requests_total",
			Help: "LocoNav webhook requests by HTTP status code."}, []string{"code"}),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "watchtower_ingest_request_seconds",
			Help: "LocoNav webhook request latency, body read to response.", Buckets: lat}),
		events: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "watchtower_ingest_events_total",
			Help: "Webhook events by type and result (accepted, duplicate, rejected)."}, []string{"type", "result"}),
		applied: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "watchtower_ingest_applied_total",
			Help: "Ingest entries applied to Postgres by type."}, []string{"type"}),
		applyLatency: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "watchtower_ingest_apply_seconds",
			Help: "Time to apply one batch in one transaction.", Buckets: lat}),
		batchSize: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "watchtower_ingest_batch_entries",
			Help: "Entries per consumer batch.", Buckets: prometheus.ExponentialBuckets(1, 2, 12)}),
		fixAge: prometheus.NewHistogram(prometheus.HistogramOpts{Name: "watchtower_ingest_fix_age_seconds",
			Help: "Age of a fix when its truck state was applied.", Buckets: prometheus.ExponentialBuckets(0.05, 2, 14)}),
		dead: prometheus.NewCounter(prometheus.CounterOpts{Name: "watchtower_ingest_dead_total",
			Help: "Ingest entries moved to the dead stream."}),
		detected: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "watchtower_ingest_detected_events_total",
			Help: "Domain events detected, by kind."}, []string{"kind"}),
		notified: prometheus.NewCounter(prometheus.CounterOpts{Name: "watchtower_ingest_notifications_total",
			Help: "Notifications appended to the notify stream by ingest."}),
		lag: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "watchtower_ingest_consumer_lag",
			Help: "Ingest entries waiting: 'undelivered' (not yet read by the group) and 'pending' (read, not acknowledged)."}, []string{"state"}),
		failures: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "watchtower_ingest_consumer_failures_total",
			Help: "Consumer failures by stage (read, apply, publish, ack, reclaim)."}, []string{"stage"}),
	}
	m.accepted = m.requests.WithLabelValues(strconv.Itoa(http.StatusAccepted))
	m.seen = map[[2]string]prometheus.Counter{}
	for _, typ := range []string{TypePosition, TypeAlert, "any"} {
		for _, result := range []string{"accepted", "duplicate"} {
			m.seen[[2]string{typ, result}] = m.events.WithLabelValues(typ, result)
		}
	}
	reg.MustRegister(m.requests, m.latency, m.events, m.applied, m.applyLatency, m.batchSize, m.fixAge,
		m.dead, m.detected, m.notified, m.lag, m.failures)
	return m
}

func (m *Metrics) request(code int, d time.Duration) {
	if m == nil {
		return
	}
	if code == http.StatusAccepted {
		m.accepted.Inc()
	} else {
		m.requests.WithLabelValues(strconv.Itoa(code)).Inc()
	}
	m.latency.Observe(d.Seconds())
}

func (m *Metrics) eventsSeen(typ, result string, n int) {
	if m == nil || n == 0 {
		return
	}
	if c, ok := m.seen[[2]string{typ, result}]; ok {
		c.Add(float64(n))
		return
	}
	m.events.WithLabelValues(typ, result).Add(float64(n))
}

func (m *Metrics) batch(n int, d time.Duration) {
	if m == nil {
		return
	}
	m.batchSize.Observe(float64(n))
	m.applyLatency.Observe(d.Seconds())
}

func (m *Metrics) appliedOne(typ string, fix time.Time) {
	if m == nil {
		return
	}
	m.applied.WithLabelValues(typ).Inc()
	if typ == TypePosition {
		m.fixAge.Observe(time.Since(fix).Seconds())
	}
}

func (m *Metrics) deadOne() {
	if m != nil {
		m.dead.Inc()
	}
}

func (m *Metrics) detectedKind(kind string) {
	if m != nil {
		m.detected.WithLabelValues(kind).Inc()
	}
}

func (m *Metrics) notifiedN(n int) {
	if m != nil {
		m.notified.Add(float64(n))
	}
}

func (m *Metrics) setLag(undelivered, pending int64) {
	if m == nil {
		return
	}
	m.lag.WithLabelValues("undelivered").Set(float64(undelivered))
	m.lag.WithLabelValues("pending").Set(float64(pending))
}

func (m *Metrics) failure(stage string) {
	if m != nil {
		m.failures.WithLabelValues(stage).Inc()
	}
}
