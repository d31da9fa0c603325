package agent

import (
	tea "charm.land/bubbletea/v2"

	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/internal/termtext"
)

// ResultMsg is the answer to a command the view returned: the replay's
// pause state or speed, where a call stands in the playlist, whether
// feedback was saved or a summary asked for. The program holding the view
// hands it back with HandleResult.
type ResultMsg interface{ result() }

// pausedMsg reports the replay's pause state after a toggle.
type pausedMsg struct{ paused bool }

// speedMsg reports the replay speed in force.
type speedMsg struct{ speed float64 }

// positionMsg reports where a call stands in the replay playlist.
type positionMsg struct {
	callID       string
	index, total int
}

// feedbackDoneMsg reports the result of recording feedback.
type feedbackDoneMsg struct{ err error }

// summaryDoneMsg reports the result of asking for a call's summary. The
// summary itself comes as an event.
type summaryDoneMsg struct {
	callID string
	err    error
}

func (pausedMsg) result()       {}
func (speedMsg) result()        {}
func (positionMsg) result()     {}
func (feedbackDoneMsg) result() {}
func (summaryDoneMsg) result()  {}
func (replyDoneMsg) result()    {}

// HandleResult applies the answer to one of the view's commands.
func (m *Screen) HandleResult(msg ResultMsg) tea.Cmd {
	var cmd tea.Cmd
	switch msg := msg.(type) {
	case pausedMsg:
		m.advance(m.now()) // the time played so far, at the old state
		m.paused = msg.paused
		m.refreshHeader()
	case speedMsg:
		m.advance(m.now())
		m.speed = msg.speed
		m.refreshHeader()
	case positionMsg:
		if cs := m.calls[msg.callID]; cs != nil {
			cs.index, cs.total = msg.index, msg.total
			m.refreshHeader()
		}
	case feedbackDoneMsg:
		if msg.err != nil {
			m.setNote("Feedback not saved: "+termtext.Sanitize(msg.err.Error()), true)
		}
	case replyDoneMsg:
		m.replyDone(msg)
	case stateDoneMsg:
		m.stateDone(msg)
	case wrapupDoneMsg:
		cmd = m.wrapupDone(msg)
	case summaryDoneMsg:
		if msg.err != nil {
			if cs := m.calls[msg.callID]; cs != nil {
				cs.requestSummary(false)
				m.refresh()
			}
			m.setNote("No summary: "+termtext.Sanitize(msg.err.Error()), true)
		}
	}
	m.settle()
	return cmd
}

// The commands below copy what they need and never touch the view.

// togglePauseCmd pauses or resumes the replay.
func togglePauseCmd(r ReplayControls) tea.Cmd {
	return func() tea.Msg { return pausedMsg{paused: r.TogglePause()} }
}

// setSpeedCmd asks for a replay speed.
func setSpeedCmd(r ReplayControls, x float64) tea.Cmd {
	return func() tea.Msg { return speedMsg{speed: r.SetSpeed(x)} }
}

// speedCmd reads the replay speed.
func speedCmd(r ReplayControls) tea.Cmd {
	return func() tea.Msg { return speedMsg{speed: r.Speed()} }
}

// nextCallCmd skips to the next call of the replay.
func nextCallCmd(r ReplayControls) tea.Cmd {
	return func() tea.Msg {
		r.NextCall()
		return nil
	}
}

// positionCmd asks the replay where a call stands in its playlist.
func positionCmd(r ReplayControls, callID string) tea.Cmd {
	return func() tea.Msg {
		i, n, ok := r.CallPosition(callID)
		if !ok {
			return nil
		}
		return positionMsg{callID: callID, index: i, total: n}
	}
}

// feedbackCmd records what the agent did with a suggestion.
func feedbackCmd(c Controller, callID string, fb event.Feedback) tea.Cmd {
	return func() tea.Msg {
		return feedbackDoneMsg{err: c.Feedback(callID, fb)}
	}
}

// summaryCmd asks the engine to sum up a call.
func summaryCmd(c Controller, callID string) tea.Cmd {
	return func() tea.Msg {
		return summaryDoneMsg{callID: callID, err: c.RequestSummary(callID)}
	}
}
