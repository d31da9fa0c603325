package engine

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/larkspur-labs/assist/assist"
	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/kb"
)

// sampleIndex is the bundled knowledge base, indexed and trained once for
// all tests.
var sampleIndex = sync.OnceValues(func() (*kb.Retriever, error) {
	articles, err := kb.Sample()
	if err != nil {
		return nil, err
	}
	base, err := kb.Open(articles, "", nil)
	if err != nil {
		return nil, err
	}
	return base.Retriever(), nil
})

// newTestEngine starts a real embedded bus and an engine on the bundled
// knowledge base with the embedded sentiment model.
func newTestEngine(t *testing.T, s assist.Retriever) (*Bus, *Engine) {
	t.Helper()
	if s == nil {
		ix, err := sampleIndex()
		if err != nil {
			t.Fatal(err)
		}
		s = ix
	}
	bus, err := StartBus()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(bus.Close)
	eng, err := New(bus, &assist.Assistant{Sentiment: emotionModel(), Ranker: assist.NewRanker(s)}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	return bus, eng
}

func subscribe(t *testing.T, bus *Bus, subject string) *Subscription {
	t.Helper()
	sub, err := bus.Subscribe(subject, func(err error) { t.Errorf("subscription: %v", err) })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sub.Close)
	return sub
}

// suggestionsEvents reads the first n suggestions events, failing after a
// timeout.
func suggestionsEvents(t *testing.T, sub *Subscription, n int) []event.Suggestions {
	t.Helper()
	var sugs []event.Suggestions
	deadline := time.After(10 * time.Second)
	for len(sugs) < n {
		select {
		case e := <-sub.C:
			if p, ok := e.Payload.(event.Suggestions); ok {
				sugs = append(sugs, p)
			}
		case <-deadline:
			t.Fatalf("%d suggestions events, want %d: %+v", len(sugs), n, sugs)
		}
	}
	return sugs
}

// collect reads events until one of kind until arrives, failing after a timeout.
func collect(t *testing.T, sub *Subscription, until event.Kind) []event.Event {
	t.Helper()
	var got []event.Event
	timeout := time.After(10 * time.Second)
	for {
		select {
		case e := <-sub.C:
			got = append(got, e)
			if e.Kind == until {
				return got
			}
		case <-timeout:
			t.Fatalf("no %s event after %d events", until, len(got))
		}
	}
}

func kinds(evs []event.Event) []event.Kind {
	out := make([]event.Kind, len(evs))
	for i, e := range evs {
		out[i] = e.Kind
	}
	return out
}

func TestSessionPublishesPipelineEventsInOrder(t *testing.T) {
	bus, eng := newTestEngine(t, nil)
	sub := subscribe(t, bus, CallSubject("c1"))
	ctx := context.Background()

	s, err := eng.StartCall("c1", event.CallStarted{Queue: "cards", Channel: event.ChannelVoice})
	if err != nil {
		t.Fatal(err)
	}
	must(t, s.Final(ctx, event.Utterance{UtteranceID: "u1", Speaker: event.SpeakerAgent, Text: "Larkspur Bank, how can I help?"}))
	must(t, s.Partial(event.Utterance{UtteranceID: "u2", Speaker: event.SpeakerCustomer, Text: "I lost"}))
	must(t, s.Final(ctx, event.Utterance{UtteranceID: "u2", Speaker: event.SpeakerCustomer, Text: "I lost my debit card somewhere yesterday"}))
	must(t, s.End("completed"))

	evs := collect(t, sub, event.KindCallEnded)
	want := []event.Kind{event.KindCallStarted, event.KindFinal, event.KindSentiment, event.KindPartial, event.KindFinal, event.KindSentiment, event.KindSuggestions, event.KindRecommendations, event.KindCallEnded}
	if got := kinds(evs); !equalKinds(got, want) {
		t.Fatalf("kinds = %v\nwant    %v", got, want)
	}
	for i, e := range evs {
		if e.Seq != uint64(i+1) {
			t.Errorf("event %d (%s) seq = %d, want %d", i, e.Kind, e.Seq, i+1)
		}
		if e.CallID != "c1" || e.TS.IsZero() {
			t.Errorf("event %d: call %q ts %v", i, e.CallID, e.TS)
		}
	}
	sug := evs[6].Payload.(event.Suggestions)
	if sug.Abstain || len(sug.Suggestions) == 0 {
		t.Fatalf("no suggestion for a lost card: %+v", sug)
	}
	if sug.UtteranceID != "u2" || sug.Suggestions[0].Source != "kb" || sug.Suggestions[0].ArticleID == "" {
		t.Errorf("suggestion = %+v", sug)
	}
	for i := 1; i < len(sug.Suggestions); i++ {
		if sug.Suggestions[i].Confidence > sug.Suggestions[i-1].Confidence {
			t.Errorf("suggestions not ranked by confidence: %+v", sug.Suggestions)
		}
	}
	if sug.LatencyMS <= 0 {
		t.Errorf("latency_ms = %v, want > 0", sug.LatencyMS)
	}
	if sent := evs[5].Payload.(event.Sentiment); sent.Speaker != event.SpeakerCustomer || len(sent.Emotions) == 0 {
		t.Errorf("sentiment = %+v", sent)
	}
	end := evs[8].Payload.(event.CallEnded)
	if end.Utterances != 2 || end.Disposition == "" || end.Summary == "" {
		t.Errorf("call.ended = %+v", end)
	}
}

