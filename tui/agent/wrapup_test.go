package agent

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/tui/internal/tuitest"
)

// fakeWrapper is an agent's own terminal that also wraps calls up: it
// records the wrap-ups sent.
type fakeWrapper struct {
	*fakeAgent
	mu      sync.Mutex
	wrapups []event.Wrapup
	calls   []string
	err     error
}

var _ WrapupSender = (*fakeWrapper)(nil)

func (c *fakeWrapper) SubmitWrapup(callID string, w event.Wrapup) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.err != nil {
		return c.err
	}
	c.calls = append(c.calls, callID)
	c.wrapups = append(c.wrapups, w)
	return nil
}

func newFakeWrapper() *fakeWrapper {
	return &fakeWrapper{fakeAgent: &fakeAgent{fakeChat: &fakeChat{fakeController: newFakeController()}}}
}

// endedFlowCall is a live chat call with a reset-password checklist (one
// step done) that then ends with the engine's wrap-up, shown at w×h by a
// view on ctl whose clock is *now.
func endedFlowCall(t *testing.T, ctl Controller, opts Options, now *time.Time, w, h int) Model {
	t.Helper()
	opts.NoColor, opts.Controller = true, ctl
	opts.Now = func() time.Time { return *now }
	m := New(opts)
	m = feedMsgs(t, m, tuitest.RunCmd(m.Init()))
	m = update(t, m, tea.WindowSizeMsg{Width: w, Height: h})
	b := &tuitest.EventBuilder{CallID: "chat-9"}
	started := tuitest.Started("Locked out")
	started.Channel = event.ChannelChat
	run := func(msg tea.Msg) {
		var cmd tea.Cmd
		m, cmd = updateCmd(t, m, msg)
		m = feedMsgs(t, m, tuitest.RunCmd(cmd))
	}
	for _, msg := range []tea.Msg{
		b.Ev(started),
		b.Ev(tuitest.Final("u1", event.SpeakerCustomer, "I'm locked out of online banking.", 0, 3)),
		b.Ev(flowRecs("u1", resetFlow(1))),
	} {
		run(msg)
	}
	*now = now.Add(40 * time.Second)
	run(b.Ev(event.CallEnded{
		Reason: "hangup", Disposition: "password reset", Summary: "Topics: password reset.",
		Wrapup:    &event.Summary{Situation: "Customer locked out of online banking.", Action: "Verified identity.", Resolution: "Reset link sent.", Disposition: "password reset", Source: "extractive"},
		Checklist: resetFlow(2),
	}))
	return m
}

// pressAll is press, running the commands of the messages fed back too,
// for the answers of the view's commands: a sent wrap-up's answer publishes the next state.
func pressAll(t *testing.T, m Model, keys ...string) (Model, []tea.Msg) {
	t.Helper()
	var all []tea.Msg
	for _, k := range keys {
		m2, cmd := updateCmd(t, m, tuitest.Press(k))
		m = m2
		queue := []tea.Cmd{cmd}
		for len(queue) > 0 {
			msgs := tuitest.RunCmd(queue[0])
			queue = queue[1:]
			for _, msg := range msgs {
				all = append(all, msg)
				var c tea.Cmd
				m, c = updateCmd(t, m, msg)
				if _, ok := msg.(ResultMsg); ok {
					queue = append(queue, c)
				}
			}
		}
	}
	return m, all
}

