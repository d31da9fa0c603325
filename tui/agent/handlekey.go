package agent

import (
	"strconv"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/tui/common"
)

// HandleKey routes a key press: global keys first, then the focused pane.
// The returned command does what the key asks of the engine (or quits).
func (m *Screen) HandleKey(msg tea.KeyPressMsg) tea.Cmd {
	cmd := m.handleKey(msg)
	m.settle()
	return cmd
}

// handleKey routes a key press for HandleKey.
func (m *Screen) handleKey(msg tea.KeyPressMsg) tea.Cmd {
	k, r := m.keys, m.replay
	if m.wrap.open {
		return m.wrapupKey(msg)
	}
	if m.composing {
		return m.composeKey(msg)
	}
	switch {
	case key.Matches(msg, k.Quit):
		return tea.Quit
	case key.Matches(msg, k.Help):
		m.help.ShowAll = !m.help.ShowAll
		m.syncKeys()
		m.relayout()
	case key.Matches(msg, k.FocusNext):
		m.setFocus(m.focus + 1)
	case key.Matches(msg, k.FocusPrev):
		m.setFocus(m.focus - 1)
	case key.Matches(msg, k.Select):
		if s := msg.String(); len(s) == 1 {
			m.suggestions.Select(int(s[0] - '1'))
		}
	case key.Matches(msg, k.Take):
		return m.takeSelected()
	case key.Matches(msg, k.Write):
		return m.startComposing()
	case key.Matches(msg, k.Copy):
		return m.copySelected()
	case key.Matches(msg, k.Helpful):
		return m.rateSelected(event.VerdictHelpful)
	case key.Matches(msg, k.NotHelpful):
		return m.rateSelected(event.VerdictNotHelpful)
	case key.Matches(msg, k.Pause):
		if r != nil {
			return togglePauseCmd(r)
		}
	case key.Matches(msg, k.Faster):
		return m.changeSpeed(2)
	case key.Matches(msg, k.Slower):
		return m.changeSpeed(0.5)
	case key.Matches(msg, k.NextCall):
		if r != nil {
			return nextCallCmd(r)
		}
	case key.Matches(msg, k.State):
		return m.toggleState()
	case key.Matches(msg, k.Summary):
		m.alertsOpen = false
		return m.toggleSummary()
	case key.Matches(msg, k.Alerts):
		m.alertsOpen, m.summaryOpen = !m.alertsOpen, false
	case key.Matches(msg, k.Close):
		m.summaryOpen, m.alertsOpen = false, false
	case m.alertsOpen:
		scrollOverlay(m.keys, msg, &m.alerts.scrollBox)
	case m.summaryOpen:
		scrollOverlay(m.keys, msg, &m.summary.scrollBox)
	default:
		m.scrollFocused(msg)
	}
	return nil
}

// toggleSummary hides the summary overlay if it is open. Otherwise it
// opens it on the displayed call's latest summary and, while the call is
// live, asks the engine for a fresh one, which replaces it when it comes.
// An ended call is not asked: its wrap-up is its last word.
func (m *Screen) toggleSummary() tea.Cmd {
	if m.summaryOpen {
		m.summaryOpen = false
		return nil
	}
	cs := m.calls[m.current]
	if cs == nil {
		return nil
	}
	c := m.opts.Controller
	switch {
	case cs.ended != nil && cs.summary == nil:
		m.setNote("The call ended without a summary", false)
		return nil
	case cs.ended != nil:
		m.summaryOpen = true
		return nil
	case c == nil && cs.summary == nil:
		m.setNote("Summaries are not available here", false)
		return nil
	case c == nil:
		m.summaryOpen = true
		m.setNote("Summaries are not available here; this is the last one", false)
		return nil
	}
	m.summaryOpen = true
	cs.requestSummary(true)
	m.refresh()
	return summaryCmd(c, cs.id)
}

// scrollOverlay sends navigation keys to an overlay.
func scrollOverlay(k KeyMap, msg tea.KeyPressMsg, p *scrollBox) {
	n := len(p.rows)
	switch {
	case key.Matches(msg, k.Up):
		p.Scroll(-1)
	case key.Matches(msg, k.Down):
		p.Scroll(1)
	case key.Matches(msg, k.PageUp):
		p.Page(-1)
	case key.Matches(msg, k.PageDown):
		p.Page(1)
	case key.Matches(msg, k.Top):
		p.Scroll(-n)
	case key.Matches(msg, k.Bottom):
		p.Scroll(n)
	}
}

