package assist

import (
	"context"
	"testing"

	"github.com/larkspur-labs/assist/kb"
)

func TestAsks(t *testing.T) {
	for _, tc := range []struct {
		text string
		want bool
	}{
		{"How long does it take to come?", true},
		{"ok. and it'll get there by friday?", true},
		{"can you send me a new one", true},  // speech: no question mark
		{"so how do i get a new card", true}, // after a lead-in
		{"yes it is. is there a fee", true},  // the second sentence asks
		{"Sure, do that too.", false},        // an imperative, not "do you"
		{"Daniel Okafor, and the last four are six two zero one.", false},
		{"debit card", false},
		{"I lost my debit card", false},
		{"", false},
	} {
		if got := asks(tc.text); got != tc.want {
			t.Errorf("asks(%q) = %v, want %v", tc.text, got, tc.want)
		}
	}
}

func lostCardCall(turns ...string) []Turn {
	h := []Turn{
		{"agent", "Thanks for calling, what can I do for you?"},
		{"customer", "Hi. I think I lost my debit card, it's not in my wallet."},
		{"agent", "Let's sort that out. Could you give me your full name?"},
		{"customer", "Daniel Okafor."},
		{"agent", "Thank you, I've locked the card."},
	}
	for _, t := range turns {
		h = append(h, Turn{"customer", t})
	}
	return h
}

func TestRankerFollowsUpOnTheCallsTopic(t *testing.T) {
	r := testRanker(t)
	for _, tc := range []struct {
		name    string
		history []Turn
		want    []string // fitting articles; nil means abstain
	}{
		{"a follow-up takes the call's topic",
			lostCardCall("Great. How long does it take to come?"), []string{"card-lost-stolen", "card-delivery"}},
		{"an answer to the agent is no follow-up",
			lostCardCall("Yes, the one ending in eight eight three five."), nil},
		{"a clear change of topic wins over the topic",
			lostCardCall("Okay. And what interest am I getting on my savings?"), []string{"interest-rates"}},
		{"a short question about the topic, not the article its word names",
			[]Turn{
				{"customer", "my landlord wants me to send rent to her directly, how do i pay her from my account?"},
				{"agent", "You can use Larkspur Pay in the app."},
				{"customer", "is there a fee?"},
			}, []string{"transfer-to-person"}},
	} {
		got, err := r.Rank(context.Background(), tc.history)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case tc.want == nil && !got.Abstain:
			t.Errorf("%s: want an abstain, got %+v", tc.name, got.Suggestions)
		case tc.want == nil:
		case got.Abstain || len(got.Suggestions) == 0:
			t.Errorf("%s: abstained (%s), want %v", tc.name, got.Reason, tc.want)
		default:
			top := got.Suggestions[0].ArticleID
			ok := false
			for _, w := range tc.want {
				ok = ok || top == w
			}
			if !ok {
				t.Errorf("%s: top %s (%.2f), want one of %v", tc.name, top, got.Suggestions[0].Confidence, tc.want)
			}
		}
	}
}

// fixedRetriever ranks a one-turn conversation as alone and a longer one
// as inContext.
type fixedRetriever struct{ alone, inContext []kb.Candidate }

func (f fixedRetriever) Retrieve(_ context.Context, turns []string, k int) ([]kb.Candidate, error) {
	out := f.alone
	if len(turns) > 1 {
		out = f.inContext
	}
	return out[:min(k, len(out))], nil
}

func cands(pairs ...any) []kb.Candidate {
	var out []kb.Candidate
	for i := 0; i < len(pairs); i += 2 {
		id := pairs[i].(string)
		out = append(out, kb.Candidate{Article: &kb.Article{ID: id, Title: id, Answer: "About " + id + "."}, Confidence: pairs[i+1].(float64)})
	}
	return out
}

