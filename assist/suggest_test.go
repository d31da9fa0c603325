package assist

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/larkspur-labs/assist/kb"
	"github.com/larkspur-labs/assist/kb/replies"
)

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

func testRanker(t *testing.T) *Ranker {
	t.Helper()
	ix, err := sampleIndex()
	if err != nil {
		t.Fatal(err)
	}
	return NewRanker(ix)
}

func TestRankerSuggestsAndAbstains(t *testing.T) {
	r := testRanker(t)
	for _, tc := range []struct {
		turns   []Turn
		article string // "" means abstain
	}{
		{[]Turn{{"customer", "Someone stole my wallet with my debit card in it"}}, "card-lost-stolen"},
		{[]Turn{{"customer", "Why was I charged an overdraft fee?"}}, "overdraft-fees"},
		{[]Turn{{"customer", "Yes, that's right, thanks."}}, ""},
		{[]Turn{{"customer", "Okay."}}, ""},
		{[]Turn{{"customer", "zxqv blorft"}}, ""},
	} {
		got, err := r.Rank(context.Background(), tc.turns)
		if err != nil {
			t.Fatal(err)
		}
		text := tc.turns[len(tc.turns)-1].Text
		if tc.article == "" {
			if !got.Abstain || got.Reason == "" || len(got.Suggestions) != 0 {
				t.Errorf("%q: want an explained abstain, got %+v", text, got.Suggestions)
			}
			continue
		}
		if got.Abstain || len(got.Suggestions) == 0 {
			t.Fatalf("%q: abstained (%s)", text, got.Reason)
		}
		if top := got.Suggestions[0]; top.ArticleID != tc.article {
			t.Errorf("%q: top %s, want %s", text, top.ArticleID, tc.article)
		}
		for i, s := range got.Suggestions {
			if s.Confidence <= 0 || s.Confidence > 1 || s.Source != "kb" || s.Text == "" || !strings.HasPrefix(s.ID, "kb:") {
				t.Errorf("%q: suggestion %d = %+v", text, i, s)
			}
			if i > 0 && s.Confidence > got.Suggestions[i-1].Confidence {
				t.Errorf("%q: not ranked: %+v", text, got.Suggestions)
			}
		}
		if len(got.Suggestions) > r.K {
			t.Errorf("%q: %d suggestions, want at most %d", text, len(got.Suggestions), r.K)
		}
	}
}

