package agent

import (
	"strconv"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/internal/termtext"
)

// The agent answers a chat from the view: a suggestion taken into the
// composer (or a reply written there) is edited, then sent through the
// controller's Replier as the agent of the call. The reply reaches the
// transcript the way every turn does, as the call's agent utterance from
// the service, so the view never adds it itself. Taking a suggestion,
// and sending one, count as its use: one used verdict per suggestion, so
// that acceptance is not counted twice for one reply.

// replyDoneMsg reports the result of sending a reply to a chat call.
type replyDoneMsg struct {
	callID string
	err    error
}

// replyCmd sends a reply through the controller, off the Update loop.
func replyCmd(r Replier, callID, text string) tea.Cmd {
	return func() tea.Msg {
		return replyDoneMsg{callID: callID, err: r.Reply(callID, text)}
	}
}

// startComposing gives the composer the keys.
func (m *Screen) startComposing() tea.Cmd {
	if !m.composerShown {
		return nil
	}
	m.composing = true
	return m.composer.Focus()
}

// stopComposing gives the keys back to the panes; the reply stays.
func (m *Screen) stopComposing() {
	m.composing = false
	m.composer.Blur()
}

// composeKey handles a key while the composer has the keys: ctrl+s sends,
// esc leaves, ctrl+c quits, and everything else edits the reply.
func (m *Screen) composeKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	switch {
	case key.Matches(msg, k.Quit):
		return tea.Quit
	case key.Matches(msg, k.Send):
		return m.sendReply()
	case key.Matches(msg, k.Leave):
		m.stopComposing()
		return nil
	}
	return m.composer.Update(msg)
}

// Compose hands a message other than a key, such as a paste, to the
// composer while it has the keys, and reports whether it took it.
func (m *Screen) Compose(msg tea.Msg) (tea.Cmd, bool) {
	if m.wrap.open {
		return m.wrap.paste(msg), true
	}
	if !m.composing {
		return nil, false
	}
	return m.composer.Update(msg), true
}

// takeSelected puts the selected reply in the composer to edit and
// records that the agent used it. A draft still being written is not
// taken.
func (m *Screen) takeSelected() tea.Cmd {
	s, i, ok := m.suggestions.Selected()
	cs := m.calls[m.current]
	if !ok || cs == nil || !m.composerShown {
		return nil
	}
	what := "Reply "
	if isDraft(s) {
		what = "Draft "
		if s.Partial {
			m.setNote("Draft "+strconv.Itoa(i+1)+" is still being written", false)
			return nil
		}
	}
	if m.opts.TypeLines != "" {
		s.Text = m.opts.AgentPrefix + s.Text
	}
	m.composer.Take(s, cs.replies.UtteranceID)
	m.setNote(what+strconv.Itoa(i+1)+" in the composer", false)
	return tea.Batch(m.startComposing(), m.markUsed(cs, s, cs.replies.UtteranceID))
}

// sendReply sends the composer's reply, made safe and within the size a
// chat takes, and counts the suggestion it came from as used.
func (m *Screen) sendReply() tea.Cmd {
	cs := m.calls[m.current]
	p := &m.composer
	if cs == nil || m.replier == nil || p.sending || p.callID != cs.id {
		return nil
	}
	text := p.Text()
	switch {
	case text == "":
		m.setNote("Nothing to send: write a reply first", false)
		return nil
	case len(text) > event.MaxReplyBytes:
		m.setNote("The reply is too long to send: "+strconv.Itoa(len(text))+" bytes, at most "+strconv.Itoa(event.MaxReplyBytes), true)
		return nil
	}
	p.sending = true
	m.setNote("Sending the reply…", false)
	cmds := []tea.Cmd{replyCmd(m.replier, cs.id, text)}
	if p.from.ID != "" {
		cmds = append(cmds, m.markUsed(cs, p.from, p.utteranceID))
	}
	return tea.Batch(cmds...)
}

// replyDone applies the answer to a sent reply: a sent reply empties the
// composer and gives the keys back; one not sent stays to try again.
func (m *Screen) replyDone(msg replyDoneMsg) {
	p := &m.composer
	if p.callID != msg.callID {
		return // the view has moved on to another call
	}
	p.sending = false
	if msg.err != nil {
		m.setNote("Reply not sent: "+termtext.Sanitize(msg.err.Error()), true)
		return
	}
	p.Reset(msg.callID)
	if m.opts.TypeLines != "" {
		m.setNote("Said; esc gives the keys to the panes", false)
		return
	}
	m.stopComposing()
	m.setNote("Reply sent to the customer", false)
}

// markUsed records that the agent used a suggestion, once per suggestion.
func (m *Screen) markUsed(cs *callState, s event.Suggestion, utteranceID string) tea.Cmd {
	if cs.marks[s.ID].used {
		return nil
	}
	fb := event.Feedback{SuggestionID: s.ID, ArticleID: s.ArticleID, UtteranceID: utteranceID, Verdict: event.VerdictUsed}
	cs.feedback(fb)
	m.refresh()
	if m.opts.Controller == nil {
		return nil
	}
	return feedbackCmd(m.opts.Controller, cs.id, fb)
}
