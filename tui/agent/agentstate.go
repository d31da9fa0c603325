package agent

import (
	tea "charm.land/bubbletea/v2"

	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/internal/termtext"
)

// The agent's state, on the agent's own terminal (see StatePublisher).
// The service's events set two of the states: the agent is on a call
// while the displayed call is live (the service assigns calls), and in
// wrap-up when that call ends. The agent sets the other two with one key:
// in wrap-up it says it is available again, and between calls it goes
// away and comes back. The next call puts the agent on it whatever the
// state, since the service has assigned it.

// stateDoneMsg reports the result of publishing the agent's state;
// heartbeat says it was the periodic repeat, not a change.
type stateDoneMsg struct {
	err       error
	heartbeat bool
}

func (stateDoneMsg) result() {}

// stateCmd publishes the agent's state, off the Update loop.
func stateCmd(p StatePublisher, s event.AgentStatus, heartbeat bool) tea.Cmd {
	return func() tea.Msg { return stateDoneMsg{err: p.SetAgentState(s), heartbeat: heartbeat} }
}

// followCall moves the state with the displayed call: on call while it
// is live, wrap-up when the call the agent was on ends. It returns the
// command that publishes a change.
func (m *Screen) followCall() tea.Cmd {
	if m.states == nil {
		return nil
	}
	cs := m.calls[m.current]
	switch {
	case cs == nil:
		return nil
	case cs.started && cs.ended == nil:
		return m.setState(event.AgentOnCall, cs.id)
	case m.agentState == event.AgentOnCall && m.stateCall == cs.id && cs.ended != nil:
		return m.setState(event.AgentWrapUp, cs.id)
	}
	return nil
}

// toggleState is the agent's key: available after wrap-up, away from
// available, available from away. It does nothing on a call.
func (m *Screen) toggleState() tea.Cmd {
	switch m.agentState {
	case event.AgentWrapUp, event.AgentAway:
		m.setNote("You are available for the next call", false)
		return m.setState(event.AgentAvailable, "")
	case event.AgentAvailable:
		m.setNote("You are away: press a when you are back", false)
		return m.setState(event.AgentAway, "")
	}
	return nil
}

// setState changes the agent's state and publishes it; the same state
// (and call) again changes nothing.
func (m *Screen) setState(s event.AgentState, callID string) tea.Cmd {
	if m.states == nil || (s == m.agentState && callID == m.stateCall) {
		return nil
	}
	m.agentState, m.stateCall, m.stateSince = s, callID, m.clock
	m.refreshHeader()
	return m.publishState(false)
}

// publishState publishes the state as it stands now; heartbeat says it
// is the periodic repeat.
func (m *Screen) publishState(heartbeat bool) tea.Cmd {
	if m.states == nil {
		return nil
	}
	m.statePublished = m.clock
	return stateCmd(m.states, event.AgentStatus{State: m.agentState, CallID: m.stateCall, Since: m.stateSince, TS: m.clock}, heartbeat)
}

// StateHeartbeat publishes the agent's state again when
// event.AgentStatusInterval has passed since it last was, so that a
// supervisor that starts late learns it, and one that stops hearing it
// takes the agent for signed out. The program calls it on its clock tick.
func (m *Screen) StateHeartbeat() tea.Cmd {
	if m.states == nil || m.clock.Sub(m.statePublished) < event.AgentStatusInterval {
		return nil
	}
	return m.publishState(true)
}

// stateDone notes a change of state that could not be published; the
// repeats fail quietly, or the note would never leave the help bar.
func (m *Screen) stateDone(msg stateDoneMsg) {
	if msg.err != nil && !msg.heartbeat {
		m.setNote("State not published: "+termtext.Sanitize(msg.err.Error()), true)
	}
}
