package agent

import (
	"slices"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/lipgloss/v2"

	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/internal/termtext"
	"github.com/larkspur-labs/assist/tui/common"
)

// After-call work. When a call the agent was on ends, an agent's own
// terminal on the service (its controller is a WrapupSender, the view not
// read-only) covers the panes with the wrap-up form: the disposition
// (prefilled from the flow, else the engine's, and changeable from a
// list), the summary (the engine's, editable), the checklist (each step
// confirmed done, marked not needed, or left open) and a free note.
// ctrl+s sends it as the agent's wrapup event. While the form is open the
// agent is in wrap-up, and a call that starts meanwhile is held: it is
// shown once the form is sent or its timer (Options.WrapupTimer) runs
// out, which sends the form as it stands, marked timed out. A held call
// that ended while it waited gets its own form then: it was the agent's
// call all the same. Replays and
// the supervisor's drill-down show no form: a replay has no service to
// store a wrap-up in, and a supervisor does not wrap up an agent's call
// (the stored wrap-up reaches the drill-down as an event, like any other).

// WrapupSender is what a controller adds when the agent wraps its calls
// up in the view: the service's, for the agent's own ended calls.
type WrapupSender interface {
	// SubmitWrapup sends the agent's wrap-up of an ended call, to be
	// stored with it.
	SubmitWrapup(callID string, w event.Wrapup) error
}

// wrapupDoneMsg reports the result of sending a wrap-up.
type wrapupDoneMsg struct {
	callID   string
	timedOut bool
	err      error
}

func (wrapupDoneMsg) result() {}

// wrapupCmd sends a wrap-up through the controller, off the Update loop.
func wrapupCmd(s WrapupSender, callID string, w event.Wrapup) tea.Cmd {
	return func() tea.Msg {
		return wrapupDoneMsg{callID: callID, timedOut: w.TimedOut, err: s.SubmitWrapup(callID, w)}
	}
}

// The screen's side of the form.

// followWrapup, after a batch of events, opens the form on the displayed
// call when it ended in the batch (wasLive says it was live before), and
// keeps the displayed call on the form's while it is open, holding any
// call that started meanwhile.
func (m *Screen) followWrapup(prev string, wasLive bool) {
	if m.wrapper == nil {
		return
	}
	f := &m.wrap
	if !f.open && wasLive {
		if cs := m.calls[prev]; cs != nil && cs.ended != nil && !slices.Contains(f.wrapped, prev) {
			m.stopComposing()
			m.summaryOpen, m.alertsOpen = false, false
			f.Open(cs, m.clock, m.opts.WrapupTimer)
			m.relayoutWrapup()
			m.setNote("Call ended: wrap it up", false)
		}
	}
	if f.open && m.current != f.callID {
		if _, ok := m.calls[f.callID]; ok {
			if m.current != "" && !slices.Contains(f.held, m.current) && len(f.held) < maxHeldCalls {
				f.held = append(f.held, m.current)
			}
			m.current = f.callID
			m.refresh()
		}
	}
}

// liveCall reports the displayed call and whether it is live, before a
// batch of events.
func (m *Screen) liveCall() (string, bool) {
	cs := m.calls[m.current]
	return m.current, cs != nil && cs.started && cs.ended == nil
}

// relayoutWrapup sizes the form where the summary overlay goes: the
// right column in wide mode, so the call's transcript stays in sight to
// write the summary from, the whole body in compact mode.
func (m *Screen) relayoutWrapup() {
	m.wrap.SetSize(m.layout.Summary.W, m.layout.Summary.H)
}

// wrapupKey handles a key while the form is open.
func (m *Screen) wrapupKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.wrap.keys
	switch {
	case key.Matches(msg, k.Quit):
		return tea.Quit
	case key.Matches(msg, k.Submit):
		return m.submitWrapup(false)
	}
	return m.wrap.key(msg)
}

// submitWrapup sends the form; timedOut says the timer ran out.
func (m *Screen) submitWrapup(timedOut bool) tea.Cmd {
	f := &m.wrap
	if !f.open || f.sending || m.wrapper == nil {
		return nil
	}
	w := f.Wrapup(timedOut)
	if w.Disposition == "" {
		m.setNote("Choose a disposition first", true)
		return nil
	}
	f.sending = true
	if timedOut {
		m.setNote("Wrap-up time is up: sending the form as it stands", false)
	} else {
		m.setNote("Sending the wrap-up…", false)
	}
	return wrapupCmd(m.wrapper, f.callID, w)
}

// WrapupTimer sends the form as it stands when its timer has run out.
// The program calls it on its clock tick.
func (m *Screen) WrapupTimer() tea.Cmd {
	f := &m.wrap
	if !f.open || f.sending || f.deadline.IsZero() || m.clock.Before(f.deadline) {
		return nil
	}
	return m.submitWrapup(true)
}

// wrapupDone applies the answer to a sent wrap-up: sent, or sent by the
// timer whatever the answer, the form closes and the next call (held, if
// one started) is shown; a wrap-up the agent sent that failed stays open
// to send again.
func (m *Screen) wrapupDone(msg wrapupDoneMsg) tea.Cmd {
	f := &m.wrap
	if !f.open || f.callID != msg.callID {
		return nil
	}
	f.sending = false
	switch {
	case msg.err != nil && !msg.timedOut:
		m.setNote("Wrap-up not sent: "+termtext.Sanitize(msg.err.Error()), true)
		return nil
	case msg.err != nil:
		m.setNote("Wrap-up not stored: "+termtext.Sanitize(msg.err.Error()), true)
	case msg.timedOut:
		m.setNote("Wrap-up sent by the timer", false)
	default:
		m.setNote("Wrap-up sent: you are available", false)
	}
	f.close()
	for len(f.held) > 0 {
		next := f.held[0]
		f.held = f.held[1:]
		cs := m.calls[next]
		if cs == nil {
			continue // forgotten meanwhile
		}
		m.current = next
		if cs.ended != nil && !slices.Contains(f.wrapped, next) {
			// It came and went behind the form: wrap it up too.
			f.Open(cs, m.clock, m.opts.WrapupTimer)
			m.refresh()
			m.relayout()
			m.setNote("Your next call ended meanwhile: wrap it up", false)
			return m.setState(event.AgentWrapUp, next)
		}
		break
	}
	m.refresh()
	m.relayout()
	if cs := m.calls[m.current]; cs != nil && cs.started && cs.ended == nil {
		return m.followCall()
	}
	return m.setState(event.AgentAvailable, "")
}

// renderWrapup draws the header, the form over the body, and the form's
// help with the status note.
func (m Screen) renderWrapup() string {
	l := m.layout
	h := m.help
	note := m.noteView()
	h.SetWidth(max(l.Help.W-lipgloss.Width(note)-2, 0))
	bar := common.Spread(" "+h.ShortHelpView(m.wrap.keys.forField(m.wrap.field, len(m.wrap.steps)).ShortHelp()), note, l.Help.W)
	parts := []placed{{l.Header, m.header.View()}}
	if !l.Compact {
		t := m.transcript // a copy: the form has the focus
		t.SetFocused(false)
		parts = append(parts, placed{l.Transcript, t.View()})
	}
	return compose(m.width, m.height, append(parts,
		placed{l.Summary, m.wrap.View(m.clock)},
		placed{rect{0, m.height - l.Help.H, m.width, min(l.Help.H, 1)}, bar},
	))
}
