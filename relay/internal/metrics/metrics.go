// Package metrics defines the relay's Prometheus metrics on a registry of
// its own (so several relays can run in one test process).
package metrics

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/pikadj/pika/shared/protocol"
)

// Metrics is the relay's instrumentation.
type Metrics struct {
	reg          *prometheus.Registry
	Dancers      prometheus.Gauge
	DJs          prometheus.Gauge
	Sessions     prometheus.GaugeFunc
	MessagesIn   *prometheus.CounterVec
	MessagesOut  *prometheus.CounterVec
	Errors       *prometheus.CounterVec
	FanoutSecs   prometheus.Histogram
	DBSecs       *prometheus.HistogramVec
	SlowDropped  prometheus.Counter
	HTTPRequests *prometheus.CounterVec

	in, out map[protocol.Type]prometheus.Counter

	liveMu     sync.Mutex
	liveSource func(context.Context) (int, error)
	liveCount  int
	liveAt     time.Time
}

// liveCacheFor is how long the count of live sessions is reused between
// scrapes: it is a database read.
const liveCacheFor = 5 * time.Second

// New registers every metric, with the Go runtime and process collectors.
func New() *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{
		reg:     reg,
		Dancers: prometheus.NewGauge(prometheus.GaugeOpts{Name: "pika_dancers_connected", Help: "Dancer WebSocket connections subscribed to a session."}),
		DJs:     prometheus.NewGauge(prometheus.GaugeOpts{Name: "pika_djs_connected", Help: "DJ WebSocket connections running a session."}),
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
	m.Sessions = prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "pika_sessions_live", Help: "Sessions that have not ended, in the database (also those waiting for their DJ after a restart)."},
		m.liveSessions)
	// Resolving label values costs a hash and a lock per frame; with
	// thousands of frames a second, resolve the known types once.
	m.in, m.out = map[protocol.Type]prometheus.Counter{}, map[protocol.Type]prometheus.Counter{}
	for _, t := range []protocol.Type{protocol.TypeRegisterSession, protocol.TypeNowPlaying, protocol.TypeStartPoll, protocol.TypeClosePoll,
		protocol.TypeAnnounce, protocol.TypeClearAnnouncement, protocol.TypeEndSession, protocol.TypeSubscribe, protocol.TypeLike,
		protocol.TypeUnlike, protocol.TypeTempoVote, protocol.TypePollVote,
		protocol.TypeRequestSettings, protocol.TypeCatalogue, protocol.TypeAnswerRequest, protocol.TypeSearchCatalogue, protocol.TypeRequestTrack} {
		m.in[t] = m.MessagesIn.WithLabelValues(string(t))
	}
	for _, t := range []protocol.Type{protocol.TypeSessionRegistered, protocol.TypeSessionState, protocol.TypeNowPlaying, protocol.TypeLikeCount,
		protocol.TypeTempoTally, protocol.TypePollStarted, protocol.TypePollUpdate, protocol.TypePollClosed, protocol.TypeAnnouncement,
		protocol.TypeAnnouncementCleared, protocol.TypeListenerCount, protocol.TypeSessionEnded, protocol.TypeAck, protocol.TypeError,
		protocol.TypeRequestQueue, protocol.TypeCatalogueResults, protocol.TypeRequestsStatus, protocol.TypeMyRequest} {
		m.out[t] = m.MessagesOut.WithLabelValues(string(t))
	}
	reg.MustRegister(m.Dancers, m.DJs, m.Sessions, m.MessagesIn, m.MessagesOut, m.Errors, m.FanoutSecs, m.DBSecs, m.SlowDropped, m.HTTPRequests,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// In counts a received frame of type t (valid types only).
func (m *Metrics) In(t protocol.Type) prometheus.Counter {
	if c, ok := m.in[t]; ok {
		return c
	}
	return m.MessagesIn.WithLabelValues("other")
}

// Out counts a frame of type t written to a client.
func (m *Metrics) Out(t protocol.Type) prometheus.Counter {
	if c, ok := m.out[t]; ok {
		return c
	}
	return m.MessagesOut.WithLabelValues("other")
}

// Handler serves the metrics in the Prometheus text format.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
}

// ObserveDB records one database operation.
func (m *Metrics) ObserveDB(op string, d time.Duration) {
	m.DBSecs.WithLabelValues(op).Observe(d.Seconds())
}

// CountLiveSessionsWith sets where pika_sessions_live comes from (the
// store's count of sessions that have not ended).
func (m *Metrics) CountLiveSessionsWith(f func(context.Context) (int, error)) {
	m.liveMu.Lock()
	m.liveSource, m.liveAt = f, time.Time{}
	m.liveMu.Unlock()
}

// liveSessions is the cached count of live sessions; on a database error it
// keeps the last count.
func (m *Metrics) liveSessions() float64 {
	m.liveMu.Lock()
	defer m.liveMu.Unlock()
	if m.liveSource != nil && time.Since(m.liveAt) >= liveCacheFor {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		n, err := m.liveSource(ctx)
		cancel()
		if err == nil {
			m.liveCount, m.liveAt = n, time.Now()
		}
	}
	return float64(m.liveCount)
}

// DJsConnected implements live.Observer.
func (m *Metrics) DJsConnected(delta int) { m.DJs.Add(float64(delta)) }

// DancersConnected implements live.Observer.
func (m *Metrics) DancersConnected(delta int) { m.Dancers.Add(float64(delta)) }
