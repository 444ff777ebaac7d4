package bot

import (
	"github.com/prometheus/client_golang/prometheus"
)

// Metrics counts what the Slack side does. A nil *Metrics counts nothing.
type Metrics struct {
	envelopes     *prometheus.CounterVec
	refused       *prometheus.CounterVec
	notifications *prometheus.CounterVec
	rateLimited   prometheus.Counter
}

// NewMetrics registers the Slack metrics on reg. It returns the registry's error when a
// metric of the same name is already registered.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		envelopes: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "watchtower_slack_envelopes_total",
			Help: "Socket Mode envelopes received, by type."}, []string{"type"}),
		refused: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "watchtower_slack_refused_total",
			Help: "Work refused because its queue was full, by pool (answers, commands)."}, []string{"pool"}),
		notifications: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "watchtower_slack_notifications_total",
			Help: "Notifications taken off the notify stream, by result (sent, duplicate, dead)."}, []string{"result"}),
		rateLimited: prometheus.NewCounter(prometheus.CounterOpts{Name: "watchtower_slack_rate_limited_total",
			Help: "Slack Web API calls answered with HTTP 429 or ratelimited."}),
	}
	for _, c := range []prometheus.Collector{m.envelopes, m.refused, m.notifications, m.rateLimited} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

func (m *Metrics) envelope(typ string) {
	if m != nil {
		m.envelopes.WithLabelValues(typ).Inc()
	}
}

func (m *Metrics) refusedWork(pool string) {
	if m != nil {
		m.refused.WithLabelValues(pool).Inc()
	}
}

func (m *Metrics) notification(result string) {
	if m != nil {
		m.notifications.WithLabelValues(result).Inc()
	}
}

func (m *Metrics) limited() {
	if m != nil {
		m.rateLimited.Inc()
	}
}
