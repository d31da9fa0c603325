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
		Use:     "flows --data FILE [--guidelines DIR]",
		Short:   "Measure guided-flow tracking on ABCD conversations",
		Long:    fmt.Sprintf(help("eval-flows"), defaultGuidelines),
		Example: `  assist eval flows --data ../shared/data/abcd_guidelines/abcd_sample.json`,
		Args:    exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Data == "" {
				return usagef("--data is required")
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
	f.StringVar(&opts.Data, "data", "", "ABCD conversations: a JSON list like abcd_sample.json")
	f.StringVar(&opts.Guidelines, "guidelines", "", "folder with guidelines.json, kb.json and ontology.json (default: the folder of --data, else "+defaultGuidelines+")")
	return cmd
}
