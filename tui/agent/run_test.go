package agent

import (
	"context"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/tui/common"
	"github.com/larkspur-labs/assist/tui/internal/tuitest"
)

func callEvents() <-chan event.Event {
	msgs := tuitest.RealisticCall()
	events := make(chan event.Event, len(msgs))
	for _, m := range msgs {
		events <- m.(common.EventMsg).Event
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
	out := tuitest.NewSyncBuffer()
	errc := make(chan error, 1)
	go func() {
		errc <- Run(context.Background(), callEvents(), Options{
			ModelStatus: "embedded", Controller: newFakeReplay(), NoColor: true,
			Input: in, Output: out, Width: 100, Height: 30,
		})
	}()
	tuitest.WaitFor(t, out, "the replay to finish on screen", func(s string) bool {
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
	out := tuitest.NewSyncBuffer()
	errc := make(chan error, 1)
	go func() {
		errc <- Run(ctx, make(chan event.Event), Options{NoColor: true, Input: in, Output: out, Width: 80, Height: 24})
	}()
	tuitest.WaitFor(t, out, "the first frame", func(s string) bool { return strings.Contains(s, "waiting for a call") })
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

// TestPumpIntoModel runs the pump's output through Update: the model ends
// with the final text and no pending partial.
func TestPumpIntoModel(t *testing.T) {
	events := make(chan event.Event, 40)
	rec := make(chan tea.Msg, 64)
	events <- rawEvent("c1", 1, tuitest.Started("Pump"))
	for i := range 30 {
		events <- rawEvent("c1", uint64(2+i), tuitest.Partial("u1", event.SpeakerCustomer, "typing "+strconv.Itoa(i), 0))
	}
	events <- rawEvent("c1", 40, tuitest.Final("u1", event.SpeakerCustomer, "done typing", 0, 1))
	close(events)
	common.Pump(context.Background(), common.Source{Events: events}, func(m tea.Msg) { rec <- m }, nil)
	close(rec)

	m := newTestModel(t, Options{}, 80, 24)
	for msg := range rec {
		m = update(t, m, msg)
	}
	lines := m.calls["c1"].lines
	if len(lines) != 1 || lines[0].partial || lines[0].text != "done typing" {
		t.Fatalf("lines = %+v", lines)
	}
}

func rawEvent(call string, seq uint64, p event.Payload) event.Event {
	return event.Event{Kind: p.EventKind(), CallID: call, Seq: seq, TS: tuitest.FixedNow, Payload: p}
}
