package assist

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/larkspur-labs/assist/kb"
)

var sampleIndex = sync.OnceValues(func() (*kb.Index, error) {
	articles, err := kb.Sample()
	if err != nil {
		return nil, err
	}
	return kb.NewIndex(articles)
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

func TestContextQueryAddsPreviousTurnToShortOnes(t *testing.T) {
	h := []Turn{
		{"customer", "I need to check my balance"},
		{"agent", "Checking or savings?"},
		{"customer", "Savings."},
	}
	if got := contextQuery(h); got != "I need to check my balance Savings." {
		t.Errorf("contextQuery = %q", got)
	}
	h = append(h, Turn{"customer", "and also what is the interest rate on my savings"})
	if got := contextQuery(h); got != "and also what is the interest rate on my savings" {
		t.Errorf("long turn should stand alone, got %q", got)
	}
}

func TestSmallTalk(t *testing.T) {
	for text, want := range map[string]bool{
		"Yes, that's right.":       true,
		"Okay, thank you so much!": true,
		"No, that'll be all.":      true,
		"I lost my card":           false,
		"What's my balance":        false,
		"":                         true,
	} {
		if got := isSmallTalk(text); got != want {
			t.Errorf("isSmallTalk(%q) = %v, want %v", text, got, want)
		}
	}
}

type brokenSearcher struct{}

func (brokenSearcher) Search(context.Context, string, int) ([]kb.Hit, error) {
	return nil, errors.New("index closed")
}

func TestCallAssistDegradesOnSearchFailure(t *testing.T) {
	c := (&Assistant{Sentiment: NewVader(), Ranker: NewRanker(brokenSearcher{})}).NewCall()
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
	c := (&Assistant{Sentiment: NewVader(), Ranker: testRanker(t)}).NewCall()
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
	if _, d := (&Assistant{Sentiment: NewVader()}).NewCall().Wrapup(); d != "no topic identified" {
		t.Errorf("empty call disposition = %q", d)
	}
}
