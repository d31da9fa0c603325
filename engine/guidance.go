package engine

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/larkspur-labs/assist/assist"
	"github.com/larkspur-labs/assist/assist/flows"
	"github.com/larkspur-labs/assist/assist/rules"
	"github.com/larkspur-labs/assist/engine/event"
	"github.com/larkspur-labs/assist/internal/stats"
)

// Guidance is what the engine recommends beyond replies: guided flows
// (checklists whose next step is the next best action), personalised
// offers for the customer's profile, and risk and compliance warnings.
// Every part is optional.
type Guidance struct {
	Flows   []flows.Flow
	Matcher flows.Matcher
	// Rules holds the offers and warnings; Profiles finds the customer's
	// profile by the call's customer id.
	Rules    *rules.RuleSet
	Profiles rules.ProfileSource
}

// profileTimeout bounds the profile lookup at a call's start (an HTTP
// profile service may be slow; the call starts without a profile).
const profileTimeout = 2 * time.Second

// maxGuideTurns bounds the turns a call keeps for its rules.
const maxGuideTurns = 2000

// guideState is one call's guidance: its flow tracker, its customer's
// profile, the turns the rules read, and the warnings already raised.
type guideState struct {
	tracker *flows.Tracker
	profile *rules.Profile
	turns   []rules.TurnInfo
	intents []string
	warned  map[string]bool
	// recs is the last recommendations event, republished with a new
	// checklist when an agent turn ticks a step.
	recs     event.Recommendations
	lastFlow string
	// step is the next-step recommendation in recs, if any.
	step *event.Recommendation
}

// newGuide starts a call's guidance, looking its customer's profile up.
func (e *Engine) newGuide(callID string, info event.CallStarted) *guideState {
	g := e.guidance
	if g == nil {
		return nil
	}
	st := &guideState{warned: map[string]bool{}}
	if len(g.Flows) > 0 && g.Matcher != nil {
		st.tracker = flows.NewTracker(g.Flows, g.Matcher)
	}
	if g.Profiles != nil && info.Customer != "" {
		ctx, cancel := context.WithTimeout(context.Background(), profileTimeout)
		p, ok, err := g.Profiles.Lookup(ctx, info.Customer)
		cancel()
		switch {
		case err != nil:
			e.log.Warn("customer profile", "call_id", callID, "err", err)
		case ok:
			st.profile = &p
		}
	}
	return st
}

// guide applies a final utterance to the call's guidance: it publishes the
// warnings the rules raise now and returns what to add to the
// recommendations. an is the customer turn's analysis (nil for the agent).
// The caller holds s.mu.
func (s *Session) guide(u event.Utterance, score assist.Score, an *assist.Analysis) ([]event.Recommendation, error) {
	g := s.guideSt
	if g == nil {
		return nil, nil
	}
	ti := rules.TurnInfo{
		Index: len(g.turns), Speaker: string(u.Speaker), Text: u.Text, UtteranceID: u.UtteranceID,
		Start: u.Start, End: u.End, Score: score.Polarity, Emotions: score.Emotions,
	}
	if an != nil && an.Ranked != nil && !an.Ranked.Abstain && len(an.Ranked.Suggestions) > 0 {
		top := an.Ranked.Suggestions[0]
		ti.Intents = []string{top.ArticleID, top.Title}
		if !slices.Contains(g.intents, top.Title) {
			g.intents = append(g.intents, top.Title)
		}
	}
	if len(g.turns) < maxGuideTurns {
		g.turns = append(g.turns, ti)
	}
	if g.tracker != nil {
		g.tracker.Observe(string(u.Speaker), u.Text)
	}
	out := s.e.guidance.Rules.Evaluate(rules.Input{Profile: g.profile, Turns: g.turns, Intents: g.intents, Now: u.End})
	if err := s.warn(out.Warnings); err != nil {
		return nil, err
	}
	var recs []event.Recommendation
	g.step = s.nextStep()
	if g.step != nil {
		recs = append(recs, *g.step)
	}
	for _, o := range out.Offers {
		recs = append(recs, event.Recommendation{Kind: "offer", Title: o.Title, Reason: o.Reason, Score: stats.Round(o.Score, 3)})
	}
	return recs, nil
}

