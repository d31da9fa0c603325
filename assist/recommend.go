package assist

import (
	"fmt"

	"github.com/larkspur-labs/assist/internal/stats"
)

// Recommendation kinds.
const (
	RecAction   = "action"
	RecArticle  = "article"
	RecOffer    = "offer"
	RecEscalate = "escalate"
	RecRisk     = "risk"
)

// Recommendation is something the agent could do next, with the reason.
type Recommendation struct {
	Kind      string
	Title     string
	Reason    string
	Score     float64
	ArticleID string
}

// maxActions bounds the follow-up actions taken from the top article.
const maxActions = 4

// Recommend lists next actions for the call: first what the alerts ask for,
// then the follow-up actions of the best-matching article, then the articles
// worth opening. Two alerts asking for the same thing (a supervisor request
// and rising negativity both ask for a call-back) give one
// recommendation, with both reasons.
func Recommend(r Ranked, alerts []Alert) []Recommendation {
	var out []Recommendation
	add := func(rec Recommendation) {
		for i := range out {
			if out[i].Kind == rec.Kind && out[i].Title == rec.Title {
				out[i].Reason += "; " + rec.Reason
				return
			}
		}
		out = append(out, rec)
	}
	for _, a := range alerts {
		switch a.Type {
		case AlertSupervisor, AlertEscalation:
			add(Recommendation{Kind: RecEscalate, Title: "Offer a supervisor call-back or warm transfer", Reason: a.Reason, Score: 1})
		case AlertChurn:
			add(Recommendation{Kind: RecRisk, Title: "Acknowledge the frustration before any retention offer", Reason: a.Reason, Score: 0.9})
		case AlertDrop:
			add(Recommendation{Kind: RecRisk, Title: "Check understanding and restate the next step", Reason: a.Reason, Score: 0.8})
		}
	}
	if r.Abstain || len(r.Suggestions) == 0 {
		return out
	}
	top := r.Suggestions[0]
	if len(r.Candidates) > 0 {
		for i, act := range r.Candidates[0].Article.Actions {
			if i == maxActions {
				break
			}
			out = append(out, Recommendation{
				Kind:      RecAction,
				Title:     act,
				Reason:    fmt.Sprintf("step %d of %q", i+1, top.Title),
				Score:     stats.Round(top.Confidence*(1-0.05*float64(i)), 3),
				ArticleID: top.ArticleID,
			})
		}
	}
	for _, s := range r.Suggestions {
		out = append(out, Recommendation{
			Kind:      RecArticle,
			Title:     s.Title,
			Reason:    fmt.Sprintf("matches the customer's words (%.0f%%)", s.Confidence*100),
			Score:     s.Confidence,
			ArticleID: s.ArticleID,
		})
	}
	return out
}
