package event

import (
	"strings"
	"testing"
	"time"
)

func TestWrapupCheck(t *testing.T) {
	ok := Wrapup{Disposition: "lost-card", Summary: "locked", Checklist: []WrapupStep{{ID: "a", Status: StepDone}, {ID: "b", Status: StepNotNeeded}, {ID: "c", Status: StepOpen}}}
	tests := []struct {
		name string
		edit func(*Wrapup)
		want string // "" for no error
	}{
		{"valid", func(*Wrapup) {}, ""},
		{"no disposition", func(w *Wrapup) { w.Disposition = "  " }, "without a disposition"},
		{"long summary", func(w *Wrapup) { w.Summary = strings.Repeat("é", MaxWrapupSummaryRunes+1) }, "summary of 2001 characters"},
		{"summary at the bound", func(w *Wrapup) { w.Summary = strings.Repeat("é", MaxWrapupSummaryRunes) }, ""},
		{"long note", func(w *Wrapup) { w.Note = strings.Repeat("x", MaxWrapupNoteRunes+1) }, "note of"},
		{"long disposition", func(w *Wrapup) { w.Disposition = strings.Repeat("x", MaxDispositionRunes+1) }, "disposition of"},
		{"bad status", func(w *Wrapup) { w.Checklist[0].Status = "maybe" }, "unknown status"},
		{"too many steps", func(w *Wrapup) { w.Checklist = make([]WrapupStep, MaxWrapupSteps+1) }, "checklist steps"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := ok
			w.Checklist = append([]WrapupStep(nil), ok.Checklist...)
			tt.edit(&w)
			err := w.Check()
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("Check: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("Check = %v, want an error with %q", err, tt.want)
			}
		})
	}
}

func TestCallRecordPrefersTheAgentsWrapup(t *testing.T) {
	ts := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	ended := Event{Kind: KindCallEnded, CallID: "c", Seq: 2, TS: ts.Add(time.Minute), Payload: CallEnded{Reason: "hangup", Disposition: "engine-disp", Summary: "engine summary"}}
	wrap := func(timedOut bool) Event {
		return Event{Kind: KindWrapup, CallID: "c", Seq: 3, TS: ts.Add(2 * time.Minute), Payload: Wrapup{Disposition: "agent-disp", Summary: "agent summary", TimedOut: timedOut}}
	}
	tests := []struct {
		name              string
		events            []Event
		disp, summary, by string
		hasAgentWrapup    bool
	}{
		{"engine only", []Event{ended}, "engine-disp", "engine summary", WrapupByEngine, false},
		{"agent confirmed", []Event{ended, wrap(false)}, "agent-disp", "agent summary", WrapupByAgent, true},
		{"timer", []Event{ended, wrap(true)}, "agent-disp", "agent summary", WrapupByTimer, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := NewCallRecord("c")
			c.Apply(Event{Kind: KindCallStarted, CallID: "c", Seq: 1, TS: ts, Payload: CallStarted{Agent: "Maya"}})
			for _, e := range tt.events {
				c.Apply(e)
			}
			if c.Disposition != tt.disp || c.Summary != tt.summary || c.WrapupBy != tt.by || (c.AgentWrapup != nil) != tt.hasAgentWrapup {
				t.Fatalf("got %q %q by %q (agent wrap-up %v), want %q %q by %q", c.Disposition, c.Summary, c.WrapupBy, c.AgentWrapup != nil, tt.disp, tt.summary, tt.by)
			}
		})
	}
}
