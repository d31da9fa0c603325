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
	// VoiceActive is how many voice calls hold a slot (are recognised
	// in-process) and VoiceCapacity how many slots there are (0: no
	// bound); VoiceOverflow is how many live voice calls beyond capacity
	// the speech server recognises.
	VoiceActive, VoiceCapacity, VoiceOverflow prometheus.Gauge
	// VoiceHandedOver and VoiceRefused count, by endpoint, the voice calls
	// that found every slot taken: handed to the speech server, or
	// refused.
	VoiceHandedOver, VoiceRefused *prometheus.CounterVec
	// Unauthenticated counts, by endpoint, the open ingest connections
	// whose client has not shown the API key yet.
	UnauthConnections *prometheus.GaugeVec
	// ConnectionsRefused counts, by endpoint and limit, the ingest
	// connections refused for being beyond a connection limit.
	ConnectionsRefused *prometheus.CounterVec
	// ConnectionLimit is each connection limit (0: none).
	ConnectionLimit *prometheus.GaugeVec
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
		VoiceActive: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "assist_voice_calls_active", Help: "Voice calls recognised in this process now, each holding one of its voice slots.",
		}),
		VoiceCapacity: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "assist_voice_calls_capacity", Help: "Voice slots of this process (--max-voice-calls); 0 means no bound.",
		}),
		VoiceOverflow: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "assist_voice_calls_overflow", Help: "Live voice calls beyond capacity, recognised by the speech server (--asr-url).",
		}),
		VoiceHandedOver: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "assist_voice_calls_handed_over_total", Help: "Voice calls that found every slot taken and were handed to the speech server, by endpoint.",
		}, []string{"endpoint"}),
		VoiceRefused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "assist_voice_calls_refused_total", Help: "Voice calls refused because every slot was taken and no speech server is configured, by endpoint.",
		}, []string{"endpoint"}),
		UnauthConnections: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "assist_ingest_unauthenticated_connections", Help: "Open ingest connections whose client has not authenticated yet, by endpoint.",
		}, []string{"endpoint"}),
		ConnectionsRefused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "assist_ingest_connections_refused_total", Help: "Ingest connections refused for being beyond a connection limit, by endpoint and limit.",
		}, []string{"endpoint", "limit"}),
		ConnectionLimit: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "assist_ingest_connection_limit", Help: "The ingest connection limits (total, per_address, unauthenticated, unauthenticated_per_address); 0 means none.",
		}, []string{"limit"}),
	}
	reg.MustRegister(m.ActiveCalls, m.Connections, m.Utterances, m.Latency, m.ModelErrors, m.DroppedPartials, m.IngestErrors,
		m.VoiceActive, m.VoiceCapacity, m.VoiceOverflow, m.VoiceHandedOver, m.VoiceRefused,
		m.UnauthConnections, m.ConnectionsRefused, m.ConnectionLimit)
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

// VoiceSlots sets the voice admission gauges: slots taken, slots, and
// live calls beyond them.
func (m *Metrics) VoiceSlots(active, capacity, overflow int) {
	if m != nil {
		m.VoiceActive.Set(float64(active))
		m.VoiceCapacity.Set(float64(capacity))
		m.VoiceOverflow.Set(float64(overflow))
	}
}

// VoiceHandOver counts a voice call handed to the speech server for want
// of a slot.
func (m *Metrics) VoiceHandOver(endpoint string) {
	if m != nil {
		m.VoiceHandedOver.WithLabelValues(endpoint).Inc()
	}
}

// VoiceRefuse counts a voice call refused for want of a slot.
func (m *Metrics) VoiceRefuse(endpoint string) {
	if m != nil {
		m.VoiceRefused.WithLabelValues(endpoint).Inc()
	}
}

// Unauthenticated adds delta to the unauthenticated connections of
// endpoint.
func (m *Metrics) Unauthenticated(endpoint string, delta int) {
	if m != nil {
		m.UnauthConnections.WithLabelValues(endpoint).Add(float64(delta))
	}
}

// ConnectionRefused counts a connection refused on endpoint for being
// beyond limit.
func (m *Metrics) ConnectionRefused(endpoint, limit string) {
	if m != nil {
		m.ConnectionsRefused.WithLabelValues(endpoint, limit).Inc()
	}
}

// ConnectionLimits sets the connection limits' gauges.
func (m *Metrics) ConnectionLimits(limits map[string]int) {
	if m != nil {
		for name, v := range limits {
			m.ConnectionLimit.WithLabelValues(name).Set(float64(v))
		}
	}
}
