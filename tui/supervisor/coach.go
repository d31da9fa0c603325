package supervisor

import (
	"context"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/internal/termtext"
)

// coachTimeout bounds the sending of a coaching note.
const coachTimeout = 15 * time.Second

// coachDoneMsg is the answer to a coaching note sent for a call.
type coachDoneMsg struct {
	callID string
	err    error
}

// startCoaching opens the coaching note's input in the drill-down's bar.
func (s *Model) startCoaching() tea.Cmd {
	s.coaching = true
	s.coachInput.Reset()
	s.sizeCoachInput()
	cmd := s.coachInput.Focus()
	s.syncKeys()
	s.frameOK = false
	return cmd
}

// handleCoachKey handles a key while the coaching note is being typed:
// enter sends it, esc drops it, anything else edits it.
func (s *Model) handleCoachKey(msg tea.KeyPressMsg) tea.Cmd {
	k := s.keys
	switch {
	case key.Matches(msg, k.Quit):
		return tea.Quit
	case key.Matches(msg, k.CancelCoach):
		s.stopCoaching()
		return nil
	case key.Matches(msg, k.SendCoach):
		text := strings.TrimSpace(s.coachInput.Value())
		if text == "" {
			return nil
		}
		s.stopCoaching()
		s.drill.note, s.drill.noteErr = "sending the coaching note…", false
		return coachCmd(s.ctx, s.opts.Coach, s.drill.callID, text)
	}
	var cmd tea.Cmd
	s.coachInput, cmd = s.coachInput.Update(msg)
	return cmd
}

// sizeCoachInput fits the coaching input in the drill-down's bar, beside
// the connection state.
func (s *Model) sizeCoachInput() {
	s.coachInput.SetWidth(max(s.width-ansi.StringWidth(s.coachInput.Prompt)-24, 10))
}

// stopCoaching closes the coaching input.
func (s *Model) stopCoaching() {
	s.coaching = false
	s.coachInput.Blur()
	s.syncKeys()
	s.frameOK = false
}

// applyCoachDone says in the drill-down's bar how the note fared, if the
// call is still open.
func (s *Model) applyCoachDone(msg coachDoneMsg) {
	d := s.drill
	if d == nil || d.callID != msg.callID {
		return
	}
	d.note, d.noteErr = "coaching note sent to the agent", false
	if msg.err != nil {
		d.note, d.noteErr = termtext.Sanitize("coaching note not sent: "+msg.err.Error()), true
	}
	s.frameOK = false
}

// coachCmd sends a coaching note through send, off the Update loop.
func coachCmd(ctx context.Context, send func(context.Context, string, string) error, callID, text string) tea.Cmd {
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(ctx, coachTimeout)
		defer cancel()
		return coachDoneMsg{callID: callID, err: send(ctx, callID, text)}
	}
}

// coachCharLimit is how many characters a note may have: what the
// service accepts.
const coachCharLimit = event.MaxCoachingRunes
