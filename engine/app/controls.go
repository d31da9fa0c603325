package app

import (
	"context"
	"fmt"

	"github.com/larkspur-labs/assist/engine"
	"github.com/larkspur-labs/assist/engine/event"
)

// Controls act on the calls of the stack's engine for a view: they send
// an agent's feedback on a suggestion and ask for a call's summary. They
// have the methods of the agent view's Controller.
type Controls struct {
	bus    *engine.Bus
	engine *engine.Engine
}

// Controls returns the controls of the stack's calls.
func (s *Stack) Controls() Controls { return Controls{bus: s.Bus, engine: s.Engine} }

// Feedback sends the agent's verdict on a suggestion of the call.
func (c Controls) Feedback(callID string, fb event.Feedback) error {
	return c.bus.SendFeedback(callID, fb)
}

// RequestSummary publishes a summary of the live call so far.
func (c Controls) RequestSummary(callID string) error {
	s, ok := c.engine.Session(callID)
	if !ok {
		return fmt.Errorf("call %s: %w", callID, engine.ErrCallEnded)
	}
	return s.Summarize(context.Background())
}

// ReplayControls are the Controls of a replay with its player's: pause,
// speed, skipping to the next call, and a call's place in the playlist.
// They have the methods of the agent view's Controller and
// ReplayControls.
type ReplayControls struct {
	Controls
	player *engine.Player
}

// ReplayControls returns the controls of a replay the stack plays with p.
func (s *Stack) ReplayControls(p *engine.Player) ReplayControls {
	return ReplayControls{Controls: s.Controls(), player: p}
}

// TogglePause pauses or resumes the replay and reports whether it is now
// paused.
func (c ReplayControls) TogglePause() bool { return c.player.TogglePause() }

// SetSpeed asks for a replay speed factor and returns the one in force.
func (c ReplayControls) SetSpeed(x float64) float64 { return c.player.SetSpeed(x) }

// Speed returns the replay speed factor.
func (c ReplayControls) Speed() float64 { return c.player.Speed() }

// NextCall skips the rest of the call being replayed.
func (c ReplayControls) NextCall() { c.player.NextCall() }

// CallPosition returns the call's 1-based index in the playlist and the
// playlist's length, or ok false if the call is not in it.
func (c ReplayControls) CallPosition(callID string) (index, total int, ok bool) {
	return c.player.Position(callID)
}
