// Package metrics defines the relay's Prometheus metrics on a registry of
// its own (so several relays can run in one test process).
package metrics

import (
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics is the relay's instrumentation.
type Metrics struct {
	reg          *prometheus.Registry
	Dancers      prometheus.Gauge
	DJs          prometheus.Gauge
	Sessions     prometheus.Gauge
	MessagesIn   *prometheus.CounterVec
	MessagesOut  *prometheus.CounterVec
	Errors       *prometheus.CounterVec
	FanoutSecs   prometheus.Histogram
	DBSecs       *prometheus.HistogramVec
	SlowDropped  prometheus.Counter
	HTTPRequests *prometheus.CounterVec
}

// New registers every metric, with the Go runtime and process collectors.
func New() *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{
		reg:      reg,
		Dancers:  prometheus.NewGauge(prometheus.GaugeOpts{Name: "pika_dancers_connected", Help: "Dancer WebSocket connections subscribed to a session."}),
		DJs:      prometheus.NewGauge(prometheus.GaugeOpts{Name: "pika_djs_connected", Help: "DJ WebSocket connections running a session."}),
		Sessions: prometheus.NewGauge(prometheus.GaugeOpts{Name: "pika_sessions_live", Help: "Live sessions held in memory."}),
		MessagesIn: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "pika_ws_messages_in_total", Help: "Client frames received, by type."},
			[]string{"type"}),
		MessagesOut: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "pika_ws_messages_out_total", Help: "Frames written to clients, by type."},
			[]string{"type"}),
		Errors: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "pika_ws_errors_total", Help: "ERROR frames sent, by code."},
			[]string{"code"}),
		FanoutSecs: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "pika_fanout_latency_seconds",
			Help:    "Time from a broadcast being made to it being written to a connection.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .18, .25, .5, 1, 2.5},
		}),
		DBSecs: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "pika_db_operation_seconds",
			Help:    "Database operation latency; op=commit is one group commit.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1},
		}, []string{"op"}),
		SlowDropped: prometheus.NewCounter(prometheus.CounterOpts{Name: "pika_ws_slow_clients_dropped_total", Help: "Connections closed because their send queue was full."}),
		HTTPRequests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "pika_http_requests_total", Help: "HTTP requests by route and status class."},
			[]string{"route", "code"}),
	}
	reg.MustRegister(m.Dancers, m.DJs, m.Sessions, m.MessagesIn, m.MessagesOut, m.Errors, m.FanoutSecs, m.DBSecs, m.SlowDropped, m.HTTPRequests,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// ObserveDB records one database operation.
func (m *Metrics) ObserveDB(op string, d time.Duration) {
	m.DBSecs.WithLabelValues(op).Observe(d.Seconds())
}

// SessionsLive implements live.Observer.
func (m *Metrics) SessionsLive(delta int) { m.Sessions.Add(float64(delta)) }

// DJsConnected implements live.Observer.
func (m *Metrics) DJsConnected(delta int) { m.DJs.Add(float64(delta)) }

// DancersConnected implements live.Observer.
func (m *Metrics) DancersConnected(delta int) { m.Dancers.Add(float64(delta)) }
