package assist

import (
	"context"
	"fmt"
	"math"
	"strings"

	"github.com/larkspur-labs/assist/kb"
)

// Searcher finds knowledge articles for a query, best first.
type Searcher interface {
	Search(ctx context.Context, query string, k int) ([]kb.Hit, error)
}

// Turn is one utterance of the conversation so far.
type Turn struct {
	Speaker string // "customer" or "agent"
	Text    string
}

// Suggestion is a reply the agent could give, with a confidence in 0..1.
type Suggestion struct {
	ID         string
	Text       string
	Confidence float64
	Source     string // kb, history or llm
	ArticleID  string
	Title      string
}

// Ranked is the outcome of ranking replies for one customer utterance.
type Ranked struct {
	Suggestions []Suggestion
	// Abstain is set when no reply is confident enough; Reason says why.
	Abstain bool
	Reason  string
	// Hits are the knowledge-base hits behind the suggestions, best first.
	Hits []kb.Hit
	// Query is the text that was searched.
	Query string
}

// Ranker turns knowledge-base hits into ranked reply suggestions.
//
// Confidence is a monotone squash of the full-text score: the top hit's
// confidence is 1−exp(−score/Scale), and each lower hit's is scaled by the
// square of its score relative to the top, so a distant second is shown as
// much less likely. When the top confidence is below Threshold the ranker
// abstains rather than show noise. A last turn made only of filler words
// ("yes, thanks") is not searched at all.
//
// The defaults were read off the bundled knowledge base on the SGD banking
// dialogues: topical requests score 0.25 and up, acknowledgements below 0.2.
type Ranker struct {
	KB Searcher
	// K is how many suggestions to return at most.
	K int
	// Scale is the full-text score at which confidence reaches 63%.
	Scale float64
	// Threshold is the minimum top confidence to suggest anything.
	Threshold float64
	// MinRelative drops hits scoring below this fraction of the top hit.
	MinRelative float64
}

// NewRanker returns a ranker over kb with the default calibration.
func NewRanker(s Searcher) *Ranker {
	return &Ranker{KB: s, K: 3, Scale: 0.6, Threshold: 0.3, MinRelative: 0.35}
}

// shortQueryWords is the length under which a customer utterance ("In
// checking.", "yes please") is searched together with the previous customer
// turn, since on its own it names no topic.
const shortQueryWords = 4

// Rank ranks replies for the last customer turn of history.
func (r *Ranker) Rank(ctx context.Context, history []Turn) (Ranked, error) {
	if len(history) > 0 && isSmallTalk(history[len(history)-1].Text) {
		return Ranked{Abstain: true, Reason: "small talk: nothing to look up"}, nil
	}
	q := contextQuery(history)
	if strings.TrimSpace(q) == "" {
		return Ranked{Abstain: true, Reason: "nothing to search"}, nil
	}
	hits, err := r.KB.Search(ctx, q, r.K*2)
	if err != nil {
		return Ranked{}, fmt.Errorf("search knowledge base: %w", err)
	}
	out := Ranked{Hits: hits, Query: q}
	if len(hits) == 0 {
		out.Abstain, out.Reason = true, "no knowledge article matches"
		return out, nil
	}
	top := hits[0].Score
	topConf := 1 - math.Exp(-top/r.Scale)
	if topConf < r.Threshold {
		out.Abstain = true
		out.Reason = fmt.Sprintf("best match %q is too weak (%.0f%%)", hits[0].Article.Title, topConf*100)
		return out, nil
	}
	for _, h := range hits {
		rel := h.Score / top
		if rel < r.MinRelative || len(out.Suggestions) == r.K {
			break
		}
		a := h.Article
		out.Suggestions = append(out.Suggestions, Suggestion{
			ID:         "kb:" + a.ID,
			Text:       a.Answer,
			Confidence: round3(topConf * rel * rel),
			Source:     "kb",
			ArticleID:  a.ID,
			Title:      a.Title,
		})
	}
	return out, nil
}

// contextQuery builds the search text from the last customer turn, adding
// the customer turn before it when the last one is too short to name a topic.
func contextQuery(history []Turn) string {
	var picked []string
	for i := len(history) - 1; i >= 0 && len(picked) < 2; i-- {
		if history[i].Speaker != "customer" {
			continue
		}
		picked = append(picked, history[i].Text)
		if len(picked) == 1 && len(tokens(history[i].Text)) >= shortQueryWords {
			break
		}
	}
	// Oldest first reads naturally and keeps the newest words last.
	for i, j := 0, len(picked)-1; i < j; i, j = i+1, j-1 {
		picked[i], picked[j] = picked[j], picked[i]
	}
	return strings.Join(picked, " ")
}

func round3(x float64) float64 { return math.Round(x*1000) / 1000 }
