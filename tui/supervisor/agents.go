package supervisor

import (
	"context"
	"strconv"
	"time"

	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/internal/termtext"
)

// AgentMsg brings one agent's state, as the agent's terminal publishes it
// when it changes and every event.AgentStatusInterval. The header counts
// the agents heard from within event.AgentStatusStale in each state.
type AgentMsg struct {
	Status event.AgentStatus
}

// AgentWatcher is what a Directory adds when it reports the agents'
// states (engine/service.Terminal does); Watch forwards them as AgentMsg.
type AgentWatcher interface {
	// WatchAgents calls status with each agent's state as the agent's
	// terminal publishes it, until ctx is done.
	WatchAgents(ctx context.Context, status func(event.AgentStatus))
}

// agentReading is an agent's last state and when it came.
type agentReading struct {
	status event.AgentStatus
	at     time.Time
}

// applyAgent records an agent's state at the view's clock.
func (s *Model) applyAgent(a event.AgentStatus) {
	if !a.State.Valid() || a.Agent == "" {
		return
	}
	if s.agents == nil {
		s.agents = map[string]agentReading{}
	}
	a.Agent, a.CallID = termtext.Sanitize(a.Agent), termtext.Sanitize(a.CallID)
	s.agents[a.Agent] = agentReading{status: a, at: s.clock}
	s.frameOK = false
}

// expireAgents forgets the agents not heard from for
// event.AgentStatusStale: signed out, or cut off from this terminal.
func (s *Model) expireAgents() {
	for name, r := range s.agents {
		if s.clock.Sub(r.at) >= event.AgentStatusStale {
			delete(s.agents, name)
			s.frameOK = false
		}
	}
}

// agentsText is the header's agents: how many are in each state, those
// in no agent left out; "" before any agent has reported.
func (s *Model) agentsText() string {
	if len(s.agents) == 0 {
		return ""
	}
	st := &s.th.Header
	counts := map[event.AgentState]int{}
	for _, r := range s.agents {
		counts[r.status.State]++
	}
	out := st.Label.Render("agents ")
	first := true
	for _, state := range event.AgentStates {
		n := counts[state]
		if n == 0 {
			continue
		}
		if !first {
			out += st.Sep.Render(" · ")
		}
		first = false
		out += st.Value.Render(strconv.Itoa(n)) + st.Label.Render(" "+state.Label())
	}
	return out
}
