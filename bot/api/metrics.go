package api

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the API's Prometheus series.
type metrics struct {
	requests      *prometheus.CounterVec   // by route and status
	duration      *prometheus.HistogramVec // by route
	rateLimited   prometheus.Counter
	limiterErrors prometheus.Counter
}

// newMetrics creates the series and registers them on reg unless reg is nil.
func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "watchtower_api_requests_total", Help: "API and tracking page requests by route and HTTP status.",
		}, []string{"route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "watchtower_api_request_duration_seconds", Help: "API and tracking page latency by route.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"route"}),
		rateLimited: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "watchtower_api_rate_limited_total", Help: "API requests refused with 429.",
		}),
		limiterErrors: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "watchtower_api_rate_limiter_errors_total", Help: "API requests let through because Redis could not be asked.",
		}),
	}
	if reg == nil {
		return m, nil
	}
	for _, c := range []prometheus.Collector{m.requests, m.duration, m.rateLimited, m.limiterErrors} {
		if err := reg.Register(c); err != nil {
			return nil, errors.Join(errors.New("register api metrics"), err)
		}
	}
	return m, nil
}

// statusRecorder remembers the status a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (w *statusRecorder) WriteHeader(status int) {
	if w.status == 0 {
		w.status = status
	}
	w.ResponseWriter.WriteHeader(status)
}

func (w *statusRecorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection (flushes, write deadlines).
func (w *statusRecorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// instrument counts and times h under name, and turns a panic into a logged 500 in the error
// shape instead of a dropped connection.
func (s *Server) instrument(name string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.log.ErrorContext(r.Context(), "api handler panicked", "route", name, "panic", p)
				if rec.status == 0 {
					s.writeJSON(rec, r, http.StatusInternalServerError,
						errorBody{Error: errorDetail{Code: "internal", Message: "internal error"}})
				}
			}
			s.metrics.requests.WithLabelValues(name, strconv.Itoa(max(rec.status, http.StatusOK))).Inc()
			s.metrics.duration.WithLabelValues(name).Observe(time.Since(start).Seconds())
		}()
		h.ServeHTTP(rec, r)
	})
}