// warn publishes the warnings not raised before, as alerts citing their
// utterance.
func (s *Session) warn(ws []rules.Warning) error {
	for _, w := range ws {
		if s.guideSt.warned[w.ID] {
			continue
		}
		s.guideSt.warned[w.ID] = true
		reason := w.Reason
		if w.Quote != "" {
			reason = fmt.Sprintf("%s — %q", reason, w.Quote)
		}
		if err := s.publish(event.Alert{Type: w.Kind, Severity: w.Severity, Reason: reason, UtteranceID: w.UtteranceID}); err != nil {
			return err
		}
	}
	return nil
}

// flowState is the call's checklist, nil when no flow matched.
func (s *Session) flowState() *event.FlowState {
	if s.guideSt == nil || s.guideSt.tracker == nil {
		return nil
	}
	st := s.guideSt.tracker.State()
	if st.Flow == nil {
		return nil
	}
	out := &event.FlowState{ID: st.Flow.ID, Title: st.Flow.Title, Confidence: stats.Round(st.Confidence, 3)}
	for _, step := range st.Steps {
		out.Steps = append(out.Steps, event.FlowStep{ID: step.Step.ID, Title: step.Step.Title, Done: step.Done})
	}
	if st.Next != nil {
		out.Next = st.Next.ID
	}
	return out
}

// nextStep is the checklist's next step as the top recommended action.
func (s *Session) nextStep() *event.Recommendation {
	f := s.flowState()
	if f == nil || f.Next == "" {
		return nil
	}
	done := 0
	for _, st := range f.Steps {
		if st.Done {
			done++
		}
	}
	for i, st := range f.Steps {
		if st.ID == f.Next {
			return &event.Recommendation{
				Kind: "action", Title: st.Title, Score: f.Confidence,
				Reason: fmt.Sprintf("step %d of %d of %s (%d done)", i+1, len(f.Steps), f.Title, done),
			}
		}
	}
	return nil
}

// publishRecommendations publishes the recommendations with the current
// checklist, and remembers them.
func (s *Session) publishRecommendations(r event.Recommendations) error {
	r.Flow = s.flowState()
	if s.guideSt != nil {
		s.guideSt.recs = r
		s.guideSt.lastFlow = flowKey(r.Flow)
	}
	return s.publish(r)
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
	if s.guideSt == nil || s.guideSt.tracker == nil {
		return nil
	}
	old := s.guideSt.step
	s.guideSt.tracker.ObserveAction(id)
	return s.settle(s.republishChecklist(old))
}

// agentGuidance applies an agent turn: its warnings, and a republished
// checklist when the turn ticked a step or changed the next one.
func (s *Session) agentGuidance(u event.Utterance, score assist.Score) error {
	if s.guideSt == nil {
		return nil
	}
	old := s.guideSt.step // guide replaces it
	if _, err := s.guide(u, score, nil); err != nil {
		return err
	}
	return s.republishChecklist(old)
}

// republishChecklist republishes the last recommendations with the
// current checklist and next step, when they changed; old is the next-step
// recommendation they held. The caller holds s.mu.
func (s *Session) republishChecklist(old *event.Recommendation) error {
	if flowKey(s.flowState()) == s.guideSt.lastFlow || s.guideSt.recs.UtteranceID == "" {
		return nil
	}
	r := s.guideSt.recs
	r.Recommendations = slices.DeleteFunc(slices.Clone(r.Recommendations), func(x event.Recommendation) bool {
		return old != nil && x == *old
	})
	s.guideSt.step = s.nextStep()
	if s.guideSt.step != nil {
		r.Recommendations = append([]event.Recommendation{*s.guideSt.step}, r.Recommendations...)
	}
	return s.publishRecommendations(r)
}

// finishGuidance raises the warnings due at the call's end (disclosures
// never said) and returns the final checklist.
func (s *Session) finishGuidance() (*event.FlowState, error) {
	g := s.guideSt
	if g == nil {
		return nil, nil
	}
	out := s.e.guidance.Rules.Evaluate(rules.Input{Profile: g.profile, Turns: g.turns, Intents: g.intents, Ended: true, Now: s.lastEnd})
	if err := s.warn(out.Warnings); err != nil {
		return nil, err
	}
	return s.flowState(), nil
}

// flowKey identifies a checklist's state, to see whether it changed.
func flowKey(f *event.FlowState) string {
	if f == nil {
		return ""
	}
	k := f.ID + "|" + f.Next
	for _, st := range f.Steps {
		if st.Done {
			k += "|" + st.ID
		}
	}
	return k
}
