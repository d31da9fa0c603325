package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/larkspur-labs/assist/engine/evalsuite"
	"github.com/larkspur-labs/assist/internal/datasets"
)

// defaultGuidelines is where the ABCD guidelines sit beside the repository.
const defaultGuidelines = "../shared/data/abcd_guidelines"

func newEvalFlowsCmd(io streams, runF func(context.Context, *evalsuite.FlowsOptions) error) *cobra.Command {
	opts := &evalsuite.FlowsOptions{Out: io.out, ErrOut: io.err}
	cmd := &cobra.Command{
		Use:     "flows --data FILE [--guidelines DIR] | --bundled [--steps FILE --calls FILE]",
		Short:   "Measure guided-flow tracking on ABCD conversations",
		Long:    fmt.Sprintf(help("eval-flows"), defaultGuidelines),
		Example: "  assist eval flows --data ../shared/data/abcd_guidelines/abcd_sample.json\n  assist eval flows --bundled\n  assist eval flows --bundled --steps engine/evalsuite/testdata/hvb_steps.json --calls internal/datasets/testdata/hvb/hvb_sample_conversations.jsonl",
		Args:    exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if (opts.Steps != "") != (opts.Calls != "") {
				return usagef("--steps and --calls go together")
			}
			if opts.Bundled {
				if opts.Data != "" {
					return usagef("--bundled measures step ticks; leave out --data")
				}
				if runF != nil {
					return runF(cmd.Context(), opts)
				}
				return evalsuite.Steps(opts)
			}
			if opts.Steps != "" {
				return usagef("--steps and --calls go with --bundled")
			}
			if opts.Data == "" {
				return usagef("--data is required (or --bundled)")
			}
			if opts.Guidelines == "" {
				opts.Guidelines = defaultGuidelines
				dir := filepath.Dir(opts.Data)
				if _, err := os.Stat(filepath.Join(dir, datasets.ABCDGuidelinesFile)); err == nil {
					opts.Guidelines = dir
				}
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return evalsuite.Flows(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&opts.Bundled, "bundled", false, "measure the checklist's step ticks, with the bundled knowledge base's flows, on the bundled calls against their annotations (engine/samples/steps.json)")
	f.StringVar(&opts.Steps, "steps", "", "with --bundled: step annotations (the layout of engine/samples/steps.json) of the calls in --calls")
	f.StringVar(&opts.Calls, "calls", "", "with --bundled: the annotated calls, a transcript file in any format replay reads")
	f.StringVar(&opts.Data, "data", "", "ABCD conversations: a JSON list like abcd_sample.json")
	f.StringVar(&opts.Guidelines, "guidelines", "", "folder with guidelines.json, kb.json and ontology.json (default: the folder of --data, else "+defaultGuidelines+")")
	return cmd
}
