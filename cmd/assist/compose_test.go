package main

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"github.com/larkspur-labs/assist/engine/app"
	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/engine/ingest"
	"github.com/larkspur-labs/assist/engine/service"
	"github.com/larkspur-labs/assist/engine/service/servicetest"
	"github.com/larkspur-labs/assist/internal/eventually"
	"github.com/larkspur-labs/assist/tui/agent"
)

// TestAgentAnswersAChatFromTheView is the whole path of a reply written in
// the agent view: a customer on the chat WebSocket, the service, the agent
// view on the terminal's input and output, as 'assist agent' runs it. The
// agent picks suggestion 1, takes it into the composer with enter, edits
// it, sends it with ctrl+s; the customer's WebSocket receives it, and the
// transcript shows it as the agent's turn.
func TestAgentAnswersAChatFromTheView(t *testing.T) {
	s := servicetest.Start(t)
	h, err := ingest.NewHandler(ingest.Options{Calls: s.Client, APIKey: "test-key"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(func() { srv.Close(); h.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	chat, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(srv.URL, "http")+"/v1/chat",
		&websocket.DialOptions{HTTPHeader: http.Header{"X-API-KEY": {"test-key"}}})
	if err != nil {
		t.Fatal(err)
	}
	defer chat.CloseNow()
	for _, m := range []map[string]string{
		{"type": "start", "call_id": "chat-1", "queue": "cards", "agent": "a1", "customer": "cust-9", "title": "Card declined"},
		{"call_id": "chat-1", "text": "I lost my card and I think someone is using it"},
	} {
		if err := wsjson.Write(ctx, chat, m); err != nil {
			t.Fatal(err)
		}
		var ack map[string]any
		if err := wsjson.Read(ctx, chat, &ack); err != nil || ack["type"] != "ack" {
			t.Fatalf("chat answered %v, %v", ack, err)
		}
	}

	term, err := service.DialTerminal(service.TerminalConfig{URL: s.URL, Creds: s.Auth.CredsPath(service.RoleAgent, "a1"), Role: service.RoleAgent, Name: "a1"})
	if err != nil {
		t.Fatal(err)
	}
	defer term.Close()
	events, err := app.FollowAgent(ctx, term, "a1")
	if err != nil {
		t.Fatal(err)
	}
	in, keys := io.Pipe()
	defer keys.Close()
	out := &screenBuffer{}
	viewCtx, stopView := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() {
		done <- agent.Run(viewCtx, events, agent.Options{
			ModelStatus: "agent a1 · service", Controller: term.Controls(), NoColor: true,
			Input: in, Output: out, Width: 160, Height: 48,
		})
	}()
	waitScreen(t, out, "the suggestions and the composer", func(s string) bool {
		return strings.Contains(s, "Suggested replies") && strings.Contains(s, " 1  ") && strings.Contains(s, "Reply")
	})
	typeKeys(t, keys, "1", "\r")
	waitScreen(t, out, "suggestion 1 in the composer", func(s string) bool {
		return strings.Contains(s, "from a suggestion")
	})
	typeKeys(t, keys, " Is that right?", "\x13") // ctrl+s
	var reply struct{ Type, CallID, Text string }
	for reply.Type != "reply" {
		if err := wsjson.Read(ctx, chat, &reply); err != nil {
			t.Fatalf("the customer's WebSocket: %v", err)
		}
	}
	if !strings.HasSuffix(reply.Text, " Is that right?") || len(reply.Text) < 30 {
		t.Fatalf("the customer received %q, want suggestion 1 with the edit", reply.Text)
	}
	// The renderer redraws only what changed, so the screen is checked
	// for the agent's label (no line had one before) and the note; the
	// call's stored events for the turn itself.
	waitScreen(t, out, "the reply in the transcript as the agent's turn", func(s string) bool {
		return strings.Contains(s, "Agent") && strings.Contains(s, "Reply sent")
	})
	history, err := term.History(ctx, "chat-1", 0)
	if err != nil {
		t.Fatal(err)
	}
	var turn, used bool
	for _, e := range history {
		switch p := e.Payload.(type) {
		case event.Utterance:
			turn = turn || (e.Kind == event.KindFinal && p.Speaker == event.SpeakerAgent && p.Text == reply.Text)
		case event.Feedback:
			used = used || p.Verdict == event.VerdictUsed
		}
	}
	if !turn || !used {
		t.Errorf("the call's events: the agent's turn %v, a used verdict %v", turn, used)
	}
	stopView()
	if err := <-done; err != nil {
		t.Fatalf("agent view: %v", err)
	}
}

// typeKeys writes keys to the view's input, one write each, as a terminal
// would send them.
func typeKeys(t *testing.T, w io.Writer, keys ...string) {
	t.Helper()
	for _, k := range keys {
		if _, err := w.Write([]byte(k)); err != nil {
			t.Fatal(err)
		}
	}
}

// screenBuffer is the view's output, shared with the test.
type screenBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *screenBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// waitScreen waits until what the view has drawn so far, without escape
// sequences, satisfies cond.
func waitScreen(t *testing.T, out *screenBuffer, what string, cond func(screen string) bool) {
	t.Helper()
	if !eventually.True(20*time.Second, func() bool {
		out.mu.Lock()
		defer out.mu.Unlock()
		return cond(ansi.Strip(out.b.String()))
	}) {
		out.mu.Lock()
		screen := ansi.Strip(out.b.String())
		out.mu.Unlock()
		t.Fatalf("timed out waiting for %s; the end of the output:\n%s", what, screen[max(0, len(screen)-3000):])
	}
}
