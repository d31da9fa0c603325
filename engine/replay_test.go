package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"sync"
	"testing"
	"time"

	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/engine/transcript"
	"github.com/larkspur-labs/assist/internal/datasets/datasetstest"
)

func TestHeadlessReplayOfSGDBanks(t *testing.T) {
	path := datasetstest.Sample(t, "sgd/sgd_banks_dialogues.jsonl")
	calls, warns, err := transcript.LoadFile(path, transcript.FormatAuto)
	if err != nil {
		t.Fatal(err)
	}
	if len(warns) != 0 {
		t.Errorf("warnings on clean data: %v", warns)
	}
	bus, eng := newTestEngine(t, nil)
	p := NewPlayer(eng, PlayerOptions{Speed: 0})
	var out bytes.Buffer
	rep, err := ReplayHeadless(context.Background(), bus, p, calls, &out)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Calls != 60 || len(calls) != 60 {
		t.Errorf("replayed %d of %d calls, want 60", rep.Calls, len(calls))
	}
	t.Log(rep)

	// Per call: sequence strictly increasing from 1; every final customer
	// utterance followed, in order, by its sentiment and suggestions.
	type callState struct {
		seq       uint64
		pending   map[string]int // utterance id → 0 final seen, 1 sentiment seen
		ended     bool
		customers int
	}
	states := map[string]*callState{}
	dec := json.NewDecoder(&out)
	for dec.More() {
		var e event.Event
		if err := dec.Decode(&e); err != nil {
			t.Fatal(err)
		}
		st := states[e.CallID]
		if st == nil {
			st = &callState{pending: map[string]int{}}
			states[e.CallID] = st
		}
		if e.Seq != st.seq+1 {
			t.Fatalf("%s: seq %d after %d", e.CallID, e.Seq, st.seq)
		}
		st.seq = e.Seq
		switch pl := e.Payload.(type) {
		case event.Utterance:
			if pl.Final && pl.Speaker == event.SpeakerCustomer {
				st.pending[pl.UtteranceID] = 0
				st.customers++
			}
		case event.Sentiment:
			if n, ok := st.pending[pl.UtteranceID]; ok && n == 0 && pl.Speaker == event.SpeakerCustomer {
				st.pending[pl.UtteranceID] = 1
			}
		case event.Suggestions:
			if st.pending[pl.UtteranceID] != 1 {
				t.Fatalf("%s %s: suggestions before sentiment", e.CallID, pl.UtteranceID)
			}
			if !pl.Abstain && len(pl.Suggestions) == 0 || pl.Abstain && pl.Reason == "" {
				t.Errorf("%s %s: neither suggestions nor an explained abstain: %+v", e.CallID, pl.UtteranceID, pl)
			}
			delete(st.pending, pl.UtteranceID)
		case event.CallEnded:
			st.ended = true
		}
	}
	customers := 0
	for id, st := range states {
		if !st.ended || len(st.pending) != 0 {
			t.Errorf("%s: ended=%v, utterances without suggestions: %v", id, st.ended, st.pending)
		}
		customers += st.customers
	}
	if len(states) != 60 || customers != rep.CustomerUtterances || customers < 400 {
		t.Errorf("calls %d, customer utterances %d (report %d)", len(states), customers, rep.CustomerUtterances)
	}
}

