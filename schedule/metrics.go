package schedule

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/watchtower-ops/watchtower/fleet"
)

// metrics are the scheduler's Prometheus series; a nil *metrics records nothing.
type metrics struct {
	runs     *prometheus.CounterVec
	duration *prometheus.HistogramVec
	success  *prometheus.GaugeVec
}

// Register adds the scheduler's metrics to reg: watchtower_job_runs_total{job,outcome},
// watchtower_job_duration_seconds{job} and watchtower_job_last_success_timestamp_seconds{job}.
// Call it before Run; it returns reg's error when the names are already registered.
func (s *Scheduler) Register(reg prometheus.Registerer) error {
	m := &metrics{
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "watchtower_job_runs_total",
			Help: "Scheduled job runs on this replica by outcome (ok, failed, skipped, claim_failed).",
		}, []string{"job", "outcome"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "watchtower_job_duration_seconds",
			Help:    "How long scheduled job runs took on this replica.",
			Buckets: []float64{.01, .05, .1, .5, 1, 5, 15, 60, 300, 900},
		}, []string{"job"}),
		success: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "watchtower_job_last_success_timestamp_seconds",
			Help: "Unix time of the last successful run of each job on this replica.",
		}, []string{"job"}),
	}
	for _, c := range []prometheus.Collector{m.runs, m.duration, m.success} {
		if err := reg.Register(c); err != nil {
			return err
		}
	}
	s.metrics = m
	return nil
}

func (m *metrics) observe(job, outcome string, d time.Duration) {
	if m == nil {
		return
	}
	m.runs.WithLabelValues(job, outcome).Inc()
	if outcome == string(fleet.JobOK) || outcome == string(fleet.JobFailed) {
		m.duration.WithLabelValues(job).Observe(d.Seconds())
	}
	if outcome == string(fleet.JobOK) {
		m.success.WithLabelValues(job).SetToCurrentTime()
	}
}
