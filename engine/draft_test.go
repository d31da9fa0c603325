package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/larkspur-labs/assist/assist"
	"github.com/larkspur-labs/assist/assist/redact"
	"github.com/larkspur-labs/assist/engine/event"
)

// scriptedDrafter streams a fixed reply piece by piece, each after delay,
// and summarises with a fixed summary; it stands in for a model server.
type scriptedDrafter struct {
	pieces   []string
	delay    time.Duration
	err      error  // returned by Draft after the pieces
	degraded string // what Degraded says

	// returned, when set, hears each time Draft returns.
	returned chan struct{}

	mu        sync.Mutex
	requests  []assist.DraftRequest
	summaries []assist.SummaryRequest
	canceled  int
	sumErr    error // returned by Summarize
}

func (d *scriptedDrafter) Draft(ctx context.Context, req assist.DraftRequest, onToken func(string)) (assist.Draft, error) {
	if d.returned != nil {
		defer func() { d.returned <- struct{}{} }()
	}
	d.mu.Lock()
	d.requests = append(d.requests, req)
	d.mu.Unlock()
	var text strings.Builder
	for _, p := range d.pieces {
		select {
		case <-ctx.Done():
			d.mu.Lock()
			d.canceled++
			d.mu.Unlock()
			return assist.Draft{}, ctx.Err()
		case <-time.After(d.delay):
		}
		onToken(p)
		text.WriteString(p)
	}
	if d.err != nil {
		return assist.Draft{}, d.err
	}
	ids := make([]string, len(req.Articles))
	for i, a := range req.Articles {
		ids[i] = a.ID
	}
	return assist.Draft{Text: text.String(), ArticleIDs: ids}, nil
}

func (d *scriptedDrafter) Degraded() string { return d.degraded }

func (d *scriptedDrafter) Summarize(ctx context.Context, req assist.SummaryRequest) (assist.Summary, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.summaries = append(d.summaries, req)
	if d.sumErr != nil {
		return assist.Summary{}, d.sumErr
	}
	return assist.Summary{Situation: "lost card", Reason: "card lost", Disposition: "card-lost", Satisfaction: assist.Satisfied, Source: "llm"}, nil
}

