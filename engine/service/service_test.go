package service

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/larkspur-labs/assist/engine"
	"github.com/larkspur-labs/assist/engine/enginetest"
	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/engine/ingest"
	"github.com/larkspur-labs/assist/internal/eventually"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

var _ ingest.Calls = (*Client)(nil)

// testService is a real embedded NATS server with JetStream and auth, and
// the service's store, on a temporary folder.
type testService struct {
	auth  Auth
	nats  *NATSServer
	url   string
	store *Store
}

func startService(t testing.TB, users ...User) *testService {
	t.Helper()
	dir := t.TempDir()
	ts := &testService{auth: Auth{Dir: dir}}
	for _, u := range append([]User{{Role: RoleService, Name: "service"}, {Role: RoleSupervisor, Name: "boss"}}, users...) {
		if _, _, err := ts.auth.Add(u.Role, u.Name); err != nil {
			t.Fatal(err)
		}
	}
	var err error
	ts.nats, err = StartNATS(NATSConfig{Host: "127.0.0.1", Port: -1, StoreDir: dir + "/js", Auth: ts.auth, ReloadEvery: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ts.nats.Close)
	ts.url = ts.nats.ClientURL()
	bus := ts.bus(t)
	ts.store, err = OpenStore(context.Background(), mustJS(t, bus), StoreConfig{})
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

func (ts *testService) bus(t testing.TB) *engine.Bus {
	t.Helper()
	bus, err := ServiceBus(ts.url, ts.auth.CredsPath(RoleService, "service"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(bus.Close)
	return bus
}

func (ts *testService) worker(t *testing.T, id string) *Worker {
	t.Helper()
	a, err := enginetest.SampleAssistant()
	if err != nil {
		t.Fatal(err)
	}
	w, err := NewWorker(context.Background(), ts.bus(t), ts.store, WorkerOptions{ID: id, Assistant: a})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Close)
	if err := w.WaitDirectory(context.Background()); err != nil {
		t.Fatal(err)
	}
	return w
}

func (ts *testService) client(t *testing.T) *Client {
	t.Helper()
	nc, err := Dial(ts.url, ts.auth.CredsPath(RoleService, "service"), "ingest")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	return NewClient(nc, nil)
}

func (ts *testService) terminal(t *testing.T, role Role, name string) *Terminal {
	t.Helper()
	term, err := DialTerminal(TerminalConfig{URL: ts.url, Creds: ts.auth.CredsPath(role, name), Role: role, Name: name})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(term.Close)
	return term
}

// directoryWait bounds the wait for what lands asynchronously: a call's
// row in the directory, a permissions violation.
const directoryWait = 5 * time.Second

// collect reads events until the call's call.ended or the deadline.
func collect(t *testing.T, events <-chan event.Event, callID string) []event.Event {
	t.Helper()
	var got []event.Event
	deadline := time.After(20 * time.Second)
	for {
		select {
		case e, ok := <-events:
			if !ok {
				t.Fatalf("events closed after %d", len(got))
			}
			if e.CallID != callID {
				continue
			}
			got = append(got, e)
			if e.Kind == event.KindCallEnded {
				return got
			}
		case <-deadline:
			t.Fatalf("no call.ended for %s after %d events", callID, len(got))
		}
	}
}

// checkSequence fails unless the events are seq 1..n of one call.
func checkSequence(t *testing.T, events []event.Event) {
	t.Helper()
	for i, e := range events {
		if e.Seq != uint64(i+1) {
			t.Fatalf("event %d (%s) has seq %d, want %d", i, e.Kind, e.Seq, i+1)
		}
	}
}

func kinds(events []event.Event) map[event.Kind]int {
	n := map[event.Kind]int{}
	for _, e := range events {
		n[e.Kind]++
	}
	return n
}

func TestChatCallReachesSupervisorAndItsAgentOnly(t *testing.T) {
	ts := startService(t, User{Role: RoleAgent, Name: "a1"}, User{Role: RoleAgent, Name: "a2"})
	ts.worker(t, "w1")
	client := ts.client(t)
	ctx := context.Background()

	boss := ts.terminal(t, RoleSupervisor, "boss")
	live, err := boss.Follow(ctx, engine.AllCallsSubject, "")
	if err != nil {
		t.Fatal(err)
	}

	call, err := client.Start(ctx, "c1", event.CallStarted{Queue: "billing", Agent: "a1", Customer: "cust-9", Channel: event.ChannelChat})
	if err != nil {
		t.Fatal(err)
	}
	if err := call.Final(ctx, event.Utterance{Speaker: event.SpeakerCustomer, Text: "I lost my debit card, can you block it?", Source: event.SourceChat}); err != nil {
		t.Fatal(err)
	}

	// An agent who joins late sees the whole call so far, then live events.
	a1 := ts.terminal(t, RoleAgent, "a1")
	mine, err := a1.Follow(ctx, engine.AgentSubject("a1"), "")
	if err != nil {
		t.Fatal(err)
	}
	// The call's row reaches the directory asynchronously.
	var calls []event.CallRow
	eventually.True(directoryWait, func() bool {
		calls, err = a1.Calls(ctx, "")
		return err != nil || len(calls) > 0
	})
	if err != nil || len(calls) != 1 || calls[0].CallID != "c1" || calls[0].Agent != "a1" {
		t.Fatalf("a1 calls = %+v, %v", calls, err)
	}
	if err := a1.Feedback(ctx, "c1", event.Feedback{SuggestionID: "s1", Verdict: event.VerdictHelpful}); err != nil {
		t.Fatalf("feedback: %v", err)
	}
	if err := call.Final(ctx, event.Utterance{Speaker: event.SpeakerAgent, Text: "Done, the card is blocked.", Source: event.SourceChat}); err != nil {
		t.Fatal(err)
	}
	if err := call.End("hangup"); err != nil {
		t.Fatal(err)
	}

	for name, ch := range map[string]<-chan event.Event{"supervisor": live, "agent": mine} {
		got := collect(t, ch, "c1")
		checkSequence(t, got)
		k := kinds(got)
		if k[event.KindCallStarted] != 1 || k[event.KindFinal] != 2 || k[event.KindSuggestions] != 1 || k[event.KindFeedback] != 1 {
			t.Errorf("%s saw %v", name, k)
		}
	}

	// Another agent may not read the call, nor list it.
	a2 := ts.terminal(t, RoleAgent, "a2")
	if _, err := a2.History(ctx, "c1", 0); !errors.Is(err, ErrForbidden) {
		t.Errorf("a2 reading a1's call: %v, want ErrForbidden", err)
	}
	if calls, err := a2.Calls(ctx, ""); err != nil || len(calls) != 0 {
		t.Errorf("a2 calls = %+v, %v", calls, err)
	}
	if err := a2.Feedback(ctx, "c1", event.Feedback{SuggestionID: "s1", Verdict: event.VerdictUsed}); !errors.Is(err, ErrForbidden) {
		t.Errorf("a2 feedback on a1's call: %v, want ErrForbidden", err)
	}
	// NATS itself refuses a2 a1's events and the supervisor's API.
	if _, err := a2.Conn().SubscribeSync(engine.AgentSubject("a1")); err == nil {
		if err := a2.Conn().Flush(); err != nil {
			t.Fatal(err)
		}
		if !eventually.True(directoryWait, func() bool { return a2.Conn().LastError() != nil }) {
			t.Error("a2 subscribed to a1's events without a permissions violation")
		}
	}
	short, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
	defer cancel()
	if _, err := a2.Conn().RequestWithContext(short, apiPrefix+opHistory, []byte(`{"call_id":"c1"}`)); err == nil {
		t.Error("a2 used the supervisor's API")
	}
}

func TestCallMovesToAnotherWorkerWhenItsWorkerDies(t *testing.T) {
	ts := startService(t)
	w1 := ts.worker(t, "w1")
	client := ts.client(t)
	ctx := context.Background()
	call, err := client.Start(ctx, "c2", event.CallStarted{Queue: "cards", Agent: "a1"})
	if err != nil {
		t.Fatal(err)
	}
	if err := call.Final(ctx, event.Utterance{Speaker: event.SpeakerCustomer, Text: "my card was stolen", Source: event.SourceChat}); err != nil {
		t.Fatal(err)
	}
	w1.Close()
	ts.worker(t, "w2")
	if err := call.Final(ctx, event.Utterance{Speaker: event.SpeakerCustomer, Text: "please block it now", Source: event.SourceChat}); err != nil {
		t.Fatalf("final after the worker died: %v", err)
	}
	if err := call.End("hangup"); err != nil {
		t.Fatal(err)
	}
	events, _, err := ts.store.History(ctx, "c2", 0)
	if err != nil {
		t.Fatal(err)
	}
	checkSequence(t, events)
	if k := kinds(events); k[event.KindCallStarted] != 1 || k[event.KindFinal] != 2 || k[event.KindCallEnded] != 1 {
		t.Errorf("stored %v", k)
	}
}

func TestOrphanedCallsEndWhenTheirWorkerReturns(t *testing.T) {
	ts := startService(t)
	w := ts.worker(t, "w1")
	client := ts.client(t)
	ctx := context.Background()
	call, err := client.Start(ctx, "c3", event.CallStarted{Queue: "q", Agent: "a"})
	if err != nil {
		t.Fatal(err)
	}
	if err := call.Final(ctx, event.Utterance{Speaker: event.SpeakerCustomer, Text: "hello", Source: event.SourceChat}); err != nil {
		t.Fatal(err)
	}
	// The directory row lands before the worker goes.
	boss := ts.terminal(t, RoleSupervisor, "boss")
	if !eventually.True(directoryWait, func() bool {
		calls, err := boss.Calls(ctx, "")
		return err == nil && len(calls) == 1
	}) {
		t.Fatal("the call never reached the directory")
	}
	w.Close()
	w = ts.worker(t, "w1")
	n, err := w.EndOrphans(ctx)
	if err != nil || n != 1 {
		t.Fatalf("EndOrphans = %d, %v", n, err)
	}
	last, ok, err := ts.store.LastEvent(ctx, "c3")
	if err != nil || !ok || last.Kind != event.KindCallEnded {
		t.Fatalf("last event = %+v %v %v", last, ok, err)
	}
	if err := call.Final(ctx, event.Utterance{Speaker: event.SpeakerCustomer, Text: "hello?", Source: event.SourceChat}); !errors.Is(err, engine.ErrCallEnded) {
		t.Errorf("input to an ended call: %v", err)
	}
}

func TestUsersAddedLaterCanConnect(t *testing.T) {
	ts := startService(t)
	if _, _, err := ts.auth.Add(RoleAgent, "late"); err != nil {
		t.Fatal(err)
	}
	// The server reloads the user list within its check interval.
	var err error
	if !eventually.True(5*time.Second, func() bool {
		var nc *nats.Conn
		if nc, err = Dial(ts.url, ts.auth.CredsPath(RoleAgent, "late"), "late", natsNoRetry()...); err == nil {
			nc.Close()
		}
		return err == nil
	}) {
		t.Fatalf("late user cannot connect: %v", err)
	}
}

func natsNoRetry() []nats.Option { return []nats.Option{nats.MaxReconnects(0)} }

func mustJS(t testing.TB, bus *engine.Bus) jetstream.JetStream {
	t.Helper()
	js, err := jetstream.New(bus.Conn())
	if err != nil {
		t.Fatal(err)
	}
	return js
}

func TestSummaryOnDemandOverTheAPI(t *testing.T) {
	ts := startService(t, User{Role: RoleAgent, Name: "a1"})
	ts.worker(t, "w1")
	client := ts.client(t)
	ctx := context.Background()
	boss := ts.terminal(t, RoleSupervisor, "boss")
	live, err := boss.Follow(ctx, engine.AllCallsSubject, "")
	if err != nil {
		t.Fatal(err)
	}
	call, err := client.Start(ctx, "c9", event.CallStarted{Queue: "cards", Agent: "a1"})
	if err != nil {
		t.Fatal(err)
	}
	if err := call.Final(ctx, event.Utterance{Speaker: event.SpeakerCustomer, Text: "I lost my debit card yesterday", Source: event.SourceChat}); err != nil {
		t.Fatal(err)
	}
	// The row reaches the directory asynchronously.
	eventually.True(directoryWait, func() bool {
		err = boss.Summary(ctx, "c9")
		return !errors.Is(err, ErrNotFound)
	})
	if err != nil {
		t.Fatalf("summary: %v", err)
	}
	if err := ts.terminal(t, RoleAgent, "a1").Summary(ctx, "c9"); err != nil {
		t.Fatalf("the call's agent asking for a summary: %v", err)
	}
	if err := call.End("hangup"); err != nil {
		t.Fatal(err)
	}
	summaries := 0
	for _, e := range collect(t, live, "c9") {
		if s, ok := e.Payload.(event.Summary); ok && s.Source == "extractive" && strings.Contains(s.Situation, "lost my debit card") {
			summaries++
		}
	}
	if summaries != 2 {
		t.Errorf("%d summary events, want 2", summaries)
	}
}

// TestWorkerForgetsRowsPastTheRetention checks that a worker's copy of the
// call directory drops the rows the bucket has dropped: its expiries are
// not sent to watchers, and a long-running worker held every call's row
// since it started.
func TestWorkerForgetsRowsPastTheRetention(t *testing.T) {
	ts := startService(t)
	a, err := enginetest.SampleAssistant()
	if err != nil {
		t.Fatal(err)
	}
	w, err := NewWorker(context.Background(), ts.bus(t), ts.store, WorkerOptions{ID: "w1", Assistant: a, Retention: 2 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Close)
	if err := w.WaitDirectory(context.Background()); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	call, err := ts.client(t).Start(ctx, "old-call", event.CallStarted{Queue: "cards", Agent: "a1"})
	if err != nil {
		t.Fatal(err)
	}
	if err := call.End("hangup"); err != nil {
		t.Fatal(err)
	}
	listed := func() bool { return len(w.listCalls(callsRequest{Ended: true}, "")) == 1 }
	if !eventually.True(directoryWait, listed) {
		t.Fatal("the ended call never reached the directory")
	}
	if !eventually.True(20*time.Second, func() bool { return len(w.listCalls(callsRequest{Ended: true}, "")) == 0 }) {
		t.Errorf("the worker still lists %v past the retention", w.listCalls(callsRequest{Ended: true}, ""))
	}
}
