// Package guide keeps one call's guidance beyond replies: the guided flow
// whose checklist's next step is the next best action, personalised offers
// for the customer's profile, and risk and compliance warnings.
//
// A Config holds what is configured for every call (flows, the matcher
// that picks one, rules and customer profiles); Config.NewCall starts one
// call's state. The state is fed the call's final utterances and the
// agent's system actions, and answers in its own small types (NextStep,
// Offer, Warning, Checklist, Change) that the engine turns into events:
//
//   - a customer turn yields the warnings raised now, then the next step and
//     the offers that lead the turn's recommendations;
//   - an agent turn or action yields the warnings raised now and, when it
//     ticked a step or moved the next one, a Change to republish the last
//     recommendations with;
//   - the call's end yields the warnings due then (disclosures never said)
//     and the final checklist.
//
// Each warning is raised once per call. A Call is not safe for concurrent
// use: the engine calls it under the call's lock.
package guide

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/larkspur-labs/assist/assist"
	"github.com/larkspur-labs/assist/assist/flows"
	"github.com/larkspur-labs/assist/assist/rules"
	"github.com/larkspur-labs/assist/internal/stats"
)

// Config is what the engine recommends beyond replies: guided flows
// (checklists whose next step is the next best action), personalised
// offers for the customer's profile, and risk and compliance warnings.
// Every part is optional.
type Config struct {
	Flows   []flows.Flow
	Matcher flows.Matcher
	// Rules holds the offers and warnings; Profiles finds the customer's
	// profile by the call's customer id.
	Rules    *rules.RuleSet
	Profiles rules.ProfileSource
}

// ProfileTimeout bounds the profile lookup at a call's start (an HTTP
// profile service may be slow; the call starts without a profile).
const ProfileTimeout = 2 * time.Second

// maxTurns bounds the turns a call keeps for its rules.
const maxTurns = 2000

// Call is one call's guidance: its flow tracker, its customer's profile,
// the turns the rules read, the warnings already raised, the next step and
// the checklist the agent last saw.
type Call struct {
	cfg     *Config
	tracker *flows.Tracker
	// utterances are the ids of the utterances the tracker observed, in
	// order: a step's DoneAt indexes them.
	utterances []string
	profile    *rules.Profile
	turns      []rules.TurnInfo
	intents    []string
	warned     map[string]bool
	// channel is the call's channel ("voice", "chat"; "" unknown);
	// raised the kinds of the warnings and alerts raised so far.
	channel string
	raised  []string
	// offered are the titles of the offers last shown; made those the
	// agent has since made (said), which are not shown again.
	offered []string
	made    map[string]bool
	// step is the next step the last recommendations hold, if any.
	step *NextStep
	// shown says recommendations went out, with the checklist whose key is
	// shownKey.
	shown    bool
	shownKey string
}

// NewCall starts a call's guidance, without a customer profile (see
// LookupProfile). It returns nil for a nil Config: no guidance.
func (c *Config) NewCall() *Call {
	if c == nil {
		return nil
	}
	g := &Call{cfg: c, warned: map[string]bool{}, made: map[string]bool{}}
	if len(c.Flows) > 0 && c.Matcher != nil {
		g.tracker = flows.NewTracker(c.Flows, c.Matcher)
	}
	return g
}

// LookupProfile finds the customer's profile within ProfileTimeout, for
// the offers and the rules that read it. It does nothing without a profile
// source or a customer id. On an error the call goes on without a profile.
func (g *Call) LookupProfile(ctx context.Context, customer string) error {
	if g == nil || g.cfg.Profiles == nil || customer == "" {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, ProfileTimeout)
	defer cancel()
	p, ok, err := g.cfg.Profiles.Lookup(ctx, customer)
	if err != nil {
		return fmt.Errorf("look up customer profile: %w", err)
	}
	if ok {
		g.profile = &p
	}
	return nil
}

// SetChannel tells the rules the call's channel ("voice" or "chat"), so
// that voice-only rules (a recorded-call disclosure) stay quiet on chat.
func (g *Call) SetChannel(channel string) {
	if g != nil {
		g.channel = channel
	}
}

// Turn is one final utterance of the call.
type Turn struct {
	UtteranceID string
	// Speaker is "customer", "agent" or another participant.
	Speaker    string
	Text       string
	Start, End float64 // offsets in the call, seconds
	Score      assist.Score
	// Ranked are the replies ranked for a customer turn: their top
	// suggestion is the turn's intent. Nil for other turns.
	Ranked *assist.Ranked
	// Alerts are the types of the engine's own alerts this turn raised
	// (supervisor_request, churn_risk, ...): offers that avoid them hold
	// back.
	Alerts []string
}

// Offer is a personalised offer for the customer.
type Offer struct {
	Title, Reason string
	// Score is the rule's score, rounded to 3 decimals.
	Score float64
}

// Warning is a risk or compliance warning, raised once per call.
type Warning struct {
	Kind, Severity string
	// Reason says why, followed by the words that triggered it, quoted.
	Reason string
	// UtteranceID is the utterance that triggered it.
	UtteranceID string
	// Rule is the id of the warning rule that raised it.
	Rule string
}

