package eval

import (
	"context"
	"strings"
	"testing"

	"github.com/larkspur-labs/assist/assist"
)

func TestReplyRanksVerdicts(t *testing.T) {
	// The fake ranker answers each customer turn by its text: the article
	// ids to suggest, in order, or nothing (an abstain).
	answers := map[string][]string{
		"lost my card":     {"card-lost-stolen"},
		"new card when?":   {"card-delivery", "card-lost-stolen"},
		"how long?":        nil,
		"thanks":           nil,
		"yes please":       {"card-lost-stolen"},
		"what about fees?": {"overdraft-fees", "atm-problems", "card-pin"},
	}
	histories := map[string]int{}
	rank := func(_ context.Context, history []assist.Turn) (assist.Ranked, error) {
		last := history[len(history)-1].Text
		histories[last] = len(history)
		ids := answers[last]
		if len(ids) == 0 {
			return assist.Ranked{Abstain: true}, nil
		}
		var r assist.Ranked
		for _, id := range ids {
			r.Suggestions = append(r.Suggestions, assist.Suggestion{ArticleID: id})
		}
		return r, nil
	}
	call := StepCall{ID: "c1", Turns: []StepTurn{
		{"u1", "customer", "lost my card"},
		{"u2", "agent", "I've locked it"},
		{"u3", "customer", "new card when?"},
		{"u4", "customer", "how long?"},
		{"u5", "customer", "thanks"},
		{"u6", "customer", "yes please"},
		{"u7", "customer", "what about fees?"},
	}}
	ann := ReplyAnnotations{Calls: []ReplyAnnotation{{CallID: "c1", Turns: map[string][]string{
		"u1": {"card-lost-stolen"},                  // ok
		"u3": {"card-lost-stolen"},                  // second: top3
		"u4": {"card-lost-stolen", "card-delivery"}, // abstained
		"u5": {NoArticle},                           // abstain: ok
		"u6": {NoArticle},                           // suggested
		"u7": {"card-lost-stolen"},                  // wrong
	}}}}
	got := map[string]string{}
	rep, err := ReplyRanks(context.Background(), rank, []StepCall{call}, ann, func(r ReplyRow) { got[r.UtteranceID] = r.Verdict })
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"u1": "ok", "u3": "top3", "u4": "abstained", "u5": "ok", "u6": "suggested", "u7": "wrong"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s: verdict %q, want %q", k, got[k], v)
		}
	}
	if histories["new card when?"] != 3 {
		t.Errorf("u3 ranked with %d turns of history, want 3", histories["new card when?"])
	}
	if rep.ArticleTurns != 4 || rep.NoneTurns != 2 || rep.Top1 != 0.25 || rep.Top3 != 0.5 || rep.AbstainArticle != 0.25 || rep.AbstainNone != 0.5 || rep.Abstain != 0.333 {
		t.Errorf("report %+v", rep)
	}
	// Annotations of a missing call or utterance, or of an agent's turn,
	// are errors.
	for _, bad := range []ReplyAnnotation{
		{CallID: "nope", Turns: map[string][]string{"u1": {NoArticle}}},
		{CallID: "c1", Turns: map[string][]string{"u99": {NoArticle}}},
		{CallID: "c1", Turns: map[string][]string{"u2": {NoArticle}}},
	} {
		if _, err := ReplyRanks(context.Background(), rank, []StepCall{call}, ReplyAnnotations{Calls: []ReplyAnnotation{bad}}, nil); err == nil {
			t.Errorf("annotation %+v: no error", bad)
		}
	}
	for _, bad := range []string{`{"calls":[{"call_id":""}]}`, `{"calls":[{"call_id":"c","turns":{"u1":[]}}]}`, `{"calls":[{"call_id":"c","turns":{"u1":["none","x"]}}]}`} {
		if _, err := ParseReplyAnnotations("bad.json", []byte(bad)); err == nil || !strings.Contains(err.Error(), "bad.json") {
			t.Errorf("bad annotations %s: %v", bad, err)
		}
	}
}
