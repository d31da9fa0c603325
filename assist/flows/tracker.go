package flows

import (
	"math"
	"slices"
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
	// A customer turn that alone matches another flow with at least
	// needScore, needRatio times the next flow's score on that turn, and has
	// at least needWords content words raises a new need (a topic change:
	// "also, how do I pay my landlord?"); short follow-ups ("is there a
	// fee?") stay with the current flow.
	needScore = 8.0
	needRatio = 1.5
	needWords = 5
	// stallTurns is how many turns without a step of a flow begun or done
	// leave it stalled, though a step is begun: three exchanges.
	stallTurns = 6
	// A flow whose own step the agent said done joins the record when the
	// customer's words score it at least touchShare of the current flow.
	touchShare = 0.5
)

// Tracker follows one call through the flows. It is not safe for
// concurrent use; a call's utterances arrive in order anyway.
type Tracker struct {
	flows   []Flow
	matcher Matcher
	index   map[string]int    // flow ID → position in flows
	cues    map[string]cueSet // action ID → its cues
	actDF   map[string]int    // action ID → number of flows with it

	turn     int
	customer []string
	text     []Scored       // the matcher's last scores, best first
	actions  map[string]int // action ID → turn first observed
	cueHits  map[string]int // action ID → turn an agent first said a cue
	doneHits map[string]hit // action ID → the turn words first showed it done
	// asked are the steps the agent's last turn started, whose answer the
	// customer's next turn may give; answered are those the customer then
	// answered, done unless the agent's next turn asks again.
	asked, answered []string
	current         int       // index of the picked flow, -1 when none
	scores          []float64 // combined score per flow
	// earlier are the flows the call was on before the current one, in
	// order: their checklists stay in the record and their steps still tick.
	earlier []int
}

// Who finished a step, in StepState.By.
const (
	ByAction   = "action"   // the agent's tools reported the action
	ByAgent    = "agent"    // the agent's words: a done cue, or a cue of a step that saying performs
	ByCustomer = "customer" // the customer answered the step's question, or said it was done
	ByInferred = "inferred" // the agent moved on to a later step
)

// StepState is a step of the matched flow and whether it is done.
//
// A step is done, at the first turn that shows it, when:
//   - the system reports its action (ByAction);
//   - the agent says it is done ("you're verified", "I've refunded the
//     fee": the step's DoneCues), or says a cue of a step that saying
//     performs (an offer, an explanation: Step.Said) (ByAgent);
//   - the customer answers the question that started it (Step.Answered),
//     or, once it started, says it is done ("it says welcome back"), or the
//     agent takes the customer's answer to a step with done cues and moves
//     on without asking again (ByCustomer, at the agent's turn);
//   - it was started and the agent has since started or done a later step
//     of the flow (ByInferred): that the agent moved on is the evidence it
//     finished, for steps whose completion nobody says aloud.
type StepState struct {
	Step Step
	// Started says an agent utterance matched the step's cues, at turn
	// StartedAt (-1 when not started).
	Started   bool
	StartedAt int
	// Done says the step is finished, first seen at turn DoneAt (the 0-based
	// count of Observe calls before it: the index of the utterance that
	// showed it, or of the next one for an action; -1 when not done).
	Done   bool
	DoneAt int
	// By says what showed the step done: ByAction, ByAgent, ByCustomer or
	// ByInferred; "" when not done.
	By string
	// ByAction says the system reported the action, rather than the step
	// being inferred from the agent's words.
	ByAction bool
}

// hit is a turn and who showed a step done at it.
type hit struct {
	turn int
	by   string
}

// cueSet are a step's prepared phrases and how its cues count.
type cueSet struct {
	start, done            []phrase
	said, answered, guided bool
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
	// Earlier are the call's other flows, in the order they came: those it
	// was on before Flow, and those whose own steps the agent said done
	// along the way. Their steps are as of now (a step of theirs may still
	// tick); their Confidence is 0 and their Earlier nil.
	Earlier []State
}

// NewTracker starts tracking a call against flows, scoring them with m.
func NewTracker(flows []Flow, m Matcher) *Tracker {
	t := &Tracker{
		flows:    flows,
		matcher:  m,
		index:    make(map[string]int, len(flows)),
		cues:     map[string]cueSet{},
		actDF:    map[string]int{},
		actions:  map[string]int{},
		cueHits:  map[string]int{},
		doneHits: map[string]hit{},
		current:  -1,
		scores:   make([]float64, len(flows)),
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
			t.cues[s.ID] = cueSet{start: phrases(s.Cues), done: phrases(s.DoneCues), said: s.Said, answered: s.Answered, guided: s.Guided}
		}
	}
	return t
}

