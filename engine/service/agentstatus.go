package service

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/larkspur-labs/assist/engine/event"
	"github.com/nats-io/nats.go"
)

// agentStatusPrefix starts the subject on which each agent's terminal
// publishes the agent's state (event.AgentStatus):
// assist.status.agent.<agent>. An agent may publish on its own only;
// supervisors may subscribe to all of them.
const (
	agentStatusPrefix = "assist.status.agent."
	agentStatusAll    = agentStatusPrefix + "*"
)

// AgentStatusSubject is the subject of an agent's state.
func AgentStatusSubject(agent string) string {
	return agentStatusPrefix + event.SubjectToken(agent)
}

// PublishAgentStatus publishes the state of this terminal's agent, under
// the terminal's own name whatever s says: the NATS server lets an agent
// publish on its own subject only.
func (t *Terminal) PublishAgentStatus(s event.AgentStatus) error {
	if t.role != RoleAgent {
		return fmt.Errorf("agent state: %w: a %s terminal has no agent", ErrDenied, t.role)
	}
	if !s.State.Valid() {
		return fmt.Errorf("agent state: %w: unknown state %q", ErrBadRequest, s.State)
	}
	if t.noAgentStatus.Load() {
		return fmt.Errorf("agent state: %w: the service takes no agent states (an 'assist serve' older than this terminal)", ErrUnavailable)
	}
	s.Agent = t.name
	data, err := json.Marshal(s)
	if err != nil {
		return err
	}
	if err := t.nc.Publish(AgentStatusSubject(t.name), data); err != nil {
		return fmt.Errorf("agent state: %w", err)
	}
	return nil
}

// isAgentStatusRefusal reports whether err is the NATS server refusing a
// publish on an agent state subject: a service that predates agent
// states, which must not end the agent's terminal.
func isAgentStatusRefusal(err error) bool {
	return strings.Contains(err.Error(), `Publish to "`+agentStatusPrefix)
}

// WatchAgents hands status each agent state an agent's terminal publishes,
// as they come, until ctx is done. The agent is the one the subject names,
// which the NATS server vouches for, not the one the message claims. It
// runs on the terminal's goroutine: keep it short.
func (t *Terminal) WatchAgents(ctx context.Context, status func(event.AgentStatus)) {
	sub, err := t.nc.Subscribe(agentStatusAll, func(m *nats.Msg) {
		var s event.AgentStatus
		if err := json.Unmarshal(m.Data, &s); err != nil || !s.State.Valid() {
			t.log.Warn("undecodable agent state", "subject", m.Subject, "err", err)
			return
		}
		s.Agent = strings.TrimPrefix(m.Subject, agentStatusPrefix)
		if ctx.Err() == nil {
			status(s)
		}
	})
	if err != nil {
		t.log.Warn("watch agent states", "err", err)
		return
	}
	context.AfterFunc(ctx, func() { _ = sub.Unsubscribe() })
}

// SetAgentState publishes the agent's state for a view, which has no
// context to give.
func (c Controls) SetAgentState(s event.AgentStatus) error {
	return c.t.PublishAgentStatus(s)
}
