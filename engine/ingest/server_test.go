package ingest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/larkspur-labs/assist/engine"
	"github.com/larkspur-labs/assist/engine/enginetest"
	"github.com/larkspur-labs/assist/engine/event"
)

const chatTestKey = "test-key"

// chatService is the handler on a real engine and embedded bus, served over
// HTTP, with a subscriber to every call's events.
type chatService struct {
	h      *Handler
	srv    *httptest.Server
	events *engine.Subscription
	ready  atomic.Pointer[error]
}

// newChatService starts a service; tweak, when not nil, adjusts the handler
// before the server starts.
func newChatService(t *testing.T, maxMessage int64, tweak func(*Handler)) *chatService {
	t.Helper()
	te := enginetest.Start(t)
	eng, events := te.Engine, te.Events

	reg := prometheus.NewRegistry()
	s := &chatService{events: events}
	var err error
	s.h, err = NewHandler(Options{
		Calls:           &EngineCalls{Engine: eng},
		APIKey:          chatTestKey,
		MaxMessageBytes: maxMessage,
		Metrics:         engine.NewMetrics(reg),
		Ready: func() error {
			if err := s.ready.Load(); err != nil {
				return *err
			}
			return nil
		},
	}, reg)
	if err != nil {
		t.Fatal(err)
	}
	if tweak != nil {
		tweak(s.h)
	}
	s.srv = httptest.NewServer(s.h)
	t.Cleanup(s.srv.Close)
	return s
}

// request sends a request with the API key key (none when empty) and
// returns the status and body.
func (s *chatService) request(t *testing.T, method, path, key, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), method, s.srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if key != "" {
		req.Header.Set("X-API-KEY", key)
	}
	resp, err := s.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(data)
}

// post posts a JSON body with the right key and decodes the JSON answer.
func (s *chatService) post(t *testing.T, path, body string) (int, map[string]any) {
	t.Helper()
	status, data := s.request(t, http.MethodPost, path, chatTestKey, body)
	var out map[string]any
	if err := json.Unmarshal([]byte(data), &out); err != nil {
		t.Fatalf("POST %s %s: answer %q is not JSON: %v", path, body, data, err)
	}
	return status, out
}

// mustPost posts and fails unless the answer is 200 {"ok":true}.
func (s *chatService) mustPost(t *testing.T, path, body string) map[string]any {
	t.Helper()
	status, out := s.post(t, path, body)
	if status != http.StatusOK || out["ok"] != true {
		t.Fatalf("POST %s %s = %d %v, want 200 ok", path, body, status, out)
	}
	return out
}

// dial opens a chat WebSocket with the API key.
func (s *chatService) dial(t *testing.T) *websocket.Conn {
	t.Helper()
	c, resp, err := websocket.Dial(t.Context(), "ws"+strings.TrimPrefix(s.srv.URL, "http")+"/v1/chat",
		&websocket.DialOptions{HTTPHeader: http.Header{"X-API-KEY": {chatTestKey}}})
	if err != nil {
		t.Fatalf("dial: %v (%v)", err, resp)
	}
	t.Cleanup(func() { c.CloseNow() })
	return c
}

// next waits for the next event of kind for call id, skipping others.
func (s *chatService) next(t *testing.T, callID string, kind event.Kind) event.Event {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case e := <-s.events.C:
			if e.CallID == callID && e.Kind == kind {
				return e
			}
		case <-timeout:
			t.Fatalf("no %s event for call %s", kind, callID)
		}
	}
}

func TestNewHandlerRequiresCallsAndKey(t *testing.T) {
	if _, err := NewHandler(Options{APIKey: "k"}, nil); err == nil {
		t.Error("no error without Calls")
	}
	if _, err := NewHandler(Options{Calls: &EngineCalls{}}, nil); err == nil {
		t.Error("no error without an API key")
	}
}

func TestHealthAndReadiness(t *testing.T) {
	s := newChatService(t, 0, nil)
	for _, path := range []string{"/healthz", "/readyz"} {
		if status, body := s.request(t, http.MethodGet, path, "", ""); status != http.StatusOK || body != "ok\n" {
			t.Errorf("GET %s = %d %q, want 200 ok", path, status, body)
		}
	}
	notReady := errors.New("bus disconnected")
	s.ready.Store(&notReady)
	if status, body := s.request(t, http.MethodGet, "/readyz", "", ""); status != http.StatusServiceUnavailable || !strings.Contains(body, "bus disconnected") {
		t.Errorf("GET /readyz when not ready = %d %q, want 503 with the reason", status, body)
	}
	if status, _ := s.request(t, http.MethodGet, "/healthz", "", ""); status != http.StatusOK {
		t.Errorf("GET /healthz when not ready = %d, want 200: the process still runs", status)
	}
}

