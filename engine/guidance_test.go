package engine

import (
	"context"
	"strings"
	"testing"

	"github.com/larkspur-labs/assist/assist/flows"
	"github.com/larkspur-labs/assist/assist/guide"
	"github.com/larkspur-labs/assist/assist/rules"
	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/internal/datasets/datasetstest"
	"github.com/larkspur-labs/assist/kb"
)

const testRules = `
offers:
  - id: virtual-card
    title: Show the instant virtual card in the app
    reason: "{segment} customer without the mobile wallet"
    consent: marketing
    score: 0.6
    when:
      product_missing: mobile-wallet
warnings:
  - id: supervisor
    kind: supervisor
    severity: critical
    reason: Customer asked for a supervisor
    when:
      phrases: [supervisor, manager]
      speaker: customer
  - id: recorded
    kind: disclosure
    reason: The agent has not said the call is recorded
    must_say: [this call is recorded]
`

func guidedEngine(t *testing.T, g *guide.Config) (*Subscription, *Engine) {
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
	eng, err := New(bus, testAssistant(r), Options{Guidance: g})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { eng.Close() })
	return subscribe(t, bus, AllCallsSubject), eng
}

func TestGuidanceOffersAndWarnings(t *testing.T) {
	rs, err := rules.ParseRules("test.yaml", []byte(testRules))
	if err != nil {
		t.Fatal(err)
	}
	profiles := rules.NewProfiles(rules.Profile{ID: "cust-1", Segment: "gold", Consent: map[string]bool{"marketing": true}})
	sub, eng := guidedEngine(t, &guide.Config{Rules: rs, Profiles: profiles})
	s, err := eng.StartCall("c1", event.CallStarted{Customer: "cust-1"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, u := range []event.Utterance{
		{Speaker: event.SpeakerCustomer, Text: "I lost my debit card"},
		{Speaker: event.SpeakerAgent, Text: "I can block it for you."},
		{Speaker: event.SpeakerCustomer, Text: "Get me a supervisor now"},
	} {
		if err := s.Final(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.End("completed"); err != nil {
		t.Fatal(err)
	}
	offers, warned := 0, map[string]string{}
	for _, e := range collect(t, sub, event.KindCallEnded) {
		switch p := e.Payload.(type) {
		case event.Recommendations:
			for _, r := range p.Recommendations {
				if r.Kind == "offer" && r.Title == "Show the instant virtual card in the app" && r.Reason != "" {
					offers++
				}
			}
		case event.Alert:
			warned[p.Type] = p.UtteranceID
		}
	}
	if offers != 2 {
		t.Errorf("offer in %d recommendations events, want both customer turns'", offers)
	}
	if warned["supervisor"] != "u3" {
		t.Errorf("supervisor warning cites %q, want u3", warned["supervisor"])
	}
	if _, ok := warned["disclosure"]; !ok {
		t.Error("no disclosure warning at the call's end")
	}
}

func TestGuidanceChecklist(t *testing.T) {
	fl, err := flows.LoadABCD(datasetstest.Sample(t, "abcd"))
	if err != nil {
		t.Fatal(err)
	}
	sub, eng := guidedEngine(t, &guide.Config{Flows: fl, Matcher: flows.NewTextMatcher(fl)})
	s, _ := eng.StartCall("c1", event.CallStarted{})
	ctx := context.Background()
	for _, u := range []event.Utterance{
		{Speaker: event.SpeakerCustomer, Text: "I forgot my password and can't log in to my account"},
		{Speaker: event.SpeakerAgent, Text: "I can help. Let me pull up your account. May I have your full name?"},
		{Speaker: event.SpeakerCustomer, Text: "Crystal Minh"},
		{Speaker: event.SpeakerAgent, Text: "Thanks. Could you give me your phone number so I can enter the details?"},
	} {
		if err := s.Final(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	// The agent's tool reports a step done: the checklist ticks it.
	if err := s.Action("make-password"); err != nil {
		t.Fatal(err)
	}
	if err := s.End("completed"); err != nil {
		t.Fatal(err)
	}
	var first, end *event.FlowState
	nextActions := 0
	for _, e := range collect(t, sub, event.KindCallEnded) {
		switch p := e.Payload.(type) {
		case event.Recommendations:
			if p.Flow != nil && first == nil {
				first = p.Flow
			}
			if len(p.Recommendations) > 0 && p.Recommendations[0].Kind == "action" && p.Flow != nil {
				nextActions++
			}
		case event.CallEnded:
			end = p.Checklist
		}
	}
	if first == nil || first.ID != "recover_password" || first.Next != "pull-up-account" {
		t.Fatalf("first checklist %+v", first)
	}
	if end == nil || !end.Steps[0].Done || !end.Steps[2].Done || end.Next != "" && end.Next != "enter-details" {
		t.Errorf("final checklist %+v", end)
	}
	if nextActions == 0 {
		t.Error("the next step was never the top recommendation")
	}
}

func TestGuidanceFoldsRepeatsIntoTheChecklist(t *testing.T) {
	arts, err := kb.Sample()
	if err != nil {
		t.Fatal(err)
	}
	fl := flows.FromArticles(arts)
	sub, eng := guidedEngine(t, &guide.Config{Flows: fl, Matcher: flows.NewTextMatcher(fl)})
	s, _ := eng.StartCall("c1", event.CallStarted{})
	ctx := context.Background()
	for _, u := range []event.Utterance{
		{Speaker: event.SpeakerCustomer, Text: "I lost my debit card, I can't find it anywhere"},
		{Speaker: event.SpeakerAgent, Text: "Sorry to hear that. Thank you, you're verified, and I've locked the card."},
		{Speaker: event.SpeakerCustomer, Text: "Great, what now?"},
	} {
		if err := s.Final(ctx, u); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.End("completed"); err != nil {
		t.Fatal(err)
	}
	var last *event.Recommendations
	for _, e := range collect(t, sub, event.KindCallEnded) {
		p, ok := e.Payload.(event.Recommendations)
		if !ok || p.Flow == nil {
			continue
		}
		last = &p
		titles := map[string]int{}
		for _, r := range p.Recommendations {
			titles[r.Title]++
			if r.Kind == "article" && r.ArticleID == p.Flow.ID {
				t.Errorf("%s: the checklist's own article is recommended too: %+v", p.UtteranceID, r)
			}
		}
		for _, st := range p.Flow.Steps {
			if titles[st.Title] > 1 {
				t.Errorf("%s: step %q recommended %d times", p.UtteranceID, st.Title, titles[st.Title])
			}
		}
	}
	if last == nil || last.Flow.ID != "card-lost-stolen" {
		t.Fatalf("last checklist %+v", last)
	}
	byStep := map[string]event.FlowStep{}
	for _, st := range last.Flow.Steps {
		byStep[st.ID] = st
	}
	for _, id := range []string{"verify-the-caller-s-identity", "lock-the-card"} {
		if st := byStep[id]; !st.Done || st.UtteranceID != "u2" || st.By != "agent" {
			t.Errorf("step %s: %+v, want done by the agent at u2", id, st)
		}
	}
	if last.Recommendations[0].Title != "Review recent transactions with the customer" {
		t.Errorf("first recommendation %+v, want the next step", last.Recommendations[0])
	}
}

func TestFoldIntoChecklist(t *testing.T) {
	fl := &event.FlowState{ID: "overdraft-fees", Steps: []event.FlowStep{
		{ID: "verify", Title: "Verify the caller's identity", Done: true},
		{ID: "protect", Title: "Offer overdraft protection linked to savings"},
	}}
	recs := []event.Recommendation{
		{Kind: "action", Title: "Offer overdraft protection linked to savings", Reason: "step 2 of 2"},
		{Kind: "offer", Title: "Link savings as overdraft protection ($10 transfer instead of a $35 fee)"},
		{Kind: "offer", Title: "Waive next year's account fee as a thank-you for loyalty"},
		{Kind: "action", Title: "Verify the caller's identity", ArticleID: "overdraft-fees"},
		{Kind: "action", Title: "Acknowledge the frustration", ArticleID: "complaint-escalation"},
		{Kind: "article", Title: "Overdraft fees and fee refunds", ArticleID: "overdraft-fees"},
		{Kind: "article", Title: "Complaints", ArticleID: "complaint-escalation"},
	}
	var got []string
	for _, r := range foldIntoChecklist(recs, fl) {
		got = append(got, r.Kind+": "+r.Title)
	}
	want := []string{
		"action: Offer overdraft protection linked to savings",
		"offer: Waive next year's account fee as a thank-you for loyalty",
		"action: Acknowledge the frustration",
		"article: Complaints",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("folded:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
