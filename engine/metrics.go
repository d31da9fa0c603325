package engine

import (
	"time"

	"github.com/larkspur-labs/assist/engine/event"
	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the service's Prometheus figures. A nil *Metrics records
// nothing, so every component can take one optionally.
type Metrics struct {
	// ActiveCalls counts live calls by channel (voice, chat).
	ActiveCalls *prometheus.GaugeVec
	// Connections counts open ingest connections by endpoint.
	Connections *prometheus.GaugeVec
	// Utterances counts final utterances by speaker and source.
	Utterances *prometheus.CounterVec
	// Latency observes ingest-to-suggestions time in seconds.
	Latency prometheus.Histogram
	// ModelErrors counts failed model calls by model.
	ModelErrors *prometheus.CounterVec
	// DroppedPartials counts partial hypotheses dropped under load.
	DroppedPartials prometheus.Counter
	// IngestErrors counts rejected ingest input by endpoint and reason.
	IngestErrors *prometheus.CounterVec
}

// NewMetrics creates the metrics and registers them with reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		ActiveCalls: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "assist_active_calls", Help: "Live calls by channel.",
		}, []string{"channel"}),
		Connections: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "assist_ingest_connections", Help: "Open ingest connections by endpoint.",
		}, []string{"endpoint"}),
		Utterances: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "assist_utterances_total", Help: "Final utterances by speaker and source.",
		}, []string{"speaker", "source"}),
		Latency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "assist_suggestions_latency_seconds",
			Help:    "Time from a final customer utterance entering the engine to its suggestions being published.",
			Buckets: []float64{.0005, .001, .002, .005, .01, .02, .05, .1, .25, .5, 1, 2.5},
		}),
		ModelErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "assist_model_errors_total", Help: "Failed model calls by model.",
		}, []string{"model"}),
		DroppedPartials: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "assist_dropped_partials_total", Help: "Partial hypotheses dropped under load.",
		}),
		IngestErrors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "assist_ingest_errors_total", Help: "Rejected ingest input by endpoint and reason.",
		}, []string{"endpoint", "reason"}),
	}
	reg.MustRegister(m.ActiveCalls, m.Connections, m.Utterances, m.Latency, m.ModelErrors, m.DroppedPartials, m.IngestErrors)
	return m
}

// CallStarted counts a call in.
func (m *Metrics) CallStarted(ch event.Channel) {
	if m != nil {
		m.ActiveCalls.WithLabelValues(string(ch)).Inc()
	}
}

// CallEnded counts a call out.
func (m *Metrics) CallEnded(ch event.Channel) {
	if m != nil {
		m.ActiveCalls.WithLabelValues(string(ch)).Dec()
	}
}

// Connected counts an ingest connection in; call the function it returns
// when the connection closes.
func (m *Metrics) Connected(endpoint string) (closed func()) {
	if m == nil {
		return func() {}
	}
	g := m.Connections.WithLabelValues(endpoint)
	g.Inc()
	return g.Dec
}

// Utterance counts a final utterance.
func (m *Metrics) Utterance(sp event.Speaker, src event.Source) {
	if m != nil {
		m.Utterances.WithLabelValues(string(sp), string(src)).Inc()
	}
}

// SuggestionsLatency observes one ingest-to-suggestions time.
func (m *Metrics) SuggestionsLatency(d time.Duration) {
	if m != nil {
		m.Latency.Observe(d.Seconds())
	}
}

// ModelError counts a failed model call.
func (m *Metrics) ModelError(model string) {
	if m != nil {
		m.ModelErrors.WithLabelValues(model).Inc()
	}
}

// DroppedPartial counts a partial dropped under load.
func (m *Metrics) DroppedPartial() {
	if m != nil {
		m.DroppedPartials.Inc()
	}
}

// IngestError counts rejected ingest input.
func (m *Metrics) IngestError(endpoint, reason string) {
	if m != nil {
		m.IngestErrors.WithLabelValues(endpoint, reason).Inc()
	}
}