func TestMetricsCountConnectionsAndRejects(t *testing.T) {
	s := newChatService(t, 0, nil)
	s.request(t, http.MethodPost, "/v1/chat/messages", "", `{"call_id":"c1","text":"hi"}`) // 401
	c := s.dial(t)
	sendText(t, c, `{"type":"start","call_id":"m1"}`)
	expectChatFrame(t, c, "ack", "m1")

	status, body := s.request(t, http.MethodGet, "/metrics", "", "")
	if status != http.StatusOK {
		t.Fatalf("GET /metrics = %d", status)
	}
	for _, want := range []string{
		`assist_ingest_connections{endpoint="chat"} 1`,
		`assist_ingest_errors_total{endpoint="chat",reason="unauthorized"} 1`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %s:\n%s", want, body)
		}
	}
}

func TestChatEndpointsNeedTheKey(t *testing.T) {
	s := newChatService(t, 0, nil)
	for _, key := range []string{"", "wrong-key"} {
		for _, path := range []string{"/v1/chat/messages", "/v1/chat/replies"} {
			status, body := s.request(t, http.MethodPost, path, key, `{"call_id":"c1","text":"hi"}`)
			var out map[string]string
			if status != http.StatusUnauthorized || json.Unmarshal([]byte(body), &out) != nil || out["error"] == "" {
				t.Errorf("POST %s with key %q = %d %q, want 401 and a JSON error", path, key, status, body)
			}
		}
		_, resp, err := websocket.Dial(t.Context(), "ws"+strings.TrimPrefix(s.srv.URL, "http")+"/v1/chat",
			&websocket.DialOptions{HTTPHeader: http.Header{"X-API-KEY": {key}}})
		if err == nil || resp == nil || resp.StatusCode != http.StatusUnauthorized {
			t.Errorf("WebSocket with key %q: err %v, response %v; want 401", key, err, resp)
		}
	}
}

func TestWrongMethodIsRefused(t *testing.T) {
	s := newChatService(t, 0, nil)
	if status, body := s.request(t, http.MethodGet, "/v1/chat/messages", chatTestKey, ""); status != http.StatusMethodNotAllowed || !strings.Contains(body, `"error"`) {
		t.Errorf("GET /v1/chat/messages = %d %q, want 405 and a JSON error", status, body)
	}
}

func TestVoiceEndpointsCheckTheirOwnCredentials(t *testing.T) {
	s := newChatService(t, 0, nil) // no recognizer: voice endpoints refuse with 503
	// Twilio cannot send headers: its key travels in the stream, so the
	// chat key check must not stand in front of it.
	if status, _ := s.request(t, http.MethodGet, "/v1/twilio/media", "", ""); status != http.StatusServiceUnavailable {
		t.Errorf("GET /v1/twilio/media without a key = %d, want the Twilio handler's own 503", status)
	}
	if status, _ := s.request(t, http.MethodGet, "/v1/audiohook", chatTestKey, ""); status != http.StatusServiceUnavailable {
		t.Errorf("GET /v1/audiohook = %d, want the AudioHook handler's own 503", status)
	}
}

func TestOversizeBodyIs413(t *testing.T) {
	s := newChatService(t, 1024, nil)
	body := `{"call_id":"c1","text":"` + strings.Repeat("a", 2000) + `"}`
	status, out := s.post(t, "/v1/chat/messages", body)
	if status != http.StatusRequestEntityTooLarge || out["error"] == nil {
		t.Errorf("oversize POST = %d %v, want 413 and an error", status, out)
	}
}

