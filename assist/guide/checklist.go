package guide

import (
	"fmt"
	"slices"

	"github.com/larkspur-labs/assist/assist/flows"
	"github.com/larkspur-labs/assist/internal/stats"
)

// Checklist is the matched flow's state: its steps, which are done, and
// the next one.
type Checklist struct {
	ID, Title string
	// Confidence is the flow tracker's confidence in the flow, rounded to 3
	// decimals.
	Confidence float64
	Steps      []ChecklistStep
	// Next is the next step's id, "" when every step is done.
	Next string
	// Earlier are the call's other flows (see flows.State.Earlier): those
	// it was on before, whose ticks stay in the record, and those whose own
	// steps the agent did along the way. Their Confidence is 0.
	Earlier []Checklist
}

// ChecklistStep is one step of a checklist.
type ChecklistStep struct {
	ID, Title string
	Done      bool
	// By says what showed a done step done (flows.ByAction, ByAgent,
	// ByCustomer, ByInferred); UtteranceID is the utterance that did, ""
	// for an action reported between utterances.
	By, UtteranceID string
}

// NextStep is the checklist's next step as the top recommended action. A
// Call never modifies a NextStep it has handed out.
type NextStep struct {
	Title string
	// Reason places the step: "step 2 of 5 of Recover password (1 done)".
	Reason string
	// Score is the checklist's confidence.
	Score float64
}

// Change is how to republish the last recommendations after the checklist
// changed: drop Drop (the next step they held, nil for none) and put Step
// (the next step now, nil for none) first; they go out with the checklist
// that Show returns.
type Change struct {
	Drop, Step *NextStep
}

// StepsDone returns the titles of the checklist's steps done so far, nil
// without a checklist: the replies read it (assist.Call.StepsDone) to say
// a step done only once it is.
func (g *Call) StepsDone() []string {
	var out []string
	if cl := g.Checklist(); cl != nil {
		for _, c := range append([]Checklist{*cl}, cl.Earlier...) {
			for _, s := range c.Steps {
				if s.Done && !slices.Contains(out, s.Title) {
					out = append(out, s.Title)
				}
			}
		}
	}
	return out
}

// Checklist returns the call's checklist now, nil when no flow matched or
// no flow is configured, or for a nil Call.
func (g *Call) Checklist() *Checklist {
	if g == nil || g.tracker == nil {
		return nil
	}
	st := g.tracker.State()
	if st.Flow == nil {
		return nil
	}
	out := g.checklist(st)
	out.Confidence = stats.Round(st.Confidence, 3)
	for _, e := range st.Earlier {
		out.Earlier = append(out.Earlier, *g.checklist(e))
	}
	return out
}

// checklist is a flow's state as a checklist, without its confidence and
// earlier flows.
func (g *Call) checklist(st flows.State) *Checklist {
	out := &Checklist{ID: st.Flow.ID, Title: st.Flow.Title}
	for _, step := range st.Steps {
		cs := ChecklistStep{ID: step.Step.ID, Title: step.Step.Title, Done: step.Done, By: step.By}
		if step.Done && step.By != flows.ByAction && step.DoneAt >= 0 && step.DoneAt < len(g.utterances) {
			cs.UtteranceID = g.utterances[step.DoneAt]
		}
		out.Steps = append(out.Steps, cs)
	}
	if st.Next != nil {
		out.Next = st.Next.ID
	}
	return out
}

// Show returns the checklist to publish with recommendations going out now
// (nil for a nil Call), and remembers it as the one the agent sees:
// AgentTurn and Action report changes from it.
func (g *Call) Show() *Checklist {
	if g == nil {
		return nil
	}
	cl := g.Checklist()
	g.shown, g.shownKey = true, cl.key()
	return cl
}

// change returns the change to republish, nil when no recommendations went
// out yet or the checklist is as they showed it; old is the next step they
// hold.
func (g *Call) change(old *NextStep) *Change {
	if !g.shown || g.Checklist().key() == g.shownKey {
		return nil
	}
	g.step = g.nextStep()
	return &Change{Drop: old, Step: g.step}
}

// nextStep is the checklist's next step, nil when none.
func (g *Call) nextStep() *NextStep {
	cl := g.Checklist()
	if cl == nil || cl.Next == "" {
		return nil
	}
	done := 0
	for _, st := range cl.Steps {
		if st.Done {
			done++
		}
	}
	for i, st := range cl.Steps {
		if st.ID == cl.Next {
			return &NextStep{
				Title: st.Title, Score: cl.Confidence,
				Reason: fmt.Sprintf("step %d of %d of %s (%d done)", i+1, len(cl.Steps), cl.Title, done),
			}
		}
	}
	return nil
}

// key identifies a checklist's state, to see whether it changed.
func (cl *Checklist) key() string {
	if cl == nil {
		return ""
	}
	k := cl.ID + "|" + cl.Next
	for _, st := range cl.Steps {
		if st.Done {
			k += "|" + st.ID
		}
	}
	for i := range cl.Earlier {
		k += "|<" + cl.Earlier[i].key()
	}
	return k
}
