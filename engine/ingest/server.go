package ingest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/coder/websocket"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/larkspur-labs/assist/engine/event"
)

// ChatIdleTimeout is how long a chat WebSocket may stay silent before the
// server closes it (status 1008, policy violation). Clients that keep a
// connection open between chats should send their messages more often or
// reconnect. It is read when NewHandler runs.
var ChatIdleTimeout = 2 * time.Minute

// maxBadMessages is how many rejected messages in a row close a chat
// WebSocket: a client that only sends garbage is not worth the reads.
const maxBadMessages = 10

// Handler serves the service's HTTP endpoints:
//
//	GET  /healthz           200 "ok" while the process runs
//	GET  /readyz            200 "ok" when Options.Ready says so, else 503 and the reason
//	GET  /metrics           Prometheus metrics
//	GET  /v1/chat           chat over WebSocket (see ChatMessage)
//	POST /v1/chat/messages  one chat message (see ChatMessage)
//	POST /v1/chat/replies   the agent's reply to a chat: {"call_id","text"}
//	     /v1/twilio/media   Twilio Media Streams
//	     /v1/audiohook      Genesys AudioHook
//
// The chat endpoints require the API key in the X-API-KEY header and answer
// 401 without it. The Twilio and AudioHook endpoints check their own
// credentials, as their protocols dictate. Health, readiness and metrics
// need no key: they reveal no call content, only counts and latencies, and
// probes and scrapers rarely carry secrets.
//
// Every request body is bounded by Options.MaxMessageBytes (413 beyond).
// The chat endpoints' errors are JSON: {"error":"..."}.
type Handler struct {
	o    Options
	mux  *http.ServeMux
	chat *chatCalls
	idle time.Duration

	mu     sync.Mutex
	closed bool
	conns  map[*chatConn]struct{}
	connWG sync.WaitGroup

	shutdownOnce sync.Once
	shutdownErr  error
}

// NewHandler returns the service's HTTP handler. Options.Calls and
// Options.APIKey are required. /metrics serves what reg gathers
// (prometheus.DefaultGatherer when nil).
func NewHandler(o Options, reg prometheus.Gatherer) (*Handler, error) {
	if o.Calls == nil {
		return nil, errors.New("ingest handler: no Calls to run calls on")
	}
	if o.APIKey == "" {
		return nil, errors.New("ingest handler: no API key; ingest endpoints must not be open to anyone")
	}
	if reg == nil {
		reg = prometheus.DefaultGatherer
	}
	h := &Handler{o: o, mux: http.NewServeMux(), chat: newChatCalls(o.Calls), idle: ChatIdleTimeout, conns: map[*chatConn]struct{}{}}
	h.o.voice = &voiceStreams{}
	h.o.voice.ctx, h.o.voice.cancel = context.WithCancel(context.Background())
	h.o.voiceGate()
	h.o.conns()
	h.o.voiceCalls()
	h.mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeText(w, http.StatusOK, "ok")
	})
	h.mux.HandleFunc("GET /readyz", h.serveReady)
	h.mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	h.mux.Handle("/v1/chat", h.chatEndpoint(http.MethodGet, h.serveChatWS))
	h.mux.Handle("/v1/chat/messages", h.chatEndpoint(http.MethodPost, h.serveMessage))
	h.mux.Handle("/v1/chat/replies", h.chatEndpoint(http.MethodPost, h.serveReply))
	mountVoice(h.mux, &h.o)
	return h, nil
}

// VoiceStatus is the voice admission now: slots taken of
// Options.MaxVoiceCalls, live calls handed to Options.Overflow, and the
// calls handed over or refused so far. Worker and TS are left to the
// caller, which publishes it.
func (h *Handler) VoiceStatus() event.VoiceStatus { return h.o.gate.status() }

// ServeHTTP implements http.Handler.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, h.o.maxMessage())
	h.mux.ServeHTTP(w, r)
}

// DefaultDrainTimeout bounds a shutdown's wait for the calls to end
// unless told otherwise: the HTTP requests in flight, the voice calls'
// recognition of the audio they have queued, the call.ended events.
const DefaultDrainTimeout = 10 * time.Second

// Close is Shutdown with DefaultDrainTimeout.
func (h *Handler) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), DefaultDrainTimeout)
	defer cancel()
	return h.Shutdown(ctx)
}

// Shutdown ends every open call with reason "shutdown", so that every
// call's history ends with call.ended: it closes every chat WebSocket
// (status 1001, going away) and voice stream, ends the voice calls
// waiting for their streams to come back and the chat calls started over
// HTTP, and waits for them until ctx is done. A voice call still
// recognising queued audio then is cut short: its queue is dropped and
// the call ended at once. Chat requests after Shutdown get 503. Call it
// after http.Server.Shutdown, which neither waits for nor closes
// WebSockets. Later calls return the first's result.
func (h *Handler) Shutdown(ctx context.Context) error {
	h.shutdownOnce.Do(func() { h.shutdownErr = h.shutdown(ctx) })
	return h.shutdownErr
}