func TestCloseEndsOpenChatCalls(t *testing.T) {
	s := newChatService(t, 0, nil)
	s.mustPost(t, "/v1/chat/messages", `{"type":"start","call_id":"http-call"}`)
	c := s.dial(t)
	sendText(t, c, `{"type":"start","call_id":"ws-call"}`)
	expectChatFrame(t, c, "ack", "ws-call")

	// The client reads, as a live one would, so it answers the close
	// handshake.
	closed := make(chan error, 1)
	go func() {
		_, _, err := c.Read(context.Background())
		closed <- err
	}()
	if err := s.h.Close(); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for len(got) < 2 {
		select {
		case e := <-s.events.C:
			if e.Kind == event.KindCallEnded {
				got[e.CallID] = e.Payload.(event.CallEnded).Reason
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("calls ended: %v", got)
		}
	}
	// The WebSocket's call ends as the service's others do: the
	// connection was the service's to close.
	if got["http-call"] != "shutdown" || got["ws-call"] != "shutdown" {
		t.Errorf("end reasons = %v", got)
	}
	if err := <-closed; websocket.CloseStatus(err) != websocket.StatusGoingAway {
		t.Errorf("WebSocket after Close: %v, want going away", err)
	}
	if status, _ := s.post(t, "/v1/chat/messages", `{"type":"start","call_id":"late"}`); status != http.StatusServiceUnavailable {
		t.Errorf("POST after Close = %d, want 503", status)
	}
}

// send writes one text frame.
func sendText(t *testing.T, c *websocket.Conn, msg string) {
	t.Helper()
	if err := c.Write(t.Context(), websocket.MessageText, []byte(msg)); err != nil {
		t.Fatalf("send %s: %v", msg, err)
	}
}

// readChatFrame reads one server frame.
func readChatFrame(t *testing.T, c *websocket.Conn) chatFrame {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	typ, data, err := c.Read(ctx)
	if err != nil {
		t.Fatalf("read frame: %v", err)
	}
	if typ != websocket.MessageText {
		t.Fatalf("frame type %v", typ)
	}
	var f chatFrame
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		t.Fatalf("frame %s: %v", data, err)
	}
	return f
}

// expectChatFrame reads one frame and checks its type and call id.
func expectChatFrame(t *testing.T, c *websocket.Conn, typ, callID string) chatFrame {
	t.Helper()
	f := readChatFrame(t, c)
	if f.Type != typ || f.CallID != callID {
		t.Fatalf("frame %+v, want %s for %s", f, typ, callID)
	}
	return f
}

// TestShutdownEndsEveryCallWithinTheDrainTime shuts down with a voice call
// stuck in recognition, a chat call on a WebSocket and one over HTTP:
// Shutdown returns once its time is up, saying what it cut short, and
// every call has ended with reason shutdown.
func TestShutdownEndsEveryCallWithinTheDrainTime(t *testing.T) {
	te := enginetest.Start(t)
	stuck := &scriptedRecognizer{text: "hello", gate: make(chan struct{})}
	reg := prometheus.NewRegistry()
	h, err := NewHandler(Options{
		Calls: &EngineCalls{Engine: te.Engine}, APIKey: voiceTestKey, Recognizer: stuck,
		ReconnectGrace: time.Hour, Metrics: engine.NewMetrics(reg),
	}, reg)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(func() {
		close(stuck.gate) // the stuck worker finishes before the engine goes
		srv.Close()
	})
	s := &voiceService{srv: srv, eng: te.Engine, events: te.Events, reg: reg, logs: &logBuffer{}, pending: map[string][]event.Event{}}
	const sid = "CA0000000000000000000000000000sd01"
	tc := twilioCall(t, s, sid)
	s.waitFor(t, sid, event.KindCallStarted)
	go func() { _, _, _ = tc.c.Read(context.Background()) }() // answers the close handshake

	cs := &chatService{h: h, srv: srv, events: te.Events}
	cs.mustPostKey(t, voiceTestKey, `{"type":"start","call_id":"sd-http"}`)
	ws, _, err := websocket.Dial(t.Context(), "ws"+strings.TrimPrefix(srv.URL, "http")+"/v1/chat",
		&websocket.DialOptions{HTTPHeader: http.Header{"X-API-KEY": {voiceTestKey}}})
	if err != nil {
		t.Fatal(err)
	}
	defer ws.CloseNow()
	sendText(t, ws, `{"type":"start","call_id":"sd-ws"}`)
	expectChatFrame(t, ws, "ack", "sd-ws")
	go func() { _, _, _ = ws.Read(context.Background()) }()

	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	err = h.Shutdown(ctx)
	if err == nil || !strings.Contains(err.Error(), "1 voice calls cut short") {
		t.Errorf("Shutdown = %v, want the stuck voice call cut short", err)
	}
	for _, id := range []string{sid, "sd-http", "sd-ws"} {
		if e := ended(t, s.waitFor(t, id, event.KindCallEnded)); e.Reason != "shutdown" {
			t.Errorf("call %s ended %q, want shutdown", id, e.Reason)
		}
	}
}

// mustPostKey posts a chat message with key and fails unless it is taken.
func (s *chatService) mustPostKey(t *testing.T, key, body string) {
	t.Helper()
	status, data := s.request(t, http.MethodPost, "/v1/chat/messages", key, body)
	if status != http.StatusOK {
		t.Fatalf("POST %s = %d %s", body, status, data)
	}
}
