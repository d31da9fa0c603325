package supervisor

import (
	"strings"
	"testing"
	"time"

	"github.com/larkspur-labs/assist/engine/event"
)

// TestSupervisorAgentsHeader follows agents from on call to wrap-up to
// available in the header's counts, and forgets an agent not heard from
// for event.AgentStatusStale.
func TestSupervisorAgentsHeader(t *testing.T) {
	s, clk := newTestSupervisor(t, Options{ModelStatus: "supervisor boss · service", Rows: directory()}, 160, 30)
	header := func() string { return strings.Split(supScreen(s), "\n")[1] }
	if strings.Contains(header(), "agents") {
		t.Fatalf("agents shown before any reported: %q", header())
	}
	for _, tt := range []struct {
		name  string
		agent string
		state event.AgentState
		tick  time.Duration // clock moved, then a tick, after the message
		want  string        // in the header; "" for no agents at all
	}{
		{"a1 takes a call", "a1", event.AgentOnCall, 0, "agents 1 on call "},
		{"a2 signs in", "a2", event.AgentAvailable, 0, "agents 1 available · 1 on call "},
		{"a1's call ends", "a1", event.AgentWrapUp, 0, "agents 1 available · 1 wrap-up "},
		{"a1 is done", "a1", event.AgentAvailable, 0, "agents 2 available "},
		{"a2 steps away", "a2", event.AgentAway, event.AgentStatusStale / 2, "agents 1 available · 1 away "},
		{"a2 again; a1 goes quiet and stale", "a2", event.AgentAway, event.AgentStatusStale / 2, "agents 1 away "},
		{"a bad state is ignored", "a3", event.AgentState("lunch"), 0, "agents 1 away "},
		{"all stale", "a2", event.AgentAway, 2 * event.AgentStatusStale, ""},
	} {
		supSend(t, s, AgentMsg{Status: event.AgentStatus{Agent: tt.agent, State: tt.state}})
		if tt.tick > 0 {
			clk.advance(tt.tick)
			supTick(t, s)
		}
		got := header()
		if tt.want == "" {
			if strings.Contains(got, "agents") {
				t.Errorf("%s: header %q, want no agents", tt.name, got)
			}
			continue
		}
		if !strings.Contains(got, tt.want) {
			t.Errorf("%s: header %q, want %q", tt.name, got, tt.want)
		}
	}
}

// TestSupervisorQueueAgents counts the agents per queue: by the queue of
// the call their state names, else of their latest call in the table; an
// agent with no call in the table counts in the header only.
func TestSupervisorQueueAgents(t *testing.T) {
	s, _ := newTestSupervisor(t, Options{Rows: directory()}, 160, 30)
	for _, a := range []event.AgentStatus{
		{Agent: "Sam~20Kim", State: event.AgentOnCall, CallID: "call-0017"},
		{Agent: "Priya~20Natarajan", State: event.AgentWrapUp, CallID: "chat-0042"},
		{Agent: "Lee~20Wong", State: event.AgentAvailable},
		{Agent: "Omar~20Haddad", State: event.AgentAway},
		{Agent: "nobody", State: event.AgentAvailable},
	} {
		supSend(t, s, AgentMsg{Status: a})
	}
	screen := supScreen(s)
	for _, want := range []string{
		"Billing ", "agents 1 on call · 1 wrap-up",
		"Tech Support", "agents 1 available",
	} {
		if !strings.Contains(screen, want) {
			t.Errorf("the queues lack %q:\n%s", want, screen)
		}
	}
	if line := strings.Split(screen, "\n")[1]; !strings.Contains(line, "agents 2 available · 1 on call · 1 wrap-up · 1 away") {
		t.Errorf("header %q", line)
	}
}
