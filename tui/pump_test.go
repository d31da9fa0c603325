package tui

import (
	"context"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/larkspur-labs/assist/engine/event"
)

// recorder is a fake Program.Send that keeps what it was sent.
type recorder struct {
	mu   sync.Mutex
	msgs []tea.Msg
}

func (r *recorder) send(msg tea.Msg) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.msgs = append(r.msgs, msg)
}

// events returns the kinds, seqs and texts of the events sent so far.
func (r *recorder) events() []sentEvent {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []sentEvent
	for _, m := range r.msgs {
		if ev, ok := m.(EventMsg); ok {
			u, _ := ev.Payload.(event.Utterance)
			out = append(out, sentEvent{ev.Kind, ev.CallID, ev.Seq, u.Text})
		}
	}
	return out
}

type sentEvent struct {
	kind event.Kind
	call string
	seq  uint64
	text string
}

func rawEvent(call string, seq uint64, p event.Payload) event.Event {
	return event.Event{Kind: p.EventKind(), CallID: call, Seq: seq, TS: fixedNow, Payload: p}
}

// startPump runs the pump on an unbuffered channel and a tick channel the
// test drives. Because both channels are unbuffered, a send returns only
// once the pump has taken the value, so the test needs no sleeps.
func startPump(t *testing.T) (chan<- event.Event, chan<- time.Time, *recorder, <-chan struct{}) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	events, ticks := make(chan event.Event), make(chan time.Time)
	rec := &recorder{}
	done := make(chan struct{})
	go func() {
		defer close(done)
		pump(ctx, events, rec.send, ticks)
	}()
	return events, ticks, rec, done
}

func waitDone(t *testing.T, done <-chan struct{}) {
	t.Helper()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("pump did not stop")
	}
}

func TestPumpCoalescesPartials(t *testing.T) {
	events, ticks, rec, done := startPump(t)
	cust, agent := event.SpeakerCustomer, event.SpeakerAgent

	events <- rawEvent("c1", 1, started("Pump"))
	var seq uint64 = 1
	for i := range 50 { // fifty partials of one utterance…
		seq++
		events <- rawEvent("c1", seq, partial("u1", cust, "partial "+itoa(i), 0))
	}
	seq++
	events <- rawEvent("c1", seq, final("u1", cust, "the final", 0, 2)) // …then its final: 52
	for i := range 20 {                                                 // partials of both speakers
		seq++
		sp := cust
		if i%2 == 1 {
			sp = agent
		}
		events <- rawEvent("c1", seq, partial("u2"+string(sp), sp, "p"+itoa(i), 3))
	}
	ticks <- fixedNow // flush: the latest partial of each speaker
	seq++
	events <- rawEvent("c1", seq, partial("u3", cust, "held", 5)) // 73
	seq++
	events <- rawEvent("c1", seq, event.Sentiment{Speaker: cust, Score: -0.2}) // 74
	close(events)
	waitDone(t, done)

	want := []sentEvent{
		{event.KindCallStarted, "c1", 1, ""},
		{event.KindFinal, "c1", 52, "the final"},
		{event.KindPartial, "c1", 71, "p18"},
		{event.KindPartial, "c1", 72, "p19"},
		{event.KindPartial, "c1", 73, "held"}, // flushed before the sentiment that follows it
		{event.KindSentiment, "c1", 74, ""},
	}
	got := rec.events()
	if len(got) != len(want) {
		t.Fatalf("sent %d events, want %d:\n got %v\nwant %v", len(got), len(want), got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("event %d = %v, want %v", i, got[i], want[i])
		}
	}
	if last := rec.msgs[len(rec.msgs)-1]; last != (StreamEndedMsg{}) {
		t.Errorf("last message = %T, want StreamEndedMsg", last)
	}
}

func TestPumpFlushesHeldPartialsWhenClosed(t *testing.T) {
	events, _, rec, done := startPump(t)
	events <- rawEvent("c1", 1, partial("u1", event.SpeakerCustomer, "a", 0))
	events <- rawEvent("c2", 1, partial("u1", event.SpeakerCustomer, "b", 0))
	close(events)
	waitDone(t, done)
	got := rec.events()
	if len(got) != 2 || got[0].call != "c1" || got[1].call != "c2" {
		t.Fatalf("sent %v, want the held partials of c1 and c2", got)
	}
}

func TestPumpStopsWithContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		pump(ctx, make(chan event.Event), func(tea.Msg) {}, nil)
	}()
	cancel()
	waitDone(t, done)
}

// TestPumpIntoModel runs the pump's output through Update: the model ends
// with the final text and no pending partial.
func TestPumpIntoModel(t *testing.T) {
	events, _, rec, done := startPump(t)
	events <- rawEvent("c1", 1, started("Pump"))
	for i := range 30 {
		events <- rawEvent("c1", uint64(2+i), partial("u1", event.SpeakerCustomer, "typing "+itoa(i), 0))
	}
	events <- rawEvent("c1", 40, final("u1", event.SpeakerCustomer, "done typing", 0, 1))
	close(events)
	waitDone(t, done)

	m := newTestModel(t, Options{}, 80, 24)
	m = feedMsgs(t, m, rec.msgs)
	lines := m.calls["c1"].lines
	if len(lines) != 1 || lines[0].partial || lines[0].text != "done typing" {
		t.Fatalf("lines = %+v", lines)
	}
}
