package common_test

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/tui/common"
	"github.com/larkspur-labs/assist/tui/internal/tuitest"
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
		if ev, ok := m.(common.EventMsg); ok {
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
	return event.Event{Kind: p.EventKind(), CallID: call, Seq: seq, TS: tuitest.FixedNow, Payload: p}
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
		common.Pump(ctx, common.Source{Events: events}, rec.send, ticks)
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

	events <- rawEvent("c1", 1, tuitest.Started("Pump"))
	var seq uint64 = 1
	for i := range 50 { // fifty partials of one utterance…
		seq++
		events <- rawEvent("c1", seq, tuitest.Partial("u1", cust, "partial "+strconv.Itoa(i), 0))
	}
	seq++
	events <- rawEvent("c1", seq, tuitest.Final("u1", cust, "the final", 0, 2)) // …then its final: 52
	for i := range 20 {                                                         // partials of both speakers
		seq++
		sp := cust
		if i%2 == 1 {
			sp = agent
		}
		events <- rawEvent("c1", seq, tuitest.Partial("u2"+string(sp), sp, "p"+strconv.Itoa(i), 3))
	}
	ticks <- tuitest.FixedNow // flush: the latest partial of each speaker
	seq++
	events <- rawEvent("c1", seq, tuitest.Partial("u3", cust, "held", 5)) // 73
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
	if last := rec.msgs[len(rec.msgs)-1]; last != (common.StreamEndedMsg{}) {
		t.Errorf("last message = %T, want StreamEndedMsg", last)
	}
}

func TestPumpFlushesHeldPartialsWhenClosed(t *testing.T) {
	events, _, rec, done := startPump(t)
	events <- rawEvent("c1", 1, tuitest.Partial("u1", event.SpeakerCustomer, "a", 0))
	events <- rawEvent("c2", 1, tuitest.Partial("u1", event.SpeakerCustomer, "b", 0))
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
		common.Pump(ctx, common.Source{Events: make(chan event.Event)}, func(tea.Msg) {}, nil)
	}()
	cancel()
	waitDone(t, done)
}

// TestPumpForwardsMessages checks that the one pump forwards the message
// channel too, before and after the events close, and stops once both are
// closed.
func TestPumpForwardsMessages(t *testing.T) {
	events, msgs := make(chan event.Event), make(chan tea.Msg)
	out := make(chan tea.Msg, 8)
	done := make(chan struct{})
	go func() {
		defer close(done)
		common.Pump(context.Background(), common.Source{Events: events, Messages: msgs}, func(m tea.Msg) { out <- m }, nil)
	}()
	type note struct{ text string }
	next := func() tea.Msg {
		t.Helper()
		select {
		case m := <-out:
			return m
		case <-time.After(5 * time.Second):
			t.Fatal("the pump sent nothing")
			return nil
		}
	}
	msgs <- note{"before"}
	if m := next(); m != (note{"before"}) {
		t.Fatalf("first message = %v, want the note", m)
	}
	events <- rawEvent("c1", 1, tuitest.Started("Pump"))
	if ev, ok := next().(common.EventMsg); !ok || ev.Seq != 1 {
		t.Fatalf("second message = %v, want the call.started", ev)
	}
	close(events)
	if m := next(); m != (common.StreamEndedMsg{}) {
		t.Fatalf("after the events closed: %v, want StreamEndedMsg", m)
	}
	msgs <- note{"after"}
	if m := next(); m != (note{"after"}) {
		t.Fatalf("after the stream ended: %v, want the note", m)
	}
	close(msgs)
	waitDone(t, done)
}

// TestPumpAdmitsPartials checks that AdmitPartial drops the partials of
// the calls it does not admit, held or not, and nothing else.
func TestPumpAdmitsPartials(t *testing.T) {
	events, ticks := make(chan event.Event), make(chan time.Time)
	rec := &recorder{}
	done := make(chan struct{})
	admit := func(callID string) bool { return callID == "c2" }
	go func() {
		defer close(done)
		common.Pump(context.Background(), common.Source{Events: events, AdmitPartial: admit}, rec.send, ticks)
	}()
	cust := event.SpeakerCustomer
	events <- rawEvent("c1", 1, tuitest.Partial("u1", cust, "dropped", 0))
	events <- rawEvent("c2", 1, tuitest.Partial("u1", cust, "kept", 0))
	ticks <- tuitest.FixedNow
	events <- rawEvent("c1", 2, tuitest.Final("u1", cust, "final", 0, 1))
	close(events)
	waitDone(t, done)
	got := rec.events()
	want := []sentEvent{{event.KindPartial, "c2", 1, "kept"}, {event.KindFinal, "c1", 2, "final"}}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("sent %v, want %v", got, want)
	}
}