func TestRankerShowsANearTie(t *testing.T) {
	for _, tc := range []struct {
		name      string
		retriever fixedRetriever
		turns     []string
		want      []string // nil means abstain
	}{
		{"two articles share the turn", fixedRetriever{alone: cands("app", 0.39, "password", 0.37, "other", 0.04)},
			[]string{"my password changed and the app won't let me in"}, []string{"app", "password"}},
		{"a distant second is no tie", fixedRetriever{alone: cands("app", 0.39, "password", 0.15, "other", 0.1)},
			[]string{"my password changed and the app won't let me in"}, nil},
		{"together too weak", fixedRetriever{alone: cands("app", 0.26, "password", 0.23)},
			[]string{"that's really handy"}, nil},
		{"a tie the context makes is a disagreement",
			fixedRetriever{alone: cands("fees", 0.48, "transfer", 0.24), inContext: cands("transfer", 0.39, "fees", 0.38)},
			[]string{"i want to move money between my accounts", "the amount is one hundred and thirty five dollars"}, nil},
		{"a tie the turn makes on its own",
			fixedRetriever{alone: cands("app", 0.38, "password", 0.35), inContext: cands("app", 0.39, "password", 0.36)},
			[]string{"hello", "my password changed and the app won't let me in"}, []string{"app", "password"}},
	} {
		r := NewRanker(tc.retriever)
		var h []Turn
		for _, text := range tc.turns {
			h = append(h, Turn{"customer", text})
		}
		got, err := r.Rank(context.Background(), h)
		if err != nil {
			t.Fatal(err)
		}
		if tc.want == nil {
			if !got.Abstain {
				t.Errorf("%s: want an abstain, got %+v", tc.name, got.Suggestions)
			}
			continue
		}
		var ids []string
		for _, s := range got.Suggestions {
			ids = append(ids, s.ArticleID)
		}
		if got.Abstain || len(ids) != len(tc.want) || ids[0] != tc.want[0] || ids[1] != tc.want[1] {
			t.Errorf("%s: got %v (abstain %v: %s), want %v", tc.name, ids, got.Abstain, got.Reason, tc.want)
		}
	}
}

func TestMixCandidates(t *testing.T) {
	got := mixCandidates(cands("a", 0.6, "b", 0.2), cands("b", 0.9, "c", 0.1), 0.5)
	want := map[string]float64{"b": 0.55, "a": 0.3, "c": 0.05}
	if len(got) != 3 || got[0].Article.ID != "b" || got[1].Article.ID != "a" {
		t.Fatalf("order %v", got)
	}
	for _, c := range got {
		if d := c.Confidence - want[c.Article.ID]; d > 1e-9 || d < -1e-9 {
			t.Errorf("%s: %.3f, want %.3f", c.Article.ID, c.Confidence, want[c.Article.ID])
		}
	}
}

// countingRetriever counts the conversations it ranks.
type countingRetriever struct {
	Retriever
	n *int
}

func (c countingRetriever) Retrieve(ctx context.Context, turns []string, k int) ([]kb.Candidate, error) {
	*c.n++
	return c.Retriever.Retrieve(ctx, turns, k)
}

func TestFollowUpReusesTheRankingsOfEarlierTurns(t *testing.T) {
	n := 0
	r := NewRanker(countingRetriever{testRanker(t).KB, &n})
	call := lostCardCall("Great. How long does it take to come?")
	// Cold: the earlier customer turns are ranked again to find the topic.
	cold, err := r.Rank(context.Background(), call)
	if err != nil {
		t.Fatal(err)
	}
	if n < 2 {
		t.Fatalf("cold follow-up ranked %d conversations, want the earlier turns too", n)
	}
	// As the engine ranks a call: every turn when it comes.
	r = NewRanker(countingRetriever{testRanker(t).KB, &n})
	for i, turn := range call {
		if turn.Speaker != "customer" {
			continue
		}
		n = 0
		got, err := r.Rank(context.Background(), call[:i+1])
		if err != nil {
			t.Fatal(err)
		}
		// A question is ranked alone too; no earlier turn again.
		if want := 1 + b2i(asks(turn.Text) && i > 1); n != want {
			t.Errorf("turn %d ranked %d conversations, want %d", i, n, want)
		}
		if i == len(call)-1 && (got.Abstain != cold.Abstain || len(got.Suggestions) != len(cold.Suggestions) ||
			(len(got.Suggestions) > 0 && (got.Suggestions[0].ArticleID != cold.Suggestions[0].ArticleID || got.Suggestions[0].Confidence != cold.Suggestions[0].Confidence))) {
			t.Errorf("warm follow-up %+v differs from cold %+v", got.Suggestions, cold.Suggestions)
		}
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
