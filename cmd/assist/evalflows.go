package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/larkspur-labs/assist/assist/eval"
	"github.com/larkspur-labs/assist/assist/flows"
	"github.com/larkspur-labs/assist/internal/datasets"
)

// defaultGuidelines is where the ABCD guidelines sit beside the repository.
const defaultGuidelines = "../shared/data/abcd_guidelines"

type evalFlowsOptions struct {
	io         streams
	data       string
	guidelines string
}

func newEvalFlowsCmd(io streams, runF func(context.Context, *evalFlowsOptions) error) *cobra.Command {
	opts := &evalFlowsOptions{io: io}
	cmd := &cobra.Command{
		Use:     "flows --data FILE [--guidelines DIR]",
		Short:   "Measure guided-flow tracking on ABCD conversations",
		Long:    fmt.Sprintf(help("eval-flows"), defaultGuidelines),
		Example: `  assist eval flows --data ../shared/data/abcd_guidelines/abcd_sample.json`,
		Args:    exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.data == "" {
				return usagef("--data is required")
			}
			if opts.guidelines == "" {
				opts.guidelines = defaultGuidelines
				dir := filepath.Dir(opts.data)
				if _, err := os.Stat(filepath.Join(dir, datasets.ABCDGuidelinesFile)); err == nil {
					opts.guidelines = dir
				}
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runEvalFlows(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.data, "data", "", "ABCD conversations: a JSON list like abcd_sample.json")
	f.StringVar(&opts.guidelines, "guidelines", "", "folder with guidelines.json, kb.json and ontology.json (default: the folder of --data, else "+defaultGuidelines+")")
	return cmd
}

func runEvalFlows(ctx context.Context, opts *evalFlowsOptions) error {
	all, err := flows.LoadABCD(opts.guidelines)
	if err != nil {
		return fmt.Errorf("%w (set --guidelines to the ABCD guidelines folder)", err)
	}
	chats, err := eval.LoadABCDChats(opts.data)
	if err != nil {
		return err
	}
	fmt.Fprintf(opts.io.err, "eval flows: %d flows from %s, %d conversations\n", len(all), opts.guidelines, len(chats))
	tw := tabwriter.NewWriter(opts.io.out, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, eval.ChatTableHeader)
	rep, err := eval.Flows(ctx, all, chats, func(res flows.ChatResult) { fmt.Fprintln(tw, eval.ChatRow(res)) })
	if err != nil {
		return err
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(opts.io.err, "chats never on the right subflow count as their length: %d of %d\n", rep.NeverCorrect, rep.N)
	return printJSONLine(opts.io.out, rep)
}