func (h *Handler) shutdown(ctx context.Context) error {
	h.mu.Lock()
	h.closed = true
	conns := make([]*chatConn, 0, len(h.conns))
	for c := range h.conns {
		conns = append(conns, c)
	}
	h.mu.Unlock()
	for _, c := range conns {
		go c.ws.Close(websocket.StatusGoingAway, "server shutting down")
	}
	h.o.voice.cancel()
	// Calls whose streams were lost wait for them no more; the streams
	// still open end their calls themselves.
	voice := h.o.voiceCalls()
	voice.closeAll("shutdown")
	var errs []error
	if !waitGroup(ctx, &h.o.voice.wg) || voice.wait(ctx) != nil {
		n := voice.abandon("shutdown")
		h.o.log().Warn("shutdown: voice calls cut short", "calls", n, "err", ctx.Err())
		errs = append(errs, fmt.Errorf("%d voice calls cut short: %w", n, ctx.Err()))
	}
	if !waitGroup(ctx, &h.connWG) {
		errs = append(errs, fmt.Errorf("chat connections still closing: %w", ctx.Err()))
	}
	errs = append(errs, h.chat.endAll("shutdown"))
	return errors.Join(errs...)
}

// waitGroup waits for wg until ctx is done; it reports whether wg is done.
func waitGroup(ctx context.Context, wg *sync.WaitGroup) bool {
	done := make(chan struct{})
	go func() {
		wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return true
	case <-ctx.Done():
		return false
	}
}

// closing reports whether the handler is shutting down.
func (h *Handler) closing() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.closed
}

// chatEndpoint checks what every chat request needs: the API key, the
// method, and a handler not closed.
func (h *Handler) chatEndpoint(method string, serve http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !h.o.keyOK(r.Header.Get("X-API-KEY")) {
			h.reject(w, &ingestError{status: http.StatusUnauthorized, reason: reasonUnauthorized, msg: "missing or wrong API key in the X-API-KEY header"})
			return
		}
		if r.Method != method {
			w.Header().Set("Allow", method)
			writeError(w, http.StatusMethodNotAllowed, fmt.Sprintf("%s %s is not allowed; use %s", r.Method, r.URL.Path, method))
			return
		}
		if h.closing() {
			writeError(w, http.StatusServiceUnavailable, "the service is shutting down")
			return
		}
		serve(w, r)
	})
}

func (h *Handler) serveReady(w http.ResponseWriter, _ *http.Request) {
	if h.o.Ready != nil {
		if err := h.o.Ready(); err != nil {
			writeText(w, http.StatusServiceUnavailable, "not ready: "+err.Error())
			return
		}
	}
	writeText(w, http.StatusOK, "ok")
}

// reject answers a refused chat request with its status and a JSON error,
// and counts it.
func (h *Handler) reject(w http.ResponseWriter, err error) {
	ie := h.refused(err)
	writeError(w, ie.status, ie.msg)
}

// refused classifies and counts a refused chat input, logging what is the
// service's fault rather than the client's.
func (h *Handler) refused(err error) *ingestError {
	ie := asIngestError(err)
	h.o.Metrics.IngestError(chatEndpoint, ie.reason)
	if ie.status >= http.StatusInternalServerError {
		h.o.log().Warn("chat input failed", "err", err)
	}
	return ie
}

func writeText(w http.ResponseWriter, status int, text string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(text + "\n"))
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, struct {
		Error string `json:"error"`
	}{msg})
}

// ingestError is input refused with an HTTP status; reason is its
// assist_ingest_errors_total label.
type ingestError struct {
	status int
	reason string
	msg    string // for the client
	err    error  // the cause, for the log
}

func (e *ingestError) Error() string { return e.msg }

func (e *ingestError) Unwrap() error { return e.err }

func badJSON(format string, args ...any) error {
	return &ingestError{status: http.StatusBadRequest, reason: reasonMalformed, msg: fmt.Sprintf(format, args...)}
}

func badMessage(format string, args ...any) error {
	return &ingestError{status: http.StatusBadRequest, reason: reasonBadMessage, msg: fmt.Sprintf(format, args...)}
}

// asIngestError classifies any error: an ingestError as it is, a body over
// the limit as 413, anything else as the engine being unavailable (503).
func asIngestError(err error) *ingestError {
	var ie *ingestError
	if errors.As(err, &ie) {
		return ie
	}
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return &ingestError{status: http.StatusRequestEntityTooLarge, reason: reasonTooBig,
			msg: fmt.Sprintf("request body is larger than %d bytes", tooBig.Limit)}
	}
	// The cause goes to the log, not to the client: it may name the
	// service's insides.
	return &ingestError{status: http.StatusServiceUnavailable, reason: reasonUnavailable,
		msg: "the engine could not take the message; try again", err: err}
}
