package service

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/internal/eventually"
)

// endedCall starts and ends a chat call of agent's, and waits until the
// directory has it ended.
func endedCall(t *testing.T, ts *testService, client *Client, id, agent string) {
	t.Helper()
	ctx := context.Background()
	call, err := client.Start(ctx, id, event.CallStarted{Queue: "billing", Agent: agent, Channel: event.ChannelChat})
	if err != nil {
		t.Fatal(err)
	}
	if err := call.End("hangup"); err != nil {
		t.Fatal(err)
	}
	boss := ts.terminal(t, RoleSupervisor, "boss")
	if !eventually.True(directoryWait, func() bool {
		calls, err := boss.Calls(ctx, "")
		if err != nil {
			return false
		}
		for _, c := range calls {
			if c.CallID == id {
				return false // listed calls are live ones
			}
		}
		return true
	}) {
		t.Fatalf("call %s never ended in the directory", id)
	}
}

func TestAgentWrapupStoredWithTheEndedCall(t *testing.T) {
	ts := startService(t, roleUsers...)
	client, call, _ := liveChat(t, ts)
	ctx := context.Background()
	a1 := ts.terminal(t, RoleAgent, "a1")
	good := event.Wrapup{
		Disposition: "overdraft-fee\x1b[31m", Summary: "refunded the fee\x1b]0;pwned\x07\r\nclosed",
		Checklist: []event.WrapupStep{{ID: "verify", Title: "Verify", Status: event.StepDone}, {ID: "refund", Title: "Refund", Status: event.StepNotNeeded}},
		Note:      "  call back Monday  ", Agent: "someone-else",
	}
	if err := a1.Wrapup(ctx, "c1", good); !errors.Is(err, ErrBadRequest) {
		t.Fatalf("wrap-up of a live call: %v, want ErrBadRequest", err)
	}
	if err := call.End("hangup"); err != nil {
		t.Fatal(err)
	}
	endedCall(t, ts, client, "c2", "a2")
	tests := []struct {
		name string
		call string
		w    event.Wrapup
		want error
	}{
		{"another agent's call", "c2", good, ErrForbidden},
		{"no disposition", "c1", event.Wrapup{Summary: "x"}, ErrBadRequest},
		{"summary too long", "c1", event.Wrapup{Disposition: "d", Summary: strings.Repeat("a", event.MaxWrapupSummaryRunes+1)}, ErrBadRequest},
		{"unknown call", "nope", good, ErrNotFound},
		{"own ended call", "c1", good, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := a1.Wrapup(ctx, tt.call, tt.w)
			if !errors.Is(err, tt.want) && (tt.want != nil || err != nil) {
				t.Fatalf("wrap-up: %v, want %v", err, tt.want)
			}
		})
	}
	events, _, err := ts.store.History(ctx, "c1", 0)
	if err != nil {
		t.Fatal(err)
	}
	n := len(events)
	if n < 2 || events[n-2].Kind != event.KindCallEnded || events[n-1].Kind != event.KindWrapup {
		t.Fatalf("the call's last events are not call.ended then wrapup: %v", kinds(events))
	}
	if events[n-1].Seq != events[n-2].Seq+1 {
		t.Errorf("wrapup seq %d after call.ended seq %d", events[n-1].Seq, events[n-2].Seq)
	}
	got := events[n-1].Payload.(event.Wrapup)
	if got.Agent != "a1" || got.Disposition != "overdraft-fee" || got.Summary != "refunded the fee\nclosed" || got.Note != "call back Monday" || len(got.Checklist) != 2 {
		t.Errorf("stored wrap-up %+v", got)
	}
	rec := event.NewCallRecord("c1")
	for _, e := range events {
		rec.Apply(e)
	}
	if rec.Disposition != "overdraft-fee" || rec.WrapupBy != event.WrapupByAgent {
		t.Errorf("record disposition %q by %q, want the agent's", rec.Disposition, rec.WrapupBy)
	}
}
