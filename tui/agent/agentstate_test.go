package agent

import (
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/internal/termtext"
	"github.com/larkspur-labs/assist/tui/internal/tuitest"
)

// fakeAgent is an agent's own terminal: feedback, replies and the
// agent's state, which it records.
type fakeAgent struct {
	*fakeChat
	mu     sync.Mutex
	states []event.AgentStatus
}

var _ StatePublisher = (*fakeAgent)(nil)

func (c *fakeAgent) SetAgentState(s event.AgentStatus) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.states = append(c.states, s)
	return nil
}

// last returns the last state published, and how many were.
func (c *fakeAgent) last() (event.AgentStatus, int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.states) == 0 {
		return event.AgentStatus{}, 0
	}
	return c.states[len(c.states)-1], len(c.states)
}

// TestAgentStateFollowsCallsAndTheAgent walks an agent through a day's
// states: available at start, on call when the service assigns a call,
// wrap-up when it ends, available with a, away and back with a, on call
// again with the next call even while away; each change published at
// once, and the state again every event.AgentStatusInterval.
func TestAgentStateFollowsCallsAndTheAgent(t *testing.T) {
	now := tuitest.FixedNow
	ctl := &fakeAgent{fakeChat: &fakeChat{fakeController: newFakeController()}}
	m := New(Options{NoColor: true, Controller: ctl, Now: func() time.Time { return now }})
	m = feedMsgs(t, m, tuitest.RunCmd(m.Init()))
	m = update(t, m, tea.WindowSizeMsg{Width: 120, Height: 30})
	run := func(cmd tea.Cmd) { m = feedMsgs(t, m, tuitest.RunCmd(cmd)) }
	want := func(state event.AgentState, call string, published int, header string) {
		t.Helper()
		s, n := ctl.last()
		if s.State != state || s.CallID != call || n != published {
			t.Fatalf("published %d, the last %+v; want %d, the last %s on %q", n, s, published, state, call)
		}
		if line := viewLines(m)[1]; !strings.Contains(line, "you: "+header) {
			t.Fatalf("header %q, want %q", line, "you: "+header)
		}
	}
	want(event.AgentAvailable, "", 1, "available 00:00")

	b := &tuitest.EventBuilder{CallID: "chat-1"}
	started := tuitest.Started("First chat")
	started.Channel = event.ChannelChat
	for _, msg := range []tea.Msg{b.Ev(started), b.Ev(tuitest.Final("u1", event.SpeakerCustomer, "hi", 0, 1))} {
		var cmd tea.Cmd
		m, cmd = updateCmd(t, m, msg)
		run(cmd)
	}
	want(event.AgentOnCall, "chat-1", 2, "on call")
	m, _ = press(t, m, "a") // nothing to choose on a call
	want(event.AgentOnCall, "chat-1", 2, "on call")

	now = now.Add(30 * time.Second)
	var cmd tea.Cmd
	m, cmd = updateCmd(t, m, b.Ev(event.CallEnded{Reason: "hangup"}))
	run(cmd)
	want(event.AgentWrapUp, "chat-1", 3, "wrap-up 00:00")
	now = now.Add(time.Second)
	m, cmd = updateCmd(t, m, tickMsg{id: m.tickID})
	run(cmd)
	want(event.AgentWrapUp, "chat-1", 3, "wrap-up 00:01") // not yet due again
	now = now.Add(event.AgentStatusInterval)
	m, cmd = updateCmd(t, m, tickMsg{id: m.tickID})
	run(cmd)
	want(event.AgentWrapUp, "chat-1", 4, "wrap-up 00:03") // the heartbeat

	m, _ = press(t, m, "a")
	want(event.AgentAvailable, "", 5, "available")
	m, _ = press(t, m, "a")
	want(event.AgentAway, "", 6, "away")
	m, _ = press(t, m, "a")
	want(event.AgentAvailable, "", 7, "available")
	m, _ = press(t, m, "a")
	want(event.AgentAway, "", 8, "away")

	b2 := &tuitest.EventBuilder{CallID: "chat-2"}
	m, cmd = updateCmd(t, m, b2.Ev(started))
	run(cmd)
	want(event.AgentOnCall, "chat-2", 9, "on call")
	if s, _ := ctl.last(); !s.Since.Equal(now) || s.TS.IsZero() {
		t.Errorf("on call since %v (published %v), want %v", s.Since, s.TS, now)
	}
	if got := termtext.Sanitize(viewLines(m)[len(viewLines(m))-1]); strings.Contains(got, "a away") {
		t.Errorf("the state key is offered on a call: %q", got)
	}
}

// TestAgentStateOnlyOnTheAgentsTerminal checks that a view without a
// publisher, or read-only, neither keeps nor shows a state.
func TestAgentStateOnlyOnTheAgentsTerminal(t *testing.T) {
	ctl := &fakeAgent{fakeChat: &fakeChat{fakeController: newFakeController()}}
	for _, opts := range []Options{{Controller: newFakeController()}, {Controller: ctl, ReadOnly: true}} {
		m := newTestModel(t, opts, 120, 30)
		m = feedMsgs(t, m, tuitest.RealisticCall())
		m, _ = press(t, m, "a")
		if m.agentState != "" || strings.Contains(stripView(m), "you: ") {
			t.Errorf("%+v: state %q shown", opts, m.agentState)
		}
	}
	if _, n := ctl.last(); n != 0 {
		t.Errorf("a read-only view published %d states", n)
	}
}
