package llm

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/larkspur-labs/assist/assist/llm/llmtest"
)

// Model servers as they are in the field, each played by the fake.

func TestErrorInsideAStreamKeepsItsCodeAndMessage(t *testing.T) {
	for _, tc := range []struct {
		form       llmtest.StreamErrorForm
		want       string
		status     int // what the breaker records
		keepAlives bool
	}{
		{llmtest.StreamErrorOpenAI, "error in the stream (code 503, server_error): out of KV cache", 503, false},
		// go-openai alone misreads the error when a keep-alive came before.
		{llmtest.StreamErrorOpenAI, "error in the stream (code 503, server_error): out of KV cache", 503, true},
		{llmtest.StreamErrorTGI, "error in the stream (generation): out of KV cache", 500, true},
		{llmtest.StreamErrorLlamaCpp, "error in the stream (code 503, server_error): out of KV cache", 503, true},
	} {
		timing := llmtest.Timing{}
		if tc.keepAlives {
			timing = llmtest.Timing{BetweenTokens: 30 * time.Millisecond, KeepAlive: 5 * time.Millisecond}
		}
		srv := llmtest.NewServer(t, llmtest.WithTokens("One ", "two ", "three."), llmtest.WithTiming(timing))
		srv.FailNextInStream(1, 2, http.StatusServiceUnavailable, "out of KV cache", tc.form)
		c := newTestClient(t, srv, nil)
		var p pieces
		_, err := c.Draft(context.Background(), draftRequest(), p.add)
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "HTTP 0") {
			t.Errorf("%s (keep-alives %v): err = %v, want %q", tc.form, tc.keepAlives, err, tc.want)
		}
		if got := strings.Join(p.list(), ""); got != "One two" {
			t.Errorf("%s: pieces before the error %q", tc.form, got)
		}
		if want := (&failure{status: tc.status}).short(); c.breaker.failures != 1 || c.breaker.last != want {
			t.Errorf("%s: breaker %d failures, last %q, want 1, %q", tc.form, c.breaker.failures, c.breaker.last, want)
		}
	}
}

func TestSSENormalizer(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"data: {\"choices\":[]}\n\n", "data: {\"choices\":[]}\n\n"},
		{": keep-alive\n\ndata: [DONE]\n\n", "\ndata: [DONE]\n\n"},
		{"id: 7\nretry: 100\ndata: {\"x\":\"an error\"}\n\n", "data: {\"x\":\"an error\"}\n\n"},
		{"event: error\ndata: {\"message\":\"boom\",\"code\":502}\n\n", "data: {\"error\":{\"code\":502,\"message\":\"boom\"}}\n\n"},
		{"error: not json\n\n", "data: {\"error\":{\"message\":\"not json\"}}\n\n"},
		{"data: {\"error\":\"busy\",\"error_type\":\"overloaded\"}\r\n\r\n", "data: {\"error\":{\"message\":\"busy\",\"type\":\"overloaded\"}}\n\r\n"},
		{"data: {\"error\":{\"code\":null}}\n\n", "data: {\"error\":{\"code\":null,\"message\":\"error in the stream\"}}\n\n"},
	} {
		n := &sseNormalizer{r: bufio.NewReader(strings.NewReader(tc.in)), body: io.NopCloser(nil)}
		got, err := io.ReadAll(n)
		if err != nil || string(got) != tc.want {
			t.Errorf("%q: got %q (%v), want %q", tc.in, got, err, tc.want)
		}
	}
}
