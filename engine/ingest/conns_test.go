package ingest

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// dialRefused dials path and checks that the upgrade is refused with
// status and a Retry-After.
func dialRefused(t *testing.T, url string, header http.Header, status int) {
	t.Helper()
	c, resp, err := websocket.Dial(context.Background(), url, &websocket.DialOptions{HTTPHeader: header})
	if err == nil {
		c.CloseNow()
		t.Fatalf("dial %s succeeded, want %d", url, status)
	}
	if resp == nil || resp.StatusCode != status || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("dial %s: %v %v, want %d with Retry-After", url, err, resp, status)
	}
}

func TestConnectionLimitsPerAddress(t *testing.T) {
	lim := limits{idle: time.Minute, queued: time.Second, grace: time.Second, auth: time.Minute}
	s := newVoiceService(t, &scriptedRecognizer{}, lim, func(o *Options) {
		o.ConnLimits = ConnLimits{PerAddress: 3, UnauthenticatedPerAddress: 2}
	})
	unauth := func() float64 {
		return s.metric(t, "assist_ingest_unauthenticated_connections", map[string]string{"endpoint": twilioEndpoint})
	}
	refused := func(endpoint, limit string) float64 {
		return s.metric(t, "assist_ingest_connections_refused_total", map[string]string{"endpoint": endpoint, "limit": limit})
	}
	// Two keyless streams from this address are all it may hold.
	a, b := dialTwilio(t, s), dialTwilio(t, s)
	a.connected()
	b.connected()
	dialRefused(t, s.url("/v1/twilio/media"), nil, http.StatusTooManyRequests)
	if got := refused(twilioEndpoint, limitUnauthPerAddr); got != 1 {
		t.Errorf("refused for want of the key: %v, want 1", got)
	}
	if got := unauth(); got != 2 {
		t.Errorf("unauthenticated connections: %v, want 2", got)
	}

	// Once one shows the key it counts as an open connection only, and
	// another keyless one fits.
	a.start("CA0000000000000000000000000000lim1", map[string]string{"key": voiceTestKey}, "inbound")
	waitMetric(t, func() bool { return unauth() == 1 })
	c := dialTwilio(t, s)
	c.connected()

	// Three open connections are all this address may hold, whatever
	// the endpoint.
	header := http.Header{audiohookKeyHeader: {voiceTestKey}}
	dialRefused(t, s.url("/v1/audiohook"), header, http.StatusTooManyRequests)
	if got := refused(audiohookEndpoint, limitPerAddress); got != 1 {
		t.Errorf("audiohook refused per address: %v, want 1", got)
	}
	b.c.Close(websocket.StatusNormalClosure, "")
	waitMetric(t, func() bool {
		return s.metric(t, "assist_ingest_connections", map[string]string{"endpoint": twilioEndpoint}) == 2
	})
	ah := mustDialAudioHook(t, s)
	ah.c.Close(websocket.StatusNormalClosure, "")
	a.stop("CA0000000000000000000000000000lim1")
	if e := ended(t, s.waitFor(t, "CA0000000000000000000000000000lim1", "call.ended")); e.Reason != "hangup" {
		t.Errorf("call ended %q", e.Reason)
	}
}

func TestConnectionLimitsInAll(t *testing.T) {
	lim := limits{idle: time.Minute, queued: time.Second, grace: time.Second, auth: time.Minute}
	s := newVoiceService(t, &scriptedRecognizer{}, lim, func(o *Options) {
		o.ConnLimits = ConnLimits{Total: 2, Unauthenticated: 1}
	})
	a := dialTwilio(t, s)
	a.connected()
	// The one keyless place is taken: the service is busy for keyless
	// clients (503, not this client's fault), yet a client with the key
	// in its headers gets in.
	dialRefused(t, s.url("/v1/twilio/media"), nil, http.StatusServiceUnavailable)
	ah := mustDialAudioHook(t, s)
	dialRefused(t, s.url("/v1/audiohook"), http.Header{audiohookKeyHeader: {voiceTestKey}}, http.StatusServiceUnavailable)
	if got := s.metric(t, "assist_ingest_connections_refused_total", map[string]string{"endpoint": audiohookEndpoint, "limit": limitTotal}); got != 1 {
		t.Errorf("refused in all: %v, want 1", got)
	}
	for name, want := range map[string]float64{limitTotal: 2, limitUnauth: 1, limitPerAddress: 0, limitUnauthPerAddr: 0} {
		if got := s.metric(t, "assist_ingest_connection_limit", map[string]string{"limit": name}); got != want {
			t.Errorf("limit %s: %v, want %v", name, got, want)
		}
	}
	ah.c.Close(websocket.StatusNormalClosure, "")
	a.c.Close(websocket.StatusNormalClosure, "")
}

func TestChatWebSocketsCountAgainstTheLimits(t *testing.T) {
	s := newChatService(t, 0, func(h *Handler) { h.o.tracker = newConnTracker(ConnLimits{PerAddress: 1}, h.o.Metrics) })
	c := s.dial(t)
	sendText(t, c, `{"type":"start","call_id":"lim-chat"}`)
	expectChatFrame(t, c, "ack", "lim-chat")
	url := "ws" + strings.TrimPrefix(s.srv.URL, "http") + "/v1/chat"
	dialRefused(t, url, http.Header{"X-API-KEY": {chatTestKey}}, http.StatusTooManyRequests)
}
