package engine

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/engine/transcript"
	"github.com/larkspur-labs/assist/kb"
)

// stagedRetriever is the bundled base's retriever as the fast stage, and,
// as the refined one, the same ranking changed by refine: it stands in
// for the sentence encoder.
type stagedRetriever struct {
	fast   *kb.Retriever
	refine func([]kb.Candidate) []kb.Candidate
}

func (r stagedRetriever) RetrieveFast(ctx context.Context, turns []string, k int) ([]kb.Candidate, error) {
	return r.fast.Retrieve(ctx, turns, k)
}

func (r stagedRetriever) Retrieve(ctx context.Context, turns []string, k int) ([]kb.Candidate, error) {
	cands, err := r.fast.Retrieve(ctx, turns, k)
	return r.refine(slices.Clone(cands)), err
}

func (stagedRetriever) Refines() bool { return true }

// swapTop puts the second candidate first, more confident than the first
// was.
func swapTop(cs []kb.Candidate) []kb.Candidate {
	if len(cs) > 1 {
		cs[0], cs[1] = cs[1], cs[0]
		cs[0].Confidence, cs[1].Confidence = cs[1].Confidence+0.01, cs[0].Confidence/2
	}
	return cs
}

// stagedEngine is an engine whose ranking comes in two stages, with a
// drafter when d is not nil.
func stagedEngine(t *testing.T, refine func([]kb.Candidate) []kb.Candidate, d *scriptedDrafter) *Engine {
	t.Helper()
	r, err := sampleIndex()
	if err != nil {
		t.Fatal(err)
	}
	bus, err := StartBus()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(bus.Close)
	a := testAssistant(stagedRetriever{fast: r, refine: refine})
	if d != nil {
		a.Drafter = d
	}
	eng, err := New(bus, a, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	return eng
}

// lostCard is a call whose first customer turn the base answers with more
// than one article.
var lostCard = transcript.Call{ID: "c1", Utterances: []transcript.Utterance{
	{Speaker: "customer", Text: "I lost my debit card and I want to dispute a charge"},
	{Speaker: "agent", Text: "Let me help you with that."},
}}

func TestRefinedRankingFollowsTheFirstAndGroundsTheDraft(t *testing.T) {
	d := &scriptedDrafter{pieces: []string{"Sure, ", "I can help."}, delay: 5 * time.Millisecond}
	eng := stagedEngine(t, swapTop, d)
	p := NewPlayer(eng, PlayerOptions{Speed: 0, WaitModels: true})
	events := replayEvents(t, eng, p, []transcript.Call{lostCard})["c1"]
	var sugs []event.Suggestions
	for _, e := range events {
		if s, ok := e.Payload.(event.Suggestions); ok {
			sugs = append(sugs, s)
		}
	}
	if len(sugs) != 3 {
		t.Fatalf("%d suggestions events, want first, refined and the draft over it: %v", len(sugs), kindsOf(events))
	}
	first, refined, drafted := sugs[0], sugs[1], sugs[2]
	if first.Refined || !refined.Refined || refined.UtteranceID != first.UtteranceID || len(first.Suggestions) < 2 {
		t.Fatalf("first %+v\nrefined %+v", first, refined)
	}
	if refined.Suggestions[0].ID != first.Suggestions[1].ID {
		t.Errorf("refined top %s, want the first ranking's second %s", refined.Suggestions[0].ID, first.Suggestions[1].ID)
	}
	if refined.LatencyMS < first.LatencyMS {
		t.Errorf("refined latency %.3f ms before the first %.3f ms", refined.LatencyMS, first.LatencyMS)
	}
	// The draft comes over the refined list, grounded in its articles.
	if ds := drafts([]event.Event{{Payload: drafted}}); len(ds) != 1 || ds[0].Partial || drafted.Suggestions[1].ID != refined.Suggestions[0].ID {
		t.Errorf("draft event %+v", drafted)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.requests) != 1 || d.requests[0].Articles[0].ID != refined.Suggestions[0].ArticleID {
		t.Errorf("draft grounded in %+v, want the refined top first", d.requests)
	}
}

func TestRefinementThatChangesLittleIsNotPublished(t *testing.T) {
	nudge := func(cs []kb.Candidate) []kb.Candidate {
		for i := range cs {
			cs[i].Confidence += 0.01
		}
		return cs
	}
	eng := stagedEngine(t, nudge, nil)
	p := NewPlayer(eng, PlayerOptions{Speed: 0, WaitModels: true})
	n := 0
	for _, e := range replayEvents(t, eng, p, []transcript.Call{lostCard})["c1"] {
		if s, ok := e.Payload.(event.Suggestions); ok {
			n++
			if s.Refined {
				t.Errorf("a refinement that moved confidences by a point was published: %+v", s)
			}
		}
	}
	if n != 1 {
		t.Errorf("%d suggestions events, want 1", n)
	}
}

func TestChangedNoticeably(t *testing.T) {
	list := func(abstain bool, sugs ...event.Suggestion) event.Suggestions {
		return event.Suggestions{Abstain: abstain, Suggestions: sugs}
	}
	a, b := event.Suggestion{ID: "kb:a", Confidence: 0.6}, event.Suggestion{ID: "kb:b", Confidence: 0.3}
	moved := func(s event.Suggestion, by float64) event.Suggestion { s.Confidence += by; return s }
	for _, tc := range []struct {
		name           string
		first, refined event.Suggestions
		want           bool
	}{
		{"same", list(false, a, b), list(false, a, b), false},
		{"confidences moved a little", list(false, a, b), list(false, moved(a, 0.04), moved(b, -0.04)), false},
		{"a confidence moved five points", list(false, a, b), list(false, moved(a, 0.05), b), true},
		{"order", list(false, a, b), list(false, b, a), true},
		{"one more", list(false, a), list(false, a, b), true},
		{"abstains now", list(false, a), list(true), true},
		{"answers now", list(true), list(false, a), true},
	} {
		if got := changedNoticeably(tc.first, tc.refined); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestRefinedRankingIsPublishedLive(t *testing.T) {
	eng := stagedEngine(t, swapTop, nil)
	sub := subscribe(t, eng.bus, AllCallsSubject)
	s, err := eng.StartCall("c1", event.CallStarted{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Final(context.Background(), event.Utterance{Speaker: event.SpeakerCustomer, Text: lostCard.Utterances[0].Text, Source: event.SourceChat}); err != nil {
		t.Fatal(err)
	}
	sugs := suggestionsEvents(t, sub, 2) // the first and the refined
	if sugs[0].Refined || !sugs[1].Refined || sugs[1].Suggestions[0].ID != sugs[0].Suggestions[1].ID {
		t.Errorf("first %+v\nthen %+v", sugs[0], sugs[1])
	}
}
