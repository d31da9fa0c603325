package engine

import (
	"context"
	"fmt"
	"slices"

	"github.com/larkspur-labs/assist/assist"
	"github.com/larkspur-labs/assist/assist/flows"
	"github.com/larkspur-labs/assist/assist/guide"
	"github.com/larkspur-labs/assist/engine/event"
)

// This file turns a call's guidance (package guide) into events: warnings
// become alerts, the next step and offers lead the recommendations, and
// the checklist rides along with them.

// startGuidance starts a call's guidance, looking its customer's profile
// up; nil when the engine has none.
func (e *Engine) startGuidance(callID string, info event.CallStarted) *guide.Call {
	g := e.guidance.NewCall()
	g.SetChannel(string(info.Channel))
	if err := g.LookupProfile(context.Background(), info.Customer); err != nil {
		e.log.Warn("customer profile", "call_id", callID, "err", err)
	}
	return g
}

// guideTurn is a final utterance as the guidance reads it; ranked is nil
// but for a customer turn.
func guideTurn(u event.Utterance, score assist.Score, ranked *assist.Ranked) guide.Turn {
	return guide.Turn{
		UtteranceID: u.UtteranceID, Speaker: string(u.Speaker), Text: u.Text,
		Start: u.Start, End: u.End, Score: score, Ranked: ranked,
	}
}

// customerGuidance applies a customer turn to the call's guidance: it
// publishes the warnings raised now and returns what leads the turn's
// recommendations. The caller holds s.mu.
func (s *Session) customerGuidance(u event.Utterance, an *assist.Analysis) ([]event.Recommendation, error) {
	if s.guide == nil {
		return nil, nil
	}
	t := guideTurn(u, an.Score, an.Ranked)
	for _, a := range an.Alerts {
		t.Alerts = append(t.Alerts, a.Type)
	}
	adv := s.guide.CustomerTurn(t)
	if err := s.alert(adv.Warnings); err != nil {
		return nil, err
	}
	var recs []event.Recommendation
	if adv.Step != nil {
		recs = append(recs, stepRecommendation(*adv.Step))
	}
	for _, o := range adv.Offers {
		recs = append(recs, event.Recommendation{Kind: "offer", Title: o.Title, Reason: o.Reason, Score: o.Score})
	}
	return recs, nil
}

// agentGuidance applies an agent turn: its warnings, and a republished
// checklist when the turn ticked a step or changed the next one. The
// caller holds s.mu.
func (s *Session) agentGuidance(u event.Utterance, score assist.Score) error {
	if s.guide == nil {
		return nil
	}
	ws, change := s.guide.AgentTurn(guideTurn(u, score, nil))
	if err := s.alert(ws); err != nil {
		return err
	}
	return s.republish(change)
}

// Action records a system action the agent took (an event from the
// agent's tools, such as "pull-up-account"): it ticks the checklist's step
// and republishes the checklist when that changed it.
func (s *Session) Action(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ended {
		return fmt.Errorf("action for call %s: %w", s.id, ErrCallEnded)
	}
	if s.guide == nil {
		return nil
	}
	return s.settle(s.republish(s.guide.Action(id)))
}

// finishGuidance raises the warnings due at the call's end (disclosures
// never said) and returns the final checklist.
func (s *Session) finishGuidance() (*event.FlowState, error) {
	if s.guide == nil {
		return nil, nil
	}
	ws, cl := s.guide.Finish(s.lastEnd)
	if err := s.alert(ws); err != nil {
		return nil, err
	}
	return flowState(cl), nil
}

// alert publishes warnings as alerts, in order.
func (s *Session) alert(ws []guide.Warning) error {
	for _, w := range ws {
		if err := s.publish(event.Alert{Type: w.Kind, Severity: w.Severity, Reason: w.Reason, UtteranceID: w.UtteranceID, Rule: w.Rule}); err != nil {
			return err
		}
	}
	return nil
}

// publishRecommendations publishes the recommendations with the current
// checklist, and remembers them for republishing.
func (s *Session) publishRecommendations(r event.Recommendations) error {
	if s.guide != nil {
		r.Flow = flowState(s.guide.Show())
		r.Recommendations = foldIntoChecklist(r.Recommendations, r.Flow)
		s.lastRecs = r
	}
	if r.Recommendations == nil {
		r.Recommendations = []event.Recommendation{} // a list, never null
	}
	return s.publish(r)
}

// foldIntoChecklist drops what the checklist already shows: an article's
// follow-up actions that are steps of it, offers that one of its steps
// makes ("Link savings as overdraft protection…" and the step "Offer
// overdraft protection linked to savings"), and the article the checklist
// was made of. The checklist's next step stays, once, as the guidance's
// own step recommendation (no article id).
func foldIntoChecklist(recs []event.Recommendation, fl *event.FlowState) []event.Recommendation {
	if fl == nil {
		return recs
	}
	steps := map[string]bool{}
	for _, st := range fl.Steps {
		steps[st.Title] = true
	}
	return slices.DeleteFunc(slices.Clone(recs), func(r event.Recommendation) bool {
		switch r.Kind {
		case "action":
			return r.ArticleID != "" && steps[r.Title]
		case "article":
			return r.ArticleID == fl.ID
		case "offer":
			return slices.ContainsFunc(fl.Steps, func(st event.FlowStep) bool {
				return flows.Mentions(st.Title, r.Title)
			})
		}
		return false
	})
}

// republish publishes the last recommendations again after the checklist
// changed, with the change's next step in place of the old one; a nil
// change publishes nothing.
func (s *Session) republish(change *guide.Change) error {
	if change == nil {
		return nil
	}
	r := s.lastRecs
	r.Recommendations = slices.DeleteFunc(slices.Clone(r.Recommendations), func(x event.Recommendation) bool {
		return change.Drop != nil && x == stepRecommendation(*change.Drop)
	})
	if change.Step != nil {
		r.Recommendations = append([]event.Recommendation{stepRecommendation(*change.Step)}, r.Recommendations...)
	}
	return s.publishRecommendations(r)
}

// stepRecommendation is the checklist's next step as the top recommended
// action.
func stepRecommendation(st guide.NextStep) event.Recommendation {
	return event.Recommendation{Kind: "action", Title: st.Title, Reason: st.Reason, Score: st.Score}
}

// flowState is a checklist as the events carry it, nil for none.
func flowState(cl *guide.Checklist) *event.FlowState {
	if cl == nil {
		return nil
	}
	out := &event.FlowState{ID: cl.ID, Title: cl.Title, Confidence: cl.Confidence, Next: cl.Next}
	for _, st := range cl.Steps {
		out.Steps = append(out.Steps, event.FlowStep{ID: st.ID, Title: st.Title, Done: st.Done, By: st.By, UtteranceID: st.UtteranceID})
	}
	for i := range cl.Earlier {
		out.Earlier = append(out.Earlier, *flowState(&cl.Earlier[i]))
	}
	return out
}
