package service

import (
	"context"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/internal/eventually"
)

// storedStates reads the stored agent state changes as state@since.
func storedStates(t *testing.T, read func(context.Context, func(event.AgentStatus) error) error) []string {
	t.Helper()
	var got []string
	if err := read(context.Background(), func(s event.AgentStatus) error {
		got = append(got, s.Agent+":"+string(s.State)+"@"+s.Since.UTC().Format("15:04:05"))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return got
}

// TestWorkerStoresAgentStateChanges: the states an agent's terminal
// publishes, heartbeats and all, are stored once per change, and read
// back the same from the store and through the analyst's operation.
func TestWorkerStoresAgentStateChanges(t *testing.T) {
	ts := startService(t, roleUsers...)
	ts.worker(t, "w1")
	a1 := ts.terminal(t, RoleAgent, "a1")
	t0 := time.Date(2026, 12, 8, 9, 0, 0, 0, time.UTC)
	for _, s := range []event.AgentStatus{
		{State: event.AgentAvailable, Since: t0, TS: t0},
		{State: event.AgentAvailable, Since: t0, TS: t0.Add(2 * time.Second)}, // a heartbeat
		{State: event.AgentOnCall, CallID: "c1", Since: t0.Add(5 * time.Second), TS: t0.Add(5 * time.Second)},
		{State: event.AgentOnCall, CallID: "c1", Since: t0.Add(5 * time.Second), TS: t0.Add(7 * time.Second)},
		{State: event.AgentWrapUp, CallID: "c1", Since: t0.Add(65 * time.Second), TS: t0.Add(65 * time.Second)},
		{State: event.AgentAvailable, Since: t0.Add(90 * time.Second), TS: t0.Add(90 * time.Second)},
	} {
		if err := a1.PublishAgentStatus(s); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{"a1:available@09:00:00", "a1:on_call@09:00:05", "a1:wrap_up@09:01:05", "a1:available@09:01:30"}
	var got []string
	if !eventually.True(directoryWait, func() bool {
		got = storedStates(t, ts.store.ReadAgentStates)
		return len(got) >= len(want)
	}) || !slices.Equal(got, want) {
		t.Fatalf("stored %v, want %v", got, want)
	}
	ann := ts.terminal(t, RoleAnalyst, "ann")
	if got := storedStates(t, ann.ReadAgentStates); !slices.Equal(got, want) {
		t.Errorf("the analyst read %v, want %v", got, want)
	}
}

// TestAgentLogSignsOutSilentAgents: an agent not heard from for
// event.AgentStatusStale is stored as signed out, from when it was last
// heard; one still heard is not.
func TestAgentLogSignsOutSilentAgents(t *testing.T) {
	ts := startService(t)
	var mu sync.Mutex
	now := time.Date(2026, 12, 8, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	l := &agentLog{js: ts.store.JS, now: clock, log: slog.New(slog.DiscardHandler), last: map[string]agentHeard{}}
	t0 := clock()
	l.heard(event.AgentStatus{Agent: "a1", State: event.AgentAvailable, Since: t0})
	l.heard(event.AgentStatus{Agent: "a2", State: event.AgentAway, Since: t0})
	advance(event.AgentStatusStale - time.Second)
	l.heard(event.AgentStatus{Agent: "a2", State: event.AgentAway, Since: t0}) // its heartbeat
	advance(time.Second)
	l.expire()
	want := []string{"a1:available@09:00:00", "a2:away@09:00:00", "a1:signed_out@09:00:00"}
	var got []string
	if !eventually.True(directoryWait, func() bool {
		got = storedStates(t, ts.store.ReadAgentStates)
		return len(got) >= len(want)
	}) || !slices.Equal(got, want) {
		t.Fatalf("stored %v, want %v", got, want)
	}
}
