package service

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/internal/eventually"
)

// TestAgentStatusReachesSupervisors checks that an agent's terminal
// publishes the agent's state to the supervisors, under its own name
// only: another agent's subject is refused by the NATS server, and a
// message claiming another agent is taken for the publisher's.
func TestAgentStatusReachesSupervisors(t *testing.T) {
	ts := startService(t, roleUsers...)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	boss := ts.terminal(t, RoleSupervisor, "boss")
	got := make(chan event.AgentStatus, 8)
	boss.WatchAgents(ctx, func(s event.AgentStatus) { got <- s })
	if err := boss.Conn().Flush(); err != nil {
		t.Fatal(err)
	}
	next := func() event.AgentStatus {
		t.Helper()
		select {
		case s := <-got:
			return s
		case <-time.After(10 * time.Second):
			t.Fatal("no agent state reached the supervisor")
		}
		return event.AgentStatus{}
	}

	a1 := ts.terminal(t, RoleAgent, "a1")
	since := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	if err := a1.PublishAgentStatus(event.AgentStatus{Agent: "a2", State: event.AgentWrapUp, CallID: "c1", Since: since}); err != nil {
		t.Fatal(err)
	}
	if s := next(); s.Agent != "a1" || s.State != event.AgentWrapUp || s.CallID != "c1" || !s.Since.Equal(since) {
		t.Errorf("the supervisor got %+v, want a1 in wrap-up on c1", s)
	}
	if err := a1.PublishAgentStatus(event.AgentStatus{State: "lunch"}); !errors.Is(err, ErrBadRequest) {
		t.Errorf("an unknown state: %v, want ErrBadRequest", err)
	}
	if err := boss.PublishAgentStatus(event.AgentStatus{State: event.AgentAway}); !errors.Is(err, ErrDenied) {
		t.Errorf("a supervisor's state: %v, want ErrDenied", err)
	}

	// A raw connection of a1 cannot publish as a2.
	raw := ts.rawConn(t, RoleAgent, "a1")
	data, _ := json.Marshal(event.AgentStatus{Agent: "a2", State: event.AgentAway})
	if err := raw.Publish(AgentStatusSubject("a2"), data); err != nil {
		t.Fatal(err)
	}
	_ = raw.Flush()
	if err := a1.PublishAgentStatus(event.AgentStatus{State: event.AgentAvailable}); err != nil {
		t.Fatal(err)
	}
	if s := next(); s.Agent != "a1" || s.State != event.AgentAvailable {
		t.Errorf("the supervisor got %+v, want a1 available (and nothing from a2's subject)", s)
	}
}

// TestAgentTerminalOutlivesAServiceWithoutStates checks that a refused
// agent state (what a service from before agent states answers) does not
// end the agent's terminal, as other refusals do: the terminal goes on,
// and says the service takes no states.
func TestAgentTerminalOutlivesAServiceWithoutStates(t *testing.T) {
	ts := startService(t, roleUsers...)
	ts.worker(t, "w1")
	a1 := ts.terminal(t, RoleAgent, "a1")
	// A subject a1 may not publish on gets the refusal an older service
	// gives a1's own.
	if err := a1.Conn().Publish(AgentStatusSubject("a2"), []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	_ = a1.Conn().Flush()
	if !eventually.True(10*time.Second, func() bool { return a1.noAgentStatus.Load() }) {
		t.Fatal("the refusal was not noted")
	}
	if err := a1.Err(); err != nil {
		t.Fatalf("the terminal failed: %v", err)
	}
	if err := a1.PublishAgentStatus(event.AgentStatus{State: event.AgentAway}); !errors.Is(err, ErrUnavailable) {
		t.Errorf("a state after the refusal: %v, want ErrUnavailable", err)
	}
	if _, err := a1.Calls(context.Background(), ""); err != nil {
		t.Errorf("the terminal stopped working: %v", err)
	}
}
