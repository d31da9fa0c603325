package service

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/larkspur-labs/assist/engine"
	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/internal/eventually"
	"github.com/nats-io/nats.go"
)

// The users of the role tests: one of each role, and a second agent.
var roleUsers = []User{
	{Role: RoleAgent, Name: "a1"}, {Role: RoleAgent, Name: "a2"},
	{Role: RoleAnalyst, Name: "ann"},
}

// nameOf is the user of each role the tests call as (startService adds
// "service" and "boss").
var nameOf = map[Role]string{RoleAgent: "a1", RoleSupervisor: "boss", RoleAnalyst: "ann", RoleService: "service"}

// rawConn connects as role/name with its own inbox prefix and no retries;
// errors from the server are read with LastError.
func (ts *testService) rawConn(t *testing.T, role Role, name string, opts ...nats.Option) *nats.Conn {
	t.Helper()
	opts = append([]nats.Option{nats.NoReconnect(), nats.ErrorHandler(func(*nats.Conn, *nats.Subscription, error) {})}, opts...)
	if role != RoleService {
		opts = append(opts, nats.CustomInboxPrefix(InboxPrefix(role, name)))
	}
	nc, err := Dial(ts.url, ts.auth.CredsPath(role, name), "test-"+string(role)+"-"+name, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	return nc
}

// refused reports whether the server refuses role/name a publish on
// subject, or a subscription to it. The server answers a refusal before
// the flush's pong, so the answer is known when Flush returns.
func (ts *testService) refused(t *testing.T, role Role, name, subject string, subscribe bool) bool {
	t.Helper()
	nc := ts.rawConn(t, role, name)
	var err error
	if subscribe {
		_, err = nc.SubscribeSync(subject)
	} else {
		err = nc.Publish(subject, nil) // no reply subject: the service drops it
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
	return errors.Is(nc.LastError(), nats.ErrPermissionViolation)
}

func TestNATSAllowsEachRoleItsOwnOperationsOnly(t *testing.T) {
	ts := startService(t, roleUsers...)
	for _, role := range Roles {
		name := nameOf[role]
		for _, o := range Operations {
			// The subject the role's terminal uses.
			own := APISubject(role, name, o.Name)
			t.Run(fmt.Sprintf("%s/%s", role, o.Name), func(t *testing.T) {
				if got, want := ts.refused(t, role, name, own, false), !Allowed(role, o.Name); got != want {
					t.Errorf("publish on %s: refused %v, want %v", own, got, want)
				}
				if role == RoleService {
					return
				}
				// Another role's, another user's, or the service's
				// subject for the operation: always refused.
				others := []string{APISubject(RoleService, "", o.Name)}
				for _, r := range Roles {
					if r != RoleService && r != role {
						others = append(others, APISubject(r, nameOf[r], o.Name))
					}
				}
				if role == RoleAgent {
					others = append(others, APISubject(RoleAgent, "a2", o.Name))
				}
				for _, subject := range others {
					if !ts.refused(t, role, name, subject, false) {
						t.Errorf("%s %s may publish on %s", role, name, subject)
					}
				}
			})
		}
	}
}

func TestNATSLetsEachRoleSubscribeToWhatItReads(t *testing.T) {
	ts := startService(t, roleUsers...)
	subjects := []struct {
		subject string
		allowed []Role
	}{
		{engine.AgentSubject("a1"), []Role{RoleAgent, RoleSupervisor, RoleService}},
		{engine.AgentSubject("a2"), []Role{RoleSupervisor, RoleService}},
		{engine.AllCallsSubject, []Role{RoleSupervisor, RoleService}},
		{voiceStatusAll, []Role{RoleSupervisor, RoleService}},
		{chatOutSubject("c1"), []Role{RoleService}},
		{workStart, []Role{RoleService}},
		{apiPrefix + ">", []Role{RoleService}},
		{InboxPrefix(RoleAgent, "a2") + ".x", []Role{RoleService}},
		{"$JS.API.>", []Role{RoleService}},
	}
	for _, role := range Roles {
		for _, s := range subjects {
			want := !slices.Contains(s.allowed, role)
			if got := ts.refused(t, role, nameOf[role], s.subject, true); got != want {
				t.Errorf("%s subscribing to %s: refused %v, want %v", role, s.subject, got, want)
			}
		}
		if role != RoleService && ts.refused(t, role, nameOf[role], InboxPrefix(role, nameOf[role])+".x", true) {
			t.Errorf("%s may not subscribe to its own inbox", role)
		}
	}
}

// liveChat starts a worker and a live chat call c1 of agent a1, and
// returns the ingest client, the call and the chat's replies.
func liveChat(t *testing.T, ts *testService) (*Client, engine.CallSink, <-chan string) {
	t.Helper()
	ts.worker(t, "w1")
	client := ts.client(t)
	ctx := context.Background()
	call, err := client.Start(ctx, "c1", event.CallStarted{Queue: "billing", Agent: "a1", Channel: event.ChannelChat})
	if err != nil {
		t.Fatal(err)
	}
	if err := call.Final(ctx, event.Utterance{Speaker: event.SpeakerCustomer, Text: "why was I charged an overdraft fee?", Source: event.SourceChat}); err != nil {
		t.Fatal(err)
	}
	replies, stop, err := client.Replies("c1")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(stop)
	boss := ts.terminal(t, RoleSupervisor, "boss")
	if !eventually.True(directoryWait, func() bool {
		calls, err := boss.Calls(ctx, "")
		return err == nil && len(calls) == 1
	}) {
		t.Fatal("the call never reached the directory")
	}
	return client, call, replies
}

// askAs sends an API request as role/name the way its terminal would,
// but over a service connection, so the NATS permissions do not stand in
// the way and only the API's own check is left.
func (ts *testService) askAs(t *testing.T, role Role, name, op string, body any) apiError {
	t.Helper()
	var opts []nats.Option
	if role != RoleService {
		opts = append(opts, nats.CustomInboxPrefix(InboxPrefix(role, name)))
	}
	nc := ts.rawConn(t, RoleService, "service", opts...)
	data, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := nc.Request(APISubject(role, name, op), data, 10*time.Second)
	if err != nil {
		t.Fatalf("%s %s: %v", role, op, err)
	}
	var out apiError
	if err := json.Unmarshal(msg.Data, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// firstReply is the first text the chat's customer received.
func firstReply(t *testing.T, replies <-chan string) string {
	t.Helper()
	select {
	case r := <-replies:
		return r
	case <-time.After(10 * time.Second):
		t.Fatal("no reply reached the chat")
		return ""
	}
}

func TestAPIAnswersEachRoleItsOwnOperationsOnly(t *testing.T) {
	ts := startService(t, roleUsers...)
	client, _, replies := liveChat(t, ts)
	endedCall(t, ts, client, "cw", "a1")
	bodies := map[string]func(role Role) any{
		opCalls:   func(Role) any { return callsRequest{} },
		opHistory: func(Role) any { return historyRequest{CallID: "c1"} },
		opSummary: func(Role) any { return summaryRequest{CallID: "c1"} },
		opFeedback: func(role Role) any {
			return feedbackRequest{CallID: "c1", Feedback: event.Feedback{SuggestionID: "s-" + string(role), Verdict: event.VerdictHelpful}}
		},
		opReply:       func(role Role) any { return replyRequest{CallID: "c1", Text: "reply from " + string(role)} },
		opCoach:       func(role Role) any { return coachRequest{CallID: "c1", Text: "coaching from " + string(role)} },
		opExport:      func(Role) any { return exportRequest{} },
		opAgentStates: func(Role) any { return agentStatesRequest{} },
		opWrapup: func(role Role) any {
			return wrapupRequest{CallID: "cw", Wrapup: event.Wrapup{Disposition: "from " + string(role)}}
		},
	}
	for _, o := range Operations {
		if bodies[o.Name] == nil {
			t.Fatalf("no request for operation %s", o.Name)
		}
	}
	// Denied first, so that anything a denied call let through would
	// reach the chat before the allowed replies.
	for _, pass := range []bool{false, true} {
		for _, role := range Roles {
			for _, o := range Operations {
				if Allowed(role, o.Name) != pass {
					continue
				}
				got := ts.askAs(t, role, nameOf[role], o.Name, bodies[o.Name](role))
				err := got.err()
				switch {
				case pass && err != nil:
					t.Errorf("%s %s: %v, want it done", role, o.Name, err)
				case !pass && !errors.Is(err, ErrDenied):
					t.Errorf("%s %s: %v, want ErrDenied", role, o.Name, err)
				}
			}
		}
	}
	// The customer got the agent's reply first, then the service's; no
	// supervisor's or analyst's reply, and no coaching note.
	for _, want := range []string{"reply from agent", "reply from service"} {
		if got := firstReply(t, replies); got != want {
			t.Errorf("the chat received %q, want %q", got, want)
		}
	}
	events, _, err := ts.store.History(context.Background(), "c1", 0)
	if err != nil {
		t.Fatal(err)
	}
	var feedback []string
	var coaching []event.Coaching
	for _, e := range events {
		switch p := e.Payload.(type) {
		case event.Feedback:
			feedback = append(feedback, p.SuggestionID)
		case event.Coaching:
			coaching = append(coaching, p)
		}
	}
	if want := []string{"s-agent", "s-service"}; !slices.Equal(feedback, want) {
		t.Errorf("stored feedback %v, want %v", feedback, want)
	}
	want := []event.Coaching{{From: "boss", Text: "coaching from supervisor"}, {From: "service", Text: "coaching from service"}}
	if !slices.Equal(coaching, want) {
		t.Errorf("stored coaching %+v, want %+v", coaching, want)
	}
}

func TestAPIAnswersOnlyOnTheCallersInbox(t *testing.T) {
	ts := startService(t, roleUsers...)
	_, _, replies := liveChat(t, ts)
	// The supervisor may publish on its history subject, with any reply
	// subject: the chat's, here. The service must not answer there.
	boss := ts.rawConn(t, RoleSupervisor, "boss")
	msg := nats.NewMsg(APISubject(RoleSupervisor, "boss", opHistory))
	msg.Reply = chatOutSubject("c1")
	msg.Data = []byte(`{"call_id":"c1"}`)
	if err := boss.PublishMsg(msg); err != nil {
		t.Fatal(err)
	}
	if err := boss.Flush(); err != nil || boss.LastError() != nil {
		t.Fatalf("publish: %v %v", err, boss.LastError())
	}
	a1 := ts.terminal(t, RoleAgent, "a1")
	if err := a1.Reply(context.Background(), "c1", "the agent's reply"); err != nil {
		t.Fatal(err)
	}
	if got := firstReply(t, replies); got != "the agent's reply" {
		t.Errorf("the chat received %.80q before the agent's reply", got)
	}
}

func TestSupervisorCoachesTheAgentNotTheCustomer(t *testing.T) {
	ts := startService(t, roleUsers...)
	_, call, replies := liveChat(t, ts)
	ctx := context.Background()
	a1 := ts.terminal(t, RoleAgent, "a1")
	mine, err := a1.Follow(ctx, engine.AgentSubject("a1"), "")
	if err != nil {
		t.Fatal(err)
	}
	boss := ts.terminal(t, RoleSupervisor, "boss")
	if err := boss.Coach(ctx, "c1", "acknowledge the fee first"); err != nil {
		t.Fatalf("coach: %v", err)
	}
	// A supervisor's terminal cannot reply or rate: NATS refuses it, and
	// the terminal fails at once rather than waiting out the timeout.
	if err := boss.Reply(ctx, "c1", "supervisor speaking"); !errors.Is(err, ErrPermission) {
		t.Errorf("supervisor reply: %v, want ErrPermission", err)
	}
	if !errors.Is(boss.Err(), ErrPermission) {
		t.Errorf("the supervisor's terminal has not failed: %v", boss.Err())
	}
	if err := a1.Coach(ctx, "c1", "coaching myself"); !errors.Is(err, ErrPermission) {
		t.Errorf("agent coach: %v, want ErrPermission", err)
	}
	a1 = ts.terminal(t, RoleAgent, "a1")
	if err := a1.Reply(ctx, "c1", "I can refund it"); err != nil {
		t.Fatal(err)
	}
	if got := firstReply(t, replies); got != "I can refund it" {
		t.Errorf("the chat received %q first", got)
	}
	if err := call.End("hangup"); err != nil {
		t.Fatal(err)
	}
	var notes []event.Coaching
	for _, e := range collect(t, mine, "c1") {
		if c, ok := e.Payload.(event.Coaching); ok {
			notes = append(notes, c)
		}
	}
	if len(notes) != 1 || notes[0] != (event.Coaching{From: "boss", Text: "acknowledge the fee first"}) {
		t.Errorf("the agent saw coaching %+v", notes)
	}
}

func TestAnalystReadsTheStoreThroughTheAPI(t *testing.T) {
	ts := startService(t, roleUsers...)
	ts.worker(t, "w1")
	client := ts.client(t)
	ctx := context.Background()
	// Enough calls and text that the export needs several pages.
	long := strings.Repeat("my card was declined at the store again and again ", 40)
	want := 0
	for i := range 30 {
		call, err := client.Start(ctx, fmt.Sprintf("c%d", i), event.CallStarted{Queue: "cards", Agent: "a1", Channel: event.ChannelChat})
		if err != nil {
			t.Fatal(err)
		}
		for range 10 {
			if err := call.Final(ctx, event.Utterance{Speaker: event.SpeakerAgent, Text: long, Source: event.SourceChat}); err != nil {
				t.Fatal(err)
			}
		}
		if err := call.End("hangup"); err != nil {
			t.Fatal(err)
		}
	}
	if err := ts.store.ReadSince(ctx, time.Time{}, func(event.Event) error { want++; return nil }); err != nil {
		t.Fatal(err)
	}
	ann := ts.terminal(t, RoleAnalyst, "ann")
	got, last := 0, map[string]uint64{}
	err := ann.ReadSince(ctx, time.Time{}, func(e event.Event) error {
		if e.Seq <= last[e.CallID] {
			return fmt.Errorf("call %s: seq %d after %d", e.CallID, e.Seq, last[e.CallID])
		}
		last[e.CallID] = e.Seq
		got++
		return nil
	})
	if err != nil || got != want || len(last) != 30 {
		t.Fatalf("the analyst read %d events of %d calls (%v), want %d of 30", got, len(last), err, want)
	}
	page, err := ts.store.ReadPage(ctx, time.Time{}, 0, 0, maxHistoryBytes)
	if err != nil || !page.More {
		t.Errorf("one page held everything (%d events, %v): the test does not page", len(page.Events), err)
	}
	// The analyst sees nothing live and cannot list calls.
	if _, err := ann.Calls(ctx, ""); !errors.Is(err, ErrPermission) {
		t.Errorf("analyst listing live calls: %v, want ErrPermission", err)
	}
}

func TestTerminalWithAnotherUsersCredentialsFailsAtDial(t *testing.T) {
	ts := startService(t, roleUsers...)
	for _, c := range []struct {
		role        Role
		name, creds string
	}{
		{RoleAgent, "a1", ts.auth.CredsPath(RoleAgent, "a2")},
		{RoleSupervisor, "boss", ts.auth.CredsPath(RoleAgent, "a1")},
		{RoleAnalyst, "ann", ts.auth.CredsPath(RoleSupervisor, "boss")},
		{RoleAgent, "a1", ts.auth.CredsPath(RoleAnalyst, "ann")},
	} {
		term, err := DialTerminal(TerminalConfig{URL: ts.url, Creds: c.creds, Role: c.role, Name: c.name})
		if err == nil {
			term.Close()
			t.Errorf("%s %s with %s: connected", c.role, c.name, c.creds)
			continue
		}
		if !errors.Is(err, ErrPermission) || !strings.Contains(err.Error(), c.creds) {
			t.Errorf("%s %s with %s: %v, want ErrPermission naming the file", c.role, c.name, c.creds, err)
		}
	}
	// A seed the server does not know at all.
	other := Auth{Dir: t.TempDir()}
	path, _, err := other.Add(RoleAgent, "a1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := DialTerminal(TerminalConfig{URL: ts.url, Creds: path, Role: RoleAgent, Name: "a1"}); !errors.Is(err, ErrPermission) {
		t.Errorf("unknown seed: %v, want ErrPermission", err)
	}
}

var update = flag.Bool("update", false, "rewrite the README's table of roles and operations")

// The README's table of roles and operations sits between these lines.
const (
	tableBegin = "<!-- roles table: engine/service.OperationsTable; go test ./engine/service -run README -update -->\n"
	tableEnd   = "<!-- end of roles table -->\n"
)

func TestREADMEShowsTheOperationsTable(t *testing.T) {
	const path = "../../README.md"
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	readme := string(data)
	before, rest, ok := strings.Cut(readme, tableBegin)
	table, after, ok2 := strings.Cut(rest, tableEnd)
	if !ok || !ok2 {
		t.Fatalf("README.md has no roles table between %q and %q", tableBegin, tableEnd)
	}
	want := OperationsTable()
	if table == want {
		return
	}
	if *update {
		if err := os.WriteFile(path, []byte(before+tableBegin+want+tableEnd+after), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("README.md's roles table differs from the code's; run go test ./engine/service -run README -update\n got:\n%s\nwant:\n%s", table, want)
}

// TestAgentReplyChecked checks what the reply operation refuses before it
// reaches the chat: an empty reply, one longer than a chat message,
// another agent's call's; and that a reply within the bounds reaches the
// customer.
func TestAgentReplyChecked(t *testing.T) {
	ts := startService(t, roleUsers...)
	client, _, replies := liveChat(t, ts)
	ctx := context.Background()
	if _, err := client.Start(ctx, "c2", event.CallStarted{Queue: "billing", Agent: "a2", Channel: event.ChannelChat}); err != nil {
		t.Fatal(err)
	}
	boss := ts.terminal(t, RoleSupervisor, "boss")
	if !eventually.True(directoryWait, func() bool {
		calls, err := boss.Calls(ctx, "")
		return err == nil && len(calls) == 2
	}) {
		t.Fatal("a2's call never reached the directory")
	}
	a1 := ts.terminal(t, RoleAgent, "a1")
	tests := []struct {
		name, call, text string
		want             error
	}{
		{"empty", "c1", "  \n ", ErrBadRequest},
		{"too long", "c1", strings.Repeat("a", event.MaxReplyBytes+1), ErrBadRequest},
		{"another agent's call", "c2", "hello", ErrForbidden},
		{"longest", "c1", strings.Repeat("a", event.MaxReplyBytes), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := a1.Reply(ctx, tt.call, tt.text)
			if !errors.Is(err, tt.want) && (tt.want != nil || err != nil) {
				t.Fatalf("reply: %v, want %v", err, tt.want)
			}
		})
	}
	if got := firstReply(t, replies); len(got) != event.MaxReplyBytes {
		t.Errorf("the chat received %.40q (%d bytes), want the longest reply", got, len(got))
	}
}
