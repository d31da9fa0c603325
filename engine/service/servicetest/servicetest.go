// Package servicetest gives tests what 'assist serve' runs, in-process: a
// real embedded NATS server with JetStream and auth, the service's event
// store, one worker on the embedded models, an ingest client and a
// supervisor terminal, and a way to drive scripted chat calls through them.
package servicetest

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/larkspur-labs/assist/engine/enginetest"
	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/engine/service"
	"github.com/larkspur-labs/assist/internal/eventually"
	"github.com/nats-io/nats.go/jetstream"
)

// Service is the running service; everything stops when the test ends.
type Service struct {
	// Data is the data folder whose serve folder holds the credentials.
	Data string
	Auth service.Auth
	// URL is the NATS server's, Creds the service user's seed file.
	URL, Creds string
	Store      *service.Store
	// NATS is the embedded server, to reload its users.
	NATS   *service.NATSServer
	Client *service.Client
	// Boss is a supervisor's terminal (the user "boss").
	Boss *service.Terminal

	// agents are the agents' terminals Drive gave feedback from, by name.
	agents map[string]*service.Terminal
}

// Users are the users whose credentials Start issues: the service, the
// supervisor "boss", the agent "a1" and the analyst "ann".
var Users = []service.User{
	{Role: service.RoleService, Name: "service"}, {Role: service.RoleSupervisor, Name: "boss"},
	{Role: service.RoleAgent, Name: "a1"}, {Role: service.RoleAgent, Name: "a2"},
	{Role: service.RoleAnalyst, Name: "ann"},
}

// Start starts the service in a new data folder.
func Start(t testing.TB) *Service {
	t.Helper()
	data := t.TempDir()
	dir := service.Dir(data)
	s := &Service{Data: data, Auth: service.Auth{Dir: dir}}
	for _, u := range Users {
		if _, _, err := s.Auth.Add(u.Role, u.Name); err != nil {
			t.Fatal(err)
		}
	}
	srv, err := service.StartNATS(service.NATSConfig{Host: "127.0.0.1", Port: -1, StoreDir: filepath.Join(dir, "js"), Auth: s.Auth})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	s.NATS = srv
	s.URL = srv.ClientURL()
	s.Creds = s.Auth.CredsPath(service.RoleService, "service")

	bus, err := service.ServiceBus(s.URL, s.Creds)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(bus.Close)
	js, err := jetstream.New(bus.Conn())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if s.Store, err = service.OpenStore(ctx, js, service.StoreConfig{}); err != nil {
		t.Fatal(err)
	}
	a, err := enginetest.SampleAssistant()
	if err != nil {
		t.Fatal(err)
	}
	w, err := service.NewWorker(ctx, bus, s.Store, service.WorkerOptions{ID: "w1", Assistant: a})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Close)
	if err := w.WaitDirectory(ctx); err != nil {
		t.Fatal(err)
	}
	nc, err := service.Dial(s.URL, s.Creds, "ingest")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	s.Client = service.NewClient(nc, nil)
	s.Boss, err = service.DialTerminal(service.TerminalConfig{URL: s.URL, Creds: s.Auth.CredsPath(service.RoleSupervisor, "boss"), Role: service.RoleSupervisor, Name: "boss"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Boss.Close)
	return s
}

// Call is a chat call to drive through the service: customer and agent
// lines, then feedback on the top suggestion of each listed customer turn,
// then the end when Ended.
type Call struct {
	ID       string
	Start    event.CallStarted
	Lines    []event.Utterance
	Feedback []Feedback
	Ended    bool
}

// Feedback is an agent's verdict on a turn's suggestion.
type Feedback struct {
	UtteranceID string
	Verdict     string
	// Named says the feedback names its utterance; otherwise it is found
	// by the suggestion id.
	Named bool
	// SuggestionID, when set, is sent instead of the top suggestion's.
	SuggestionID string
}

// CustomerSays is a customer's chat line.
func CustomerSays(text string) event.Utterance {
	return event.Utterance{Speaker: event.SpeakerCustomer, Text: text, Source: event.SourceChat}
}

// AgentSays is an agent's chat line.
func AgentSays(text string) event.Utterance {
	return event.Utterance{Speaker: event.SpeakerAgent, Text: text, Source: event.SourceChat}
}

// Drive plays the calls through the service; each returns once its events
// are stored.
func (s *Service) Drive(t testing.TB, calls ...Call) {
	t.Helper()
	ctx := context.Background()
	for _, c := range calls {
		call, err := s.Client.Start(ctx, c.ID, c.Start)
		if err != nil {
			t.Fatalf("start %s: %v", c.ID, err)
		}
		for _, u := range c.Lines {
			if err := call.Final(ctx, u); err != nil {
				t.Fatalf("%s: %v", c.ID, err)
			}
		}
		for _, fb := range c.Feedback {
			verdict := event.Feedback{SuggestionID: fb.SuggestionID, Verdict: fb.Verdict}
			if fb.SuggestionID == "" {
				top := s.TopSuggestion(t, c.ID, fb.UtteranceID)
				verdict.SuggestionID, verdict.ArticleID = top.ID, top.ArticleID
			}
			if fb.Named {
				verdict.UtteranceID = fb.UtteranceID
			}
			s.feedback(t, c.Start.Agent, c.ID, verdict)
		}
		if c.Ended {
			if err := call.End("hangup"); err != nil {
				t.Fatalf("end %s: %v", c.ID, err)
			}
		}
	}
}

// TopSuggestion returns the first suggestion shown for an utterance.
func (s *Service) TopSuggestion(t testing.TB, callID, utteranceID string) event.Suggestion {
	t.Helper()
	events, _, err := s.Store.History(context.Background(), callID, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range events {
		if sug, ok := e.Payload.(event.Suggestions); ok && sug.UtteranceID == utteranceID && len(sug.Suggestions) > 0 {
			return sug.Suggestions[0]
		}
	}
	t.Fatalf("call %s: no suggestion for %s", callID, utteranceID)
	return event.Suggestion{}
}

// directoryWait bounds the wait for the worker's call directory, updated
// asynchronously, to know a call.
const directoryWait = 5 * time.Second

// feedback sends a verdict as the call's agent, the role that rates a
// call's suggestions (a supervisor may not), once the call directory knows
// the call.
func (s *Service) feedback(t testing.TB, agent, callID string, fb event.Feedback) {
	t.Helper()
	term := s.agent(t, agent)
	var err error
	eventually.True(directoryWait, func() bool {
		err = term.Feedback(context.Background(), callID, fb)
		return !errors.Is(err, service.ErrNotFound)
	})
	if err != nil {
		t.Fatalf("feedback on %s: %v", callID, err)
	}
}

// agent returns the terminal of the agent name, one of Users, dialling it
// the first time.
func (s *Service) agent(t testing.TB, name string) *service.Terminal {
	t.Helper()
	if term, ok := s.agents[name]; ok {
		return term
	}
	term, err := service.DialTerminal(service.TerminalConfig{URL: s.URL, Creds: s.Auth.CredsPath(service.RoleAgent, name), Role: service.RoleAgent, Name: name})
	if err != nil {
		t.Fatalf("agent %q: %v", name, err)
	}
	t.Cleanup(term.Close)
	if s.agents == nil {
		s.agents = make(map[string]*service.Terminal)
	}
	s.agents[name] = term
	return term
}

// AllEvents returns every stored event.
func (s *Service) AllEvents(t testing.TB) []event.Event {
	t.Helper()
	var events []event.Event
	if err := s.Store.ReadSince(context.Background(), time.Time{}, func(e event.Event) error {
		events = append(events, e)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return events
}