// Observe takes one final utterance of the call. Customer turns re-score
// the flows, answer the steps the agent's last turn asked about and tick
// started steps they say are done; agent turns start the steps whose cues
// they contain and tick those they show done.
func (t *Tracker) Observe(speaker, text string) {
	defer func() { t.turn++ }()
	padded := " " + normalize(text) + " "
	switch strings.ToLower(speaker) {
	case SpeakerCustomer:
		t.customer = append(t.customer, text)
		t.text = t.matcher.Match(t.customer)
		t.rescore()
		t.newNeed(text)
		if answers(padded) {
			for _, id := range t.asked {
				if t.cues[id].answered {
					t.markDone(id, ByCustomer)
				} else {
					t.answered = append(t.answered, id)
				}
			}
			t.asked = t.asked[:0]
		}
		for id, c := range t.cues {
			if _, started := t.cueHits[id]; started && anyIn(c.done, padded) {
				t.markDone(id, ByCustomer)
			}
		}
	case SpeakerAgent:
		// The agent moving on from an answered step without asking again
		// accepts the answer: "Thank you, Daniel. And the card…" after the
		// customer gave their name and last four digits.
		for id, c := range t.cues {
			if anyIn(c.done, padded) {
				t.markDone(id, ByAgent)
				t.touch(id, c.done, padded)
			}
		}
		for _, id := range t.answered {
			if !anyIn(t.cues[id].start, padded) {
				t.markDone(id, ByCustomer)
			}
		}
		// A question the customer has not answered yet ("hold on, I have
		// to find it") stays asked.
		t.answered = t.answered[:0]
		for id, c := range t.cues {
			if !anyIn(c.start, padded) {
				continue
			}
			if _, ok := t.cueHits[id]; !ok {
				t.cueHits[id] = t.turn
			}
			if c.said {
				t.markDone(id, ByAgent)
			}
			// Only steps that say how they finish (done cues, or a
			// question) take an answer as done: ABCD's steps have neither
			// and tick by the tools' actions.
			if _, done := t.doneHits[id]; !done && !c.guided && (c.answered || len(c.done) > 0) && !slices.Contains(t.asked, id) {
				t.asked = append(t.asked, id)
			}
		}
	}
}

// markDone records that the current turn showed a step done, unless an
// earlier one did.
func (t *Tracker) markDone(id, by string) {
	if _, ok := t.doneHits[id]; !ok {
		t.doneHits[id] = hit{turn: t.turn, by: by}
	}
}

// answers reports whether a customer's turn (normalised, padded) answers a
// question rather than refusing, asking one back or not knowing: "Daniel
// Okafor, and the last four are six two zero one" answers, "hold on" and
// "one? no, let me talk to your supervisor" do not.
func answers(padded string) bool {
	for _, p := range nonAnswers {
		if p.in(padded) {
			return false
		}
	}
	return strings.TrimSpace(padded) != ""
}

// nonAnswers are what customers say when they cannot answer yet.
var nonAnswers = phraseList("no", "sorry what", "pardon", "dont know", "not sure", "not doing", "hold on",
	"one moment", "just a moment", "hang on", "what do you mean", "which one", "supervisor", "manager")

// phrases prepares cues for search, dropping empty ones.
func phrases(cues []string) []phrase {
	var out []phrase
	for _, c := range cues {
		if p, ok := newPhrase(c); ok {
			out = append(out, p)
		}
	}
	return out
}

// phraseList is phrases of its arguments.
func phraseList(cues ...string) []phrase { return phrases(cues) }

// anyIn reports whether padded holds any of the phrases.
func anyIn(ps []phrase, padded string) bool {
	for _, p := range ps {
		if p.in(padded) {
			return true
		}
	}
	return false
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
		t.switchTo(best)
	}
}

// newNeed moves to another flow when the customer's turn alone raises a
// need that clearly matches it, once the current flow is done or stalled:
// a balance enquiry that goes on to a transfer, then to a payment to the
// landlord. The flow left keeps its ticks in the record (State.Earlier).
func (t *Tracker) newNeed(text string) {
	if t.current < 0 || len(contentStems(text)) < needWords {
		return
	}
	one := t.matcher.Match([]string{text})
	if len(one) < 2 || one[0].Score < needScore || one[0].Score < needRatio*one[1].Score {
		return
	}
	i, ok := t.index[one[0].FlowID]
	if !ok || i == t.current || !t.settled() {
		return
	}
	t.switchTo(i)
}