// TestWrapupFormConfirmsTheCall walks the form: prefilled from the flow
// and the engine, the disposition changed, the summary edited, a step
// confirmed and one marked not needed, a note; ctrl+s sends it as the
// agent's, and the agent is available again.
func TestWrapupFormConfirmsTheCall(t *testing.T) {
	now := tuitest.FixedNow
	ctl := newFakeWrapper()
	m := endedFlowCall(t, ctl, Options{}, &now, 80, 24)
	if !m.wrap.open || m.wrap.callID != "chat-9" {
		t.Fatalf("no wrap-up form after the call ended:\n%s", stripView(m))
	}
	if s, _ := ctl.last(); s.State != event.AgentWrapUp {
		t.Fatalf("state %s, want wrap-up", s.State)
	}
	view := stripView(m)
	for _, want := range []string{"Wrap-up · chat-9", "‹ reset_password ›", "Situation: Customer locked out", "✓ Pull up the account", "○ Send the reset link", "no time limit"} {
		if !strings.Contains(view, want) {
			t.Errorf("the form lacks %q:\n%s", want, view)
		}
	}
	// q is text in the summary, not quit; the disposition moves with →.
	m, _ = press(t, m, "right", "tab", "end", " ", "q", "tab", "down", "down", "space", "space", "up", "space", "tab", "O", "K")
	m, msgs := pressAll(t, m, "ctrl+s")
	for _, msg := range msgs {
		if _, ok := msg.(tea.QuitMsg); ok {
			t.Fatal("a key quit the form")
		}
	}
	if m.wrap.open || len(ctl.wrapups) != 1 {
		t.Fatalf("after ctrl+s: form open %v, %d wrap-ups sent", m.wrap.open, len(ctl.wrapups))
	}
	got := ctl.wrapups[0]
	want := event.Wrapup{
		Disposition: "password reset",
		Summary:     "Situation: Customer locked out of online banking.\nAction: Verified identity.\nResolution: Reset link sent. q",
		Checklist: []event.WrapupStep{
			{ID: "account", Title: "Pull up the account", Status: event.StepDone},
			{ID: "verify", Title: "Verify identity", Status: event.StepNotNeeded},
			{ID: "reset", Title: "Send the reset link", Status: event.StepNotNeeded},
		},
		Note: "OK",
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("sent\n %+v\nwant\n %+v", got, want)
	}
	if ctl.calls[0] != "chat-9" {
		t.Errorf("sent for %q", ctl.calls[0])
	}
	if s, _ := ctl.last(); s.State != event.AgentAvailable {
		t.Errorf("state %s after the wrap-up, want available", s.State)
	}
	if got := got.Check(); got != nil {
		t.Errorf("the form sent a wrap-up the service refuses: %v", got)
	}
}

// TestWrapupHoldsTheNextCall: a call that starts while the form is open
// is not shown until the form is sent; then the agent is on it.
func TestWrapupHoldsTheNextCall(t *testing.T) {
	now := tuitest.FixedNow
	ctl := newFakeWrapper()
	m := endedFlowCall(t, ctl, Options{}, &now, 120, 30)
	b := &tuitest.EventBuilder{CallID: "chat-10"}
	var cmd tea.Cmd
	m, cmd = updateCmd(t, m, b.Ev(tuitest.Started("Next one")))
	m = feedMsgs(t, m, tuitest.RunCmd(cmd))
	if m.current != "chat-9" || !m.wrap.open {
		t.Fatalf("the next call replaced the form: current %q, form open %v", m.current, m.wrap.open)
	}
	if s, _ := ctl.last(); s.State != event.AgentWrapUp {
		t.Fatalf("state %s while wrapping up, want wrap-up", s.State)
	}
	m, _ = pressAll(t, m, "ctrl+s")
	if m.current != "chat-10" || m.wrap.open {
		t.Fatalf("after the wrap-up: current %q, form open %v", m.current, m.wrap.open)
	}
	if s, _ := ctl.last(); s.State != event.AgentOnCall || s.CallID != "chat-10" {
		t.Fatalf("state %+v, want on call chat-10", s)
	}
}

// TestWrapupTimerSendsTheForm: when the timer runs out the form goes as
// it stands, marked timed out, and a failed send by the agent keeps it.
func TestWrapupTimerSendsTheForm(t *testing.T) {
	now := tuitest.FixedNow
	ctl := newFakeWrapper()
	ctl.err = fmt.Errorf("service unavailable")
	m := endedFlowCall(t, ctl, Options{WrapupTimer: 30 * time.Second}, &now, 80, 24)
	m, _ = press(t, m, "ctrl+s")
	if !m.wrap.open || !strings.Contains(stripView(m), "Wrap-up not sent") {
		t.Fatalf("a failed send closed the form or said nothing:\n%s", stripView(m))
	}
	ctl.err = nil
	tick := func() {
		var cmd tea.Cmd
		m, cmd = updateCmd(t, m, tickMsg{id: m.tickID})
		m = feedMsgs(t, m, tuitest.RunCmd(cmd))
	}
	now = now.Add(29 * time.Second)
	tick()
	if len(ctl.wrapups) != 0 || !strings.Contains(stripView(m), "00:01 left") {
		t.Fatalf("sent before the timer ran out (%d), or no time left shown:\n%s", len(ctl.wrapups), stripView(m))
	}
	now = now.Add(time.Second)
	tick()
	if m.wrap.open || len(ctl.wrapups) != 1 || !ctl.wrapups[0].TimedOut || ctl.wrapups[0].Disposition != "reset_password" {
		t.Fatalf("after the timer: open %v, sent %+v", m.wrap.open, ctl.wrapups)
	}
}

