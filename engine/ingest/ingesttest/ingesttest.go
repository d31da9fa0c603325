// Package ingesttest gives the tests of the ingest endpoints' clients (the
// load generator behind 'assist simulate') a real service, as
// net/http/httptest gives a real server: the ingest handler on a real
// engine and in-process bus, served over HTTP, with a subscriber to every
// call's events, and the checks a simulated run's figures must pass
// against those events.
package ingesttest

import (
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/larkspur-labs/assist/audio"
	"github.com/larkspur-labs/assist/engine"
	"github.com/larkspur-labs/assist/engine/enginetest"
	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/engine/ingest"
)

// Service is the ingest handler on a real engine, served over HTTP.
type Service struct {
	// URL is the service's base URL.
	URL string
	// Events delivers every event the engine publishes.
	Events *engine.Subscription
	// ByCall holds the events seen so far by WaitEvents, per call.
	ByCall map[string][]event.Event
}

// Start starts the service, taking the ingest API key key; with a
// recognizer it takes voice calls too. It stops when the test ends.
func Start(t testing.TB, key string, rec audio.Recognizer) *Service {
	t.Helper()
	te := enginetest.Start(t)
	h, err := ingest.NewHandler(ingest.Options{Calls: &ingest.EngineCalls{Engine: te.Engine}, APIKey: key, Recognizer: rec}, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(func() {
		srv.Close()
		h.Close()
	})
	return &Service{URL: srv.URL, Events: te.Events, ByCall: map[string][]event.Event{}}
}

// WaitEvents reads events into ByCall until done says the calls seen are
// complete, and fails the test after 30 s.
func (s *Service) WaitEvents(t testing.TB, done func(byCall map[string][]event.Event) bool) {
	t.Helper()
	deadline := time.After(30 * time.Second)
	for !done(s.ByCall) {
		select {
		case e := <-s.Events.C:
			s.ByCall[e.CallID] = append(s.ByCall[e.CallID], e)
		case <-deadline:
			t.Fatalf("events not complete after 30s: %d calls seen", len(s.ByCall))
		}
	}
}

// EndedCalls counts the calls whose call.ended has been seen.
func EndedCalls(byCall map[string][]event.Event) int {
	n := 0
	for _, evs := range byCall {
		if len(evs) > 0 && evs[len(evs)-1].Kind == event.KindCallEnded {
			n++
		}
	}
	return n
}

// CheckChatCalls checks the events of finished chat calls against the
// figures of the run that made them (rep, its JSON report decoded): every
// call started in one of queues with one of agents and ended, every
// utterance acked was published, every customer utterance got
// suggestions.
func CheckChatCalls(t testing.TB, byCall map[string][]event.Event, rep map[string]any, queues, agents []string) {
	t.Helper()
	if int(rep["calls"].(float64)) != len(byCall) {
		t.Errorf("summary has %v calls, the bus saw %d", rep["calls"], len(byCall))
	}
	finals := 0
	for id, evs := range byCall {
		start, ok := evs[0].Payload.(event.CallStarted)
		if !ok {
			t.Errorf("call %s begins with %s", id, evs[0].Kind)
			continue
		}
		if start.Channel != event.ChannelChat || !slices.Contains(queues, start.Queue) || !slices.Contains(agents, start.Agent) || start.Customer == "" {
			t.Errorf("call %s started as %+v", id, start)
		}
		end, ok := evs[len(evs)-1].Payload.(event.CallEnded)
		if !ok || end.Reason != "completed" {
			t.Errorf("call %s ends with %s %+v, want call.ended (completed)", id, evs[len(evs)-1].Kind, end)
		}
		suggested := map[string]bool{}
		for _, e := range evs {
			if sug, ok := e.Payload.(event.Suggestions); ok {
				suggested[sug.UtteranceID] = true
			}
		}
		for _, e := range evs {
			u, ok := e.Payload.(event.Utterance)
			if !ok || e.Kind != event.KindFinal {
				continue
			}
			finals++
			if u.Source != event.SourceChat {
				t.Errorf("call %s: utterance from %s", id, u.Source)
			}
			if u.Speaker == event.SpeakerCustomer && !suggested[u.UtteranceID] {
				t.Errorf("call %s: customer utterance %s got no suggestions", id, u.UtteranceID)
			}
		}
	}
	if int(rep["utterances"].(float64)) != finals || rep["acked"] != rep["utterances"] {
		t.Errorf("summary %v: the bus saw %d final utterances", rep, finals)
	}
	if rep["errors"] != float64(0) {
		t.Errorf("errors in %v", rep)
	}
}