// settled reports whether the current flow can give way to a new need: no
// step of it is begun and unfinished (every step is done, or the agent
// left the rest undone), or it stalled: nothing of it was begun or done in
// the last stallTurns turns.
func (t *Tracker) settled() bool {
	open, last := false, -1
	for _, s := range t.flowState(t.current).Steps {
		open = open || s.Started && !s.Done
		last = max(last, s.StartedAt, s.DoneAt)
	}
	return !open || t.turn-last >= stallTurns
}

// touch keeps in the record the flow of a step the agent said done (done,
// in padded), when no other flow has that step, the call is on another
// flow, the words said are not also the done cues of a step of the current
// flow ("you're verified" is every flow's), and the customer's words
// support the flow too (touchShare): "I've just unlocked it" on a call
// about an app that won't take a password does the locked account's work,
// whose checklist then ticks alongside (State.Earlier).
func (t *Tracker) touch(stepID string, done []phrase, padded string) {
	if t.current < 0 || t.actDF[stepID] != 1 {
		return
	}
	own := false
	for _, p := range done {
		if p.in(padded) && !slices.ContainsFunc(t.flows[t.current].Steps, func(s Step) bool { return slices.Contains(t.cues[s.ID].done, p) }) {
			own = true
		}
	}
	if !own {
		return
	}
	for i, f := range t.flows {
		if i == t.current || slices.Contains(t.earlier, i) || !slices.ContainsFunc(f.Steps, func(s Step) bool { return s.ID == stepID }) {
			continue
		}
		if t.scores[i] < touchShare*t.scores[t.current] {
			return
		}
		t.earlier = append(t.earlier, i)
		return
	}
}

// switchTo makes flow i the current one, keeping the one left among the
// earlier flows (and taking i out of them, if the call comes back to it).
func (t *Tracker) switchTo(i int) {
	t.earlier = slices.DeleteFunc(t.earlier, func(e int) bool { return e == i })
	if t.current >= 0 {
		t.earlier = append(t.earlier, t.current)
	}
	t.current = i
}

// Done reports whether a step, of whichever flow, was shown done by an
// action or by words (not inferred from a later step, which depends on
// the flow), at which turn and by what.
func (t *Tracker) Done(stepID string) (turn int, by string, ok bool) {
	h, ok := t.doneHits[stepID]
	if at, act := t.actions[stepID]; act && (!ok || at < h.turn) {
		return at, ByAction, true
	}
	return h.turn, h.by, ok
}

// State returns the matched flow, its steps and the next one, and the
// flows the call was on before it.
func (t *Tracker) State() State {
	if t.current < 0 {
		return State{}
	}
	st := t.flowState(t.current)
	st.Confidence = t.confidence()
	for _, i := range t.earlier {
		st.Earlier = append(st.Earlier, t.flowState(i))
	}
	return st
}

// flowState is flow i's steps as of now and its next step.
func (t *Tracker) flowState(i int) State {
	f := &t.flows[i]
	st := State{Flow: f, Steps: make([]StepState, len(f.Steps))}
	for i, s := range f.Steps {
		ss := StepState{Step: s, StartedAt: -1, DoneAt: -1}
		if at, ok := t.cueHits[s.ID]; ok {
			ss.Started, ss.StartedAt = true, at
		}
		if h, ok := t.doneHits[s.ID]; ok {
			ss.Done, ss.DoneAt, ss.By = true, h.turn, h.by
		}
		if at, ok := t.actions[s.ID]; ok && (!ss.Done || at < ss.DoneAt) {
			ss.Done, ss.DoneAt, ss.By, ss.ByAction = true, at, ByAction, true
		}
		st.Steps[i] = ss
	}
	// A started step is done once a later step has been started or done;
	// walk backwards keeping the earliest such turn.
	later := -1
	for i := len(st.Steps) - 1; i >= 0; i-- {
		ss := &st.Steps[i]
		if ss.Started && !ss.Done && later >= 0 {
			ss.Done, ss.DoneAt, ss.By = true, max(later, ss.StartedAt), ByInferred
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