// Advice is what a customer turn adds to the call's guidance.
type Advice struct {
	// Warnings are the warnings raised now, in order.
	Warnings []Warning
	// Step is the checklist's next step, nil when there is none; it
	// leads the turn's recommendations, before the Offers.
	Step   *NextStep
	Offers []Offer
}

// CustomerTurn applies a customer's final utterance.
func (g *Call) CustomerTurn(t Turn) Advice {
	out := g.observe(t)
	adv := Advice{Warnings: g.newWarnings(out.Warnings), Step: g.step}
	g.offered = g.offered[:0]
	for _, o := range out.Offers {
		if g.made[o.Title] {
			continue
		}
		adv.Offers = append(adv.Offers, Offer{Title: o.Title, Reason: o.Reason, Score: stats.Round(o.Score, 3)})
		g.offered = append(g.offered, o.Title)
	}
	return adv
}

// AgentTurn applies the final utterance of anyone but the customer. It
// returns the warnings raised now and, when the turn ticked a step or moved
// the next one, the change to republish the last recommendations with.
func (g *Call) AgentTurn(t Turn) ([]Warning, *Change) {
	for _, o := range g.offered {
		if flows.Mentions(o, t.Text) {
			g.made[o] = true // the agent made it: no need to show it again
		}
	}
	old := g.step // observe replaces it
	ws := g.newWarnings(g.observe(t).Warnings)
	return ws, g.change(old)
}

// Action records a system action the agent took (an event from the
// agent's tools, such as "pull-up-account"): it ticks the checklist's step
// and returns the change to republish the last recommendations with, nil
// when the checklist did not change or no flow is configured.
func (g *Call) Action(id string) *Change {
	if g.tracker == nil {
		return nil
	}
	old := g.step
	g.tracker.ObserveAction(id)
	return g.change(old)
}

// Finish applies the call's end: it returns the warnings due then
// (disclosures never said), now being the call's last offset in seconds,
// and the final checklist.
func (g *Call) Finish(now float64) ([]Warning, *Checklist) {
	out := g.cfg.Rules.Evaluate(g.input(true, now))
	return g.newWarnings(out.Warnings), g.Checklist()
}

// observe records a turn for the rules and the flow tracker, evaluates the
// rules and sets the next step.
func (g *Call) observe(t Turn) rules.Output {
	ti := rules.TurnInfo{
		Index: len(g.turns), Speaker: t.Speaker, Text: t.Text, UtteranceID: t.UtteranceID,
		Start: t.Start, End: t.End, Score: t.Score.Polarity, Emotions: t.Score.Emotions,
	}
	if r := t.Ranked; r != nil && !r.Abstain && len(r.Suggestions) > 0 {
		top := r.Suggestions[0]
		ti.Intents = []string{top.ArticleID, top.Title}
		if !slices.Contains(g.intents, top.Title) {
			g.intents = append(g.intents, top.Title)
		}
	}
	if len(g.turns) < maxTurns {
		g.turns = append(g.turns, ti)
	}
	if g.tracker != nil {
		g.tracker.Observe(t.Speaker, t.Text)
		if len(g.utterances) < maxTurns {
			g.utterances = append(g.utterances, t.UtteranceID)
		}
	}
	for _, a := range t.Alerts {
		g.raise(a)
	}
	out := g.cfg.Rules.Evaluate(g.input(false, t.End))
	before := len(g.raised)
	for _, w := range out.Warnings {
		g.raise(w.Kind)
	}
	if len(out.Offers) > 0 && len(g.raised) > before {
		// An offer avoiding a kind of warning this very turn raised holds
		// back now, not from the next turn on.
		out.Offers = g.cfg.Rules.Evaluate(g.input(false, t.End)).Offers
	}
	g.step = g.nextStep()
	return out
}

// input is what the rules read of the call now.
func (g *Call) input(ended bool, now float64) rules.Input {
	in := rules.Input{
		Profile: g.profile, Turns: g.turns, Intents: g.intents, Ended: ended, Now: now,
		Channel: g.channel, Raised: g.raised,
	}
	if cl := g.Checklist(); cl != nil {
		in.Flow = cl.ID
		for _, e := range cl.Earlier {
			in.Earlier = append(in.Earlier, e.ID)
		}
	}
	return in
}

// raise records the kind of a warning or alert raised.
func (g *Call) raise(kind string) {
	if !slices.Contains(g.raised, kind) {
		g.raised = append(g.raised, kind)
	}
}

// newWarnings keeps the warnings not raised before, and marks them raised.
func (g *Call) newWarnings(ws []rules.Warning) []Warning {
	var out []Warning
	for _, w := range ws {
		if g.warned[w.ID] {
			continue
		}
		g.warned[w.ID] = true
		reason := w.Reason
		if w.Quote != "" {
			reason = fmt.Sprintf("%s — %q", reason, w.Quote)
		}
		out = append(out, Warning{Kind: w.Kind, Severity: w.Severity, Reason: reason, UtteranceID: w.UtteranceID, Rule: w.ID})
	}
	return out
}
