package main

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/larkspur-labs/assist/engine/app"
	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/engine/export"
	"github.com/larkspur-labs/assist/engine/service"
	"github.com/larkspur-labs/assist/engine/service/servicetest"
	"github.com/larkspur-labs/assist/internal/eventually"
	"github.com/larkspur-labs/assist/tui/agent"
	"github.com/larkspur-labs/assist/tui/supervisor"
)

// TestAgentWrapsUpACallFromTheView is after-call work end to end, with
// the agent and supervisor views on pipes as 'assist agent' and 'assist
// supervise' run them: a call of a1's ends into the wrap-up form, the
// agent edits and sends it, the supervisor sees a1 on call, in wrap-up,
// then available, and 'assist export' gives the agent's wrap-up.
func TestAgentWrapsUpACallFromTheView(t *testing.T) {
	s := servicetest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	dial := func(role service.Role, name string) *service.Terminal {
		term, err := service.DialTerminal(service.TerminalConfig{URL: s.URL, Creds: s.Auth.CredsPath(role, name), Role: role, Name: name})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(term.Close)
		return term
	}
	boss := dial(service.RoleSupervisor, "boss")
	msgs := supervisor.Watch(ctx, boss, "")
	rows, bossEvents, err := app.FollowCalls(ctx, boss, "")
	if err != nil {
		t.Fatal(err)
	}
	bossIn, bossKeys := io.Pipe()
	defer bossKeys.Close()
	bossOut := &screenBuffer{}
	viewCtx, stopViews := context.WithCancel(ctx)
	done := make(chan error, 2)
	go func() {
		done <- supervisor.Run(viewCtx, bossEvents, supervisor.Options{
			Rows: rows, Messages: msgs, NoColor: true, ModelStatus: "supervisor boss · service",
			Input: bossIn, Output: bossOut, Width: 160, Height: 48,
		})
	}()

	a1 := dial(service.RoleAgent, "a1")
	events, err := app.FollowAgent(ctx, a1, "a1")
	if err != nil {
		t.Fatal(err)
	}
	in, keys := io.Pipe()
	defer keys.Close()
	out := &screenBuffer{}
	go func() {
		done <- agent.Run(viewCtx, events, agent.Options{
			ModelStatus: "agent a1 · service", Controller: a1.Controls(), NoColor: true,
			Input: in, Output: out, Width: 160, Height: 48,
		})
	}()
	waitScreen(t, bossOut, "a1 available", func(s string) bool { return strings.Contains(s, "1 available") })

	call, err := s.Client.Start(ctx, "chat-1", event.CallStarted{Queue: "cards", Agent: "a1", Customer: "cust-9", Channel: event.ChannelChat, Title: "Lost card"})
	if err != nil {
		t.Fatal(err)
	}
	if err := call.Final(ctx, servicetest.CustomerSays("I lost my card, please block it")); err != nil {
		t.Fatal(err)
	}
	waitScreen(t, out, "the call", func(s string) bool { return strings.Contains(s, "block it") })
	waitDrawn(t, bossOut, 0, "a1 on call", "on call")

	if err := call.End("hangup"); err != nil {
		t.Fatal(err)
	}
	waitScreen(t, out, "the wrap-up form", func(s string) bool { return strings.Contains(s, "Wrap-up · chat-1") })
	waitDrawn(t, bossOut, 0, "a1 in wrap-up", "wrap-up")

	// The note: three tabs from the disposition; then send.
	mark := bossOut.len()
	typeKeys(t, keys, "\t", "\t", "\t", "card blocked, replacement ordered", "\x13")
	waitScreen(t, out, "the wrap-up sent", func(s string) bool { return strings.Contains(s, "Wrap-up sent") })
	waitDrawn(t, bossOut, mark, "a1 available again", "available")

	stdout, stderr, err := execute(t, storeArgs(s, "export", "--since", "1h")...)
	if err != nil {
		t.Fatalf("export: %v\n%s", err, stderr)
	}
	var rec event.CallRecord
	if err := json.Unmarshal([]byte(strings.TrimSpace(stdout)), &rec); err != nil {
		t.Fatalf("export: %v\n%s", err, stdout)
	}
	if rec.WrapupBy != event.WrapupByAgent || rec.AgentWrapup == nil || rec.AgentWrapup.Note != "card blocked, replacement ordered" || rec.AgentWrapup.Agent != "a1" {
		t.Fatalf("exported wrap-up by %q: %+v", rec.WrapupBy, rec.AgentWrapup)
	}
	// The report: the agent's disposition, and a1's time in each state,
	// which the service stored as the agent's terminal published it.
	stdout, stderr, err = execute(t, storeArgs(s, "report", "--since", "1h")...)
	if err != nil || !strings.Contains(stdout, "wrap-ups      agent 1, timer 0, engine 0") {
		t.Fatalf("report: %v %s\n%s", err, stderr, stdout)
	}
	var agents []export.AgentReport
	if !eventually.True(20*time.Second, func() bool {
		stdout, _, err = execute(t, storeArgs(s, "report", "--agents", "--json", "--since", "1h")...)
		return err == nil && json.Unmarshal([]byte(stdout), &agents) == nil && len(agents) == 1 && agents[0].WrapUpS > 0 && agents[0].AvailableS > 0
	}) {
		t.Fatalf("report --agents: %v\n%s", err, stdout)
	}
	if a := agents[0]; a.Agent != "a1" || a.Calls != 1 || a.OnCallS <= 0 {
		t.Errorf("a1's states: %+v", a)
	}
	stopViews()
	for range 2 {
		if err := <-done; err != nil {
			t.Fatalf("view: %v", err)
		}
	}
}

// len is how much the view has drawn so far.
func (s *screenBuffer) len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Len()
}

// waitDrawn waits until the view draws want after the first mark bytes
// of its output: the renderer redraws only what changes, so a new state
// shows in what comes after the mark.
func waitDrawn(t *testing.T, out *screenBuffer, mark int, what, want string) {
	t.Helper()
	if !eventually.True(20*time.Second, func() bool {
		out.mu.Lock()
		defer out.mu.Unlock()
		return strings.Contains(ansi.Strip(out.b.String()[mark:]), want)
	}) {
		out.mu.Lock()
		drawn := ansi.Strip(out.b.String()[mark:])
		out.mu.Unlock()
		t.Fatalf("timed out waiting for %s (%q); drawn since:\n%s", what, want, drawn[max(0, len(drawn)-3000):])
	}
}

func TestAgentWrapupTimerFlagIsChecked(t *testing.T) {
	_, _, err := execute(t, "agent", "--agent", "a1", "--wrapup-timer", "-1s")
	var ue usageError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), "--wrapup-timer") {
		t.Errorf("negative --wrapup-timer: %v, want a usage error", err)
	}
}