// fakeClock advances by exactly the time waited for, so timed replay runs
// instantly and deterministically.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	ch := make(chan time.Time, 1)
	ch <- c.now
	return ch
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func TestReplayKeepsRecordedTimingScaledBySpeed(t *testing.T) {
	clock := &fakeClock{now: time.Unix(1000, 0)}
	bus, err := StartBus()
	if err != nil {
		t.Fatal(err)
	}
	defer bus.Close()
	ix, err := sampleIndex()
	if err != nil {
		t.Fatal(err)
	}
	eng, _ := New(bus, testAssistant(ix), Options{Now: clock.Now})
	defer eng.Close()
	sub := subscribe(t, bus, AllCallsSubject)

	call := transcript.Call{ID: "timed", Channel: "voice", Utterances: []transcript.Utterance{
		{Offset: 1, Duration: 2, Speaker: "agent", Text: "Larkspur Bank, Maya speaking, how can I help"},
		{Offset: 4, Duration: 4, Speaker: "customer", Text: "my card was declined at the store today"},
	}}
	p := NewPlayer(eng, PlayerOptions{Speed: 2, Partials: true, Clock: clock})
	start := clock.Now()
	if _, err := p.Play(context.Background(), []transcript.Call{call}); err != nil {
		t.Fatal(err)
	}
	evs := collect(t, sub, event.KindCallEnded)
	var finals []float64
	partials := 0
	for _, e := range evs {
		if u, ok := e.Payload.(event.Utterance); ok {
			if u.Final {
				finals = append(finals, e.TS.Sub(start).Seconds())
			} else {
				partials++
				if e.TS.Sub(start).Seconds() >= u.End/2 {
					t.Errorf("partial %q at %v, after the utterance ended", u.Text, e.TS.Sub(start))
				}
			}
		}
	}
	// Finals arrive when the utterance ends, at half the recorded time.
	if len(finals) != 2 || math.Abs(finals[0]-1.5) > 1e-6 || math.Abs(finals[1]-4) > 1e-6 {
		t.Errorf("finals at %v s, want [1.5 4]", finals)
	}
	if partials == 0 {
		t.Error("no partials while speaking")
	}
}

func TestPlayerClockFollowsSpeedAndPause(t *testing.T) {
	clock := &fakeClock{now: time.Unix(0, 0)}
	p := NewPlayer(nil, PlayerOptions{Speed: 2, Clock: clock})
	clock.advance(time.Second)
	if got := p.now(); got != 2 {
		t.Fatalf("after 1s at 2x: %v", got)
	}
	if !p.TogglePause() {
		t.Fatal("TogglePause did not pause")
	}
	clock.advance(5 * time.Second)
	if got := p.now(); got != 2 {
		t.Fatalf("clock moved while paused: %v", got)
	}
	p.TogglePause()
	if got := p.SetSpeed(4); got != 4 {
		t.Fatalf("SetSpeed(4) = %v", got)
	}
	clock.advance(time.Second)
	if got := p.now(); got != 6 {
		t.Fatalf("after 1s at 4x: %v", got)
	}
	if got := p.SetSpeed(1000); got != MaxSpeed {
		t.Errorf("SetSpeed(1000) = %v, want %v", got, MaxSpeed)
	}
	if got := p.SetSpeed(0.01); got != MinSpeed {
		t.Errorf("SetSpeed(0.01) = %v, want %v", got, MinSpeed)
	}
	if got := NewPlayer(nil, PlayerOptions{Speed: 0}).SetSpeed(2); got != 0 {
		t.Errorf("speed 0 replay changed speed to %v", got)
	}
}

func TestNextCallSkipsToTheNextCall(t *testing.T) {
	clock := &fakeClock{now: time.Unix(0, 0)}
	bus, eng := newTestEngine(t, nil)
	sub := subscribe(t, bus, AllCallsSubject)
	mk := func(id string) transcript.Call {
		return transcript.Call{ID: id, Utterances: []transcript.Utterance{
			{Offset: 1, Duration: 1, Speaker: "customer", Text: "what is my balance"},
			{Offset: 3, Duration: 1, Speaker: "agent", Text: "one moment"},
		}}
	}
	p := NewPlayer(eng, PlayerOptions{Speed: 1, Clock: clock})
	p.NextCall()
	stats, err := p.Play(context.Background(), []transcript.Call{mk("first"), mk("second")})
	if err != nil {
		t.Fatal(err)
	}
	ends := map[string]event.CallEnded{}
	for len(ends) < 2 {
		evs := collect(t, sub, event.KindCallEnded)
		last := evs[len(evs)-1]
		ends[last.CallID] = last.Payload.(event.CallEnded)
	}
	if ends["first"].Reason != "skipped" || ends["first"].Utterances != 0 {
		t.Errorf("first call: %+v", ends["first"])
	}
	if ends["second"].Reason != "completed" || ends["second"].Utterances != 2 {
		t.Errorf("second call: %+v", ends["second"])
	}
	if stats.Calls != 2 || stats.Utterances != 2 {
		t.Errorf("stats = %+v", stats)
	}
}
