package eval

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/larkspur-labs/assist/assist/flows"
	"github.com/larkspur-labs/assist/internal/stats"
)

// StepAnnotations are calls annotated with the utterance that completed
// each step of the flows that fit them (engine/samples/steps.json), and
// the rules the annotators followed.
type StepAnnotations struct {
	Rules []string         `json:"rules"`
	Calls []StepAnnotation `json:"calls"`
}

// StepAnnotation is one call's annotation: the flows whose checklists fit
// it and, for every step of those flows, the utterance id that completed
// it ("" when the call never did it).
type StepAnnotation struct {
	CallID string            `json:"call_id"`
	Flows  []string          `json:"flows"`
	Steps  map[string]string `json:"steps"`
}

// ParseStepAnnotations reads step annotations; a call without an id or
// without steps is an error.
func ParseStepAnnotations(name string, data []byte) (StepAnnotations, error) {
	var a StepAnnotations
	if err := json.Unmarshal(data, &a); err != nil {
		return a, fmt.Errorf("step annotations %s: %w", name, err)
	}
	for i, c := range a.Calls {
		if c.CallID == "" || len(c.Steps) == 0 {
			return a, fmt.Errorf("step annotations %s: call %d has no call_id or no steps", name, i+1)
		}
	}
	return a, nil
}

// StepCall is a call to replay through the flow tracker: its final
// utterances in order, with their ids.
type StepCall struct {
	ID    string
	Turns []StepTurn
}

// StepTurn is one final utterance of a StepCall.
type StepTurn struct {
	UtteranceID, Speaker, Text string
}

// StepRow is one annotated step of a call and what the tracker showed.
type StepRow struct {
	CallID, Step string
	// Want is the utterance that completed the step ("" when never done);
	// Got the one at which the agent's checklist first showed it done
	// ("" when it never did).
	Want, Got string
	// Verdict is "ok", "late", "early", "missed", "false" (ticked, never
	// done) or "" (neither done nor ticked).
	Verdict string
	// Delay is Got's turn minus Want's, for ok and late rows.
	Delay int
}

// StepsReport holds the figures of a step-tick evaluation.
type StepsReport struct {
	// Calls is the number of annotated calls replayed.
	Calls int `json:"calls"`
	// Done is the number of annotated steps done; Ticks the steps the
	// checklist showed done.
	Done  int `json:"done"`
	Ticks int `json:"ticks"`
	// Precision is the share of ticks that were right: the step was done,
	// and not ticked before it was. Recall is the share of done steps
	// ticked rightly.
	Precision float64 `json:"tick_precision"`
	Recall    float64 `json:"tick_recall"`
	// DelayMedian is the median turns between the utterance that completed
	// a step and the tick, over right ticks; SameTurn their share ticked
	// at that very utterance.
	DelayMedian float64 `json:"tick_delay_turns_median"`
	SameTurn    float64 `json:"tick_same_turn"`
	// Early counts ticks before the step was done (counted wrong).
	Early int `json:"early"`
	// TrackedPrecision and TrackedRecall count instead the steps the
	// tracker records done from words and actions, whichever flow the
	// checklist shows: they leave out the flow matcher's errors (and the
	// steps only inferred from a later one).
	TrackedPrecision float64 `json:"tracked_precision"`
	TrackedRecall    float64 `json:"tracked_recall"`
}

// StepTicks replays each annotated call through a flow tracker and
// compares, step by step, the turn at which the checklist the agent sees
// first shows a step done with the annotated one. Only the steps of the
// flows annotated for the call count. row, when not nil, receives each
// annotated step. Calls without an annotation are an error, since
// measuring them would say nothing.
func StepTicks(fl []flows.Flow, m flows.Matcher, calls []StepCall, ann StepAnnotations, row func(StepRow)) (StepsReport, error) {
	byID := map[string]StepCall{}
	for _, c := range calls {
		byID[c.ID] = c
	}
	var rep StepsReport
	var delays []float64
	right, same := 0, 0
	trackedTicks, trackedRight := 0, 0
	for _, a := range ann.Calls {
		c, ok := byID[a.CallID]
		if !ok {
			return rep, fmt.Errorf("eval steps: annotated call %s is not among the calls replayed", a.CallID)
		}
		rep.Calls++
		index := map[string]int{}
		for i, t := range c.Turns {
			index[t.UtteranceID] = i
		}
		seen := map[string]int{}
		tr := flows.NewTracker(fl, m)
		for i, t := range c.Turns {
			tr.Observe(t.Speaker, t.Text)
			st := tr.State()
			// The checklists of the flows the call was on before stay in
			// the record, and their steps still tick.
			for _, f := range append([]flows.State{st}, st.Earlier...) {
				for _, s := range f.Steps {
					if _, ok := seen[s.Step.ID]; s.Done && !ok {
						seen[s.Step.ID] = i
					}
				}
			}
		}
		for id, want := range a.Steps {
			at, _, ok := tr.Done(id)
			if !ok {
				continue
			}
			trackedTicks++
			if wantAt, done := index[want]; want != "" && done && at >= wantAt {
				trackedRight++
			}
		}
		ids := make([]string, 0, len(a.Steps))
		for id := range a.Steps {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		for _, id := range ids {
			want := a.Steps[id]
			r := StepRow{CallID: a.CallID, Step: id, Want: want}
			got, ticked := seen[id]
			if ticked {
				r.Got = c.Turns[got].UtteranceID
				rep.Ticks++
			}
			wantAt, done := index[want]
			if want != "" && !done {
				return rep, fmt.Errorf("eval steps: call %s step %s: no utterance %s", a.CallID, id, want)
			}
			if done {
				rep.Done++
			}
			switch {
			case done && ticked && got >= wantAt:
				r.Verdict, r.Delay = "ok", got-wantAt
				if r.Delay > 0 {
					r.Verdict = "late"
				} else {
					same++
				}
				right++
				delays = append(delays, float64(r.Delay))
			case done && ticked:
				r.Verdict = "early"
				rep.Early++
			case done:
				r.Verdict = "missed"
			case ticked:
				r.Verdict = "false"
			}
			if row != nil {
				row(r)
			}
		}
	}
	if rep.Ticks > 0 {
		rep.Precision = stats.Round(float64(right)/float64(rep.Ticks), 3)
	}
	if rep.Done > 0 {
		rep.Recall = stats.Round(float64(right)/float64(rep.Done), 3)
		rep.TrackedRecall = stats.Round(float64(trackedRight)/float64(rep.Done), 3)
	}
	if trackedTicks > 0 {
		rep.TrackedPrecision = stats.Round(float64(trackedRight)/float64(trackedTicks), 3)
	}
	if len(delays) > 0 {
		rep.DelayMedian = stats.Median(delays)
		rep.SameTurn = stats.Round(float64(same)/float64(len(delays)), 3)
	}
	return rep, nil
}
