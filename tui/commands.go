package tui

import (
	tea "charm.land/bubbletea/v2"

	"github.com/larkspur-labs/assist/engine/event"
)

// EventMsg carries one engine event to the view.
type EventMsg struct {
	event.Event
}

// StreamEndedMsg says the event channel has closed: the replay is over.
// The view stays open until the user quits.
type StreamEndedMsg struct{}

// tickMsg is the clock tick; only the tick with the current id counts.
type tickMsg struct{ id int }

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

// The commands below copy what they need and never touch the model.

// togglePauseCmd pauses or resumes the replay.
func togglePauseCmd(c Controller) tea.Cmd {
	return func() tea.Msg { return pausedMsg{paused: c.TogglePause()} }
}

// setSpeedCmd asks for a replay speed.
func setSpeedCmd(c Controller, x float64) tea.Cmd {
	return func() tea.Msg { return speedMsg{speed: c.SetSpeed(x)} }
}

// speedCmd reads the replay speed.
func speedCmd(c Controller) tea.Cmd {
	return func() tea.Msg { return speedMsg{speed: c.Speed()} }
}

// nextCallCmd skips to the next call of the replay.
func nextCallCmd(c Controller) tea.Cmd {
	return func() tea.Msg {
		c.NextCall()
		return nil
	}
}

// feedbackCmd records what the agent did with a suggestion.
func feedbackCmd(c Controller, callID string, fb event.Feedback) tea.Cmd {
	return func() tea.Msg {
		return feedbackDoneMsg{err: c.Feedback(callID, fb)}
	}
}

// positionCmd asks a playlist-aware controller where a call stands.
func positionCmd(p CallPositioner, callID string) tea.Cmd {
	return func() tea.Msg {
		i, n, ok := p.CallPosition(callID)
		if !ok {
			return nil
		}
		return positionMsg{callID: callID, index: i, total: n}
	}
}

// summaryCmd asks the engine to sum up a call.
func summaryCmd(r SummaryRequester, callID string) tea.Cmd {
	return func() tea.Msg {
		return summaryDoneMsg{callID: callID, err: r.RequestSummary(callID)}
	}
}
