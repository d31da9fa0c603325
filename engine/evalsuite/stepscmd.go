package evalsuite

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"text/tabwriter"

	"github.com/larkspur-labs/assist/assist/eval"
	"github.com/larkspur-labs/assist/assist/flows"
	"github.com/larkspur-labs/assist/engine/samples"
	"github.com/larkspur-labs/assist/engine/transcript"
	"github.com/larkspur-labs/assist/kb"
)

// BundledSteps measures the checklist's step ticks on the bundled sample
// calls against their annotations (engine/samples/steps.json), with the
// flows of the bundled knowledge base: a row per annotated step, then the
// report as a line of JSON (see eval.StepTicks).
func BundledSteps(o *FlowsOptions) error {
	arts, err := kb.Sample()
	if err != nil {
		return fmt.Errorf("eval flows: %w", err)
	}
	fl := flows.FromArticles(arts)
	ann, err := eval.ParseStepAnnotations("steps.json", samples.Steps)
	if err != nil {
		return err
	}
	calls, err := bundledStepCalls()
	if err != nil {
		return err
	}
	fmt.Fprintf(o.ErrOut, "eval flows: %d flows from the bundled knowledge base, %d annotated calls\n", len(fl), len(ann.Calls))
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

// bundledStepCalls reads the sample calls, numbering each call's
// utterances from u1 as the replay does.
func bundledStepCalls() ([]eval.StepCall, error) {
	names, err := fs.Glob(samples.FS, "*.jsonl")
	if err != nil {
		return nil, err
	}
	var out []eval.StepCall
	for _, name := range names {
		cs, _, err := transcript.LoadFS(samples.FS, name, transcript.FormatAuto)
		if err != nil {
			return nil, fmt.Errorf("eval flows: %w", err)
		}
		for _, c := range cs {
			sc := eval.StepCall{ID: c.ID}
			for i, u := range c.Utterances {
				sc.Turns = append(sc.Turns, eval.StepTurn{UtteranceID: fmt.Sprintf("u%d", i+1), Speaker: string(u.Speaker), Text: u.Text})
			}
			out = append(out, sc)
		}
	}
	return out, nil
}

// dash is s, or "-" when empty, for a table cell.
func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
