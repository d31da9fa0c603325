package eval

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/larkspur-labs/assist/assist"
	"github.com/larkspur-labs/assist/internal/stats"
)

// NoArticle is the annotation of a customer turn no article fits.
const NoArticle = "none"

// ReplyAnnotations are calls whose customer turns are annotated with the
// knowledge articles that fit a reply (engine/samples/replies.json), and
// the rules the annotators followed.
type ReplyAnnotations struct {
	Rules []string          `json:"rules"`
	Calls []ReplyAnnotation `json:"calls"`
}

// ReplyAnnotation is one call's annotation: for each customer turn by
// utterance id, the ids of the articles that fit it, or [NoArticle].
type ReplyAnnotation struct {
	CallID string              `json:"call_id"`
	Turns  map[string][]string `json:"turns"`
}

// ParseReplyAnnotations reads reply annotations. A call without an id or
// turns, a turn without an article, or "none" beside an article is an
// error.
func ParseReplyAnnotations(name string, data []byte) (ReplyAnnotations, error) {
	var a ReplyAnnotations
	if err := json.Unmarshal(data, &a); err != nil {
		return a, fmt.Errorf("reply annotations %s: %w", name, err)
	}
	for i, c := range a.Calls {
		if c.CallID == "" || len(c.Turns) == 0 {
			return a, fmt.Errorf("reply annotations %s: call %d has no call_id or no turns", name, i+1)
		}
		for u, ids := range c.Turns {
			if len(ids) == 0 || len(ids) > 1 && slices.Contains(ids, NoArticle) {
				return a, fmt.Errorf("reply annotations %s: call %s turn %s: want article ids or [%q], got %q", name, c.CallID, u, NoArticle, ids)
			}
		}
	}
	return a, nil
}

// Articles returns every article id the annotations name, sorted, without
// NoArticle: to check them against the knowledge base.
func (a ReplyAnnotations) Articles() []string {
	var out []string
	for _, c := range a.Calls {
		for _, ids := range c.Turns {
			for _, id := range ids {
				if id != NoArticle && !slices.Contains(out, id) {
					out = append(out, id)
				}
			}
		}
	}
	slices.Sort(out)
	return out
}

// ReplyRow is one annotated customer turn and what the ranker suggested.
type ReplyRow struct {
	CallID, UtteranceID string
	// Want are the articles that fit ([NoArticle] for none); Got the top
	// suggestion's article, "" when the ranker abstained.
	Want []string
	Got  string
	// Verdict is "ok" (the top article fits, or an abstain where none
	// does), "top3" (a fitting article is second or third), "wrong",
	// "abstained" (where an article fits) or "suggested" (where none does).
	Verdict string
}

// RepliesReport holds the figures of a reply evaluation.
type RepliesReport struct {
	Calls int `json:"calls"`
	// ArticleTurns are the customer turns an article fits; NoneTurns those
	// none does.
	ArticleTurns int `json:"article_turns"`
	NoneTurns    int `json:"none_turns"`
	// Top1 and Top3 are the shares of article turns whose first (first
	// three) suggestions hold a fitting article; an abstain is a miss.
	Top1 float64 `json:"top1"`
	Top3 float64 `json:"top3"`
	// AbstainArticle is the share of article turns the ranker abstained on
	// (help missed); AbstainNone the share of none turns it abstained on
	// (right: nothing to look up); Abstain the share of all turns.
	AbstainArticle float64 `json:"abstain_on_article_turns"`
	AbstainNone    float64 `json:"abstain_on_none_turns"`
	Abstain        float64 `json:"abstain"`
}

// Ranker ranks replies for the last customer turn of a call's history;
// assist.Ranker.Rank is one.
type Ranker func(ctx context.Context, history []assist.Turn) (assist.Ranked, error)

// ReplyRanks replays each annotated call and ranks replies at each
// annotated customer turn, with the call's turns up to it as history (as
// the engine does), and compares the suggestions' articles with the
// annotation. row, when not nil, receives each annotated turn. An
// annotated call that is not among calls, or an annotated utterance that
// is not a customer turn of it, is an error.
func ReplyRanks(ctx context.Context, rank Ranker, calls []StepCall, ann ReplyAnnotations, row func(ReplyRow)) (RepliesReport, error) {
	byID := map[string]StepCall{}
	for _, c := range calls {
		byID[c.ID] = c
	}
	var rep RepliesReport
	top1, top3, abstArticle, abstNone := 0, 0, 0, 0
	for _, a := range ann.Calls {
		c, ok := byID[a.CallID]
		if !ok {
			return rep, fmt.Errorf("eval replies: annotated call %s is not among the calls replayed", a.CallID)
		}
		rep.Calls++
		var history []assist.Turn
		seen := 0
		for _, t := range c.Turns {
			history = append(history, assist.Turn{Speaker: t.Speaker, Text: t.Text})
			want, ok := a.Turns[t.UtteranceID]
			if !ok {
				continue
			}
			seen++
			if t.Speaker != "customer" {
				return rep, fmt.Errorf("eval replies: call %s: %s is an annotated %s turn, not a customer's", a.CallID, t.UtteranceID, t.Speaker)
			}
			r, err := rank(ctx, history)
			if err != nil {
				return rep, fmt.Errorf("eval replies: call %s %s: %w", a.CallID, t.UtteranceID, err)
			}
			var got []string
			for _, s := range r.Suggestions {
				if s.ArticleID != "" {
					got = append(got, s.ArticleID)
				}
			}
			out := ReplyRow{CallID: a.CallID, UtteranceID: t.UtteranceID, Want: want}
			abstained := r.Abstain || len(got) == 0
			if !abstained {
				out.Got = got[0]
			}
			none := want[0] == NoArticle
			fits := func(ids []string) bool {
				return slices.ContainsFunc(ids, func(id string) bool { return slices.Contains(want, id) })
			}
			switch {
			case none && abstained:
				rep.NoneTurns++
				abstNone++
				out.Verdict = "ok"
			case none:
				rep.NoneTurns++
				out.Verdict = "suggested"
			case abstained:
				rep.ArticleTurns++
				abstArticle++
				out.Verdict = "abstained"
			case fits(got[:1]):
				rep.ArticleTurns++
				top1++
				top3++
				out.Verdict = "ok"
			case fits(got[:min(3, len(got))]):
				rep.ArticleTurns++
				top3++
				out.Verdict = "top3"
			default:
				rep.ArticleTurns++
				out.Verdict = "wrong"
			}
			if row != nil {
				row(out)
			}
		}
		if seen != len(a.Turns) {
			var missing []string
			for u := range a.Turns {
				if !slices.ContainsFunc(c.Turns, func(t StepTurn) bool { return t.UtteranceID == u }) {
					missing = append(missing, u)
				}
			}
			slices.Sort(missing)
			return rep, fmt.Errorf("eval replies: call %s has no utterance %s", a.CallID, strings.Join(missing, ", "))
		}
	}
	if rep.ArticleTurns > 0 {
		n := float64(rep.ArticleTurns)
		rep.Top1, rep.Top3, rep.AbstainArticle = stats.Round(float64(top1)/n, 3), stats.Round(float64(top3)/n, 3), stats.Round(float64(abstArticle)/n, 3)
	}
	if rep.NoneTurns > 0 {
		rep.AbstainNone = stats.Round(float64(abstNone)/float64(rep.NoneTurns), 3)
	}
	if n := rep.ArticleTurns + rep.NoneTurns; n > 0 {
		rep.Abstain = stats.Round(float64(abstArticle+abstNone)/float64(n), 3)
	}
	return rep, nil
}
