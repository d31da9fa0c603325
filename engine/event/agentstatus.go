package event

import (
	"slices"
	"time"
)

// AgentState is where an agent is in the working day, as the supervisor
// sees it.
type AgentState string

// The agent states. An agent is on a call from the service's call.started
// of a call assigned to it to its call.ended, then in wrap-up until the
// agent says it is available again (or the next call starts); available
// and away are the agent's own choice between calls.
const (
	AgentAvailable AgentState = "available"
	AgentOnCall    AgentState = "on_call"
	AgentWrapUp    AgentState = "wrap_up"
	AgentAway      AgentState = "away"
)

// AgentSignedOut is what the service records when an agent's terminal has
// been silent for AgentStatusStale: the end of the agent's last state. No
// terminal publishes it, and it is not one of AgentStates.
const AgentSignedOut AgentState = "signed_out"

// AgentStates are the states in the order the supervisor lists them.
var AgentStates = []AgentState{AgentAvailable, AgentOnCall, AgentWrapUp, AgentAway}

// Label is the state as people say it: "on call", "wrap-up".
func (s AgentState) Label() string {
	switch s {
	case AgentOnCall:
		return "on call"
	case AgentWrapUp:
		return "wrap-up"
	case AgentSignedOut:
		return "signed out"
	}
	return string(s)
}

// Valid reports whether s is one of the agent states.
func (s AgentState) Valid() bool { return slices.Contains(AgentStates, s) }

// AgentStatus is an agent's state, as the agent's terminal publishes it:
// when it changes and at least every AgentStatusInterval, so that a
// supervisor that starts late learns it soon, and one that hears nothing
// from an agent for AgentStatusStale takes the agent for signed out. Like
// VoiceStatus it is not an event of a call.
type AgentStatus struct {
	// Agent is the agent's id.
	Agent string     `json:"agent"`
	State AgentState `json:"state"`
	// CallID is the call the agent is on or wrapping up; "" otherwise.
	CallID string `json:"call_id,omitempty"`
	// Since is when the agent entered State.
	Since time.Time `json:"since"`
	// TS is when the terminal published this reading.
	TS time.Time `json:"ts"`
}

// AgentStatusInterval is the longest an agent's terminal stays silent
// about the agent's state; AgentStatusStale is how long a reader keeps an
// agent's last status without a new one.
const (
	AgentStatusInterval = 2 * time.Second
	AgentStatusStale    = 3 * AgentStatusInterval
)
