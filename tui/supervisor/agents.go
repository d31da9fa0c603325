package supervisor

import (
	"context"
	"strconv"
	"strings"
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
	s.countAgentQueues()
	s.frameOK = false
}

// expireAgents forgets the agents not heard from for
// event.AgentStatusStale: signed out, or cut off from this terminal.
func (s *Model) expireAgents() {
	for name, r := range s.agents {
		if s.clock.Sub(r.at) >= event.AgentStatusStale {
			delete(s.agents, name)
			s.countAgentQueues()
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

// The per-queue agent line. An agent's state names no queue, so an agent
// counts in the queue of the call its state names when the table has
// that call, else in the queue of its latest call the table has; an
// agent with no call in the table (signed in, not yet on a call) counts
// in the header's figures only. Queue lines are those of the queues with
// live calls, so an agent whose queue has none shows in the header alone.

// indexAgentQueues notes each agent's latest call's queue, from the
// table's rows; rebuild calls it.
func (s *Model) indexAgentQueues() {
	latest := map[string]time.Time{}
	clear(s.agentQueue)
	if s.agentQueue == nil {
		s.agentQueue = map[string]string{}
	}
	for _, r := range s.all {
		if r.call.Agent == "" || !s.inScope(r) {
			continue
		}
		a := event.SubjectToken(r.call.Agent)
		if at, ok := latest[a]; !ok || r.call.Started.After(at) {
			latest[a] = r.call.Started
			s.agentQueue[a] = r.queue
		}
	}
	s.countAgentQueues()
}

// countAgentQueues counts the agents in each state per queue.
func (s *Model) countAgentQueues() {
	s.queueAgents = map[string]map[event.AgentState]int{}
	for name, r := range s.agents {
		q, ok := s.agentQueue[name]
		if row := s.rows[r.status.CallID]; row != nil && r.status.CallID != "" && s.inScope(row) {
			q, ok = row.queue, true
		}
		if !ok {
			continue
		}
		if s.queueAgents[q] == nil {
			s.queueAgents[q] = map[event.AgentState]int{}
		}
		s.queueAgents[q][r.status.State]++
	}
}

// queueAgentsText is a queue line's agents: how many in each state.
func (s *Model) queueAgentsText(queue string) string {
	counts := s.queueAgents[queue]
	if len(counts) == 0 {
		return ""
	}
	st := &s.st
	var b strings.Builder
	st.label.write(&b, "   agents ")
	first := true
	for _, state := range event.AgentStates {
		n := counts[state]
		if n == 0 {
			continue
		}
		if !first {
			st.label.write(&b, " · ")
		}
		first = false
		st.value.write(&b, strconv.Itoa(n))
		st.label.write(&b, " "+state.Label())
	}
	return b.String()
}
