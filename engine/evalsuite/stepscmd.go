package evalsuite

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
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
	name, data, calls, err := annotated("eval flows", "engine/samples/steps.json", samples.Steps, o.Steps, o.Calls)
	if err != nil {
		return err
	}
	rep, err := stepTicks(name, data, calls, o.Out, o.ErrOut)
	if err != nil {
		return err
	}
	return json.NewEncoder(o.Out).Encode(rep)
}

// stepTicks measures the ticks on calls against the annotations in data
// (named name), with the bundled knowledge base's flows, writing a row per
// annotated step to out.
func stepTicks(name string, data []byte, calls []eval.StepCall, out, errOut io.Writer) (eval.StepsReport, error) {
	arts, err := kb.Sample()
	if err != nil {
		return eval.StepsReport{}, fmt.Errorf("eval flows: %w", err)
	}
	fl := flows.FromArticles(arts)
	ann, err := eval.ParseStepAnnotations(name, data)
	if err != nil {
		return eval.StepsReport{}, err
	}
	fmt.Fprintf(errOut, "eval flows: %d flows from the bundled knowledge base, %d annotated calls (%s)\n", len(fl), len(ann.Calls), name)
	tw := tabwriter.NewWriter(out, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "call\tstep\twant\tgot\tverdict")
	rep, err := eval.StepTicks(fl, flows.NewTextMatcher(fl), calls, ann, func(r eval.StepRow) {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.CallID, r.Step, dash(r.Want), dash(r.Got), dash(r.Verdict))
	})
	if err != nil {
		return rep, err
	}
	return rep, tw.Flush()
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

// The steps group runs `assist eval flows --bundled` on the bundled calls
// and on the Harper Valley sample calls of the data folder, against the
// annotations of each (the latter's built in from testdata).
var stepsGroup = group{
	name:  "steps",
	needs: []string{hvbSample},
	run: func(ctx context.Context, s *suite) ([]Row, error) {
		bundled, hvb, err := annotatedCalls(s)
		if err != nil {
			return nil, err
		}
		var rows []Row
		for _, set := range []struct {
			what, name, args string
			data             []byte
			calls            []eval.StepCall
		}{
			{"the 4 bundled calls (in-sample: the cues were written reading them)", "engine/samples/steps.json", "", samples.Steps, bundled},
			{"the 4 Harper Valley sample calls (out of sample)", "engine/evalsuite/testdata/hvb_steps.json",
				" --steps engine/evalsuite/testdata/hvb_steps.json --calls " + dataArg(hvbSample), hvbStepsJSON, hvb},
		} {
			rep, err := stepTicks(set.name, set.data, set.calls, io.Discard, io.Discard)
			if err != nil {
				return nil, err
			}
			rows = append(rows, Row{
				Figure:  "checklist step ticks against annotations: " + set.what,
				Command: "assist eval flows --bundled" + set.args,
				Value: fmt.Sprintf("precision %s, recall %s (%d ticks, %d steps done); median delay %g turns, %s at the very turn",
					frac(rep.Precision), frac(rep.Recall), rep.Ticks, rep.Done, rep.DelayMedian, frac(rep.SameTurn)),
				Figures: rep,
			})
		}
		return rows, nil
	},
}

// annotated reads the annotations at path and the calls at callsPath,
// or, for either left empty, the bundled ones (bundledName, bundled): what
// `assist eval flows --bundled` and `assist eval replies` measure on.
func annotated(cmd, bundledName string, bundled []byte, path, callsPath string) (name string, data []byte, calls []eval.StepCall, err error) {
	name, data = bundledName, bundled
	if path != "" {
		name = path
		if data, err = os.ReadFile(path); err != nil {
			return "", nil, nil, fmt.Errorf("%s: %w", cmd, err)
		}
	}
	if callsPath == "" {
		calls, err = bundledStepCalls()
	} else {
		calls, err = fileStepCalls(callsPath)
	}
	return name, data, calls, err
}

// annotatedCalls returns the calls the steps and replies groups run on: the
// bundled ones and the Harper Valley sample's in the data folder.
func annotatedCalls(s *suite) (bundled, hvb []eval.StepCall, err error) {
	if bundled, err = bundledStepCalls(); err != nil {
		return nil, nil, err
	}
	if hvb, err = fileStepCalls(s.data(hvbSample)); err != nil {
		return nil, nil, err
	}
	return bundled, hvb, nil
}

// hvbSample is the Harper Valley sample in the data folder; the same
// calls are the repository's test data (internal/datasets/testdata/hvb).
const hvbSample = "harper_valley_bank_sample/hvb_sample_conversations.jsonl"

// hvbStepsJSON annotates hvbSample's calls.
//
//go:embed testdata/hvb_steps.json
var hvbStepsJSON []byte