func TestRankerAbstainsOnOutOfScopeArticles(t *testing.T) {
	articles, err := kb.Sample()
	if err != nil {
		t.Fatal(err)
	}
	articles = append(articles, kb.Article{
		ID: "not-banking", Title: "Not banking", Lang: kb.DefaultLang, OutOfScope: true,
		Questions: []string{"what will the weather be tomorrow", "is it going to rain", "tell me the weather forecast", "how hot will it be today"},
	})
	base, err := kb.Open(articles, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer base.Close()
	r := NewRanker(base.Retriever())
	r.MinConfidence = 0

	got, err := r.Rank(context.Background(), []Turn{{"customer", "Is it going to rain tomorrow?"}})
	if err != nil {
		t.Fatal(err)
	}
	if !got.Abstain || !strings.HasPrefix(got.Reason, "out of scope: Not banking") || len(got.Suggestions) != 0 {
		t.Errorf("out-of-scope turn: abstain %v, reason %q, suggestions %+v", got.Abstain, got.Reason, got.Suggestions)
	}
	got, err = r.Rank(context.Background(), []Turn{{"customer", "Why was I charged an overdraft fee?"}})
	if err != nil {
		t.Fatal(err)
	}
	if got.Abstain || len(got.Suggestions) == 0 || got.Suggestions[0].ArticleID != "overdraft-fees" {
		t.Fatalf("in-scope turn: %+v (%s)", got.Suggestions, got.Reason)
	}
	for _, s := range got.Suggestions {
		if s.ArticleID == "not-banking" {
			t.Errorf("the out-of-scope article was suggested: %+v", got.Suggestions)
		}
	}
}

func TestCustomerTurnsKeepsTheLastOnesInOrder(t *testing.T) {
	h := []Turn{
		{"customer", "hello"},
		{"customer", "I need to check my balance"},
		{"agent", "Checking or savings?"},
		{"customer", "Savings."},
	}
	got := customerTurns(h, 2)
	if len(got) != 2 || got[0] != "I need to check my balance" || got[1] != "Savings." {
		t.Errorf("customerTurns = %q", got)
	}
}

func TestIsFillerOnly(t *testing.T) {
	for text, want := range map[string]bool{
		"Yes, that's right.":       true,
		"Okay, thank you so much!": true,
		"No, that'll be all.":      true,
		"I lost my card":           false,
		"What's my balance":        false,
		"":                         true,
	} {
		if got := isFillerOnly(text); got != want {
			t.Errorf("isFillerOnly(%q) = %v, want %v", text, got, want)
		}
	}
}

type brokenSearcher struct{}

func (brokenSearcher) Retrieve(context.Context, []string, int) ([]kb.Candidate, error) {
	return nil, errors.New("index closed")
}

func TestCallAssistDegradesOnSearchFailure(t *testing.T) {
	c := (&Assistant{Sentiment: embedded(t), Ranker: NewRanker(brokenSearcher{})}).NewCall()
	an := c.Sentiment("customer", "I demand to talk to a supervisor about my card")
	err := c.Assist(context.Background(), &an)
	if err == nil {
		t.Error("search failure not reported")
	}
	if an.Ranked == nil || !an.Ranked.Abstain || len(an.Alerts) != 1 || len(an.Recommendations) == 0 {
		t.Errorf("degraded analysis = %+v", an)
	}
}

func TestRecommendAndWrapup(t *testing.T) {
	c := (&Assistant{Sentiment: embedded(t), Ranker: testRanker(t)}).NewCall()
	an := c.Sentiment("customer", "I lost my debit card, can you block it?")
	if err := c.Assist(context.Background(), &an); err != nil {
		t.Fatal(err)
	}
	var actions, articles int
	for _, r := range an.Recommendations {
		switch r.Kind {
		case RecAction:
			actions++
		case RecArticle:
			articles++
		}
		if r.Title == "" || r.Reason == "" {
			t.Errorf("recommendation without title or reason: %+v", r)
		}
	}
	if actions == 0 || articles == 0 {
		t.Errorf("recommendations = %+v", an.Recommendations)
	}
	summary, disposition := c.Wrapup()
	if disposition != an.Ranked.Suggestions[0].Title || !strings.Contains(summary, "Customer mood") {
		t.Errorf("wrapup = %q / %q", summary, disposition)
	}
	if _, d := (&Assistant{Sentiment: embedded(t)}).NewCall().Wrapup(); d != "no topic identified" {
		t.Errorf("empty call disposition = %q", d)
	}
}

func TestRankerAddsAMinedReplyWhenItFits(t *testing.T) {
	allowlist, err := replies.NewIndex([]replies.Reply{
		{ID: "reply-balance", Text: "Your checking account balance is {amount}.", Count: 56,
			Contexts: []string{"what is my checking account balance", "how much is in my checking account"}},
		{ID: "reply-recipient", Text: "Who do you want to send the money to?", Count: 20,
			Contexts: []string{"I want to send money", "I need to make a transfer"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { allowlist.Close() })
	r := testRanker(t)
	r.Replies = allowlist
	got, err := r.Rank(context.Background(), []Turn{{"customer", "What's the balance on my checking account?"}})
	if err != nil {
		t.Fatal(err)
	}
	var history *Suggestion
	for i, s := range got.Suggestions {
		if s.Source == "history" {
			history = &got.Suggestions[i]
		}
	}
	if history == nil || history.ID != "reply-balance" || history.Confidence < 0.5 || history.ArticleID != "" {
		t.Fatalf("no fitting history reply: %+v", got.Suggestions)
	}
	got, err = r.Rank(context.Background(), []Turn{{"customer", "My dog ate the sofa"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range got.Suggestions {
		if s.Source == "history" {
			t.Errorf("an unrelated turn got history reply %+v", s)
		}
	}
}

func TestLearnRecordsVerdictsOnArticles(t *testing.T) {
	a := &Assistant{Sentiment: embedded(t), Ranker: testRanker(t), Feedback: kb.NewFeedback()}
	if err := a.Learn("c1", "kb:card-lost-stolen", "", "used"); err != nil {
		t.Fatal(err)
	}
	if err := a.Learn("c1", "reply-9", "", "helpful"); err != nil {
		t.Fatal(err)
	}
	if f := a.Feedback.Factor("card-lost-stolen"); f <= 1 {
		t.Errorf("a used article's factor is %v, want above 1", f)
	}
	if f := a.Feedback.Factor("reply-9"); f != 1 {
		t.Errorf("a mined reply moved an article: factor %v", f)
	}
	if err := a.Learn("c1", "kb:x", "", "bogus"); err == nil {
		t.Error("an unknown verdict was stored")
	}
	if err := (&Assistant{}).Learn("c1", "kb:x", "", "used"); err != nil {
		t.Errorf("no store: %v", err)
	}
}

func TestRecommendMergesAlertsAskingTheSame(t *testing.T) {
	alerts := []Alert{
		{Type: AlertSupervisor, Reason: "customer asked for a supervisor"},
		{Type: AlertEscalation, Reason: "negativity rising"},
		{Type: AlertDrop, Reason: "drop"},
	}
	recs := Recommend(Ranked{Abstain: true}, alerts)
	if len(recs) != 2 {
		t.Fatalf("got %d recommendations, want one escalate and one risk: %+v", len(recs), recs)
	}
	if recs[0].Kind != RecEscalate || recs[0].Reason != "customer asked for a supervisor; negativity rising" {
		t.Errorf("merged escalate %+v", recs[0])
	}
}

// TestRankerUsesTheCall checks the bundled base's replies through Rank: a
// claim of a step done waits for the agent, and a request for details the
// customer gave goes.
func TestRankerUsesTheCall(t *testing.T) {
	r := testRanker(t)
	for _, tc := range []struct {
		name     string
		turns    []Turn
		article  string
		has, not string
		steps    int
	}{
		{"lock not done", []Turn{{"customer", "I lost my debit card"}}, "card-lost-stolen",
			"I'll lock your card", "I've locked", 1},
		{"lock done", []Turn{{"agent", "I've locked the card."}, {"customer", "I lost my debit card"}}, "card-lost-stolen",
			"I've locked your card", "I'll lock", 0},
		{"transfer details given", []Turn{{"customer", "can i move 1200 from savings into checking?"}}, "transfer-between-accounts",
			"It will show in both accounts", "Tell me", 0},
		{"transfer details asked", []Turn{{"customer", "I want to make an internal transfer"}}, "transfer-between-accounts",
			"Tell me the amount and which account", "", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := r.Rank(context.Background(), tc.turns)
			if err != nil {
				t.Fatal(err)
			}
			if got.Abstain || got.Suggestions[0].ArticleID != tc.article {
				t.Fatalf("want %s first, got %+v (%s)", tc.article, got.Suggestions, got.Reason)
			}
			s := got.Suggestions[0]
			if !strings.Contains(s.Text, tc.has) || (tc.not != "" && strings.Contains(s.Text, tc.not)) || len(s.Steps) != tc.steps {
				t.Errorf("text %q, steps %v; want it to have %q, not %q, %d steps", s.Text, s.Steps, tc.has, tc.not, tc.steps)
			}
		})
	}
}

// TestCallAssistReadsTheStepsDone checks that a call's checklist, not only
// the agent's words, tells a reply its step is done.
func TestCallAssistReadsTheStepsDone(t *testing.T) {
	var done []string
	c := (&Assistant{Sentiment: embedded(t), Ranker: testRanker(t)}).NewCall()
	c.StepsDone = func() []string { return done }
	for _, tc := range []struct {
		done []string
		want string
	}{
		{nil, "I'll lock your card"},
		{[]string{"Lock the card"}, "I've locked your card"},
	} {
		done = tc.done
		an := c.Sentiment("customer", "I lost my debit card")
		if err := c.Assist(context.Background(), &an); err != nil {
			t.Fatal(err)
		}
		if an.Ranked.Abstain || !strings.Contains(an.Ranked.Suggestions[0].Text, tc.want) {
			t.Errorf("steps done %q: suggestions %+v, want one saying %q", tc.done, an.Ranked.Suggestions, tc.want)
		}
	}
}