// TestWrapupOfACallThatEndedBehindTheForm: calls that start while the
// form is open wait in order; one that ended meanwhile gets its own form
// when the first is sent, and the one after it is shown when that is.
func TestWrapupOfACallThatEndedBehindTheForm(t *testing.T) {
	now := tuitest.FixedNow
	ctl := newFakeWrapper()
	m := endedFlowCall(t, ctl, Options{}, &now, 120, 30)
	b10, b11 := &tuitest.EventBuilder{CallID: "chat-10"}, &tuitest.EventBuilder{CallID: "chat-11"}
	for _, msg := range []tea.Msg{
		b10.Ev(tuitest.Started("Short one")),
		b10.Ev(event.CallEnded{Reason: "hangup", Disposition: "balance"}),
		b11.Ev(tuitest.Started("Third")),
	} {
		var cmd tea.Cmd
		m, cmd = updateCmd(t, m, msg)
		m = feedMsgs(t, m, tuitest.RunCmd(cmd))
	}
	m, _ = pressAll(t, m, "ctrl+s")
	if !m.wrap.open || m.wrap.callID != "chat-10" || m.current != "chat-10" {
		t.Fatalf("after the first wrap-up: form open %v on %q, showing %q; want chat-10's form", m.wrap.open, m.wrap.callID, m.current)
	}
	if s, _ := ctl.last(); s.State != event.AgentWrapUp || s.CallID != "chat-10" {
		t.Fatalf("state %+v, want wrap-up of chat-10", s)
	}
	m, _ = pressAll(t, m, "ctrl+s")
	if m.wrap.open || m.current != "chat-11" || len(ctl.wrapups) != 2 || ctl.calls[1] != "chat-10" || ctl.wrapups[1].Disposition != "balance" {
		t.Fatalf("after the second: form open %v, showing %q, sent %v %+v", m.wrap.open, m.current, ctl.calls, ctl.wrapups)
	}
	if s, _ := ctl.last(); s.State != event.AgentOnCall || s.CallID != "chat-11" {
		t.Fatalf("state %+v, want on call chat-11", s)
	}
}

// TestWrapupOnlyOnTheAgentsTerminal: no form in a replay, a read-only
// drill-down, or a view whose controller cannot send one, nor for a call
// the view never saw live.
func TestWrapupOnlyOnTheAgentsTerminal(t *testing.T) {
	for name, opts := range map[string]struct {
		ctl  Controller
		opts Options
	}{
		"replay":     {newFakeReplay(), Options{}},
		"read-only":  {newFakeWrapper(), Options{ReadOnly: true}},
		"no wrap-up": {&fakeAgent{fakeChat: &fakeChat{fakeController: newFakeController()}}, Options{}},
	} {
		t.Run(name, func(t *testing.T) {
			now := tuitest.FixedNow
			m := endedFlowCall(t, opts.ctl, opts.opts, &now, 80, 24)
			if m.wrap.open || strings.Contains(stripView(m), "Wrap-up ·") {
				t.Fatalf("a wrap-up form:\n%s", stripView(m))
			}
		})
	}
	t.Run("joined after the end", func(t *testing.T) {
		m := newTestModel(t, Options{Controller: newFakeWrapper()}, 80, 24)
		b := &tuitest.EventBuilder{CallID: "old"}
		m.Apply(b.Ev(tuitest.Started("Old")).Event, b.Ev(event.CallEnded{Reason: "hangup", Disposition: "x"}).Event)
		if m.wrap.open {
			t.Fatal("a form for a call whose history arrived ended")
		}
	})
}

// TestGoldenViewWrapup is the form of an ended call, with the checklist
// focused, at both reference sizes.
func TestGoldenViewWrapup(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {160, 48}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			now := tuitest.FixedNow
			m := endedFlowCall(t, newFakeWrapper(), Options{WrapupTimer: time.Minute}, &now, size[0], size[1])
			m, _ = press(t, m, "tab", "tab", "down", "down", "space")
			checkFits(t, m, size[0], size[1])
			golden.RequireEqual(t, stripView(m))
		})
	}
}

// TestWrapupFitsTerminal checks the form's geometry at many sizes.
func TestWrapupFitsTerminal(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {160, 48}, {100, 30}, {60, 20}, {40, 12}, {20, 5}, {1, 1}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			now := tuitest.FixedNow
			m := endedFlowCall(t, newFakeWrapper(), Options{}, &now, size[0], size[1])
			checkFits(t, m, size[0], size[1])
			m, _ = press(t, m, "tab", "x", "tab", "tab", "y")
			checkFits(t, m, size[0], size[1])
		})
	}
}
