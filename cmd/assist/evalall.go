package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/larkspur-labs/assist/engine/app"
	"github.com/larkspur-labs/assist/engine/evalsuite"
)

// defaultDataSets is where the public data sets sit beside the repository.
const defaultDataSets = "../shared/data"

func newEvalAllCmd(io streams, runF func(context.Context, *evalsuite.AllOptions) error) *cobra.Command {
	opts := &evalsuite.AllOptions{Options: evalsuite.Options{Progress: io.err}, Out: io.out}
	cmd := &cobra.Command{
		Use:     "all [--data DIR] [--json FILE]",
		Short:   "Run every evaluation behind the README's tables and print one table",
		Long:    fmt.Sprintf(help("eval-all"), strings.Join(evalsuite.Groups(), ", ")),
		Example: example("eval-all"),
		Args:    exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := evalsuite.CheckGroups(opts.Groups); err != nil {
				return usagef("--only: %v", err)
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return evalsuite.All(cmd.Context(), opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Data, "data", defaultDataSets, "folder of the public data sets")
	f.StringVar(&opts.JSON, "json", "", "also write the rows, with the figures behind them, to this JSON file")
	f.StringVar(&opts.Encoder, "encoder", app.DefaultEncoderDir(), "folder of the sentence encoder (required)")
	f.StringSliceVar(&opts.Groups, "only", nil, "run only these groups (comma-separated)")
	return cmd
}
