package evalsuite

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"text/tabwriter"

	"github.com/larkspur-labs/assist/assist/eval"
	"github.com/larkspur-labs/assist/assist/flows"
	"github.com/larkspur-labs/assist/engine/samples"
	"github.com/larkspur-labs/assist/engine/transcript"
	"github.com/larkspur-labs/assist/kb"
)

// Steps measures the checklist's step ticks against annotations, with the
// flows of the bundled knowledge base: o.Steps and o.Calls (the bundled
// calls and their annotations, engine/samples/steps.json, when empty).
// It prints a row per annotated step, then the report as a line of JSON
// (see eval.StepTicks).
func Steps(o *FlowsOptions) error {
	arts, err := kb.Sample()
	if err != nil {
		return fmt.Errorf("eval flows: %w", err)
	}
	fl := flows.FromArticles(arts)
	name, data := "engine/samples/steps.json", samples.Steps
	if o.Steps != "" {
		if name, data = o.Steps, nil; true {
			if data, err = os.ReadFile(o.Steps); err != nil {
				return fmt.Errorf("eval flows: %w", err)
			}
		}
	}
	ann, err := eval.ParseStepAnnotations(name, data)
	if err != nil {
		return err
	}
	var calls []eval.StepCall
	if o.Calls == "" {
		calls, err = bundledStepCalls()
	} else {
		calls, err = fileStepCalls(o.Calls)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(o.ErrOut, "eval flows: %d flows from the bundled knowledge base, %d annotated calls (%s)\n", len(fl), len(ann.Calls), name)
	tw := tabwriter.NewWriter(o.Out, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "call\tstep\twant\tgot\tverdict")
	rep, err := eval.StepTicks(fl, flows.NewTextMatcher(fl), calls, ann, func(r eval.StepRow) {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.CallID, r.Step, dash(r.Want), dash(r.Got), dash(r.Verdict))
	})
	if err != nil {
		return err
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	return json.NewEncoder(o.Out).Encode(rep)
}

// fileStepCalls reads calls from a transcript file in any format replay
// reads, numbering each call's utterances from u1 as the replay does.
func fileStepCalls(path string) ([]eval.StepCall, error) {
	cs, _, err := transcript.LoadFile(path, transcript.FormatAuto)
	if err != nil {
		return nil, fmt.Errorf("eval flows: %w", err)
	}
	transcript.UniqueIDs(cs)
	return stepCalls(cs), nil
}

// bundledStepCalls reads the sample calls, numbering each call's
// utterances from u1 as the replay does.
func bundledStepCalls() ([]eval.StepCall, error) {
	names, err := fs.Glob(samples.FS, "*.jsonl")
	if err != nil {
		return nil, err
	}
	var all []transcript.Call
	for _, name := range names {
		cs, _, err := transcript.LoadFS(samples.FS, name, transcript.FormatAuto)
		if err != nil {
			return nil, fmt.Errorf("eval flows: %w", err)
		}
		all = append(all, cs...)
	}
	return stepCalls(all), nil
}

// stepCalls are calls as the step evaluation replays them.
func stepCalls(cs []transcript.Call) []eval.StepCall {
	var out []eval.StepCall
	for _, c := range cs {
		sc := eval.StepCall{ID: c.ID}
		for i, u := range c.Utterances {
			sc.Turns = append(sc.Turns, eval.StepTurn{UtteranceID: fmt.Sprintf("u%d", i+1), Speaker: u.Speaker, Text: u.Text})
		}
		out = append(out, sc)
	}
	return out
}

// dash is s, or "-" when empty, for a table cell.
func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