func draftEngine(t *testing.T, d *scriptedDrafter, opts Options) (*Subscription, *Engine) {
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
	a := testAssistant(r)
	a.Drafter, a.Summarizer = d, d
	eng, err := New(bus, a, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	return subscribe(t, bus, AllCallsSubject), eng
}

// drafts returns the llm entries of the suggestions events, in order.
func drafts(events []event.Event) []event.Suggestion {
	var out []event.Suggestion
	for _, e := range events {
		if s, ok := e.Payload.(event.Suggestions); ok {
			for _, sg := range s.Suggestions {
				if sg.Source == "llm" {
					out = append(out, sg)
				}
			}
		}
	}
	return out
}

func TestDraftStreamsAfterTheEmbeddedSuggestions(t *testing.T) {
	d := &scriptedDrafter{pieces: []string{"I'm sorry ", "about your card. ", "I've blocked it."}, delay: 60 * time.Millisecond}
	sub, eng := draftEngine(t, d, Options{})
	s, err := eng.StartCall("c1", event.CallStarted{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Final(context.Background(), event.Utterance{Speaker: event.SpeakerCustomer, Text: "I lost my debit card", Source: event.SourceChat}); err != nil {
		t.Fatal(err)
	}
	var events []event.Event
	deadline := time.After(10 * time.Second)
	for len(drafts(events)) == 0 || drafts(events)[len(drafts(events))-1].Partial {
		select {
		case e := <-sub.C:
			events = append(events, e)
		case <-deadline:
			t.Fatalf("no final draft; events %v", kindsOf(events))
		}
	}
	var sugs []event.Suggestions
	for _, e := range events {
		if p, ok := e.Payload.(event.Suggestions); ok {
			sugs = append(sugs, p)
		}
	}
	if len(sugs) < 3 {
		t.Fatalf("suggestions events: %d", len(sugs))
	}
	first := sugs[0]
	for _, sg := range first.Suggestions {
		if sg.Source == "llm" {
			t.Fatal("the embedded suggestions waited for the draft")
		}
	}
	ds := drafts(events)
	last := ds[len(ds)-1]
	if last.Text != "I'm sorry about your card. I've blocked it." || last.ID != "llm:u1" || len(last.ArticleIDs) == 0 {
		t.Errorf("final draft %+v", last)
	}
	if !ds[0].Partial || ds[0].Text != "I'm sorry" {
		t.Errorf("first draft event %+v, want the first piece, partial", ds[0])
	}
	for _, s := range sugs[1:] {
		if s.UtteranceID != "u1" || len(s.Suggestions) != len(first.Suggestions)+1 {
			t.Errorf("draft event %+v does not keep the embedded entries", s)
		}
	}
	if reqs := d.requests; len(reqs) != 1 || len(reqs[0].Articles) == 0 || reqs[0].Turns[len(reqs[0].Turns)-1].Text != "I lost my debit card" {
		t.Errorf("draft request %+v", reqs)
	}
}

func TestNextUtteranceCancelsTheDraft(t *testing.T) {
	d := &scriptedDrafter{pieces: []string{"one ", "two ", "three ", "four"}, delay: 150 * time.Millisecond, returned: make(chan struct{}, 1)}
	sub, eng := draftEngine(t, d, Options{})
	s, _ := eng.StartCall("c1", event.CallStarted{})
	ctx := context.Background()
	if err := s.Final(ctx, event.Utterance{Speaker: event.SpeakerCustomer, Text: "I lost my debit card", Source: event.SourceChat}); err != nil {
		t.Fatal(err)
	}
	// One piece out, then the agent speaks.
	var events []event.Event
	deadline := time.After(10 * time.Second)
	for len(drafts(events)) == 0 {
		select {
		case e := <-sub.C:
			events = append(events, e)
		case <-deadline:
			t.Fatalf("no partial draft; events %v", kindsOf(events))
		}
	}
	if err := s.Final(ctx, event.Utterance{Speaker: event.SpeakerAgent, Text: "Let me check that for you.", Source: event.SourceChat}); err != nil {
		t.Fatal(err)
	}
	if err := s.End("completed"); err != nil {
		t.Fatal(err)
	}
	events = append(events, collect(t, sub, event.KindCallEnded)...)
	// Once the drafter has returned, nothing the draft could publish is
	// still to come: a marker published after it arrives next.
	select {
	case <-d.returned:
	case <-time.After(10 * time.Second):
		t.Fatal("the draft was not cancelled")
	}
	marker := event.Event{Kind: event.KindCallEnded, CallID: "marker", Payload: event.CallEnded{}}
	if err := eng.bus.Publish(EventSubject("", "", "marker", marker.Kind), marker); err != nil {
		t.Fatal(err)
	}
	if e := collect(t, sub, event.KindCallEnded); len(e) != 1 || e[0].CallID != "marker" {
		t.Fatalf("events after call.ended: %v", kindsOf(e[:len(e)-1]))
	}
	for _, dr := range drafts(events) {
		if !dr.Partial {
			t.Errorf("a cancelled draft was published as final: %+v", dr)
		}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.canceled != 1 {
		t.Errorf("drafts cancelled: %d, want 1", d.canceled)
	}
}

func TestFailedDraftIsTakenBackAndDegradedShows(t *testing.T) {
	d := &scriptedDrafter{pieces: []string{"half a "}, err: errors.New("server 503"), degraded: "llm: 3 failures"}
	sub, eng := draftEngine(t, d, Options{})
	s, _ := eng.StartCall("c1", event.CallStarted{})
	if err := s.Final(context.Background(), event.Utterance{Speaker: event.SpeakerCustomer, Text: "I lost my debit card", Source: event.SourceChat}); err != nil {
		t.Fatal(err)
	}
	sugs := suggestionsEvents(t, sub, 3)
	if sugs[0].Degraded != "llm: 3 failures" {
		t.Errorf("degraded %q", sugs[0].Degraded)
	}
	if len(drafts([]event.Event{{Payload: sugs[1]}})) != 1 || len(drafts([]event.Event{{Payload: sugs[2]}})) != 0 {
		t.Errorf("the partial draft was not taken back: %+v", sugs[2])
	}
}

func TestSummariesAtEndAndOnDemand(t *testing.T) {
	d := &scriptedDrafter{}
	sub, eng := draftEngine(t, d, Options{})
	s, _ := eng.StartCall("c1", event.CallStarted{})
	ctx := context.Background()
	if err := s.Final(ctx, event.Utterance{Speaker: event.SpeakerCustomer, Text: "I lost my debit card", Source: event.SourceChat}); err != nil {
		t.Fatal(err)
	}
	if err := s.Summarize(ctx); err != nil {
		t.Fatal(err)
	}
	got := collect(t, sub, event.KindSummary)
	if sum := got[len(got)-1].Payload.(event.Summary); sum.Source != "llm" || sum.Disposition != "card-lost" {
		t.Errorf("summary %+v", sum)
	}
	d.mu.Lock()
	d.sumErr = errors.New("server down") // the wrap-up falls back to extractive
	d.mu.Unlock()
	if err := s.End("completed"); err != nil {
		t.Fatal(err)
	}
	got = collect(t, sub, event.KindCallEnded)
	end := got[len(got)-1].Payload.(event.CallEnded)
	if end.Wrapup == nil || end.Wrapup.Source != "extractive" || !strings.Contains(end.Wrapup.Situation, "lost my debit card") {
		t.Errorf("wrap-up %+v", end.Wrapup)
	}
}

func TestRedactStore(t *testing.T) {
	d := &scriptedDrafter{}
	sub, eng := draftEngine(t, d, Options{Redact: func(s string) string { return strings.ReplaceAll(s, "4111 1111 1111 1111", "[CARD]") }})
	s, _ := eng.StartCall("c1", event.CallStarted{})
	if err := s.Final(context.Background(), event.Utterance{Speaker: event.SpeakerCustomer, Text: "my card 4111 1111 1111 1111 was stolen", Source: event.SourceChat}); err != nil {
		t.Fatal(err)
	}
	for _, e := range collect(t, sub, event.KindFinal) {
		if u, ok := e.Payload.(event.Utterance); ok && u.Text != "my card [CARD] was stolen" {
			t.Errorf("stored %q", u.Text)
		}
	}
}

func TestCallsRedactAnswersToTheAgentsQuestion(t *testing.T) {
	r, err := redact.New(redact.Config{})
	if err != nil {
		t.Fatal(err)
	}
	calls := redact.NewCalls(r)
	sub, eng := draftEngine(t, &scriptedDrafter{}, Options{Redact: calls.Redact, Calls: calls})
	s, _ := eng.StartCall("c1", event.CallStarted{})
	ctx := context.Background()
	if err := s.Final(ctx, event.Utterance{Speaker: event.SpeakerAgent, Text: "can you confirm your date of birth?", Source: event.SourceASR}); err != nil {
		t.Fatal(err)
	}
	if err := s.Partial(event.Utterance{Speaker: event.SpeakerCustomer, Text: "march fourth eighty", Source: event.SourceASR}); err != nil {
		t.Fatal(err)
	}
	if err := s.Final(ctx, event.Utterance{Speaker: event.SpeakerCustomer, Text: "march fourth eighty eight", Source: event.SourceASR}); err != nil {
		t.Fatal(err)
	}
	// What a model-server client sends while the call lasts, without the
	// question: a draft's window of turns, the utterance alone.
	if got := calls.Redact("march fourth eighty eight"); got != "[DOB]" {
		t.Errorf("during the call, Calls.Redact = %q, want [DOB]", got)
	}
	if err := s.End("done"); err != nil {
		t.Fatal(err)
	}
	customer := 0
	for _, e := range collect(t, sub, event.KindCallEnded) {
		if u, ok := e.Payload.(event.Utterance); ok && u.Speaker == event.SpeakerCustomer {
			customer++
			if u.Text != "[DOB]" {
				t.Errorf("published %s %q, want [DOB]", e.Kind, u.Text)
			}
		}
	}
	if customer != 2 {
		t.Errorf("%d customer utterances published, want a partial and a final", customer)
	}
	if got := calls.Redact("march fourth eighty eight"); got != "march fourth eighty eight" {
		t.Errorf("after the call, Calls.Redact = %q: the answer is still remembered", got)
	}
}

func kindsOf(events []event.Event) []event.Kind {
	out := make([]event.Kind, len(events))
	for i, e := range events {
		out[i] = e.Kind
	}
	return out
}

func TestBlendAveragesAndMarks(t *testing.T) {
	emb := event.Sentiment{UtteranceID: "u1", Score: -0.4, Rolling: -0.2, Emotions: map[string]float64{"anger": 0.6, "neutral": 0.4}}
	got := blend(emb, assist.ServerEmotion{Polarity: -0.8, Emotions: map[string]float64{"anger": 0.2, "frustration": 0.8}})
	if got.Source != "blend" || got.LLMScore == nil || *got.LLMScore != -0.8 || got.Score != -0.6 || got.Rolling != -0.2 {
		t.Errorf("blend = %+v", got)
	}
	if got.Emotions["anger"] != 0.4 || got.Emotions["frustration"] != 0.4 || got.Emotions["neutral"] != 0.2 {
		t.Errorf("emotions %v", got.Emotions)
	}
	if emb.Source != "" || emb.Emotions["anger"] != 0.6 {
		t.Error("blend changed the embedded reading")
	}
}

func TestSameText(t *testing.T) {
	for _, c := range []struct {
		a, b string
		same bool
	}{
		{"I lost my card.", "i lost my card", true},
		{"  Hola  ", "hola!", true},
		{"Ich habe meine Karte verloren", "I lost my card", false},
	} {
		if got := sameText(c.a, c.b); got != c.same {
			t.Errorf("sameText(%q, %q) = %v", c.a, c.b, got)
		}
	}
}

func TestSummaryCountsABlendOnce(t *testing.T) {
	var sum event.CallRow
	sum.Apply(event.Event{Seq: 1, Payload: event.Sentiment{UtteranceID: "u1", Speaker: event.SpeakerCustomer, Rolling: -0.3}})
	sum.Apply(event.Event{Seq: 2, Payload: event.Sentiment{UtteranceID: "u1", Speaker: event.SpeakerCustomer, Rolling: -0.3, Source: event.SentimentBlend}})
	if len(sum.History) != 1 {
		t.Errorf("history %v: a blended reading added a point", sum.History)
	}
}

func TestCoachingNoteReachesNeitherTranscriptNorModelServer(t *testing.T) {
	d := &scriptedDrafter{pieces: []string{"Sure, "}, returned: make(chan struct{}, 4)}
	sub, eng := draftEngine(t, d, Options{})
	s, _ := eng.StartCall("c1", event.CallStarted{Agent: "a1", Channel: event.ChannelChat})
	ctx := context.Background()
	const note = "offer the overdraft refund before they ask"
	if err := s.Coach("boss", "  "+note+"  "); err != nil {
		t.Fatal(err)
	}
	if err := s.Coach("boss", " "); err == nil {
		t.Error("an empty coaching note was published")
	}
	if err := s.Coach("boss", strings.Repeat("x", event.MaxCoachingRunes+1)); err == nil {
		t.Error("an over-long coaching note was published")
	}
	if err := s.Final(ctx, event.Utterance{Speaker: event.SpeakerCustomer, Text: "I lost my debit card", Source: event.SourceChat}); err != nil {
		t.Fatal(err)
	}
	<-d.returned
	if err := s.Summarize(ctx); err != nil {
		t.Fatal(err)
	}
	got := collect(t, sub, event.KindSummary)
	var coaching []event.Coaching
	for _, e := range got {
		if c, ok := e.Payload.(event.Coaching); ok {
			coaching = append(coaching, c)
		}
	}
	if len(coaching) != 1 || coaching[0] != (event.Coaching{From: "boss", Text: note}) {
		t.Errorf("coaching events %+v, want the one note, trimmed", coaching)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.requests) == 0 || len(d.summaries) == 0 {
		t.Fatalf("the model server got %d draft and %d summary requests, want some of each", len(d.requests), len(d.summaries))
	}
	for _, req := range d.requests {
		if strings.Contains(fmt.Sprintf("%+v", req), "overdraft refund") {
			t.Errorf("the coaching note reached a draft request: %+v", req)
		}
	}
	for _, req := range d.summaries {
		if strings.Contains(fmt.Sprintf("%+v", req), "overdraft refund") {
			t.Errorf("the coaching note reached a summary request: %+v", req)
		}
	}
}