// scrollFocused sends navigation keys to the focused pane.
func (m *Screen) scrollFocused(msg tea.KeyPressMsg) {
	k := m.keys
	switch m.focus {
	case focusTranscript:
		t := &m.transcript
		switch {
		case key.Matches(msg, k.Up):
			t.Scroll(-1)
		case key.Matches(msg, k.Down):
			t.Scroll(1)
		case key.Matches(msg, k.PageUp):
			t.Page(-1)
		case key.Matches(msg, k.PageDown):
			t.Page(1)
		case key.Matches(msg, k.Top):
			t.Top()
		case key.Matches(msg, k.Bottom):
			t.Bottom()
		}
	case focusSuggestions:
		s := &m.suggestions
		switch {
		case key.Matches(msg, k.Up):
			s.Move(-1)
		case key.Matches(msg, k.Down):
			s.Move(1)
		case key.Matches(msg, k.PageUp, k.Top):
			s.Move(-maxReplies)
		case key.Matches(msg, k.PageDown, k.Bottom):
			s.Move(maxReplies)
		}
	case focusRecommendations:
		r := &m.recs
		switch {
		case key.Matches(msg, k.Up):
			r.Scroll(-1)
		case key.Matches(msg, k.Down):
			r.Scroll(1)
		case key.Matches(msg, k.PageUp):
			r.Page(-1)
		case key.Matches(msg, k.PageDown):
			r.Page(1)
		case key.Matches(msg, k.Top):
			r.Scroll(-maxAlerts * 4)
		case key.Matches(msg, k.Bottom):
			r.Scroll(maxAlerts * 4)
		}
	}
}

// copySelected copies the selected reply to the clipboard (OSC 52) and
// records that the agent used it. A generated draft is copied only once
// it is complete: half a sentence pasted to a customer is worse than none.
// Nothing is ever sent to the customer from here; the agent pastes.
func (m *Screen) copySelected() tea.Cmd {
	s, i, ok := m.suggestions.Selected()
	cs := m.calls[m.current]
	if !ok || cs == nil {
		return nil
	}
	if isDraft(s) {
		if s.Partial {
			m.setNote("Draft "+strconv.Itoa(i+1)+" is still being written", false)
			return nil
		}
		m.setNote("Draft "+strconv.Itoa(i+1)+" copied; check it before sending", false)
	} else {
		m.setNote("Reply "+strconv.Itoa(i+1)+" copied to the clipboard", false)
	}
	return tea.Batch(tea.SetClipboard(s.Text), m.recordFeedback(cs, s, event.VerdictUsed))
}

// rateSelected marks the selected reply helpful or not helpful.
func (m *Screen) rateSelected(verdict string) tea.Cmd {
	s, i, ok := m.suggestions.Selected()
	cs := m.calls[m.current]
	if !ok || cs == nil {
		return nil
	}
	word := "helpful"
	if verdict == event.VerdictNotHelpful {
		word = "not helpful"
	}
	m.setNote("Reply "+strconv.Itoa(i+1)+" marked "+word, false)
	return m.recordFeedback(cs, s, verdict)
}

// recordFeedback marks the reply at once and returns the command that
// tells the engine.
func (m *Screen) recordFeedback(cs *callState, s event.Suggestion, verdict string) tea.Cmd {
	fb := event.Feedback{
		SuggestionID: s.ID,
		ArticleID:    s.ArticleID,
		UtteranceID:  cs.replies.UtteranceID,
		Verdict:      verdict,
	}
	cs.feedback(fb)
	m.refresh()
	if m.opts.Controller == nil {
		return nil
	}
	return feedbackCmd(m.opts.Controller, cs.id, fb)
}

// changeSpeed multiplies the replay speed by f within its bounds. The
// view shows the new speed at once; the replay's answer corrects it.
func (m *Screen) changeSpeed(f float64) tea.Cmd {
	m.advance(m.now())
	m.speed = common.Clampf(m.speed*f, minSpeed, maxSpeed)
	m.refreshHeader()
	if m.replay == nil {
		return nil
	}
	return setSpeedCmd(m.replay, m.speed)
}
