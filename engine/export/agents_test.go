package export

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/larkspur-labs/assist/engine/event"
)

func TestAgentTimes(t *testing.T) {
	t0 := time.Date(2026, 12, 8, 9, 0, 0, 0, time.UTC)
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	st := func(agent string, state event.AgentState, call string, s int) event.AgentStatus {
		return event.AgentStatus{Agent: agent, State: state, CallID: call, Since: at(s)}
	}
	changes := []event.AgentStatus{
		st("a1", event.AgentAvailable, "", 0),
		st("a2", event.AgentAway, "", 0),
		st("a1", event.AgentOnCall, "c1", 60),
		st("a1", event.AgentWrapUp, "c1", 360),
		st("a1", event.AgentAvailable, "", 400),
		st("a1", event.AgentOnCall, "c2", 500),
		st("a2", event.AgentSignedOut, "", 100),
		st("a3", event.AgentAway, "", -7200), // before the window, all of it
		st("a3", event.AgentSignedOut, "", -3600),
	}
	tests := []struct {
		name       string
		since, now time.Time
		want       []AgentReport
	}{
		{"whole store", time.Time{}, at(600), []AgentReport{
			{Agent: "a1", AvailableS: 160, OnCallS: 400, WrapUpS: 40, Calls: 2},
			{Agent: "a2", AwayS: 100},
			{Agent: "a3", AwayS: 3600},
		}},
		{"window from 300 s", at(300), at(600), []AgentReport{
			{Agent: "a1", AvailableS: 100, OnCallS: 160, WrapUpS: 40, Calls: 1},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := AgentTimes(changes, tt.since, tt.now)
			if len(got) != len(tt.want) {
				t.Fatalf("got %+v, want %+v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("agent %d: %+v, want %+v", i, got[i], tt.want[i])
				}
			}
		})
	}
	var b bytes.Buffer
	if err := WriteAgentsText(&b, AgentTimes(changes, time.Time{}, at(600))); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "a1     0:02:40    0:06:40  0:00:40  0:00:00  2") {
		t.Errorf("table:\n%s", b.String())
	}
}

// TestQueueFiguresCountTheAgentsWrapups: a call the agent wrapped up is
// counted under the agent's disposition, one the timer sent under the
// timer, one without a wrap-up under the engine's.
func TestQueueFiguresCountTheAgentsWrapups(t *testing.T) {
	t0 := time.Date(2026, 12, 8, 9, 0, 0, 0, time.UTC)
	call := func(id string, wrap *event.Wrapup) *event.CallRecord {
		c := event.NewCallRecord(id)
		c.Apply(event.Event{Kind: event.KindCallStarted, CallID: id, Seq: 1, TS: t0, Payload: event.CallStarted{Queue: "cards"}})
		c.Apply(event.Event{Kind: event.KindCallEnded, CallID: id, Seq: 2, TS: t0.Add(time.Minute), Payload: event.CallEnded{Disposition: "lost-card"}})
		if wrap != nil {
			c.Apply(event.Event{Kind: event.KindWrapup, CallID: id, Seq: 3, TS: t0.Add(2 * time.Minute), Payload: *wrap})
		}
		return c
	}
	q := QueueFigures("cards", []*event.CallRecord{
		call("c1", &event.Wrapup{Disposition: "resolved"}),
		call("c2", &event.Wrapup{Disposition: "lost-card", TimedOut: true}),
		call("c3", nil),
	})
	if got, want := countList(q.Dispositions), "lost-card 2, resolved 1"; got != want {
		t.Errorf("dispositions %q, want %q", got, want)
	}
	if got, want := countList(q.Wrapups), "agent 1, engine 1, timer 1"; got != want {
		t.Errorf("wrap-ups %q, want %q", got, want)
	}
}
