package tui

import (
	"context"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/larkspur-labs/assist/engine/event"
)

// syncBuffer is an output the program and the test can share. Every write
// signals changed, so the test waits on writes instead of sleeping.
type syncBuffer struct {
	mu      sync.Mutex
	b       strings.Builder
	changed chan struct{}
}

func newSyncBuffer() *syncBuffer { return &syncBuffer{changed: make(chan struct{}, 1)} }

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	select {
	case s.changed <- struct{}{}:
	default:
	}
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// waitFor checks the screen after every write until it satisfies cond, or
// fails after a timeout.
func waitFor(t *testing.T, out *syncBuffer, what string, cond func(screen string) bool) {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for !cond(ansi.Strip(out.String())) {
		select {
		case <-out.changed:
		case <-timeout:
			t.Fatalf("timed out waiting for %s", what)
		}
	}
}

func callEvents() <-chan event.Event {
	msgs := realisticCall()
	events := make(chan event.Event, len(msgs))
	for _, m := range msgs {
		events <- m.(EventMsg).Event
	}
	close(events)
	return events
}

// TestRunEndToEnd runs the real program on a pipe: the events reach the
// screen through the pump, the view stays open after the channel closes,
// and q quits.
func TestRunEndToEnd(t *testing.T) {
	in, keys := io.Pipe()
	defer keys.Close()
	out := newSyncBuffer()
	errc := make(chan error, 1)
	go func() {
		errc <- Run(context.Background(), callEvents(), Options{
			ModelStatus: "embedded", Replay: true, NoColor: true,
			Input: in, Output: out, Width: 100, Height: 30,
		})
	}()
	waitFor(t, out, "the replay to finish on screen", func(s string) bool {
		return strings.Contains(s, "replay finished") && strings.Contains(s, "Double charge on renewal")
	})
	if _, err := keys.Write([]byte("q")); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-errc:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after q")
	}
}

// TestRunStopsWithContext checks that cancelling the context ends Run
// without an error.
func TestRunStopsWithContext(t *testing.T) {
	in, keys := io.Pipe()
	defer keys.Close()
	ctx, cancel := context.WithCancel(context.Background())
	out := newSyncBuffer()
	errc := make(chan error, 1)
	go func() {
		errc <- Run(ctx, make(chan event.Event), Options{NoColor: true, Input: in, Output: out, Width: 80, Height: 24})
	}()
	waitFor(t, out, "the first frame", func(s string) bool { return strings.Contains(s, "waiting for a call") })
	cancel()
	select {
	case err := <-errc:
		if err != nil {
			t.Fatalf("Run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not return after cancel")
	}
}
