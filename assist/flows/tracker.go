package flows

import (
	"math"
	"strings"
)

// Speakers that Observe tells apart; any other speaker only advances the
// turn count.
const (
	SpeakerCustomer = "customer"
	SpeakerAgent    = "agent"
)

// Tracker thresholds. A flow is picked once its score reaches minScore; a
// picked flow is replaced only by one scoring switchRatio times as much plus
// switchMargin, so that one ambiguous sentence does not flip the guidance.
const (
	minScore     = 2.0
	switchRatio  = 1.15
	switchMargin = 1.0
	// actionWeight scales the evidence an observed action gives the flows
	// containing it, times the action's inverse flow frequency: "search-timing"
	// (one flow) says much, "pull-up-account" (most flows) little.
	actionWeight = 2.0
)

// Tracker follows one call through the flows. It is not safe for
// concurrent use; a call's utterances arrive in order anyway.
type Tracker struct {
	flows   []Flow
	matcher Matcher
	index   map[string]int      // flow ID → position in flows
	cues    map[string][]phrase // action ID → cues
	actDF   map[string]int      // action ID → number of flows with it

	turn     int
	customer []string
	text     []Scored       // the matcher's last scores, best first
	actions  map[string]int // action ID → turn first observed
	cueHits  map[string]int // action ID → turn an agent first said a cue
	current  int            // index of the picked flow, -1 when none
	scores   []float64      // combined score per flow
}

// StepState is a step of the matched flow and whether it is done.
//
// The agent's words usually come before the action ("can I have your full
// name?" precedes pulling up the account), so a cue alone only starts a
// step. A step is done when the system reports its action, or when it was
// started and the agent has since started or done a later step of the flow:
// that the agent moved on is the evidence it finished. Without action
// events (a phone call), steps are thus ticked by cues alone, one behind.
type StepState struct {
	Step Step
	// Started says an agent utterance matched the step's cues, at turn
	// StartedAt (-1 when not started).
	Started   bool
	StartedAt int
	// Done says the step is finished, first seen at turn DoneAt (the 0-based
	// count of Observe calls before it; -1 when not done).
	Done   bool
	DoneAt int
	// ByAction says the system reported the action, rather than the step
	// being inferred from the agent's words.
	ByAction bool
}

// State is what the tracker makes of the call so far.
type State struct {
	// Flow is the matched flow, nil until one scores enough. It points into
	// the tracker's flows and must not be modified.
	Flow *Flow
	// Confidence is the matched flow's share of the score mass (softmax over
	// all flows), in [0, 1].
	Confidence float64
	// Steps are the matched flow's steps in order.
	Steps []StepState
	// Next is the first step not done, nil when all are or no flow matched.
	Next *Step
}

// NewTracker starts tracking a call against flows, scoring them with m.
func NewTracker(flows []Flow, m Matcher) *Tracker {
	t := &Tracker{
		flows:   flows,
		matcher: m,
		index:   make(map[string]int, len(flows)),
		cues:    map[string][]phrase{},
		actDF:   map[string]int{},
		actions: map[string]int{},
		cueHits: map[string]int{},
		current: -1,
		scores:  make([]float64, len(flows)),
	}
	for i, f := range flows {
		t.index[f.ID] = i
		seen := map[string]bool{}
		for _, s := range f.Steps {
			if !seen[s.ID] {
				seen[s.ID] = true
				t.actDF[s.ID]++
			}
			if _, ok := t.cues[s.ID]; ok {
				continue
			}
			var cues []phrase
			for _, c := range s.Cues {
				if p, ok := newPhrase(c); ok {
					cues = append(cues, p)
				}
			}
			t.cues[s.ID] = cues
		}
	}
	return t
}

// Observe takes one final utterance of the call. Customer turns re-score
// the flows; agent turns start the steps whose cues they contain.
func (t *Tracker) Observe(speaker, text string) {
	defer func() { t.turn++ }()
	switch strings.ToLower(speaker) {
	case SpeakerCustomer:
		t.customer = append(t.customer, text)
		t.text = t.matcher.Match(t.customer)
		t.rescore()
	case SpeakerAgent:
		padded := " " + normalize(text) + " "
		for id, cues := range t.cues {
			if _, ok := t.cueHits[id]; ok {
				continue
			}
			for _, c := range cues {
				if c.in(padded) {
					t.cueHits[id] = t.turn
					break
				}
			}
		}
	}
}

// ObserveAction takes an action the system reports the agent took, e.g.
// "pull-up-account". It ticks the step done and counts as evidence for the flows
// that have it.
func (t *Tracker) ObserveAction(actionID string) {
	if _, ok := t.actions[actionID]; ok {
		return
	}
	t.actions[actionID] = t.turn
	t.rescore()
}

// rescore combines the text scores with the actions' evidence and moves the
// picked flow if another is clearly better.
func (t *Tracker) rescore() {
	clear(t.scores)
	for _, s := range t.text {
		if i, ok := t.index[s.FlowID]; ok {
			t.scores[i] = s.Score
		}
	}
	n := float64(len(t.flows))
	for i, f := range t.flows {
		seen := map[string]bool{}
		for _, s := range f.Steps {
			if _, ok := t.actions[s.ID]; ok && !seen[s.ID] {
				seen[s.ID] = true
				t.scores[i] += actionWeight * math.Log(n/float64(t.actDF[s.ID]))
			}
		}
	}
	best := -1
	for i, s := range t.scores {
		if best < 0 || s > t.scores[best] || s == t.scores[best] && t.flows[i].ID < t.flows[best].ID {
			best = i
		}
	}
	switch {
	case best < 0 || best == t.current:
	case t.current < 0:
		if t.scores[best] >= minScore {
			t.current = best
		}
	case t.scores[best] > t.scores[t.current]*switchRatio+switchMargin:
		t.current = best
	}
}

// State returns the matched flow, its steps and the next one.
func (t *Tracker) State() State {
	if t.current < 0 {
		return State{}
	}
	f := &t.flows[t.current]
	st := State{Flow: f, Confidence: t.confidence(), Steps: make([]StepState, len(f.Steps))}
	for i, s := range f.Steps {
		ss := StepState{Step: s, StartedAt: -1, DoneAt: -1}
		if at, ok := t.cueHits[s.ID]; ok {
			ss.Started, ss.StartedAt = true, at
		}
		if at, ok := t.actions[s.ID]; ok {
			ss.Done, ss.DoneAt, ss.ByAction = true, at, true
		}
		st.Steps[i] = ss
	}
	// A started step is done once a later step has been started or done;
	// walk backwards keeping the earliest such turn.
	later := -1
	for i := len(st.Steps) - 1; i >= 0; i-- {
		ss := &st.Steps[i]
		if ss.Started && !ss.Done && later >= 0 {
			ss.Done, ss.DoneAt = true, max(later, ss.StartedAt)
		}
		for _, at := range [...]int{ss.StartedAt, ss.DoneAt} {
			if at >= 0 && (later < 0 || at < later) {
				later = at
			}
		}
	}
	for i := range st.Steps {
		if !st.Steps[i].Done {
			st.Next = &f.Steps[i]
			break
		}
	}
	return st
}

// confidence is the picked flow's softmax share of the scores.
func (t *Tracker) confidence() float64 {
	top := t.scores[t.current]
	var sum float64
	for _, s := range t.scores {
		sum += math.Exp(s - top)
	}
	return 1 / sum
}