func TestSessionAbstainsOnSmallTalk(t *testing.T) {
	bus, eng := newTestEngine(t, nil)
	sub := subscribe(t, bus, CallSubject("c2"))
	s, err := eng.StartCall("c2", event.CallStarted{})
	if err != nil {
		t.Fatal(err)
	}
	must(t, s.Final(context.Background(), event.Utterance{Speaker: event.SpeakerCustomer, Text: "ok"}))
	evs := collect(t, sub, event.KindRecommendations)
	for _, e := range evs {
		if sug, ok := e.Payload.(event.Suggestions); ok && (!sug.Abstain || sug.Reason == "" || len(sug.Suggestions) != 0) {
			t.Errorf("want an explicit abstain for \"ok\", got %+v", sug)
		}
	}
}

// failingSearcher stands in for a broken knowledge base.
type failingSearcher struct{}

func (failingSearcher) Retrieve(context.Context, []string, int) ([]kb.Candidate, error) {
	return nil, errors.New("index closed")
}

func TestSessionDegradesWhenKnowledgeBaseFails(t *testing.T) {
	bus, eng := newTestEngine(t, failingSearcher{})
	sub := subscribe(t, bus, CallSubject("c3"))
	s, _ := eng.StartCall("c3", event.CallStarted{})
	must(t, s.Final(context.Background(), event.Utterance{Speaker: event.SpeakerCustomer, Text: "I want to speak to your supervisor right now"}))
	evs := collect(t, sub, event.KindRecommendations)
	got := kinds(evs)
	want := []event.Kind{event.KindCallStarted, event.KindFinal, event.KindSentiment, event.KindAlert, event.KindSuggestions, event.KindRecommendations}
	if !equalKinds(got, want) {
		t.Fatalf("kinds = %v, want %v", got, want)
	}
	if sug := evs[4].Payload.(event.Suggestions); !sug.Abstain {
		t.Errorf("want abstain when the knowledge base fails, got %+v", sug)
	}
	if a := evs[3].Payload.(event.Alert); a.Type != assist.AlertSupervisor {
		t.Errorf("alert = %+v", a)
	}
}

func TestFeedbackTravelsOverTheBus(t *testing.T) {
	bus, eng := newTestEngine(t, nil)
	sub := subscribe(t, bus, CallSubject("c4"))
	s, _ := eng.StartCall("c4", event.CallStarted{})
	must(t, bus.SendFeedback("c4", event.Feedback{SuggestionID: "kb:x", ArticleID: "x", Verdict: event.VerdictHelpful}))
	evs := collect(t, sub, event.KindFeedback)
	fb := evs[len(evs)-1]
	if fb.Seq != 2 || fb.Payload.(event.Feedback).Verdict != event.VerdictHelpful {
		t.Errorf("feedback event = %+v", fb)
	}
	if err := s.Feedback(event.Feedback{Verdict: "meh"}); err == nil {
		t.Error("unknown verdict accepted")
	}
}

func TestSessionLifecycleErrors(t *testing.T) {
	_, eng := newTestEngine(t, nil)
	s, err := eng.StartCall("dup", event.CallStarted{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := eng.StartCall("dup", event.CallStarted{}); !errors.Is(err, ErrCallExists) {
		t.Errorf("second start: %v, want ErrCallExists", err)
	}
	if _, err := eng.StartCall("", event.CallStarted{}); err == nil {
		t.Error("empty id accepted")
	}
	must(t, s.End("completed"))
	must(t, s.End("again")) // idempotent
	if err := s.Final(context.Background(), event.Utterance{Speaker: event.SpeakerCustomer, Text: "hello?"}); !errors.Is(err, ErrCallEnded) {
		t.Errorf("final after end: %v", err)
	}
	if _, err := eng.StartCall("dup", event.CallStarted{}); err != nil {
		t.Errorf("id not reusable after end: %v", err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func equalKinds(a, b []event.Kind) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func testAssistant(s assist.Retriever) *assist.Assistant {
	return &assist.Assistant{Sentiment: emotionModel(), Ranker: assist.NewRanker(s)}
}

func TestFeedbackReachesTheRankingStore(t *testing.T) {
	r, err := sampleIndex()
	if err != nil {
		t.Fatal(err)
	}
	bus, err := StartBus()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(bus.Close)
	store := kb.NewFeedback()
	a := testAssistant(r)
	a.Feedback = store
	eng, err := New(bus, a, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	sub := subscribe(t, bus, CallSubject("c9"))
	if _, err := eng.StartCall("c9", event.CallStarted{}); err != nil {
		t.Fatal(err)
	}
	must(t, bus.SendFeedback("c9", event.Feedback{SuggestionID: "kb:card-lost-stolen", Verdict: event.VerdictNotHelpful}))
	collect(t, sub, event.KindFeedback)
	if f := store.Factor("card-lost-stolen"); f >= 1 {
		t.Errorf("factor after a not-helpful verdict = %v, want below 1", f)
	}
}

// emotionModel is the embedded sentiment and emotion model the engine runs on.
func emotionModel() *assist.EmotionModel {
	m, err := assist.EmbeddedEmotionModel()
	if err != nil {
		panic(err)
	}
	return m
}
