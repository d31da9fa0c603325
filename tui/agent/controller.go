package agent

import "github.com/larkspur-labs/assist/engine/event"

// Controller is what the view may ask of the engine about any call, live,
// served or replayed. Implementations must not block for long; they are
// called from tea.Cmds, never from Update.
type Controller interface {
	// Feedback records what the agent did with a suggestion.
	Feedback(callID string, fb event.Feedback) error
	// RequestSummary asks for a summary of the call so far. It returns
	// once the request is made (or the summary published); the summary
	// itself arrives later as a summary event of the call, like any other
	// result. An error says no summary will come.
	RequestSummary(callID string) error
}

// ReplayControls is what a replay adds to its Controller. The view enables
// its replay keys (and shows them in help) only when the controller has
// them.
type ReplayControls interface {
	// TogglePause pauses or resumes the replay and reports whether it is
	// now paused.
	TogglePause() (paused bool)
	// SetSpeed asks for a replay speed factor and returns the speed in
	// force.
	SetSpeed(x float64) float64
	// Speed returns the replay speed factor.
	Speed() float64
	// NextCall skips the rest of the replayed call.
	NextCall()
	// CallPosition returns the call's 1-based index in the playlist and
	// the playlist's length, for the header's "call i/n", or ok false if
	// the call is not in the playlist.
	CallPosition(callID string) (index, total int, ok bool)
}

// Replier is what a controller adds when the agent may answer chat calls
// from the view: the service's, for the agent's own calls. The view shows
// its reply composer on a live chat call only when its controller has
// it, and never when read-only.
type Replier interface {
	// Reply sends the agent's reply to the customer of a chat call. It
	// returns once the reply is recorded; it then comes back as the
	// agent's utterance among the call's events.
	Reply(callID, text string) error
}

// StatePublisher is what a controller adds when the view is an agent's
// own terminal on the service: it publishes the agent's state (available,
// on call, wrap-up, away) for the supervisors. The view keeps the state,
// shows it in its header and lets the agent change it only when its
// controller has it, and never when read-only.
type StatePublisher interface {
	// SetAgentState publishes the agent's state. It must not block for
	// long: it is called when the state changes and every
	// event.AgentStatusInterval.
	SetAgentState(s event.AgentStatus) error
}
